"""Faults an independent review reproduced in the network layer, kept as regressions."""

from __future__ import annotations

import re
from datetime import timedelta

from docexchange.edxml import Priority, StatusCode
from docexchange.node.history import sender_view
from docexchange.node.network import LoopbackNetwork
from docexchange.protocol import DeliveryState
from docexchange.routing import Channel
from docexchange.store import OutboxState
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import draft, receipt


def _poison(data: bytes, document_id: str) -> bytes:
    """A comment inside DocumentId (the raw text would stop at it) and a broken signature."""
    did = document_id.encode()
    match = re.search(rb"(<[^>]*DocumentId>)" + re.escape(did) + rb"(</[^>]*DocumentId>)", data)
    assert match is not None
    data = data.replace(match.group(0), match.group(1) + did[:13] + b"<!---->" + did[13:] + match.group(2), 1)
    return data.replace("Về việc gửi".encode(), "Về việc hủy".encode())


async def test_a_poisoned_urgent_package_cannot_block_the_axis_inbox(network: LoopbackNetwork) -> None:
    vpcp, lao_cai = network.nodes[VPCP_ID], network.nodes[LAO_CAI_ID]
    urgent = vpcp.send(draft(LAO_CAI_ID, priority=Priority.HOA_TOC_HEN_GIO))
    data = vpcp.store.outgoing_message(urgent.document_id)
    assert data is not None and vpcp.axis is not None
    await vpcp.axis.upload(_poison(data, urgent.document_id), None)
    legit = vpcp.send(draft(LAO_CAI_ID, subject="Văn bản thật"))
    await network.settle()
    assert lao_cai.store.incoming(legit.document_id) is not None
    assert network.hub is not None and network.hub.inbox(LAO_CAI_ID) == []
    refusals = [e for e in lao_cai.store.status_log(urgent.document_id) if e.status_code.wire == "02"]
    assert refusals and refusals[0].reason_code == "digest-mismatch"


async def test_a_status_retry_for_a_refused_document_does_not_crash_the_outbox(
    network: LoopbackNetwork,
) -> None:
    """The 02 of a document the receiver never registered must still be retried and delivered."""
    from docexchange.node.agency import ReceiverPolicy

    lao_cai = network.nodes[LAO_CAI_ID]
    lao_cai.policy = ReceiverPolicy(refuse=lambda message: ("outside-competence", "không thuộc thẩm quyền"))
    sent = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    await network.nodes[VPCP_ID].pump()
    await network.stop_axis()
    await lao_cai.poll_axis()  # the axis is down now: nothing fetched
    await network.start_axis()
    await lao_cai.poll_axis()  # fetched, refused; the 01 and 02 are queued for the axis
    await network.stop_axis()
    await lao_cai.pump()  # both fail: the retry path must not need a stored copy of the document
    statuses = [i for i in lao_cai.store.list_outbox(sent.document_id) if i.kind.value == "status"]
    assert {i.state for i in statuses} == {OutboxState.PENDING}
    assert all(i.last_error and i.last_error.startswith("axis-unreachable") for i in statuses)
    await network.start_axis()
    network.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "02"}


async def test_a_recall_before_delivery_cancels_the_document_instead_of_racing_it(
    network: LoopbackNetwork,
) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    assert vpcp.recall(sent.document_id, "Gửi nhầm") == []  # nothing left: nobody to ask
    await network.settle()
    assert network.nodes[LAO_CAI_ID].store.incoming(sent.document_id) is None
    items = vpcp.store.list_outbox(sent.document_id)
    assert [(i.kind.value, i.state) for i in items] == [("document", OutboxState.FAILED)]
    outgoing = vpcp.store.outgoing(sent.document_id)
    assert outgoing is not None and outgoing.frozen


async def test_a_recall_that_overtakes_its_document_is_agreed_and_the_late_copy_ignored(
    network: LoopbackNetwork,
) -> None:
    vpcp, lao_cai = network.nodes[VPCP_ID], network.nodes[LAO_CAI_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    await network.stop_axis()
    await vpcp.pump()  # attempted, failed: it may or may not have arrived
    await network.start_axis()
    assert vpcp.recall(sent.document_id, "Gửi nhầm") == [LAO_CAI_ID]
    data = vpcp.store.outgoing_message(sent.document_id)
    await network.settle()  # the 13 arrives first (the document is no longer queued)
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "15"}
    assert data is not None
    late = await lao_cai.receive(data, Channel.AXIS)  # e.g. the first attempt did reach the axis
    assert late.reason == "recalled" and lao_cai.store.incoming(sent.document_id) is None


async def _forge_the_next_document(network: LoopbackNetwork) -> tuple[bytes, str]:
    """A forgery of VPCP's next document to Đà Nẵng: its predicted DocumentId, other content."""
    vpcp = network.nodes[VPCP_ID]
    old = vpcp.send(draft(DA_NANG_ID))
    await network.settle()
    data = vpcp.store.outgoing_message(old.document_id)
    assert data is not None
    predicted = old.document_id.replace(",01/", ",02/")
    forged = data.replace(old.document_id.encode(), predicted.encode()).replace(
        "Về việc gửi".encode(), "Về việc X".encode()
    )
    return forged, predicted


async def test_a_forged_refusal_cannot_make_the_sender_believe_its_document_was_refused(
    network: LoopbackNetwork,
) -> None:
    vpcp, da_nang = network.nodes[VPCP_ID], network.nodes[DA_NANG_ID]
    forged, predicted = await _forge_the_next_document(network)
    network.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    real = vpcp.send(draft(DA_NANG_ID, subject="Văn bản thật số 02"))
    assert real.document_id == predicted
    outcome = await da_nang.receive(forged, Channel.MAIL)  # an unauthenticated MTA delivers the forgery
    assert outcome.reason == "digest-mismatch"
    await network.settle()
    entry = vpcp.store.outgoing(real.document_id)
    assert entry is not None
    assert sender_view(entry, vpcp.store.status_log(real.document_id)).latest() == {
        DA_NANG_ID: DeliveryState.ACCEPTED
    }
    ignored = [
        e for e in vpcp.store.status_log(real.document_id) if e.reason_code == "status-for-other-bytes"
    ]
    assert [e.status_code.wire for e in ignored] == ["01", "02"]


async def test_a_crash_while_answering_a_recall_loses_nothing(network: LoopbackNetwork) -> None:
    vpcp, lao_cai = network.nodes[VPCP_ID], network.nodes[LAO_CAI_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    await network.settle()
    vpcp.recall(sent.document_id, "Thu hồi")
    await vpcp.pump()
    original = lao_cai._commit_status
    crashed = {"once": False}

    def crash_once(prepared, **kwargs):  # type: ignore[no-untyped-def]
        if prepared.status.status_code is StatusCode.RECALL_AGREED and not crashed["once"]:
            crashed["once"] = True
            raise RuntimeError("power cut")
        return original(prepared, **kwargs)

    lao_cai._commit_status = crash_once  # type: ignore[method-assign]
    await (
        lao_cai.poll_axis()
    )  # the 13's answer crashes (rolled back, not acknowledged); the recall message follows
    entry = lao_cai.store.incoming(sent.document_id)
    answered = [
        e for e in lao_cai.store.status_log(sent.document_id) if e.status_code is StatusCode.RECALL_AGREED
    ]
    assert entry is not None and entry.destroyed == bool(answered)  # never destroyed without its answer
    lao_cai._commit_status = original  # type: ignore[method-assign]
    await network.settle()  # the axis delivers the 13 again: a duplicate now
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "15"}
    entry = lao_cai.store.incoming(sent.document_id)
    answered = [
        e for e in lao_cai.store.status_log(sent.document_id) if e.status_code is StatusCode.RECALL_AGREED
    ]
    assert entry is not None and entry.destroyed and len(answered) == 1


async def test_a_forgery_that_arrives_first_cannot_block_the_genuine_document(
    network: LoopbackNetwork,
) -> None:
    """A forged copy under the genuine DocumentId is refused first; the genuine one is still
    accepted later (the refusal named other bytes), and the sender re-sent its genuine bytes once."""
    from docexchange.node.agency import ReceiverPolicy

    vpcp, da_nang = network.nodes[VPCP_ID], network.nodes[DA_NANG_ID]
    da_nang.policy = ReceiverPolicy(accept_at_once=False)
    forged, predicted = await _forge_the_next_document(network)
    outcome = await da_nang.receive(forged, Channel.MAIL)  # the forgery comes first
    assert outcome.reason == "digest-mismatch"
    network.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    real = vpcp.send(draft(DA_NANG_ID, subject="Văn bản thật số 02"))
    assert real.document_id == predicted
    await network.settle()
    da_nang.accept(real.document_id)  # not blocked by the refusal of the forged bytes
    await network.settle()
    entry = vpcp.store.outgoing(real.document_id)
    assert entry is not None
    assert sender_view(entry, vpcp.store.status_log(real.document_id)).latest() == {
        DA_NANG_ID: DeliveryState.ACCEPTED
    }
    copies = [i for i in vpcp.store.list_outbox(real.document_id) if i.kind.value == "document"]
    assert len(copies) == 2  # the genuine bytes went once more after the refusal of other bytes
    assert copies[0].payload == copies[1].payload
