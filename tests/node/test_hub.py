"""The national axis behind real HTTPS with its real SQLite queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import Organization, build_document, to_bytes
from docexchange.node.hops import verify_hop
from docexchange.node.hub import Hub
from docexchange.pki import AXIS_HOST, PkiStore
from docexchange.registry import Registry
from docexchange.store import HubStore
from docexchange.transport.axis_http import AxisClient
from docexchange.transport.axis_server import AxisHttpServer
from docexchange.transport.errors import TransportError
from docexchange.transport.tls import client_context, server_context
from tests.edxml.factories import document
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID

NOW = datetime(2019, 3, 12, 9, 0, tzinfo=VIETNAM_TZ)
VPCP = Organization(VPCP_ID, "Văn phòng Chính phủ")
LAO_CAI = Organization(LAO_CAI_ID, "Ủy ban nhân dân tỉnh Lào Cai")
DA_NANG = Organization(DA_NANG_ID, "Ủy ban nhân dân thành phố Đà Nẵng")


def edxml(number: int = 1, **overrides: object) -> bytes:
    fields = {
        "from_": VPCP,
        "to": (LAO_CAI, DA_NANG),
        "document_id": f"{VPCP_ID},2019/03/12,{number:02d}/VPCP-TTĐT",
    }
    fields.update(overrides)
    return to_bytes(build_document(document(**fields)))  # type: ignore[arg-type]


@dataclass
class Axis:
    path: Path
    pki: PkiStore
    registry: Registry
    server: AxisHttpServer | None = None
    store: HubStore | None = None

    async def start(self) -> None:
        self.store = HubStore(self.path)
        hub = Hub(self.store, self.registry, self.pki, FixedClock(NOW))
        self.server = AxisHttpServer(hub, server_context(self.pki.service(), self.pki.root))
        await self.server.start()

    async def stop(self) -> None:
        assert self.server is not None and self.store is not None
        await self.server.stop()
        self.store.close()

    def client(self, agency_id: str) -> AxisClient:
        assert self.server is not None
        tls = client_context(self.pki.root, self.pki.organisation(agency_id))
        return AxisClient(self.server.port, tls, server_hostname=AXIS_HOST, timeout=10)


@pytest.fixture
async def axis(tmp_path: Path, net_pki: PkiStore, net_registry: Registry) -> AsyncIterator[Axis]:
    running = Axis(tmp_path / "axis.sqlite", net_pki, net_registry)
    await running.start()
    yield running
    await running.stop()


async def test_upload_fans_out_one_package_per_recipient_with_a_signed_hop(
    axis: Axis, net_pki: PkiStore
) -> None:
    vpcp, lao_cai = axis.client(VPCP_ID), axis.client(LAO_CAI_ID)
    data = edxml()
    receipts = await vpcp.upload(data)
    assert sorted(r.recipient for r in receipts) == [DA_NANG_ID, LAO_CAI_ID]
    assert not any(r.duplicate for r in receipts)
    inbox = await lao_cai.inbox()
    assert [p["document_id"] for p in inbox] == [f"{VPCP_ID},2019/03/12,01/VPCP-TTĐT"]
    body, hops = await lao_cai.download(inbox[0]["package_id"])
    assert body == data
    assert len(hops) == 1 and hops[0]["organ_id"] == AXIS_HOST
    assert verify_hop(net_pki.service().cert, hops[0], inbox[0]["sha256"])
    assert not verify_hop(net_pki.organisation(VPCP_ID).cert, hops[0], inbox[0]["sha256"])
    await lao_cai.acknowledge(inbox[0]["package_id"], "done")
    assert await lao_cai.inbox() == []
    await vpcp.close()
    await lao_cai.close()


async def test_second_upload_of_the_same_document_is_a_duplicate_not_stored_twice(axis: Axis) -> None:
    vpcp = axis.client(VPCP_ID)
    await vpcp.upload(edxml())
    again = await vpcp.upload(edxml())
    await vpcp.close()
    assert all(r.duplicate for r in again)
    lao_cai = axis.client(LAO_CAI_ID)
    assert len(await lao_cai.inbox()) == 1
    await lao_cai.close()


async def test_an_upload_whose_from_is_another_agency_is_refused(axis: Axis) -> None:
    lao_cai = axis.client(LAO_CAI_ID)
    with pytest.raises(TransportError) as refused:
        await lao_cai.upload(edxml())  # From: VPCP
    await lao_cai.close()
    assert (refused.value.status, refused.value.reason) == (403, "sender-not-authenticated")


async def test_unknown_recipient_schema_invalid_garbage_and_oversize_are_4xx(axis: Axis) -> None:
    vpcp = axis.client(VPCP_ID)
    unknown = edxml(to=(Organization("000.00.00.H99", "Tỉnh không tồn tại"),))
    invalid = edxml().replace(b"<edXML:Subject>", b"<edXML:Sujet/><edXML:Subject>")
    second_from = f"<edXML:From><edXML:OrganId>{LAO_CAI_ID}</edXML:OrganId></edXML:From><edXML:To>".encode()
    ambiguous = edxml().replace(b"<edXML:To>", second_from, 1)  # which From would the axis route on?
    outcomes = []
    for body in (unknown, invalid, ambiguous, b"\x00garbage", b"<a>" + b"x" * (51 * 1024 * 1024)):
        with pytest.raises(TransportError) as refused:
            await vpcp.upload(body)
        outcomes.append((refused.value.status, refused.value.reason))
        if body is ambiguous:
            assert "MessageHeader holds 2 From elements; it may hold one" in str(refused.value)
    receipts = await vpcp.upload(edxml())
    await vpcp.close()
    assert outcomes == [
        (404, "unknown-recipient"),
        (400, "schema-invalid"),
        (400, "schema-invalid"),
        (400, "malformed-xml"),
        (413, "too-large"),
    ]
    assert len(receipts) == 2  # and it keeps serving


async def test_only_the_recipient_may_download_or_acknowledge(axis: Axis) -> None:
    vpcp = axis.client(VPCP_ID)
    receipts = await vpcp.upload(edxml())
    lao_cai_package = next(r.package_id for r in receipts if r.recipient == LAO_CAI_ID)
    da_nang = axis.client(DA_NANG_ID)
    with pytest.raises(TransportError) as refused:
        await da_nang.download(lao_cai_package)
    with pytest.raises(TransportError) as ack_refused:
        await da_nang.acknowledge(lao_cai_package, "done")
    await vpcp.close()
    await da_nang.close()
    assert (refused.value.status, refused.value.reason) == (404, "unknown-package")
    assert ack_refused.value.status == 404


async def test_hub_restarted_mid_exchange_delivers_every_accepted_package_exactly_once(axis: Axis) -> None:
    vpcp = axis.client(VPCP_ID)
    accepted = set()
    for number in range(1, 6):
        accepted |= {r.package_id for r in await vpcp.upload(edxml(number)) if r.recipient == LAO_CAI_ID}
    await vpcp.close()
    lao_cai = axis.client(LAO_CAI_ID)
    delivered: list[str] = []
    first = (await lao_cai.inbox())[:2]
    for package in first:  # two fully handled, one downloaded but not acknowledged
        await lao_cai.download(package["package_id"])
        await lao_cai.acknowledge(package["package_id"], "done")
        delivered.append(package["package_id"])
    await lao_cai.close()

    await axis.stop()  # the axis goes down with three packages pending for Lào Cai
    await axis.start()

    lao_cai = axis.client(LAO_CAI_ID)
    for package in await lao_cai.inbox():
        await lao_cai.download(package["package_id"])
        await lao_cai.acknowledge(package["package_id"], "done")
        delivered.append(package["package_id"])
    assert await lao_cai.inbox() == []
    await lao_cai.close()
    assert sorted(delivered) == sorted(accepted) and len(delivered) == len(set(delivered)) == 5


async def test_a_package_stays_in_the_inbox_until_acknowledged(axis: Axis) -> None:
    vpcp, lao_cai = axis.client(VPCP_ID), axis.client(LAO_CAI_ID)
    await vpcp.upload(edxml())
    package = (await lao_cai.inbox())[0]["package_id"]
    await lao_cai.download(package)
    await lao_cai.acknowledge(package, "processing")
    assert [p["package_id"] for p in await lao_cai.inbox()] == [package]
    await lao_cai.acknowledge(package, "fail", "schema-invalid: hỏng")
    assert await lao_cai.inbox() == []
    with pytest.raises(TransportError) as conflict:
        await lao_cai.acknowledge(package, "done")
    await vpcp.close()
    await lao_cai.close()
    assert (conflict.value.status, conflict.value.reason) == (409, "store-conflict")


async def test_an_upload_may_name_a_subset_of_the_addressees(axis: Axis) -> None:
    vpcp = axis.client(VPCP_ID)
    receipts = await vpcp.upload(edxml(), [LAO_CAI_ID])
    with pytest.raises(TransportError) as refused:
        await vpcp.upload(edxml(2), ["000.00.00.G12"])  # not in the To list
    await vpcp.close()
    assert [r.recipient for r in receipts] == [LAO_CAI_ID]
    assert (refused.value.status, refused.value.reason) == (400, "bad-request")
    da_nang = axis.client(DA_NANG_ID)
    assert await da_nang.inbox() == []
    await da_nang.close()
