"""Agency nodes exchanging documents over real loopback sockets: the axis (HTTPS) and mail (SMTP)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from docexchange.clock import FixedClock
from docexchange.edxml import StatusCode, build_status, to_bytes
from docexchange.node.agency import Draft, ReceiverPolicy
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.routing import Channel, RoutingRules, Secrecy
from docexchange.store import Direction, OutboxState
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import DA_NANG_MAIL_ONLY, START, draft, receipt


async def test_a_signed_document_travels_by_axis_and_by_mail_and_statuses_come_back(
    network: LoopbackNetwork,
) -> None:
    sent = network.nodes[VPCP_ID].send(draft())
    assert {d.recipient: d.channel for d in sent.decisions} == {
        LAO_CAI_ID: Channel.AXIS,
        DA_NANG_ID: Channel.MAIL,
    }
    await network.settle()
    lao_cai = network.nodes[LAO_CAI_ID]
    for code in (StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.COMPLETED):
        network.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
        lao_cai.handle(sent.document_id, code, code.name)
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "06", DA_NANG_ID: "03"}
    for agency_id, channel in ((LAO_CAI_ID, Channel.AXIS), (DA_NANG_ID, Channel.MAIL)):
        entry = network.nodes[agency_id].store.incoming(sent.document_id)
        assert entry is not None and entry.incoming_number == 1 and entry.channel is channel


async def test_a_mis_sent_document_is_refused_with_02(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    # Deliver Lào Cai's copy to Đà Nẵng by mail, as a mistaken records office would.
    data = vpcp.store.outgoing_message(sent.document_id)
    assert data is not None
    outcome = await network.nodes[DA_NANG_ID].receive(data, Channel.MAIL)
    await network.settle()
    assert outcome.reason == "mis-sent"
    assert network.nodes[DA_NANG_ID].store.incoming(sent.document_id) is None  # not registered
    # Đà Nẵng's 01 and 02 reach the sender, which refuses them: Đà Nẵng was never a recipient.
    from_da_nang = [e for e in vpcp.store.status_log(sent.document_id) if e.counterpart == DA_NANG_ID]
    assert [(e.status_code.wire, e.reason_code) for e in from_da_nang] == [
        ("01", "status-from-non-recipient"),
        ("02", "status-from-non-recipient"),
    ]


async def test_outside_competence_is_refused_with_the_business_reason(
    network: LoopbackNetwork, net_registry: Registry
) -> None:
    network.nodes[LAO_CAI_ID].policy = ReceiverPolicy(
        refuse=lambda message: ("outside-competence", "không thuộc thẩm quyền giải quyết")
    )
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "02"}
    assert network.nodes[LAO_CAI_ID].store.incoming(sent.document_id) is None  # not registered
    out = [
        e for e in network.nodes[LAO_CAI_ID].store.status_log(sent.document_id) if e.status_code.wire == "02"
    ]
    assert out[0].reason_code == "outside-competence"


async def test_a_document_altered_in_transit_is_refused_with_the_verification_reason(
    network: LoopbackNetwork,
) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(DA_NANG_ID))
    data = vpcp.store.outgoing_message(sent.document_id)
    assert data is not None
    tampered = data.replace("Về việc gửi".encode(), "Về việc hủy".encode())
    outcome = await network.nodes[DA_NANG_ID].receive(tampered, Channel.MAIL)
    assert (outcome.delivered, outcome.reason) == (True, "digest-mismatch")
    await network.settle()
    refusals = [
        e for e in network.nodes[DA_NANG_ID].store.status_log(sent.document_id) if e.status_code.wire == "02"
    ]
    assert refusals[0].reason_code == "digest-mismatch"
    assert network.nodes[DA_NANG_ID].store.incoming(sent.document_id) is not None  # the genuine copy came too


async def test_recall_agreed_destroys_the_receivers_copy_and_freezes_the_senders(
    network: LoopbackNetwork,
) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    await network.settle()
    assert vpcp.recall(sent.document_id, "Gửi nhầm nội dung") == [LAO_CAI_ID]
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "15"}
    entry = network.nodes[LAO_CAI_ID].store.incoming(sent.document_id)
    assert entry is not None and entry.destroyed and not entry.has_message
    outgoing = vpcp.store.outgoing(sent.document_id)
    assert outgoing is not None and outgoing.frozen and outgoing.has_message


async def test_recall_refused_returns_to_the_previous_state(network: LoopbackNetwork) -> None:
    network.nodes[DA_NANG_ID].policy = ReceiverPolicy(agree_to_recall=lambda document_id: False)
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(DA_NANG_ID))
    await network.settle()
    vpcp.recall(sent.document_id, "Thu hồi")
    await network.settle()
    assert receipt(network, sent.document_id) == {DA_NANG_ID: "16"}
    entry = network.nodes[DA_NANG_ID].store.incoming(sent.document_id)
    assert entry is not None and not entry.destroyed


async def test_a_secret_document_goes_on_paper_and_never_on_the_network(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID, secrecy=Secrecy.MAT))
    assert [d.channel for d in sent.decisions] == [Channel.PAPER]
    assert sent.decisions[0].reason.value == "secret"
    await network.settle()
    assert [i.state for i in vpcp.store.list_outbox(sent.document_id)] == [OutboxState.PAPER]
    assert network.nodes[LAO_CAI_ID].store.incoming(sent.document_id) is None
    outgoing = vpcp.store.outgoing(sent.document_id)
    assert outgoing is not None and not outgoing.has_message


async def test_a_document_delivered_twice_is_registered_once(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(DA_NANG_ID))
    await network.settle()
    data = vpcp.store.outgoing_message(sent.document_id)
    assert data is not None
    again = await network.nodes[DA_NANG_ID].receive(data, Channel.MAIL)
    assert again.duplicate
    incoming = network.nodes[DA_NANG_ID].store.list_incoming()
    assert [e.incoming_number for e in incoming] == [1]


async def test_a_status_for_a_document_never_sent_is_refused(network: LoopbackNetwork) -> None:
    from docexchange.edxml import Organization, ResponseFor, StatusMessage

    lao_cai = network.nodes[LAO_CAI_ID]
    forged = StatusMessage(
        ResponseFor(VPCP_ID, "99/VPCP-TTĐT", START.date(), f"{VPCP_ID},2018/12/20,99/VPCP-TTĐT"),
        Organization(LAO_CAI_ID, "Ủy ban nhân dân tỉnh Lào Cai"),
        StatusCode.COMPLETED,
        "Hoàn thành",
        START,
    )
    data = to_bytes(lao_cai.signer.sign(build_status(forged), START))
    outcome = await network.nodes[VPCP_ID].receive(data, Channel.AXIS)
    assert outcome.reason == "status-for-unknown-document"


async def test_completed_before_accepted_is_refused(network: LoopbackNetwork) -> None:
    from docexchange.edxml import Organization, ResponseFor, StatusMessage

    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    outgoing = vpcp.store.outgoing(sent.document_id)
    assert outgoing is not None
    premature = StatusMessage(
        ResponseFor(VPCP_ID, outgoing.code_text, outgoing.promulgation_date, sent.document_id),
        Organization(LAO_CAI_ID, "Ủy ban nhân dân tỉnh Lào Cai"),
        StatusCode.COMPLETED,
        "Hoàn thành",
        START,
    )
    data = to_bytes(network.nodes[LAO_CAI_ID].signer.sign(build_status(premature), START))
    outcome = await vpcp.receive(data, Channel.AXIS)
    assert outcome.reason == "skipped-acceptance"
    logged = [e for e in vpcp.store.status_log(sent.document_id) if e.direction is Direction.IN]
    assert [(e.status_code.wire, e.reason_code) for e in logged] == [("06", "skipped-acceptance")]


async def test_axis_down_retries_then_falls_back_to_mail(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    await network.stop_axis()
    sent = vpcp.send(draft(LAO_CAI_ID))
    for delay in (0, 30, 120, 1200):
        network.clock.advance(timedelta(seconds=delay))  # type: ignore[attr-defined]
        await vpcp.pump()
    await vpcp.pump()  # the fallback item is due at once
    await network.settle()
    items = vpcp.store.list_outbox(sent.document_id)
    assert [(i.channel, i.state) for i in items if i.kind.value == "document"] == [
        (Channel.AXIS, OutboxState.FALLEN_BACK),
        (Channel.MAIL, OutboxState.SENT),
    ]
    assert receipt(network, sent.document_id)[LAO_CAI_ID] in ("01", "03")
    assert [e.what for e in network.events.for_document(sent.document_id)].count("retry") == 3


async def test_a_node_restarted_keeps_its_registers_and_carries_on(
    tmp_path: Path, net_pki: PkiStore, net_registry: Registry
) -> None:
    state = tmp_path / "state"
    clock = FixedClock(START)
    net = LoopbackNetwork(state, net_registry, net_pki, clock, RoutingRules(), DA_NANG_MAIL_ONLY)
    await net.start([VPCP_ID, LAO_CAI_ID])
    sent = net.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await net.settle()
    await net.stop()

    again = LoopbackNetwork(state, net_registry, net_pki, clock, RoutingRules(), DA_NANG_MAIL_ONLY)
    await again.start([VPCP_ID, LAO_CAI_ID])
    lao_cai = again.nodes[LAO_CAI_ID]
    entry = lao_cai.store.incoming(sent.document_id)
    assert entry is not None and entry.incoming_number == 1
    lao_cai.handle(sent.document_id, StatusCode.ASSIGNED, "Phân công")
    second = again.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await again.settle()
    assert receipt(again, sent.document_id) == {LAO_CAI_ID: "04"}
    assert second.code.startswith("02/")  # numbering continued after the restart
    await again.stop()


async def test_documents_to_the_government_office_also_go_on_paper(network: LoopbackNetwork) -> None:
    lao_cai = network.nodes[LAO_CAI_ID]
    sent = lao_cai.send(Draft(recipients=(VPCP_ID,), type_code="BC", subject="Báo cáo tình hình thí điểm"))
    assert sent.decisions[0].channel is Channel.AXIS and sent.decisions[0].paper_copy
    await network.settle()
    items = {
        (i.channel, i.state)
        for i in lao_cai.store.list_outbox(sent.document_id)
        if i.kind.value == "document"
    }
    assert items == {(Channel.AXIS, OutboxState.SENT), (Channel.PAPER, OutboxState.PAPER)}


async def test_the_receiver_checks_the_axis_hop_records(network: LoopbackNetwork) -> None:
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await network.settle()
    hops = [e for e in network.events.for_document(sent.document_id) if e.what == "hop"]
    # the document at Lào Cai, and its 01 and 03 back at VPCP: every package carries a signed hop
    assert sorted(e.agency for e in hops) == [VPCP_ID, VPCP_ID, LAO_CAI_ID]
    assert all(e.detail.startswith("signed by the axis: 2018-12-20T08:00:00+07:00") for e in hops)


async def test_garbage_by_mail_gets_554_and_the_node_keeps_serving(
    network: LoopbackNetwork, net_pki: PkiStore
) -> None:
    import asyncio
    import smtplib

    from docexchange.transport.mail import build_mail
    from docexchange.transport.tls import client_context

    host, port = network.directory.resolve_mail("danang.gov.vn")
    context = client_context(net_pki.root, net_pki.organisation(VPCP_ID))  # a certified agency gone bad
    context.check_hostname = False

    def hostile() -> tuple[int, bytes]:
        with smtplib.SMTP(host, port, local_hostname="attacker.gov.vn", timeout=10) as client:
            client.starttls(context=context)
            client.ehlo()
            client.mail("vanthu@chinhphu.gov.vn")
            client.rcpt("vanthu@danang.gov.vn")
            message = build_mail("vanthu@chinhphu.gov.vn", "vanthu@danang.gov.vn", b"<edXML:not-closed", "x")
            return client.data(message.as_bytes())

    code, text = await asyncio.to_thread(hostile)
    assert code == 554 and text.startswith(b"5.7.0 malformed-xml: not well-formed XML")
    sent = network.nodes[VPCP_ID].send(draft(DA_NANG_ID))
    await network.settle()
    assert receipt(network, sent.document_id) == {DA_NANG_ID: "03"}
