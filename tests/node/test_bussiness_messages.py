"""Recall, update and replace as edXML business messages (BussinessDocType 1, 2, 3) with status 13."""

from __future__ import annotations

from docexchange.edxml import BussinessDocType, parse_message, read_document
from docexchange.node.network import LoopbackNetwork
from docexchange.routing import Channel
from docexchange.store import OutboxState
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import draft, receipt


def _incoming_kinds(net: LoopbackNetwork, agency_id: str) -> list[tuple[int, str]]:
    node = net.nodes[agency_id]
    kinds = []
    for entry in node.store.list_incoming():
        data = node.store.incoming_message(entry.document_id)
        kind = read_document(parse_message(data)[0]).bussiness.bussiness_doc_type if data else None
        kinds.append((entry.incoming_number, kind.name if kind is not None else "destroyed"))
    return kinds


async def test_a_recall_is_an_official_message_and_the_copy_is_destroyed_once(
    network: LoopbackNetwork,
) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    await network.settle()
    vpcp.recall(sent.document_id, "Gửi nhầm")
    await network.settle()
    notices = [e for e in vpcp.store.list_outgoing() if e.document_id != sent.document_id]
    assert [n.code_text for n in notices] == ["02/VPCP-VP"] and notices[0].recipients == (LAO_CAI_ID,)
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "15"}
    assert receipt(network, notices[0].document_id) == {LAO_CAI_ID: "03"}
    assert _incoming_kinds(network, LAO_CAI_ID) == [(1, "destroyed"), (2, "RECALL")]
    answers = [
        e for e in network.nodes[LAO_CAI_ID].store.status_log(sent.document_id) if e.status_code.wire == "15"
    ]
    assert len(answers) == 1  # the 13 and the recall message asked the same thing: one answer


async def test_the_recall_message_alone_starts_the_recall_when_the_13_is_lost(
    network: LoopbackNetwork,
) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID))
    await network.settle()
    vpcp.recall(sent.document_id, "Gửi nhầm")
    for item in vpcp.store.list_outbox(sent.document_id, state=OutboxState.PENDING):
        if item.kind.value == "status":
            vpcp.store.mark_failed(item.id, "lost on the way", None)  # the 13 never leaves
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "15"}


async def test_replace_registers_the_new_document_and_destroys_the_old(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    old = vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID))
    await network.settle()
    new = vpcp.replace(
        old.document_id,
        draft(LAO_CAI_ID, DA_NANG_ID, subject="Về việc gửi, nhận (bản thay thế)"),
        "Sai số liệu",
    )
    await network.settle()
    assert receipt(network, old.document_id) == {LAO_CAI_ID: "15", DA_NANG_ID: "15"}
    assert receipt(network, new.document_id) == {LAO_CAI_ID: "03", DA_NANG_ID: "03"}
    assert _incoming_kinds(network, DA_NANG_ID) == [(1, "destroyed"), (2, "REPLACE")]
    frozen = vpcp.store.outgoing(old.document_id)
    assert frozen is not None and frozen.frozen


async def test_update_removes_a_receiver_without_freezing_the_document(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID))
    await network.settle()
    assert vpcp.withdraw(sent.document_id, (DA_NANG_ID,), "Không thuộc phạm vi") == [DA_NANG_ID]
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "03", DA_NANG_ID: "15"}
    outgoing = vpcp.store.outgoing(sent.document_id)
    assert outgoing is not None and not outgoing.frozen
    lao_cai_copy = network.nodes[LAO_CAI_ID].store.incoming(sent.document_id)
    assert lao_cai_copy is not None and not lao_cai_copy.destroyed
    kinds = _incoming_kinds(network, DA_NANG_ID)
    assert kinds == [(1, "destroyed"), (2, "UPDATE")]


async def test_a_business_message_about_another_agencys_document_is_ignored(network: LoopbackNetwork) -> None:
    from docexchange.edxml import Bussiness

    vpcp, lao_cai = network.nodes[VPCP_ID], network.nodes[LAO_CAI_ID]
    sent = vpcp.send(draft(DA_NANG_ID))
    await network.settle()
    hostile = lao_cai.send(
        draft(DA_NANG_ID, subject="Thu hồi văn bản của VPCP"),
        bussiness=Bussiness(BussinessDocType.RECALL, "giả mạo", sent.document_id),
    )
    await network.settle()
    entry = network.nodes[DA_NANG_ID].store.incoming(sent.document_id)
    assert entry is not None and not entry.destroyed
    ignored = [e for e in network.events.for_document(sent.document_id) if e.what == "ignored"]
    assert ignored and hostile.code in ignored[0].detail
    assert receipt(network, sent.document_id) == {DA_NANG_ID: "03"}
    assert Channel.MAIL  # Đà Nẵng is reached by mail in this network
