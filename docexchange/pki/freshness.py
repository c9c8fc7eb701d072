"""Revocation status kept fresh in a long-running process, failing closed when it goes stale.

A served process (the axis, a group of agency nodes) lives for days while ``docexchange certs
revoke`` writes new records into the PKI folder. The model is X-Road's OCSP freshness: each
process refreshes its revocation status on a schedule (:attr:`FreshnessPolicy.refresh_seconds`),
the verification path asks for it on every check, and a status older than
:attr:`FreshnessPolicy.max_age_seconds` is no status at all — every check then fails closed with
``revocation-unknown`` until a refresh succeeds again. The transports never look at revocation:
they reach it only through the validator they were given.

A refresh reads ``revocations.json`` only when its size, modification time or inode changed since
the last good read (``certs revoke`` replaces the file atomically), so refreshing every second
costs one ``stat``. A file that has gone, or that no longer parses, is a failed refresh: the
records read last stay in force until the status is too old, and then nothing verifies.

Freshness is measured on the monotonic real-time clock, like the time-outs that guard sockets: it
says how long ago *this process* last knew the revocation list, whatever the simulated clock says.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography import x509

from docexchange.errors import PkiError, ReasonCode, VerificationError
from docexchange.pki.revocation import RevocationSource, RevocationStatus

log = logging.getLogger("docexchange.revocation")


@dataclass(frozen=True)
class FreshnessPolicy:
    """How a served process keeps its revocation status current."""

    refresh_seconds: float = 2.0
    """How often the revocation list is read again: a revocation reaches every running process
    within this many seconds (plus one refresh's work)."""
    max_age_seconds: float = 30.0
    """How old the last good read may get before every verification fails closed with
    ``revocation-unknown`` (X-Road's OCSP freshness limit)."""

    def __post_init__(self) -> None:
        for name, value in (("refresh", self.refresh_seconds), ("max age", self.max_age_seconds)):
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"the revocation {name} must be a positive number of seconds")
        if self.max_age_seconds < self.refresh_seconds:
            raise ValueError("the revocation max age must be at least the refresh interval")


class RevocationStale(VerificationError):
    """The process's revocation status is too old to trust: a passing condition of the verifier,
    not a fault of the message being checked (try again once the status is fresh)."""

    temporary = True

    def __init__(self, message: str) -> None:
        super().__init__(ReasonCode.REVOCATION_UNKNOWN, message)


class RevocationRecords(Protocol):
    """What the feed needs from a PKI store (:class:`~docexchange.pki.store.PkiStore`)."""

    @property
    def revocations_path(self) -> Path: ...

    def reload_revocations(self) -> None: ...


class RevocationFeed:
    """Refreshes a store's revocation records and says whether they are fresh enough to use.

    :meth:`refresh` is called on a schedule by the process's event loop; :meth:`check` by the
    verification path (any thread: it only reads two floats).
    """

    def __init__(
        self,
        records: RevocationRecords,
        policy: FreshnessPolicy | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.records = records
        self.policy = policy or FreshnessPolicy()
        self._monotonic = monotonic
        self._fresh_at = monotonic()  # the store was read when it was opened
        self._failure: str | None = None
        self._stale_reported = False
        # Take the file's signature, then read it again: a revocation written between the store's
        # own read and this signature would otherwise never be seen (the signature would match).
        self._seen: tuple[int, int, int, int] | None = _signature(records.revocations_path)
        try:
            records.reload_revocations()
        except Exception as exc:  # the store's first read stands; the next refresh retries
            self._failure = _one_line(exc)
            self._seen = None
            log.warning("revocation list could not be re-read: %s", self._failure)

    @property
    def age(self) -> float:
        """Seconds since the last good read of the revocation list."""
        return self._monotonic() - self._fresh_at

    @property
    def stale(self) -> bool:
        """True when verification must fail closed (the last good read is too old)."""
        return self.age > self.policy.max_age_seconds

    @property
    def failure(self) -> str | None:
        """Why the last refresh failed; None when it succeeded."""
        return self._failure

    def refresh(self) -> bool:
        """Read the revocation list again if it changed; True when the status is now current."""
        path = self.records.revocations_path
        try:
            seen = _signature(path)
            if seen is None:
                raise PkiError(ReasonCode.PKI_MISSING, f"{path} is missing")
            if seen != self._seen:
                self.records.reload_revocations()
                self._seen = seen
        except Exception as exc:  # whatever the file holds, a failed refresh is only a failed refresh
            if self._failure is None:
                log.warning("revocation list could not be refreshed: %s", _one_line(exc))
            self._failure = _one_line(exc)
            self.check_quietly()
            return False
        if self._failure is not None or self._stale_reported:
            log.warning("revocation list refreshed again after %.1f s; verification resumes", self.age)
        self._failure = None
        self._stale_reported = False
        self._fresh_at = self._monotonic()
        return True

    def check(self) -> None:
        """Raise :class:`RevocationStale` when the status is older than the policy allows."""
        age = self.age
        if age <= self.policy.max_age_seconds:
            return
        why = f" ({self._failure})" if self._failure else ""
        message = (
            f"the revocation status was last refreshed {age:.1f} s ago, more than the "
            f"{self.policy.max_age_seconds:g} s allowed{why}: nothing is verified until it is refreshed"
        )
        if not self._stale_reported:
            self._stale_reported = True
            log.error("failing closed: %s", message)
        raise RevocationStale(message)

    def check_quietly(self) -> None:
        """Log the switch to failing closed as soon as it happens, without raising."""
        with contextlib.suppress(RevocationStale):
            self.check()


class FreshRevocationSource:
    """A revocation source that answers only while its feed is fresh (fails closed otherwise)."""

    def __init__(self, inner: RevocationSource, feed: RevocationFeed) -> None:
        self.inner = inner
        self.feed = feed

    def status(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationStatus:
        self.feed.check()
        return self.inner.status(cert, issuer)


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when the file is replaced or edited (ctime too: an edit that puts the
    modification time back still moves it)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
