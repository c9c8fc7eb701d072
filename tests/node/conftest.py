"""The loopback network most node tests run on: the axis and three agencies, Đà Nẵng mail-only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from docexchange.clock import FixedClock
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.routing import RoutingRules
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import DA_NANG_MAIL_ONLY, START


@pytest.fixture
async def network(
    tmp_path: Path, net_pki: PkiStore, net_registry: Registry
) -> AsyncIterator[LoopbackNetwork]:
    net = LoopbackNetwork(
        tmp_path / "state", net_registry, net_pki, FixedClock(START), RoutingRules(), DA_NANG_MAIL_ONLY
    )
    await net.start([VPCP_ID, LAO_CAI_ID, DA_NANG_ID])
    yield net
    await net.stop()
