"""What routing reads and what it answers (Decision 28/2018/QĐ-TTg; DOMAIN.md §2 and §4).

Routing reads a document's :class:`DocumentTraits` and both agencies' :class:`Capabilities`, and
answers a :class:`RoutingDecision` per recipient; when a send fails it answers a
:class:`FailureAction`. Every answer carries a stable :class:`RouteReason` and a sentence, because
the report must say *why* a document went on paper, not only that it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from docexchange.edxml.model import DocumentMessage, Priority
from docexchange.edxml.numbering import DocumentKind, document_kind, kind_by_code
from docexchange.registry.names import unaccent


class Channel(StrEnum):
    """How a document travels to one recipient, from most to least preferred by default."""

    AXIS = "axis"  # national document exchange axis (Trục liên thông văn bản quốc gia), HTTPS
    MAIL = "mail"  # .gov.vn mail between the records offices (văn thư), SMTP
    PAPER = "paper"  # no network: posted or carried

    @property
    def electronic(self) -> bool:
        return self is not Channel.PAPER


class Secrecy(StrEnum):
    """Độ mật (Decree 30). Anything but NONE is a state secret and never goes electronically."""

    NONE = "none"
    MAT = "mat"  # Mật
    TOI_MAT = "toi-mat"  # Tối mật
    TUYET_MAT = "tuyet-mat"  # Tuyệt mật

    @property
    def label(self) -> str:
        return _SECRECY_LABELS[self]

    @property
    def secret(self) -> bool:
        return self is not Secrecy.NONE

    @classmethod
    def parse(cls, text: str) -> Secrecy:
        """``"tuyet-mat"``, ``"TUYET_MAT"``, ``"Tuyệt mật"`` and ``"tuyet mat"`` all name TUYET_MAT.

        ``"thường"``/``"normal"``/``""`` name NONE. ValueError for anything else.
        """
        key = " ".join(unaccent(text).lower().replace("-", " ").replace("_", " ").split())
        try:
            return _SECRECY_BY_KEY[key]
        except KeyError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(
                f"unknown secrecy {text!r}; known: {known} (or Mật, Tối mật, Tuyệt mật)"
            ) from None


_SECRECY_LABELS = {
    Secrecy.NONE: "Thường",
    Secrecy.MAT: "Mật",
    Secrecy.TOI_MAT: "Tối mật",
    Secrecy.TUYET_MAT: "Tuyệt mật",
}
_SECRECY_BY_KEY = {
    "": Secrecy.NONE,
    "none": Secrecy.NONE,
    "normal": Secrecy.NONE,
    "thuong": Secrecy.NONE,
    "mat": Secrecy.MAT,
    "toi mat": Secrecy.TOI_MAT,
    "tuyet mat": Secrecy.TUYET_MAT,
}


class RouteReason(StrEnum):
    """Stable reason codes of routing; the string value is what reports and metrics count."""

    # Why the channel was chosen
    SECRET = "secret"  # state secret: paper only
    NO_AXIS_CONNECTION = "no-axis-connection"  # sender or recipient not connected to the axis
    NO_MAILBOX = "no-mailbox"  # sender or recipient has no .gov.vn mailbox in use
    NO_CERTIFICATE = "no-certificate"  # sender or recipient cannot sign/verify: no legal value
    PREFERRED_AXIS = "preferred-axis"  # the first channel of the preference, nothing in the way
    PREFERRED_MAIL = "preferred-mail"
    # Why an electronic document also goes on paper
    GOVERNMENT_PAPER_COPY = "government-paper-copy"  # to the Government / Prime Minister
    PAPER_TYPE = "paper-type"  # a type the sending agency lists as also needing paper
    # After a failed send
    RETRY_SCHEDULED = "retry-scheduled"
    FALLBACK_AFTER_RETRIES = "fallback-after-retries"

    @classmethod
    def preferred(cls, channel: Channel) -> RouteReason:
        return _PREFERRED[channel]


_PREFERRED = {Channel.AXIS: RouteReason.PREFERRED_AXIS, Channel.MAIL: RouteReason.PREFERRED_MAIL}


@dataclass(frozen=True)
class Capabilities:
    """What one agency can do. The default is everything (Decision 28's target state)."""

    axis: bool = True
    """Connected to the national document exchange axis."""
    mail: bool = True
    """Its records office uses a .gov.vn mailbox."""
    certificate: bool = True
    """Holds a digital-signature certificate from the Government Cipher Committee."""

    def supports(self, channel: Channel) -> bool:
        """True when the agency can send or receive on ``channel`` (paper always works)."""
        if channel is Channel.AXIS:
            return self.axis
        if channel is Channel.MAIL:
            return self.mail
        return True


FULL_CAPABILITIES = Capabilities()


class CapabilitySource(Protocol):
    """Anything that says what an agency can use now: a fixed table, or a simulation's adoption."""

    def of(self, agency_id: str) -> Capabilities: ...


@dataclass(frozen=True)
class CapabilityTable:
    """Capabilities per agency identifier; agencies not listed have ``default``."""

    entries: Mapping[str, Capabilities] = field(default_factory=dict, hash=False)
    default: Capabilities = FULL_CAPABILITIES

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))

    def of(self, agency_id: str) -> Capabilities:
        return self.entries.get(agency_id, self.default)


@dataclass(frozen=True)
class DocumentTraits:
    """The facts about a document that routing looks at, and nothing else."""

    document_id: str
    sender: str  # agency identifier
    type_abbreviation: str  # canonical Decree 30 abbreviation ("QĐ", "NQ", …), "CV" for công văn
    priority: Priority = Priority.NORMAL
    secrecy: Secrecy = Secrecy.NONE


def type_abbreviation_of(message: DocumentMessage) -> str:
    """The Decree 30 abbreviation of a message's type: by TypeName, which carries the meaning in
    the real files (their Type numbers vary between producers), else by this project's Type code;
    "" if unknown."""
    try:
        kind: DocumentKind | None = document_kind(message.document_type.type_name)
    except ValueError:
        code = message.document_type.type
        kind = None if code is None else kind_by_code(code)
    if kind is None:
        return ""
    return kind.abbreviation or "CV"


def traits_of(message: DocumentMessage, secrecy: Secrecy = Secrecy.NONE) -> DocumentTraits:
    """Traits of an edXML document. edXML has no secrecy field (secret documents are never edXML),
    so the caller says it."""
    return DocumentTraits(
        document_id=message.document_id,
        sender=message.from_.organ_id,
        type_abbreviation=type_abbreviation_of(message),
        priority=message.other_info.priority,
        secrecy=secrecy,
    )


@dataclass(frozen=True)
class RoutingDecision:
    """How one document goes to one recipient, and why.

    ``reason`` is the decisive code, ``other_reasons`` the codes that also applied (for example a
    fall-back to mail for a document that also needs a paper copy to the Government);
    ``explanation`` says it all in sentences, naming the agency that lacks a capability.
    """

    document_id: str
    recipient: str
    channel: Channel
    paper_copy: bool
    """An electronic document that must also be sent on paper (never set when channel is paper)."""
    legal_value: bool
    """False only for an unsigned electronic document: for information, does not replace paper."""
    queue_priority: int
    """Higher goes first: the edXML Priority (0 normal … 4 hỏa tốc hẹn giờ)."""
    send_immediately: bool
    """Urgent documents are sent right after signing, in priority mode (Decision 28)."""
    reason: RouteReason
    explanation: str
    fallbacks: tuple[Channel, ...]
    """Channels to fall back to, in order, when sending on ``channel`` keeps failing (ends with paper)."""
    other_reasons: tuple[RouteReason, ...] = ()

    @property
    def reasons(self) -> tuple[RouteReason, ...]:
        return (self.reason, *self.other_reasons)

    @property
    def electronic(self) -> bool:
        return self.channel.electronic


class FailureKind(StrEnum):
    RETRY = "retry"  # try the same channel again after ``delay``
    FALL_BACK = "fall-back"  # retries exhausted: send on ``channel``, the next one down
    PAPER = "paper"  # retries exhausted and no electronic channel left


@dataclass(frozen=True)
class FailureAction:
    """What to do after a failed send. Every new attempt reuses ``document_id`` (nothing is renumbered)."""

    kind: FailureKind
    document_id: str
    recipient: str
    channel: Channel
    """The channel of the next attempt (the same one for RETRY)."""
    delay: timedelta
    """Simulated time to wait before the next attempt (zero when falling back)."""
    attempt: int
    """The number of the next attempt on ``channel``, from 1."""
    reason: RouteReason
    explanation: str
