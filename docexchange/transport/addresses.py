"""Envelope addresses (SMTP ``MAIL FROM`` / ``RCPT TO``) checked before anything is done with them.

aiosmtpd decodes a command's argument as UTF-8 with ``surrogateescape``, so bytes that are not
UTF-8 arrive as lone surrogates: they are refused here by name, before any reply could try to
echo them. The syntax is RFC 5321's mailbox with SMTPUTF8 (RFC 6531): a dot-atom local part of at
most 64 octets (non-ASCII letters allowed), and a domain of letter-digit-hyphen labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010FFFF]"
_LOCAL = re.compile(rf"{_ATEXT}+(\.{_ATEXT}+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?")
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Mailbox:
    local: str
    domain: str  # lower case

    def __str__(self) -> str:
        return f"{self.local}@{self.domain}"


class AddressError(ValueError):
    """An envelope address that is not a mailbox; the message says why (safe to echo)."""


def parse_mailbox(address: str) -> Mailbox:
    """The mailbox ``address`` names; :class:`AddressError` saying what is wrong otherwise."""
    if _SURROGATES.search(address):
        raise AddressError("the address is not valid UTF-8")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in address):
        raise AddressError("the address holds control characters")
    local, at, domain = address.rpartition("@")
    if not at or not local:
        raise AddressError("the address has no local part and domain (local@domain)")
    if len(local.encode("utf-8")) > 64 or not _LOCAL.fullmatch(local):
        raise AddressError("the local part is not a dot-atom of at most 64 octets")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise AddressError("the domain is not a host name of letter-digit-hyphen labels")
    return Mailbox(local, domain.lower())


def printable(text: str, limit: int = 120) -> str:
    """``text`` made safe to echo in a reply: no surrogates, no control characters, short."""
    cleaned = _SURROGATES.sub("\ufffd", text)
    cleaned = "".join(c if ord(c) >= 0x20 and ord(c) != 0x7F else "?" for c in cleaned)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
