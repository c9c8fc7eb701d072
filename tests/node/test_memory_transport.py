"""The in-memory transport runs the very same node code: same registers, statuses and fallbacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.clock import FixedClock
from docexchange.edxml import StatusCode
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.routing import Channel, RoutingRules
from docexchange.store import OutboxState
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import DA_NANG_MAIL_ONLY, START, draft, receipt


@pytest.fixture
async def memory(tmp_path: Path, net_pki: PkiStore, net_registry: Registry) -> AsyncIterator[LoopbackNetwork]:
    net = LoopbackNetwork(
        tmp_path / "state",
        net_registry,
        net_pki,
        FixedClock(START),
        RoutingRules(),
        DA_NANG_MAIL_ONLY,
        transport="memory",
    )
    await net.start([VPCP_ID, LAO_CAI_ID, DA_NANG_ID])
    yield net
    await net.stop()


async def test_documents_and_statuses_flow_without_sockets(memory: LoopbackNetwork) -> None:
    assert memory.directory.axis is None and memory.directory.mail == {}  # nothing listens
    sent = memory.nodes[VPCP_ID].send(draft())
    await memory.settle()
    for code in (StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.COMPLETED):
        memory.nodes[LAO_CAI_ID].handle(sent.document_id, code, code.name)
    await memory.settle()
    assert receipt(memory, sent.document_id) == {LAO_CAI_ID: "06", DA_NANG_ID: "03"}
    channels = {
        i.recipient: i.channel
        for i in memory.nodes[VPCP_ID].store.list_outbox(sent.document_id)
        if i.kind.value == "document"
    }
    assert channels == {LAO_CAI_ID: Channel.AXIS, DA_NANG_ID: Channel.MAIL}


async def test_an_axis_outage_retries_then_falls_back_to_mail(memory: LoopbackNetwork) -> None:
    vpcp = memory.nodes[VPCP_ID]
    await memory.stop_axis()
    sent = vpcp.send(draft(LAO_CAI_ID))
    for delay in (0, 30, 120, 1200, 0):
        memory.clock.advance(timedelta(seconds=delay))  # type: ignore[attr-defined]
        await vpcp.pump()
    await memory.settle()
    items = [
        (i.channel, i.state) for i in vpcp.store.list_outbox(sent.document_id) if i.kind.value == "document"
    ]
    assert items == [(Channel.AXIS, OutboxState.FALLEN_BACK), (Channel.MAIL, OutboxState.SENT)]
    assert receipt(memory, sent.document_id) == {LAO_CAI_ID: "03"}


async def test_a_refusal_by_the_hub_is_the_same_reason_as_over_https(memory: LoopbackNetwork) -> None:
    from docexchange.transport.errors import TransportError

    lao_cai = memory.nodes[LAO_CAI_ID]
    sent = memory.nodes[VPCP_ID].send(draft(LAO_CAI_ID))
    data = memory.nodes[VPCP_ID].store.outgoing_message(sent.document_id)
    assert data is not None and lao_cai.axis is not None
    with pytest.raises(TransportError) as refused:
        await lao_cai.axis.upload(data)  # From is VPCP, the client is Lào Cai's
    assert (refused.value.status, refused.value.reason) == (403, "sender-not-authenticated")
