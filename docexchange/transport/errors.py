"""Transport failures as the node sees them: refused (do not retry) or failed (retry later)."""

from __future__ import annotations


class TransportError(Exception):
    """A send/receive over a channel did not succeed.

    ``retryable`` is True for failures of the channel (connection refused, timeout, 5xx, 4xx SMTP)
    and False for refusals of the message itself (HTTP 4xx, SMTP 5xx) — retrying those cannot help.
    """

    def __init__(self, reason: str, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.retryable = retryable
        self.status = status
