"""The scenario model: everything one simulation run names (issue 4; format in ``simulations/README.md``).

A :class:`Scenario` is a frozen, checked description; :func:`docexchange.sim.scenario_loader.load_scenario`
builds it from a TOML file. Nothing here draws random numbers or touches the network: the
workload generator, the per-agency adoption draw, the fault plan and the runner read these values.

Adoption shares are *shares of a tier's agencies* on a given day. The intended per-agency reading
(kept out of this module on purpose) is a threshold draw: each agency gets a seeded ``u`` in [0, 1)
per measure and has the capability on day ``d`` when ``u < share(d)``, so a rising curve gives each
agency one adoption date and the same seed gives the same agencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml.model import Priority
from docexchange.registry.model import Agency, Registry, Tier

_K = TypeVar("_K")
_V = TypeVar("_V")


def _frozen(mapping: Mapping[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(dict(mapping))


class TransportChoice(StrEnum):
    """How nodes talk: real SMTP/HTTPS on 127.0.0.1 (default), or in memory for very large what-if runs."""

    LOOPBACK = "loopback"
    MEMORY = "memory"


PROVINCIAL_TIERS: frozenset[Tier] = frozenset({Tier.CENTRAL_CITY, Tier.PROVINCE, Tier.MOUNTAINOUS_REMOTE})
"""Tiers of the provinces and centrally-run cities (the ``all-provinces`` recipients)."""


# ── participants ─────────────────────────────────────────────────────────────────────────


class SelectionMode(StrEnum):
    ALL = "all"  # every agency of the registry active during the run
    PILOTS = "pilots"  # the 2008 pilot model (Agency.pilot)
    TIERS = "tiers"  # every agency of the listed tiers
    AGENCIES = "agencies"  # exactly the listed identifiers


@dataclass(frozen=True)
class ParticipantSelection:
    """Which agencies take part. ``also`` adds identifiers to any mode (e.g. VPCP beside the pilots)."""

    mode: SelectionMode = SelectionMode.ALL
    tiers: tuple[Tier, ...] = ()
    """With mode TIERS: the tiers taken."""
    agencies: tuple[str, ...] = ()
    """With mode AGENCIES: the identifiers taken (level-2 units allowed when ``level2``)."""
    also: tuple[str, ...] = ()
    level2: bool = False
    """Load the registry's generated level-2 units; the units of every selected level-1 agency take part."""

    def select(self, registry: Registry, start: date, end: date) -> tuple[Agency, ...]:
        """The participants, in registry order: selected, and active on at least one day of [start, end]."""
        chosen = {a.id for a in registry if a.parent is None and self._takes(a)}
        chosen.update(self.also)
        if self.mode is SelectionMode.AGENCIES:
            chosen.update(self.agencies)
        return tuple(
            a
            for a in registry
            if (a.id in chosen or (self.level2 and a.parent in chosen)) and active_between(a, start, end)
        )

    def _takes(self, agency: Agency) -> bool:
        if self.mode is SelectionMode.ALL:
            return True
        if self.mode is SelectionMode.PILOTS:
            return agency.pilot
        if self.mode is SelectionMode.TIERS:
            return agency.tier in self.tiers
        return False


def active_between(agency: Agency, start: date, end: date) -> bool:
    """True when the agency exists on at least one day of [start, end]."""
    if agency.valid_from is not None and agency.valid_from > end:
        return False
    return not (agency.valid_to is not None and agency.valid_to < start)


# ── workload ─────────────────────────────────────────────────────────────────────────────


class RecipientKind(StrEnum):
    """Who a document is addressed to."""

    ONE = "one"  # one other participant
    SEVERAL = "several"  # between Workload.several[0] and [1] other participants
    ALL_PROVINCES = "all-provinces"  # every participating province and centrally-run city but the sender
    GOVERNMENT = "government"  # the routing rules' government recipients (VPCP) that take part


@dataclass(frozen=True)
class AttachmentSize:
    """One point of the attachment-size distribution: ``bytes`` drawn with relative ``weight``."""

    bytes: int
    weight: float


DEFAULT_SIGNING_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 0), time(17, 0)),
)
"""Office hours of a Vietnamese state agency (morning, afternoon); documents are signed within them."""


@dataclass(frozen=True)
class Workload:
    """What the agencies sign, and to whom. Weights are relative (they need not sum to 1)."""

    documents_per_day: Mapping[Tier, float] = field(hash=False)
    """Mean documents each level-1 agency of a tier signs per working day (Poisson mean)."""
    types: Mapping[str, float] = field(hash=False)
    """Decree 30 type abbreviation ("QĐ", "BC", "CV" for công văn, …) → weight."""
    level2_documents_per_day: Mapping[Tier, float] = field(default_factory=dict, hash=False)
    """Same for level-2 units, by their parent's tier."""
    recipients: Mapping[RecipientKind, float] = field(
        default_factory=lambda: {RecipientKind.ONE: 1.0}, hash=False
    )
    several: tuple[int, int] = (2, 5)
    """Inclusive range of recipients for RecipientKind.SEVERAL."""
    share_secret: float = 0.0
    """Share of documents that are state secrets (Mật and above): they always go on paper."""
    urgency: Mapping[Priority, float] = field(default_factory=dict, hash=False)
    """Share of documents per urgent Priority (1–4); the rest are Priority.NORMAL."""
    attachment_count: tuple[int, int] = (1, 1)
    """Inclusive range of attachments per document."""
    attachment_sizes: tuple[AttachmentSize, ...] = (AttachmentSize(200_000, 1.0),)
    signing_hours: tuple[tuple[time, time], ...] = DEFAULT_SIGNING_HOURS
    """Windows of the working day within which signing times are spread uniformly."""
    direction: Mapping[str, float] = field(default_factory=dict, hash=False)
    """Per sending agency: the share of its documents that are direction documents (chỉ đạo, điều
    hành; edXML SteeringType 2) — e.g. what the Government Office issues for the Government and PM."""
    growth: Curve | None = None
    """A factor on every rate over time (linear between its points, flat outside them): volumes
    grow year on year (DOMAIN.md §1, published volumes). None: constant rates."""

    def __post_init__(self) -> None:
        for name in (
            "documents_per_day",
            "types",
            "level2_documents_per_day",
            "recipients",
            "urgency",
            "direction",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def share_urgent(self) -> float:
        return sum(self.urgency.values())

    def rate(self, agency: Agency, day: date | None = None) -> float:
        """Mean documents per working day for ``agency`` on ``day`` (0.0 for a tier the scenario
        gives no rate); without a day, the rate before growth."""
        table = self.documents_per_day if agency.parent is None else self.level2_documents_per_day
        base = table.get(agency.tier, 0.0)
        if self.growth is None or day is None:
            return base
        return base * self.growth.at(day, Interpolation.LINEAR)


@dataclass(frozen=True)
class Delays:
    """How long people take around the network; means of the runner's draws (exponential by default)."""

    send_hours: float = 2.0
    """Office hours from signing until the sender's records office sends (Decision 28: same day)."""
    accept_hours: float = 4.0
    """Office hours from arrival until the receiving records office accepts and registers (status 03)."""
    assign_hours: float = 4.0
    """Office hours from acceptance until the leader assigns it for handling (status 04)."""
    complete_days: float = 3.0
    """Working days from assignment until handling is completed (status 06)."""
    paper_days: float = 2.0
    """Working days a paper document spends in the post or with the courier."""


# ── adoption ─────────────────────────────────────────────────────────────────────────────


class AdoptionMeasure(StrEnum):
    """What a tier has adopted; the string value is the TOML key."""

    MAIL_USE = "mail_use"  # the records office exchanges by .gov.vn mail
    DMS = "dms"  # a document-management system on the network
    CERTIFICATE = "certificate"  # signing certificates issued (person and organisation)
    AXIS = "axis"  # connected to the national document exchange axis


class Interpolation(StrEnum):
    STEP = "step"  # the value of the last point on or before the day
    LINEAR = "linear"  # linear by day between two points; flat after the last


@dataclass(frozen=True)
class Curve:
    """One measure over time: points (day, value) in strictly increasing day order (a share in
    [0, 1] for adoption, a factor for workload growth)."""

    points: tuple[tuple[date, float], ...]

    def at(self, day: date, interpolation: Interpolation = Interpolation.STEP) -> float:
        """The share on ``day``; before the first point, the first point's value."""
        first_day, value = self.points[0]
        if day <= first_day:
            return value
        for (left_day, left), (right_day, right) in zip(self.points, self.points[1:], strict=False):
            if day < right_day:
                if interpolation is Interpolation.STEP:
                    return left
                span = (right_day - left_day).days
                return left + (right - left) * (day - left_day).days / span
        return self.points[-1][1]


@dataclass(frozen=True)
class Schedule:
    """The curves of one tier, of the pilots, of level-2 units or of one agency (only the measures given)."""

    curves: Mapping[AdoptionMeasure, Curve] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "curves", _frozen(self.curves))

    def value(self, measure: AdoptionMeasure, day: date, interpolation: Interpolation) -> float | None:
        curve = self.curves.get(measure)
        return None if curve is None else curve.at(day, interpolation)


@dataclass(frozen=True)
class AdoptionLevels:
    mail_use: float
    dms: float
    certificate: float
    axis: float


@dataclass(frozen=True)
class Adoption:
    """Adoption shares per tier over time, with overrides.

    For one agency, each measure comes from the first schedule that has a curve for it: the
    agency's own (``agencies``), then ``pilots`` (level-1 pilot agencies), then ``level2`` by tier
    (level-2 units), then the tier's. Every participating tier has all four curves, so the chain
    always ends with a value.
    """

    tiers: Mapping[Tier, Schedule] = field(hash=False)
    interpolation: Interpolation = Interpolation.STEP
    level2: Mapping[Tier, Schedule] = field(default_factory=dict, hash=False)
    pilots: Schedule | None = None
    agencies: Mapping[str, Schedule] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name in ("tiers", "level2", "agencies"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def share(self, agency: Agency, measure: AdoptionMeasure, day: date) -> float:
        """The share that applies to ``agency`` for ``measure`` on ``day``; KeyError for a tier without schedule."""
        for schedule in self._chain(agency):
            value = schedule.value(measure, day, self.interpolation)
            if value is not None:
                return value
        raise KeyError(f"no adoption schedule gives {measure.value} for {agency.id} ({agency.tier.value})")

    def levels(self, agency: Agency, day: date) -> AdoptionLevels:
        return AdoptionLevels(*(self.share(agency, measure, day) for measure in AdoptionMeasure))

    def cohort(self, agency: Agency) -> tuple[str, ...]:
        """The schedules that decide ``agency``'s shares, by name: agencies with the same cohort
        have the same shares on every day."""
        return tuple(name for name, _ in self._links(agency))

    def _chain(self, agency: Agency) -> list[Schedule]:
        return [schedule for _, schedule in self._links(agency)]

    def _links(self, agency: Agency) -> list[tuple[str, Schedule]]:
        links: list[tuple[str, Schedule]] = []
        if agency.id in self.agencies:
            links.append((f"agency:{agency.id}", self.agencies[agency.id]))
        if agency.pilot and agency.parent is None and self.pilots is not None:
            links.append(("pilots", self.pilots))
        if agency.parent is not None and agency.tier in self.level2:
            links.append((f"level2:{agency.tier.value}", self.level2[agency.tier]))
        if agency.tier in self.tiers:
            links.append((f"tier:{agency.tier.value}", self.tiers[agency.tier]))
        return links


# ── faults ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Window:
    """A half-open interval of simulated time [start, end), timezone-aware (Vietnam time)."""

    start: datetime
    end: datetime

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end

    def within(self, other: Window) -> bool:
        return other.start <= self.start and self.end <= other.end

    @classmethod
    def days(cls, first: date, last: date) -> Window:
        """From 00:00 of ``first`` to 24:00 of ``last``, Vietnam time."""
        return cls(_midnight(first), _midnight(last + timedelta(days=1)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VIETNAM_TZ)


class FaultKind(StrEnum):
    NODE_OUTAGE = "node-outage"
    AXIS_OUTAGE = "axis-outage"
    MAIL_OUTAGE = "mail-outage"
    CERTIFICATE_REVOKED = "certificate-revoked"
    TAMPERED = "tampered"
    RECEIPTS_LOST = "receipts-lost"
    DUPLICATE_STORM = "duplicate-storm"
    CLOCK_SKEW = "clock-skew"
    PARTITION = "partition"
    SLOW_LINK = "slow-link"
    FORGED = "forged"


class CertificateRole(StrEnum):
    PERSON = "person"  # the competent signer's certificate
    ORGANISATION = "organisation"  # the agency's ("seal") certificate, applied by the records office


@dataclass(frozen=True)
class NodeOutage:
    """The agency's node is down: it neither sends nor receives (mail queues, axis packages wait)."""

    kind: ClassVar[FaultKind] = FaultKind.NODE_OUTAGE
    agency: str
    window: Window


@dataclass(frozen=True)
class AxisOutage:
    """The national axis refuses every connection."""

    kind: ClassVar[FaultKind] = FaultKind.AXIS_OUTAGE
    window: Window


@dataclass(frozen=True)
class MailOutage:
    """The agency's mail server (``agency``) or every mail server (``agency is None``) is unreachable."""

    kind: ClassVar[FaultKind] = FaultKind.MAIL_OUTAGE
    window: Window
    agency: str | None = None


@dataclass(frozen=True)
class CertificateRevoked:
    """The agency's personal or organisation certificate is revoked at ``at``.

    ``notice`` is how long the agency's own signing system takes to learn of it (its copy of the
    revocation list is that old): until then it keeps signing with the revoked certificate, and
    receivers, who check the current list, refuse those documents (``cert-revoked``)."""

    kind: ClassVar[FaultKind] = FaultKind.CERTIFICATE_REVOKED
    agency: str
    role: CertificateRole
    at: datetime
    notice: timedelta = timedelta(0)


@dataclass(frozen=True)
class TamperedDocuments:
    """Documents altered in transit during the window: ``count`` of them, or a share ``rate``."""

    kind: ClassVar[FaultKind] = FaultKind.TAMPERED
    window: Window
    count: int | None = None
    rate: float | None = None


@dataclass(frozen=True)
class ReceiptsLost:
    """A share of status messages and transport acknowledgements vanish during the window."""

    kind: ClassVar[FaultKind] = FaultKind.RECEIPTS_LOST
    window: Window
    rate: float


@dataclass(frozen=True)
class DuplicateStorm:
    """A share of documents (from ``agency``, or any sender) is sent ``copies`` extra times, same DocumentId."""

    kind: ClassVar[FaultKind] = FaultKind.DUPLICATE_STORM
    window: Window
    rate: float
    copies: int
    agency: str | None = None


@dataclass(frozen=True)
class ClockSkew:
    """The agency's clock runs ``offset`` ahead (negative: behind) of the simulation clock in the window."""

    kind: ClassVar[FaultKind] = FaultKind.CLOCK_SKEW
    agency: str
    offset: timedelta
    window: Window


@dataclass(frozen=True)
class Partition:
    """The network between ``agency`` and the axis is cut: neither reaches the other (mail works)."""

    kind: ClassVar[FaultKind] = FaultKind.PARTITION
    agency: str
    window: Window


@dataclass(frozen=True)
class SlowLink:
    """``agency``'s link carries ``kbps`` kilobits per second: a transfer that would take longer
    than the transports' timeout fails (and is retried); quicker ones pass unchanged."""

    kind: ClassVar[FaultKind] = FaultKind.SLOW_LINK
    agency: str
    window: Window
    kbps: float


@dataclass(frozen=True)
class ForgedDocuments:
    """``count`` documents forged on the wire: each claims to come from the sender of a genuine
    document (``agency``, or any), to the same recipient, under a new DocumentId, signed with keys
    that do not chain to the government root."""

    kind: ClassVar[FaultKind] = FaultKind.FORGED
    window: Window
    count: int
    agency: str | None = None


Fault = (
    NodeOutage
    | AxisOutage
    | MailOutage
    | CertificateRevoked
    | TamperedDocuments
    | ReceiptsLost
    | DuplicateStorm
    | ClockSkew
    | Partition
    | SlowLink
    | ForgedDocuments
)


# ── targets and published figures ────────────────────────────────────────────────────────


class TargetMeasure(StrEnum):
    """What a target or a published figure measures."""

    ELECTRONIC_SHARE = "electronic-share"  # exchanges sent on the axis or by mail (signed or not)
    SIGNED_ELECTRONIC_SHARE = "signed-electronic-share"  # electronic with both signatures: legal value
    FULLY_ELECTRONIC_SHARE = "fully-electronic-share"  # signed electronic and no paper copy at all
    EXCHANGE_DAYS = "exchange-days"  # mean working days from signing until the recipient accepts (status 03)
    # a copy with legal value: the signed electronic one, else the paper one
    MAIL_USE = "mail-use"  # adoption shares of the scope's agencies on the target date
    DMS = "dms"
    CERTIFICATE = "certificate"
    AXIS = "axis"
    DOCUMENTS_PER_YEAR = (
        "documents-per-year"  # published figures only: the run's volume, full workload, per year
    )
    # published figures only: documents signed in [since, until] that reached at least one
    # recipient over the axis (what the axis statistics count), full workload
    AXIS_DOCUMENTS = "axis-documents"

    @property
    def is_volume(self) -> bool:
        """A count of documents (published figures only, never a target)."""
        return self in (TargetMeasure.DOCUMENTS_PER_YEAR, TargetMeasure.AXIS_DOCUMENTS)

    @property
    def is_share(self) -> bool:
        """Shares are fractions in [0, 1] and targets on them are minimums; days are maximums."""
        return self is not TargetMeasure.EXCHANGE_DAYS and not self.is_volume

    @property
    def unit(self) -> str:
        if self is TargetMeasure.DOCUMENTS_PER_YEAR:
            return "documents/year"
        if self is TargetMeasure.AXIS_DOCUMENTS:
            return "documents"
        return "share" if self.is_share else "working days"

    @property
    def counts_documents(self) -> bool:
        """A share of documents (the targets' unit), where a counting rule applies."""
        return self.is_share and self.adoption_measure is None

    @property
    def adoption_measure(self) -> AdoptionMeasure | None:
        """The adoption curve a MAIL_USE/DMS/CERTIFICATE/AXIS target reads; None for document measures."""
        return _ADOPTION_OF.get(self)


_ADOPTION_OF = {
    TargetMeasure.MAIL_USE: AdoptionMeasure.MAIL_USE,
    TargetMeasure.DMS: AdoptionMeasure.DMS,
    TargetMeasure.CERTIFICATE: AdoptionMeasure.CERTIFICATE,
    TargetMeasure.AXIS: AdoptionMeasure.AXIS,
}


@dataclass(frozen=True)
class Scope:
    """Which exchanges (or agencies, for adoption measures) a figure counts. Empty means no restriction.

    ``tiers``: the sender's tier (the agency's, for adoption). ``types``: Decree 30 abbreviations.
    ``agencies``: exchanges that this agency sends or receives (the agency itself, for adoption).
    """

    tiers: tuple[Tier, ...] = ()
    types: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()
    """Only documents these agencies send (e.g. the 2008 pilots, as a sub-row of a wider target)."""
    direction: bool = False
    """Only direction documents (SteeringType 2)."""


class MailReading(StrEnum):
    """When a document sent by e-mail counts as exchanged by e-mail (DOMAIN.md §1, 2008 target)."""

    SENDER = "sender"  # the default: the sender's office e-mailed it (every agency has a mailbox)
    BOTH_ENDS = "both-ends"  # stricter: the recipient's office used e-mail for it too


class DocumentRule(StrEnum):
    """When a document with several recipients counts as meeting a share target.

    The targets count documents, not deliveries (DOMAIN.md §1): a document to five provinces is one
    document, and the rule says which of its deliveries must have gone the target's way.
    """

    EVERY_RECIPIENT = "every-recipient"  # the default: the document went that way to all of them
    ANY_RECIPIENT = "any-recipient"  # at least one of its recipients got it that way
    RECIPIENT_SHARE = "recipient-share"  # at least ``recipient_share`` of its recipients did


@dataclass(frozen=True)
class CountingRule:
    """A :class:`DocumentRule` with its threshold (for ``recipient-share`` only)."""

    rule: DocumentRule = DocumentRule.EVERY_RECIPIENT
    share: float | None = None

    def __post_init__(self) -> None:
        if (self.rule is DocumentRule.RECIPIENT_SHARE) != (self.share is not None):
            raise ValueError("a recipient share goes with the recipient-share rule, and only with it")
        if self.share is not None and not 0 < self.share <= 1:
            raise ValueError(f"a recipient share must be more than 0 and at most 1, got {self.share}")

    def counts(self, met: int, recipients: int) -> bool:
        """Whether a document whose ``met`` of ``recipients`` in-scope deliveries met the measure counts."""
        if recipients <= 0:
            return False
        if self.rule is DocumentRule.EVERY_RECIPIENT:
            return met == recipients
        if self.rule is DocumentRule.ANY_RECIPIENT:
            return met > 0
        assert self.share is not None
        return met >= self.share * recipients - 1e-12

    def counts_each(
        self, met: npt.NDArray[np.int64], recipients: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """:meth:`counts` for arrays of documents."""
        if self.rule is DocumentRule.EVERY_RECIPIENT:
            flags: npt.NDArray[np.bool_] = (met == recipients) & (recipients > 0)
        elif self.rule is DocumentRule.ANY_RECIPIENT:
            flags = (met > 0) & (recipients > 0)
        else:
            assert self.share is not None
            flags = (met >= self.share * recipients - 1e-12) & (recipients > 0)
        return flags

    @property
    def text(self) -> str:
        """The rule as the report states it."""
        if self.rule is DocumentRule.RECIPIENT_SHARE:
            assert self.share is not None
            return f"{self.rule.value} {self.share:g}"
        return self.rule.value


@dataclass(frozen=True)
class Target:
    """A plan's target: ``measure`` over [since, by] reaches ``value`` (at least; at most for days)."""

    name: str
    measure: TargetMeasure
    value: float
    by: date
    source: str
    scope: Scope = Scope()
    since: date | None = None
    """Start of the measured period; None means the scenario start (adoption measures read ``by`` only)."""
    exclude_secret: bool = False
    """Leave secret documents out of the count (they never go electronically)."""
    counting: CountingRule = CountingRule()
    """When a document with several recipients counts (share measures on documents only)."""
    reading: MailReading = MailReading.SENDER
    """Whether a recipient whose office does not use e-mail still counts a mailed document."""


class FigureRole(StrEnum):
    """What a published figure is to a scenario: used to choose its inputs, or never used."""

    FITTED = "fitted"  # inputs were chosen to reproduce it: agreement with it is no evidence
    HELD_OUT = "held-out"  # never used to choose anything: agreement with it is a test of the model


@dataclass(frozen=True)
class PublishedFigure:
    """A published outcome to show beside the measured value over the whole run (calibration)."""

    name: str
    measure: TargetMeasure
    value: float
    source: str
    scope: Scope = Scope()
    exclude_secret: bool = False
    counting: CountingRule = CountingRule()
    reading: MailReading = MailReading.SENDER
    role: FigureRole = FigureRole.HELD_OUT
    since: date | None = None
    until: date | None = None
    """The period a count of documents covers (axis-documents only)."""

    @property
    def unit(self) -> str:
        return self.measure.unit


# ── the scenario ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Scenario:
    """One simulation run as a scenario file describes it; every path is absolute."""

    name: str
    registry: Path
    start: date
    end: date
    """Last simulated day, inclusive."""
    seed: int
    participants: ParticipantSelection
    workload: Workload
    adoption: Adoption
    description: str = ""
    routing_rules: Path | None = None
    """None: the built-in rules of Decision 28 (docexchange.routing.RoutingRules())."""
    transport: TransportChoice = TransportChoice.LOOPBACK
    delays: Delays = Delays()
    faults: tuple[Fault, ...] = ()
    targets: tuple[Target, ...] = ()
    published: tuple[PublishedFigure, ...] = ()
    file: Path | None = field(default=None, compare=False)
    """The scenario file it was loaded from."""

    @property
    def include_level2(self) -> bool:
        """Whether to load the registry with its generated level-2 units."""
        return self.participants.level2

    @property
    def window(self) -> Window:
        """From 00:00 of ``start`` to 24:00 of ``end``, Vietnam time."""
        return Window.days(self.start, self.end)

    def select_participants(self, registry: Registry) -> tuple[Agency, ...]:
        return self.participants.select(registry, self.start, self.end)
