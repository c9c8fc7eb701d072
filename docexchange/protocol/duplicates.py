"""Duplicate detection: the keys, and a deterministic window of keys already seen.

Two different duplicates matter:

* **Delivery duplicates.** Retries reuse the DocumentId, so the hub and every receiver treat the
  same DocumentId for the same recipient as the same delivery: answer it again, register it once
  (:func:`delivery_key`).
* **Register duplicates.** Decree 30/2020 asks the system to warn on a duplicate
  (number, notation, issuer) — a different DocumentId carrying a số/ký hiệu already used
  (:func:`register_key`). Numbers restart each 1 January, so the year belongs in the key.

:class:`DuplicateWindow` remembers keys for a while, like DHX's window of a week to a month; it
takes times from the caller and never reads a clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, NamedTuple, TypeVar


class DeliveryKey(NamedTuple):
    document_id: str
    recipient: str


class RegisterKey(NamedTuple):
    issuer_id: str
    code_number: str
    code_notation: str
    year: int | None


def delivery_key(document_id: str, recipient: str) -> DeliveryKey:
    """The identity of one delivery: the same DocumentId to the same recipient is a duplicate."""
    document_id, recipient = document_id.strip(), recipient.strip()
    if not document_id or not recipient:
        raise ValueError("a delivery key needs a document id and a recipient")
    return DeliveryKey(document_id, recipient)


def register_key(
    issuer_id: str, code_number: str, code_notation: str, *, year: int | None = None
) -> RegisterKey:
    """The Decree 30 identity of a document in its issuer's register, normalised for comparison.

    ``"05"`` and ``"5"`` are the same number (numbers below 10 are zero-padded); notations are
    compared in NFC, case-folded, without spaces (``QĐ-TTg`` = ``qđ-ttg``). ``year`` is the
    promulgation year; pass it, since the same số/ký hiệu is legal again the next year.
    """
    issuer = issuer_id.strip()
    number = code_number.strip()
    if number.isdigit():
        number = number.lstrip("0") or "0"
    notation = "".join(unicodedata.normalize("NFC", code_notation).casefold().split())
    if not issuer or not number or not notation:
        raise ValueError("a register key needs an issuer, a number and a notation")
    return RegisterKey(issuer, number, notation, year)


K = TypeVar("K", bound=Hashable)


class DuplicateWindow(Generic[K]):
    """Keys seen recently; with ``window`` set, a key older than the window counts as unseen.

    A key added again keeps its latest time, so a sender that keeps retrying keeps being
    recognised. Iteration and expiry follow insertion order: the same calls give the same result.
    """

    def __init__(self, window: timedelta | None = None) -> None:
        if window is not None and window <= timedelta(0):
            raise ValueError(f"a duplicate window must be positive, got {window}")
        self.window = window
        self._seen: dict[K, datetime] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, key: object) -> bool:
        return key in self._seen

    def seen(self, key: K, at: datetime) -> bool:
        """Whether ``key`` was added and, with a window, no longer than the window before ``at``."""
        added = self._seen.get(key)
        if added is None:
            return False
        return self.window is None or at - added <= self.window

    def add(self, key: K, at: datetime) -> None:
        """Remember ``key`` as seen at ``at`` (a later time replaces an earlier one)."""
        previous = self._seen.get(key)
        if previous is None or at > previous:
            self._seen[key] = at

    def observe(self, key: K, at: datetime) -> bool:
        """``seen(key, at)``, then ``add(key, at)``: True when this is a duplicate."""
        duplicate = self.seen(key, at)
        self.add(key, at)
        return duplicate

    def expire(self, before: datetime) -> int:
        """Forget keys last seen before ``before``; returns how many were forgotten."""
        old = [key for key, added in self._seen.items() if added < before]
        for key in old:
            del self._seen[key]
        return len(old)
