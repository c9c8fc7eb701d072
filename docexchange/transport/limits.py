"""How long a listener waits for each part of a conversation, and how much one may ask of it.

Every listener of a served network (the axis over HTTPS, each records office over SMTP) closes a
connection that does not finish a part in time, so that connections dribbling bytes, or never
finishing a handshake, cannot pile up. Legitimate clients on the government network finish each
part in milliseconds; the defaults leave them two orders of magnitude of room.

========================  ==========================================================================
part                      deadline
========================  ==========================================================================
TLS handshake             ``handshake_seconds`` from the TCP connection (axis) or the STARTTLS
                          reply (mail)
request head / command    ``head_seconds``: HTTP — the whole request line and headers, from the
                          connection or the previous response (this is also the keep-alive idle
                          time); SMTP — each command line, from the greeting or the previous command
body                      ``body_seconds``: HTTP — the request body, from the end of the head;
                          SMTP — the message, from the 354 reply to the final dot
========================  ==========================================================================

The time a node spends verifying what it received does not count against these: it is the
server's own work, bounded by the size limits, and the client is waiting for its answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ListenerLimits:
    handshake_seconds: float = 10.0
    """A TLS handshake must finish within this."""
    head_seconds: float = 15.0
    """An HTTP request head (or an SMTP command line) must arrive within this."""
    body_seconds: float = 60.0
    """An HTTP request body (or an SMTP message after DATA) must arrive within this."""
    max_recipients: int = 10
    """RCPT lines one SMTP transaction may carry; past it the server answers 452."""
    processing_seconds: float = 300.0
    """How long a records office may take to verify and store a message before its SMTP
    connection is closed (the sender then retries: duplicates are recognised)."""

    def __post_init__(self) -> None:
        for name in ("handshake_seconds", "head_seconds", "body_seconds", "processing_seconds"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name.replace('_', ' ')} must be a positive number of seconds")
        if self.max_recipients < 1:
            raise ValueError("max recipients must be at least 1")


DEFAULT_LIMITS = ListenerLimits()
