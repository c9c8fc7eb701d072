"""What signing and verifying one edXML document costs, and what the chain cache saves.

Run: ``make bench`` (or ``.venv/bin/python bench/sign_verify.py [--documents N]``).

Everything is measured in one run on this machine and reported both in milliseconds and as
ratios, because the machine is shared and noisy: the ratios are what carry over.

- sign: the person's XAdES signature then the agency's countersignature (certificates checked
  first, as the signer does);
- verify (warm): full verification with the path-validation cache warm — the usual case for a
  node that keeps receiving from the same agencies;
- verify (cold): the same with a fresh cache for every document (chain rebuilt every time);
  warm and cold alternate document by document so machine drift hits both alike;
- path warm / cold: certificate path validation alone, cached vs rebuilt — where the cache acts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import build_document, to_bytes
from docexchange.edxml.compose import NewDocument, compose
from docexchange.edxml.numbering import DocumentNumberer, document_kind
from docexchange.pki import CertRole, ChainCache, PathValidator, PkiStore, StoreRevocationSource
from docexchange.registry import load_registry
from docexchange.signing import MessageVerifier
from docexchange.signing.service import AgencySigner

SENDERS = ["000.00.00.G22", "000.00.00.G12", "000.00.00.H38", "000.00.00.H15"]
AT = datetime(2019, 3, 12, 9, 0, tzinfo=VIETNAM_TZ)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def run(algorithm: str, documents: int) -> dict[str, float]:
    registry = load_registry().filtered(SENDERS)
    with tempfile.TemporaryDirectory() as tmp:
        store = PkiStore.init(
            Path(tmp) / "certs",
            registry,
            algorithm=algorithm,
            not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
        )
        clock = FixedClock(AT)
        revocation = StoreRevocationSource(store, clock)
        signer = AgencySigner(store, PathValidator(store.root, revocation))
        numberer = DocumentNumberer()
        unsigned = [
            build_document(
                compose(
                    NewDocument(
                        sender=registry.get(SENDERS[i % len(SENDERS)]),
                        recipients=(registry.get(SENDERS[(i + 1) % len(SENDERS)]),),
                        kind=document_kind("CV"),
                        subject=f"Văn bản thử nghiệm số {i}",
                        content="Nội dung " * 200,
                        promulgation_date=AT.date(),
                        signed_at=AT,
                        drafting_unit="VP",
                    ),
                    numberer,
                )
            )
            for i in range(documents)
        ]
        iterator = iter(unsigned)
        signed: list[bytes] = []
        sign_samples = timed(lambda: signed.append(to_bytes(signer.sign(next(iterator), AT))), documents)

        clock.set(AT + timedelta(hours=1))
        warm = MessageVerifier(PathValidator(store.root, revocation), clock=clock)
        warm.verify(signed[0])
        # Warm and cold alternate document by document, so that drift on a shared machine
        # affects both alike.
        warm_samples: list[float] = []
        cold_samples: list[float] = []
        for data in signed:
            warm_samples += timed(lambda d=data: warm.verify(d), 1)
            cold = MessageVerifier(PathValidator(store.root, revocation, cache=ChainCache()), clock=clock)
            cold_samples += timed(lambda d=data, v=cold: v.verify(d), 1)

        # Path validation alone, where the cache acts: one chain, cached vs a fresh cache each time.
        credential = store.person(SENDERS[0])
        cached = PathValidator(store.root, revocation)
        path_warm: list[float] = []
        path_cold: list[float] = []
        for _ in range(documents):
            path_warm += timed(
                lambda: cached.validate(credential.cert, credential.chain, AT, CertRole.PERSON), 1
            )
            fresh = PathValidator(store.root, revocation, cache=ChainCache())
            path_cold += timed(
                lambda v=fresh: v.validate(credential.cert, credential.chain, AT, CertRole.PERSON), 1
            )
        size = statistics.mean(len(d) for d in signed)
    return {
        "sign": statistics.median(sign_samples) * 1000,
        "verify_warm": statistics.median(warm_samples) * 1000,
        "verify_cold": statistics.median(cold_samples) * 1000,
        "path_warm": statistics.median(path_warm) * 1000,
        "path_cold": statistics.median(path_cold) * 1000,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=120)
    args = parser.parse_args()
    print(f"{args.documents} documents per measurement, medians in ms, one run\n")
    print(
        f"{'keys':12} {'sign':>6} {'verify warm':>12} {'verify cold':>12} {'cold/warm':>10} "
        f"{'path warm':>10} {'path cold':>10} {'cold/warm':>10} {'sign/verify':>12}"
    )
    for algorithm in ("rsa2048", "ecdsa-p256"):
        r = run(algorithm, args.documents)
        print(
            f"{algorithm:12} {r['sign']:6.2f} {r['verify_warm']:12.2f} {r['verify_cold']:12.2f} "
            f"{r['verify_cold'] / r['verify_warm']:10.2f} {r['path_warm']:10.3f} {r['path_cold']:10.3f} "
            f"{r['path_cold'] / r['path_warm']:10.1f} {r['sign'] / r['verify_warm']:12.2f}"
        )


if __name__ == "__main__":
    main()
