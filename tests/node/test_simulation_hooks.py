"""What the simulation needs from a node: per-document capabilities, a send time, unsigned
documents for information, and a paper re-send after a verification refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import StatusCode
from docexchange.node.model import FollowUp
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import CertRole, PkiStore
from docexchange.registry import Registry
from docexchange.routing import Capabilities, Channel, RoutingRules
from docexchange.store import Direction, OutboxState
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import DA_NANG_MAIL_ONLY, START, draft, receipt

MAIL_ONLY = Capabilities(axis=False, mail=True, certificate=True)


@asynccontextmanager
async def _own_network(
    tmp_path: Path, registry: Registry, agencies: list[str]
) -> AsyncIterator[tuple[LoopbackNetwork, PkiStore]]:
    """A network on a PKI of its own, for a test that revokes certificates in it."""
    pki = PkiStore.init(
        tmp_path / "certs",
        registry,
        algorithm="ecdsa-p256",
        not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
    )
    net = LoopbackNetwork(
        tmp_path / "state", registry, pki, FixedClock(START), RoutingRules(), DA_NANG_MAIL_ONLY
    )
    await net.start(agencies)
    try:
        yield net, pki
    finally:
        await net.stop()


def _documents(net: LoopbackNetwork, document_id: str) -> list[tuple[Channel, OutboxState]]:
    items = net.nodes[VPCP_ID].store.list_outbox(document_id)
    return [(i.channel, i.state) for i in items if i.kind.value == "document"]


async def test_capabilities_can_be_given_per_document(network: LoopbackNetwork) -> None:
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID), capabilities={LAO_CAI_ID: MAIL_ONLY})
    assert [d.channel for d in sent.decisions] == [Channel.MAIL]  # the node's table says axis
    await network.settle()
    assert _documents(network, sent.document_id) == [(Channel.MAIL, OutboxState.SENT)]
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "03"}


async def test_a_document_is_sent_when_the_records_office_sends_it(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID), send_at=START + timedelta(hours=2))
    await network.settle()
    assert _documents(network, sent.document_id) == [(Channel.AXIS, OutboxState.PENDING)]
    network.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    await network.settle()
    assert _documents(network, sent.document_id) == [(Channel.AXIS, OutboxState.SENT)]


async def test_without_a_certificate_the_document_goes_unsigned_for_information_and_on_paper(
    network: LoopbackNetwork,
) -> None:
    no_certificate = Capabilities(axis=True, mail=True, certificate=False)
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(DA_NANG_ID), capabilities={VPCP_ID: no_certificate})
    decision = sent.decisions[0]
    assert (decision.channel, decision.legal_value, decision.paper_copy) == (Channel.MAIL, False, True)
    await network.settle()
    item = next(i for i in vpcp.store.list_outbox(sent.document_id) if i.channel is Channel.MAIL)
    assert b"Signature" not in item.payload and item.state is OutboxState.SENT
    assert sorted(_documents(network, sent.document_id)) == [
        (Channel.MAIL, OutboxState.SENT),
        (Channel.PAPER, OutboxState.PAPER),
    ]
    assert (
        network.nodes[DA_NANG_ID].store.incoming(sent.document_id) is None
    )  # the paper original is registered
    copies = [e for e in network.events.for_document(sent.document_id) if e.what == "information-copy"]
    assert [e.agency for e in copies] == [DA_NANG_ID]
    assert receipt(network, sent.document_id) == {}  # nothing is answered for an information copy


async def test_a_refusal_of_the_genuine_document_makes_the_sender_resend_it_on_paper(
    tmp_path: Path, net_registry: Registry
) -> None:
    async with _own_network(tmp_path, net_registry, [VPCP_ID, LAO_CAI_ID]) as (net, pki):
        sent = net.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
        pki.revoke(VPCP_ID, CertRole.PERSON, at=START - timedelta(days=1))  # the receiver learns it first
        await net.settle()
        assert receipt(net, sent.document_id) == {LAO_CAI_ID: "02"}
        assert sorted(_documents(net, sent.document_id)) == [
            (Channel.AXIS, OutboxState.SENT),
            (Channel.PAPER, OutboxState.PAPER),
        ]
        resent = [e for e in net.events.for_document(sent.document_id) if e.what == "paper"]
        assert resent and "refused-resent (cert-revoked)" in resent[0].detail


async def test_a_business_refusal_is_not_resent_on_paper(network: LoopbackNetwork) -> None:
    from docexchange.node.agency import ReceiverPolicy

    network.nodes[LAO_CAI_ID].policy = ReceiverPolicy(refuse=lambda message: ("mis-sent", "nhầm nơi nhận"))
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "02"}
    assert _documents(network, sent.document_id) == [(Channel.AXIS, OutboxState.SENT)]


async def test_acceptance_can_come_later_than_arrival(network: LoopbackNetwork) -> None:
    from docexchange.node.agency import ReceiverPolicy
    from docexchange.store import IncomingState

    lao_cai = network.nodes[LAO_CAI_ID]
    lao_cai.policy = ReceiverPolicy(accept_at_once=False)
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "01"}
    entry = lao_cai.store.incoming(sent.document_id)
    assert entry is not None and entry.state is IncomingState.ARRIVED
    arrived = [e for e in network.events.for_document(sent.document_id) if e.what == "arrived"]
    assert [(e.agency, e.counterpart) for e in arrived] == [(LAO_CAI_ID, VPCP_ID)]
    network.clock.advance(timedelta(hours=3))  # type: ignore[attr-defined]
    lao_cai.accept(sent.document_id)
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "03"}
    accepted = lao_cai.store.incoming(sent.document_id)
    assert accepted is not None and accepted.state is IncomingState.ACCEPTED
    times = {e.status_code.wire: e.at for e in network.nodes[VPCP_ID].store.status_log(sent.document_id)}
    assert times["03"] - times["01"] == timedelta(hours=3)


async def test_listeners_see_every_event_and_a_log_may_keep_none() -> None:
    from docexchange.node.events import EventLog, NodeEvent

    seen: list[str] = []
    log = EventLog(keep=False, listeners=[lambda e: seen.append(e.what)])
    log.add(NodeEvent(START, VPCP_ID, "d", "paper", counterpart=LAO_CAI_ID))
    assert seen == ["paper"] and log.events == []


async def test_a_secret_document_and_an_ordinary_one_with_the_same_number_both_register(
    network: LoopbackNetwork,
) -> None:
    from docexchange.routing import Secrecy

    vpcp = network.nodes[VPCP_ID]
    ordinary = vpcp.send(draft(LAO_CAI_ID))
    secret = vpcp.send(draft(LAO_CAI_ID, secrecy=Secrecy.MAT))
    assert ordinary.code == secret.code  # 01 in each series
    assert secret.document_id == f"{ordinary.document_id},MẬT"
    assert [d.channel for d in secret.decisions] == [Channel.PAPER]
    assert vpcp.store.outgoing(secret.document_id) is not None


async def test_an_agency_whose_signing_certificate_is_revoked_sends_unsigned_with_paper(
    tmp_path: Path, net_registry: Registry
) -> None:
    """Signing checks the certificate first (DOMAIN.md §6): the node says why it could not sign
    and routes the document as without a certificate, instead of failing."""
    async with _own_network(tmp_path, net_registry, [VPCP_ID, LAO_CAI_ID]) as (net, pki):
        pki.revoke(VPCP_ID, CertRole.PERSON, at=START - timedelta(hours=1))
        sent = net.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
        decision = sent.decisions[0]
        assert (decision.reason.value, decision.legal_value, decision.paper_copy) == (
            "no-certificate",
            False,
            True,
        )
        refused = [e for e in net.events.for_document(sent.document_id) if e.what == "signing-refused"]
        assert len(refused) == 1 and refused[0].detail.startswith("cert-revoked: ")
        await net.settle()
        assert sorted(_documents(net, sent.document_id)) == [
            (Channel.MAIL, OutboxState.SENT),  # unsigned, for information
            (Channel.PAPER, OutboxState.PAPER),
        ]
        assert net.nodes[LAO_CAI_ID].store.incoming(sent.document_id) is None  # paper is the original


async def test_a_receiver_that_cannot_sign_keeps_its_status_and_sends_nothing_unsigned(
    tmp_path: Path, net_registry: Registry
) -> None:
    async with _own_network(tmp_path, net_registry, [VPCP_ID, DA_NANG_ID]) as (net, pki):
        sent = net.nodes[VPCP_ID].send(draft(DA_NANG_ID))
        pki.revoke(DA_NANG_ID, CertRole.ORGANISATION, at=START - timedelta(hours=1))
        await net.settle()
        da_nang = net.nodes[DA_NANG_ID]
        assert da_nang.store.incoming(sent.document_id) is not None  # registered: the document is sound
        refused = [
            e
            for e in net.events.for_document(sent.document_id)
            if e.what == "signing-refused" and e.agency == DA_NANG_ID
        ]
        assert refused and all(e.detail.startswith("cert-revoked: ") for e in refused)
        statuses = [i for i in da_nang.store.list_outbox(sent.document_id) if i.kind.value == "status"]
        assert statuses == []  # nothing unsigned leaves the node
        assert receipt(net, sent.document_id) == {}  # so the sender hears nothing
        # ... and, a working day later by its diary, sends the paper original; a status it refused
        # (here: one naming bytes it never sent) is not word from the recipient
        vpcp = net.nodes[VPCP_ID]
        vpcp.store.log_status(
            sent.document_id, DA_NANG_ID, Direction.IN, StatusCode.REFUSED, START, reason_code="foreign-bytes"
        )
        assert vpcp.follow_up(sent.document_id, DA_NANG_ID) is FollowUp.PAPER
        items = [i for i in vpcp.store.list_outbox(sent.document_id) if i.kind.value == "document"]
        mail = next(i for i in items if i.channel is Channel.MAIL)
        paper = next(i for i in items if i.channel is Channel.PAPER)
        assert (mail.state, paper.state, paper.rerouted_from) == (
            OutboxState.SENT,
            OutboxState.PAPER,
            mail.id,
        )
        follow = [e for e in net.events.for_document(sent.document_id) if e.what == "paper"]
        assert len(follow) == 1 and follow[0].detail.startswith(f"→ {DA_NANG_ID}: no-receipt; ")
        assert vpcp.follow_up(sent.document_id, DA_NANG_ID) is FollowUp.NOTHING  # once


async def test_a_sender_that_heard_from_the_recipient_sends_no_paper(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    assert vpcp.follow_up(sent.document_id, LAO_CAI_ID) is FollowUp.NOTHING  # not sent yet: retries handle it
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "03"}
    assert vpcp.follow_up(sent.document_id, LAO_CAI_ID) is FollowUp.ANSWERED
    assert _documents(network, sent.document_id) == [(Channel.AXIS, OutboxState.SENT)]


async def test_a_document_that_only_arrived_goes_on_paper_at_the_later_look(network: LoopbackNetwork) -> None:
    """Its 01 came, its 03 or 02 was lost on the way: word enough at the first look, not at the
    later one — the sender must not wait for ever (a lost refusal would otherwise leave the
    document neither registered nor on paper)."""
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    assert await vpcp.pump() == 1  # at the axis; Lào Cai has not collected it
    vpcp.store.log_status(sent.document_id, LAO_CAI_ID, Direction.IN, StatusCode.ARRIVED, START)
    assert vpcp.follow_up(sent.document_id, LAO_CAI_ID) is FollowUp.ARRIVED_ONLY
    assert _documents(network, sent.document_id) == [(Channel.AXIS, OutboxState.SENT)]
    assert vpcp.follow_up(sent.document_id, LAO_CAI_ID, settled=True) is FollowUp.PAPER
    assert _documents(network, sent.document_id) == [
        (Channel.AXIS, OutboxState.SENT),
        (Channel.PAPER, OutboxState.PAPER),
    ]
    follow = [e for e in network.events.for_document(sent.document_id) if e.what == "paper"]
    assert len(follow) == 1
    assert follow[0].detail.startswith(
        f"→ {LAO_CAI_ID}: no-receipt; no acceptance or refusal from {LAO_CAI_ID}"
    )
    assert follow[0].caused_at == START  # the send that went unanswered (this clock stands still)
    assert vpcp.follow_up(sent.document_id, LAO_CAI_ID, settled=True) is FollowUp.NOTHING  # once


async def test_the_nodes_of_a_network_share_one_cache_of_path_verdicts(network: LoopbackNetwork) -> None:
    """A path verdict depends on the certificates only: the second recipient of a document reuses
    what the first found for the sender's certificates instead of building the paths again."""
    assert network.hub is not None and network.hub.validator.cache is network.chain_cache
    assert all(node.verifier.validator.cache is network.chain_cache for node in network.nodes.values())
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID, DA_NANG_ID))
    before = network.chain_cache.info()
    await network.settle()
    after = network.chain_cache.info()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "03", DA_NANG_ID: "03"}
    assert after.hits > before.hits
