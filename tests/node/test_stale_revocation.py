"""Nodes and the axis with a revocation feed: while its status is stale nothing is judged, nothing
is lost, no number is taken; once it is fresh again every document lands exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.clock import FixedClock
from docexchange.errors import ReasonCode
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.pki.freshness import FreshnessPolicy, RevocationFeed, RevocationStale
from docexchange.registry import Registry
from docexchange.routing import Channel, RoutingRules
from docexchange.store import OutboxState
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import DA_NANG_MAIL_ONLY, START, draft, receipt
from tests.pki.test_freshness import FakeMonotonic

POLICY = FreshnessPolicy(refresh_seconds=1.0, max_age_seconds=10.0)


@pytest.fixture
async def feed_and_network(
    tmp_path: Path, net_pki: PkiStore, net_registry: Registry
) -> AsyncIterator[tuple[FakeMonotonic, RevocationFeed, LoopbackNetwork]]:
    monotonic = FakeMonotonic()
    feed = RevocationFeed(net_pki, POLICY, monotonic=monotonic)  # refreshed by hand: nothing changes
    net = LoopbackNetwork(
        tmp_path / "state", net_registry, net_pki, FixedClock(START), RoutingRules(), DA_NANG_MAIL_ONLY,
        revocation_feed=feed,
    )  # fmt: skip
    await net.start([VPCP_ID, LAO_CAI_ID, DA_NANG_ID])
    yield monotonic, feed, net
    await net.stop()


async def test_stale_status_holds_everything_until_it_is_fresh(
    feed_and_network: tuple[FakeMonotonic, RevocationFeed, LoopbackNetwork],
) -> None:
    monotonic, feed, network = feed_and_network
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID))  # signed while fresh
    monotonic.now += 11.0  # no refresh for longer than the 10 s allowed

    with pytest.raises(RevocationStale) as refused:
        vpcp.send(draft(LAO_CAI_ID))
    assert refused.value.code is ReasonCode.REVOCATION_UNKNOWN
    assert await vpcp.pump() == 0  # a stale node sends nothing: the outbox keeps both, untried
    items = {i.recipient: i for i in vpcp.store.list_outbox(sent.document_id)}
    assert {r: (i.state, i.attempts) for r, i in items.items()} == {
        LAO_CAI_ID: (OutboxState.PENDING, 0),
        DA_NANG_ID: (OutboxState.PENDING, 0),
    }
    data = vpcp.store.outgoing_message(sent.document_id)
    assert data is not None  # handed over anyway (a fresh sender): no verdict, try again later
    outcome = await network.nodes[DA_NANG_ID].receive(data, Channel.MAIL)
    assert (outcome.delivered, outcome.reason, outcome.retry_later) == (False, "revocation-unknown", True)
    assert await network.nodes[LAO_CAI_ID].poll_axis() == 0
    assert network.nodes[DA_NANG_ID].store.list_incoming() == []

    assert feed.refresh() is True  # fresh again
    assert isinstance(network.clock, FixedClock)
    network.clock.advance(timedelta(hours=1))  # past the retry delay
    await network.settle()
    assert receipt(network, sent.document_id) == {LAO_CAI_ID: "03", DA_NANG_ID: "03"}
    for agency_id in (LAO_CAI_ID, DA_NANG_ID):
        assert [e.document_id for e in network.nodes[agency_id].store.list_incoming()] == [sent.document_id]
    after = vpcp.send(draft(LAO_CAI_ID))  # the refused send took no number
    assert after.document_id.split(",")[-1].startswith("02/")
