"""Documents per second through the axis and through mail, against the same crypto with no network.

Run: ``.venv/bin/python bench/network.py [--documents N] [--algorithm rsa2048|ecdsa-p256]``.

Each document is composed, numbered, signed (person + agency), registered, routed, sent, received,
verified, registered at the receiver, and answered with signed statuses 01, 03, 04, 05, 06, each
verified and applied at the sender — on real loopback sockets (HTTPS + mutual TLS to the axis, SMTP
+ STARTTLS for mail) and real SQLite files. The baseline does the same signing and verification
(one document, five statuses) in memory with no network and no store. Both run in one process,
one after the other, on this machine; the ratio is what carries over.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import (
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
    build_document,
    build_status,
    to_bytes,
)
from docexchange.edxml.compose import NewDocument, compose, organization_of
from docexchange.edxml.numbering import DocumentNumberer, document_kind
from docexchange.node.agency import Draft
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PathValidator, PkiStore, StoreRevocationSource
from docexchange.registry import load_registry
from docexchange.routing import Capabilities, CapabilityTable, RoutingRules
from docexchange.signing import MessageVerifier
from docexchange.signing.service import AgencySigner

VPCP, LAO_CAI, DA_NANG = "000.00.00.G22", "000.00.00.H38", "000.00.00.H15"
START = datetime(2019, 3, 12, 8, 0, tzinfo=VIETNAM_TZ)
PROGRESS = (StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.COMPLETED)


async def through_network(pki: PkiStore, state: Path, recipient: str, documents: int) -> float:
    registry = load_registry().filtered([VPCP, LAO_CAI, DA_NANG])
    caps = CapabilityTable({DA_NANG: Capabilities(axis=False, mail=True, certificate=True)})
    clock = FixedClock(START)
    net = LoopbackNetwork(state, registry, pki, clock, RoutingRules(), caps)
    await net.start([VPCP, recipient])
    vpcp, receiver = net.nodes[VPCP], net.nodes[recipient]
    begin = time.perf_counter()
    sent = [
        vpcp.send(Draft((recipient,), "CV", f"Văn bản đo hiệu năng số {i}", "Nội dung " * 100))
        for i in range(documents)
    ]
    await net.settle(rounds=20)
    for code in PROGRESS:
        clock.advance(timedelta(minutes=10))
        for document in sent:
            receiver.handle(document.document_id, code, code.name)
        await net.settle(rounds=20)
    elapsed = time.perf_counter() - begin
    completed = sum(
        1
        for d in sent
        if (e := vpcp.store.outgoing(d.document_id))
        and e.receipt
        and e.receipt[0].status_code is StatusCode.COMPLETED
    )
    await net.stop()
    if completed != documents:
        raise SystemExit(f"only {completed} of {documents} documents completed")
    return elapsed


def without_network(pki: PkiStore, recipient: str, documents: int) -> float:
    registry = load_registry().filtered([VPCP, LAO_CAI, DA_NANG])
    clock = FixedClock(START)
    validator = PathValidator(pki.root, StoreRevocationSource(pki, clock))
    signer, verifier = AgencySigner(pki, validator), MessageVerifier(validator, clock=clock)
    numberer = DocumentNumberer()
    sender, receiver = registry.get(VPCP), registry.get(recipient)
    begin = time.perf_counter()
    for i in range(documents):
        message = compose(
            NewDocument(
                sender,
                (receiver,),
                document_kind("CV"),
                f"Văn bản đo hiệu năng số {i}",
                START.date(),
                START,
                content="Nội dung " * 100,
                drafting_unit="VP",
            ),
            numberer,
        )
        verifier.verify_document(to_bytes(signer.sign(build_document(message), START)))
        for code in (StatusCode.ARRIVED, StatusCode.ACCEPTED, *PROGRESS):
            status = StatusMessage(
                ResponseFor(
                    sender.id,
                    message.code.text,
                    message.promulgation_date,
                    message.document_id,
                ),
                organization_of(receiver),
                code,
                code.name,
                START,
                StaffInfo(),
            )
            verifier.verify_status(to_bytes(signer.sign(build_status(status), START)))
    return time.perf_counter() - begin


async def main() -> None:
    parser = argparse.ArgumentParser(description="documents per second through the axis and mail")
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--algorithm", default="rsa2048", choices=["rsa2048", "ecdsa-p256"])
    args = parser.parse_args()
    registry = load_registry().filtered([VPCP, LAO_CAI, DA_NANG])
    with tempfile.TemporaryDirectory() as tmp:
        pki = PkiStore.init(
            Path(tmp) / "certs",
            registry,
            algorithm=args.algorithm,
            not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
        )
        base = without_network(pki, LAO_CAI, args.documents)
        axis = await through_network(pki, Path(tmp) / "axis", LAO_CAI, args.documents)
        mail = await through_network(pki, Path(tmp) / "mail", DA_NANG, args.documents)
    n = args.documents
    print(f"{n} documents, each signed, verified and answered 01→03→04→05→06 ({args.algorithm}), one run\n")
    print(f"{'path':28} {'seconds':>8} {'docs/s':>8} {'× crypto only':>14}")
    for name, seconds in (
        ("crypto only (no network)", base),
        ("axis (HTTPS, mutual TLS)", axis),
        ("mail (SMTP, STARTTLS)", mail),
    ):
        print(f"{name:28} {seconds:8.2f} {n / seconds:8.1f} {seconds / base:14.2f}")


if __name__ == "__main__":
    asyncio.run(main())
