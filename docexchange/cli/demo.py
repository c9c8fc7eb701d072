"""``docexchange demo``: a short Decision 28/2018 exchange on loopback, printed as a timeline.

Văn phòng Chính phủ sends a signed decision through the national axis to the pilot ministries
and provinces of DOMAIN.md §1; they answer 01→03→04→05→06. Quảng Ninh is not yet connected to the
axis and receives by mail. Bộ Tư pháp refuses a mis-sent document with 02; a notice to Đà Nẵng is
recalled and the recall agreed (15); a secret document goes on paper. Real sockets (HTTPS with
mutual TLS, SMTP with STARTTLS), real signatures, real SQLite files; simulated time.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import DocumentMessage, Priority, StatusCode
from docexchange.node.agency import Draft, ReceiverPolicy, SentDocument
from docexchange.node.events import NodeEvent
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import Registry, load_registry
from docexchange.routing import Capabilities, CapabilityTable, RoutingRules, Secrecy

VPCP = "000.00.00.G22"
PILOT_MINISTRIES = ("000.00.00.G03", "000.00.00.G12", "000.00.00.G14", "000.00.00.G15")
PILOT_PROVINCES = (
    "000.00.00.H38",
    "000.00.00.H16",
    "000.00.00.H41",
    "000.00.00.H49",
    "000.00.00.H15",
    "000.00.00.H29",
)
QUANG_NINH, BO_TU_PHAP, DA_NANG, BO_TAI_CHINH = (
    "000.00.00.H49",
    "000.00.00.G15",
    "000.00.00.H15",
    "000.00.00.G12",
)
START = datetime(2018, 12, 20, 8, 0, tzinfo=VIETNAM_TZ)


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help="a Decision 28 exchange on loopback sockets, printed as a timeline")
    demo.add_argument(
        "--workdir", default="build/demo", metavar="DIR", help="PKI and SQLite files (replaced)"
    )
    demo.add_argument("--algorithm", default="rsa2048", choices=["rsa2048", "ecdsa-p256"])
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_demo(Path(args.workdir), args.algorithm))


def _outside_competence(message: DocumentMessage) -> tuple[str, str] | None:
    if "đất đai" in message.subject:
        return "mis-sent", "nội dung về đất đai không thuộc thẩm quyền của Bộ Tư pháp"
    return None


async def _demo(workdir: Path, algorithm: str) -> int:
    agencies = (VPCP, *PILOT_MINISTRIES, *PILOT_PROVINCES)
    registry = load_registry().filtered(agencies)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"Building the simulated government PKI for {len(agencies)} agencies ({algorithm}) …")
    pki = PkiStore.init(
        workdir / "certs", registry, algorithm=algorithm, not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ)
    )
    clock = FixedClock(START)
    capabilities = CapabilityTable({QUANG_NINH: Capabilities(axis=False, mail=True, certificate=True)})
    net = LoopbackNetwork(workdir / "state", registry, pki, clock, RoutingRules(), capabilities)
    await net.start_axis()
    for agency_id in agencies:
        policy = ReceiverPolicy(refuse=_outside_competence) if agency_id == BO_TU_PHAP else None
        await net.start_node(agency_id, policy)
    assert net.directory.axis is not None
    print(
        f"Axis listening on https://127.0.0.1:{net.directory.axis[1]} (mutual TLS); "
        f"{len(net.directory.mail)} records-office mail servers (STARTTLS)\n"
    )
    try:
        vpcp = net.nodes[VPCP]
        decision = vpcp.send(
            Draft(
                recipients=(*PILOT_MINISTRIES, *PILOT_PROVINCES),
                type_code="QĐ",
                legal_normative=True,
                subject="Quyết định về việc thí điểm gửi, nhận văn bản điện tử có chữ ký số",
                content="Các cơ quan thí điểm triển khai trước ngày 31/12/2018.",
                drafting_unit="TTĐT",
            )
        )
        await net.settle()
        for hours, code in ((1, StatusCode.ASSIGNED), (2, StatusCode.PROCESSING), (24, StatusCode.COMPLETED)):
            clock.advance(timedelta(hours=hours))
            for agency_id in (*PILOT_MINISTRIES, *PILOT_PROVINCES):
                net.nodes[agency_id].handle(decision.document_id, code, _TEXT[code])
            await net.settle()

        clock.advance(timedelta(hours=1))
        vpcp.send(
            Draft(
                recipients=(BO_TU_PHAP,),
                type_code="CV",
                drafting_unit="V.I",
                subject="Về việc giải quyết kiến nghị về đất đai của công dân",
            )
        )
        notice = vpcp.send(
            Draft(
                recipients=(DA_NANG,),
                type_code="TB",
                priority=Priority.KHAN,
                subject="Thông báo lịch họp trực tuyến với các địa phương",
            )
        )
        vpcp.send(
            Draft(
                recipients=(BO_TAI_CHINH,),
                type_code="CV",
                secrecy=Secrecy.MAT,
                subject="Về phương án ngân sách (Mật)",
                drafting_unit="KTTH",
            )
        )
        await net.settle()
        clock.advance(timedelta(minutes=30))
        vpcp.recall(notice.document_id, "Thông báo gửi nhầm ngày họp")
        await net.settle()

        for entry in vpcp.store.list_outgoing():  # the four documents and the recall message
            _print_timeline(entry.code_text, entry.document_id, net, registry)
        _print_receipts(decision, net, registry)
    finally:
        await net.stop()
    print(
        f"\nFiles: {workdir}/certs (PKI, keys never committed), "
        f"{workdir}/state (SQLite registers, axis queue)"
    )
    return 0


_TEXT = {
    StatusCode.ASSIGNED: "Lãnh đạo đã phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.COMPLETED: "Hoàn thành",
}


def _short(registry: Registry, agency_id: str) -> str:
    agency = registry.find(agency_id)
    if agency is None:
        return agency_id
    if agency.short_name != "UBND":
        return agency.short_name
    return "UBND " + agency.name.removeprefix("Ủy ban nhân dân ").replace("Thành phố ", "TP ").replace(
        "thành phố ", "TP "
    )


def _print_timeline(code: str, document_id: str, net: LoopbackNetwork, registry: Registry) -> None:
    print(f"── {code}  ({document_id})")
    issuer = document_id.split(",", 1)[0]
    for event in net.events.for_document(document_id):
        if event.what == "status-sent":  # the transport's echo of each status; the arrival is shown
            continue
        if event.what == "hop" and event.agency == issuer:  # hops of the statuses coming back
            continue
        print(_line(event, registry))
    print()


def _line(event: NodeEvent, registry: Registry) -> str:
    who = _short(registry, event.agency)
    detail = re.sub(r"\[sha256=([0-9a-f]{8})[0-9a-f]*\]", r"[sha256 \1…]", event.detail)
    for agency in registry:
        detail = detail.replace(agency.id, _short(registry, agency.id))
    return f"   {event.at:%d/%m %H:%M}  {who:<22.22} {event.what:<14} {event.channel:<6} {detail[:100]}"


def _print_receipts(sent: SentDocument, net: LoopbackNetwork, registry: Registry) -> None:
    entry = net.nodes[VPCP].store.outgoing(sent.document_id)
    if entry is None:
        return
    print(f"Sổ văn bản đi of VPCP, receipt column for {sent.code}:")
    for status in entry.receipt:
        print(
            f"   {_short(registry, status.recipient):<22.22} "
            f"{status.status_code.wire} at {status.at:%d/%m %H:%M}"
        )


__all__ = ["register", "run"]
