"""Reading and checking scenario files (format: ``simulations/README.md``).

:func:`load_scenario` reads one TOML file and returns a :class:`~docexchange.sim.scenario.Scenario`,
or fails the whole file with a :class:`ScenarioError` naming the file, the key (``adoption.province[2].axis``)
and the reason: a scenario that silently ignored a typo would report a what-if nobody asked for.

Checking runs in two passes. The first reads the file alone: keys, types and values. The second
loads the registry (and the routing rules) the file names, and checks what only they can say:
that the agencies named exist and take part, that the registry covers the dates, that every
participating tier has a workload rate and an adoption schedule.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from docexchange.edxml.model import Priority
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.registry.model import Tier
from docexchange.sim import scenario_fields as fields
from docexchange.sim.scenario import (
    DEFAULT_SIGNING_HOURS,
    Adoption,
    AdoptionMeasure,
    AttachmentSize,
    AxisOutage,
    CertificateRevoked,
    CertificateRole,
    ClockSkew,
    CountingRule,
    Curve,
    Delays,
    DocumentRule,
    DuplicateStorm,
    Fault,
    FaultKind,
    FigureRole,
    ForgedDocuments,
    Interpolation,
    MailOutage,
    MailReading,
    NodeOutage,
    ParticipantSelection,
    Partition,
    PublishedFigure,
    ReceiptsLost,
    RecipientKind,
    Scenario,
    Schedule,
    Scope,
    SelectionMode,
    SlowLink,
    TamperedDocuments,
    Target,
    TargetMeasure,
    TransportChoice,
    Window,
    Workload,
)
from docexchange.sim.scenario_checks import AgencyRefs, check_against_registry
from docexchange.sim.scenario_fields import Problem, Table


class ScenarioError(DocexchangeError):
    """A scenario file cannot be used; the message is ``<file>: <key>: <reason>``."""

    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(ReasonCode.INVALID_SCENARIO, where + reason)
        self.file = str(file)
        self.key = key
        self.reason = reason


def load_scenario(path: Path | str) -> Scenario:
    """Read and check a scenario file; relative paths in it are relative to its folder."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(file, "", f"cannot read file: {exc}") from exc
    return parse_scenario(text, file)


def parse_scenario(text: str, file: Path | str) -> Scenario:
    """Check the TOML text of a scenario; ``file`` names it in messages and anchors its relative paths."""
    file = Path(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", f"TOML syntax error: {exc}") from exc
    try:
        scenario, refs = _read(data, file.resolve())
        check_against_registry(scenario, refs)
    except Problem as problem:
        raise ScenarioError(file, problem.key, problem.reason) from None
    return scenario


# ── the first pass: the file alone ───────────────────────────────────────────────────────

_TOP_KEYS = ("scenario", "participants", "workload", "delays", "adoption", "faults", "targets", "published")
_SCENARIO_KEYS = ("name", "description", "registry", "start", "end", "seed", "routing_rules", "transport")


def _read(data: dict[str, Any], file: Path) -> tuple[Scenario, AgencyRefs]:
    base = file.parent
    top = Table(data, "", _TOP_KEYS)
    head = Table(top.need("scenario"), "scenario", _SCENARIO_KEYS)
    name = head.read("name", fields.text)
    description = head.read("description", fields.any_text, "")
    registry = head.read("registry", lambda v, k: _file(v, k, base))
    start = head.read("start", fields.calendar_date)
    end = head.read("end", fields.calendar_date)
    if end < start:
        raise Problem("scenario.end", f"is before scenario.start ({end} < {start})")
    seed = head.read("seed", fields.seed)
    routing_rules = head.read("routing_rules", lambda v, k: _file(v, k, base), None)
    transport = head.read("transport", fields.choice(TransportChoice), TransportChoice.LOOPBACK)
    participants = _participants(top.need("participants"))
    workload = _workload(top.need("workload"))
    delays = _delays(top.get("delays", {}))
    adoption, refs = _adoption(top.need("adoption"), start)
    window = Window.days(start, end)
    faults = tuple(_fault(t, window, refs) for t in fields.tables(top.get("faults", []), "faults"))
    targets = tuple(_target(t, start, end, refs) for t in fields.tables(top.get("targets", []), "targets"))
    published = tuple(_published(t, refs) for t in fields.tables(top.get("published", []), "published"))
    _unique_names([*_named(targets, "targets"), *_named(published, "published")])
    refs.extend((f'workload.direction."{agency_id}"', agency_id) for agency_id in workload.direction)
    issuing = {a for a, share in workload.direction.items() if share > 0}
    checked: list[tuple[str, Sequence[Target | PublishedFigure]]] = [
        ("targets", targets),
        ("published", published),
    ]
    for key, figures in checked:
        for index, figure in enumerate(figures):
            if figure.scope.direction and not issuing:
                raise Problem(
                    f"{key}[{index}].direction",
                    "no agency issues direction documents: give their shares in [workload] direction",
                )
    scenario = Scenario(
        name=name,
        description=description,
        registry=registry,
        start=start,
        end=end,
        seed=seed,
        routing_rules=routing_rules,
        transport=transport,
        participants=participants,
        workload=workload,
        delays=delays,
        adoption=adoption,
        faults=faults,
        targets=targets,
        published=published,
        file=file,
    )
    return scenario, refs


def _file(value: object, key: str, base: Path) -> Path:
    """A path relative to the scenario file's folder (or absolute) that names an existing file."""
    text = fields.text(value, key)
    path = (base / text).resolve()
    if not path.is_file():
        raise Problem(key, f"file not found: {path} (relative paths start at the scenario file's folder)")
    return path


# ── participants ─────────────────────────────────────────────────────────────────────────

_PARTICIPANT_KEYS = ("select", "tiers", "agencies", "also", "level2")


def _participants(value: object) -> ParticipantSelection:
    table = Table(value, "participants", _PARTICIPANT_KEYS)
    mode = table.read("select", fields.choice(SelectionMode))
    for name, needed_by in (("tiers", SelectionMode.TIERS), ("agencies", SelectionMode.AGENCIES)):
        if mode is needed_by and not table.has(name):
            raise Problem(f"participants.{name}", f'missing: select = "{mode.value}" needs the list')
        if mode is not needed_by and table.has(name):
            raise Problem(f"participants.{name}", f'only with select = "{needed_by.value}"')
    tiers: tuple[Tier, ...] = table.read("tiers", fields.array_of(fields.choice(Tier)), ())
    agencies: tuple[str, ...] = table.read("agencies", fields.array_of(fields.identifier), ())
    if mode is SelectionMode.TIERS and not tiers:
        raise Problem("participants.tiers", "lists no tier")
    if mode is SelectionMode.AGENCIES and not agencies:
        raise Problem("participants.agencies", "lists no agency")
    return ParticipantSelection(
        mode=mode,
        tiers=tiers,
        agencies=agencies,
        also=table.read("also", fields.array_of(fields.identifier), ()),
        level2=table.read("level2", fields.boolean, False),
    )


# ── workload and delays ──────────────────────────────────────────────────────────────────

_WORKLOAD_KEYS = (
    "documents_per_day", "level2_documents_per_day", "types", "recipients", "several", "share_secret",
    "urgency", "attachment_count", "attachment_sizes", "signing_hours", "direction", "growth",
)  # fmt: skip
_URGENCY_KEYS = {  # Khẩn, Thượng khẩn, Hỏa tốc, Hỏa tốc hẹn giờ (Decree 30; edXML Priority 1–4)
    "khan": Priority.KHAN,
    "thuong-khan": Priority.THUONG_KHAN,
    "hoa-toc": Priority.HOA_TOC,
    "hoa-toc-hen-gio": Priority.HOA_TOC_HEN_GIO,
}
_DELAY_KEYS = ("send_hours", "accept_hours", "assign_hours", "complete_days", "paper_days")


def _workload(value: object) -> Workload:
    table = Table(value, "workload", _WORKLOAD_KEYS)
    defaults = Workload(documents_per_day={}, types={})
    urgency: dict[Priority, float] = table.read("urgency", _urgency, {})
    return Workload(
        documents_per_day=table.read("documents_per_day", _tier_rates),
        level2_documents_per_day=table.read("level2_documents_per_day", _tier_rates, {}),
        types=table.read("types", _type_weights),
        recipients=table.read("recipients", _recipient_weights, dict(defaults.recipients)),
        several=table.read("several", lambda v, k: fields.int_range(v, k, 2), defaults.several),
        share_secret=table.read("share_secret", fields.share, 0.0),
        urgency=urgency,
        attachment_count=table.read("attachment_count", lambda v, k: fields.int_range(v, k, 0), (1, 1)),
        attachment_sizes=table.read("attachment_sizes", _attachment_sizes, defaults.attachment_sizes),
        signing_hours=table.read("signing_hours", _signing_hours, DEFAULT_SIGNING_HOURS),
        direction=table.read("direction", _direction_shares, {}),
        growth=table.read("growth", _growth, None),
    )


def _growth(value: object, key: str) -> Curve:
    """``[{ date, factor }, …]``: a factor on every rate, dates strictly increasing, factors > 0."""
    if isinstance(value, dict):
        raise Problem(key, f"must be a list of points ([[{key}]]), not a table")
    points = fields.array(value, key)
    if not points:
        raise Problem(key, "lists no point")
    curve: list[tuple[date, float]] = []
    for i, item in enumerate(points):
        point = Table(item, f"{key}[{i}]", ("date", "factor"))
        day = point.read("date", fields.calendar_date)
        if curve and day <= curve[-1][0]:
            raise Problem(f"{key}[{i}].date", f"must be after the previous point's date {curve[-1][0]}")
        factor = point.read("factor", fields.rate)
        if factor == 0:
            raise Problem(f"{key}[{i}].factor", "must be more than 0 (a rate of 0 is no workload)")
        curve.append((day, factor))
    return Curve(tuple(curve))


def _direction_shares(value: object, key: str) -> dict[str, float]:
    table = Table(value, key)
    return {
        fields.identifier(name, fields.child(key, name)): fields.share(raw, fields.child(key, name))
        for name, raw in table.items()
    }


def _tier_rates(value: object, key: str) -> dict[Tier, float]:
    table = Table(value, key, tuple(Tier))
    return {Tier(name): fields.rate(raw, fields.child(key, name)) for name, raw in table.items()}


def _type_weights(value: object, key: str) -> dict[str, float]:
    table = Table(value, key)
    weights: dict[str, float] = {}
    for name, raw in table.items():
        abbreviation = fields.document_type(name, fields.child(key, name))
        if abbreviation in weights:
            raise Problem(fields.child(key, name), f"names the type {abbreviation} a second time")
        weights[abbreviation] = fields.rate(raw, fields.child(key, name))
    fields.positive_total(weights.values(), key)
    return weights


def _recipient_weights(value: object, key: str) -> dict[RecipientKind, float]:
    table = Table(value, key, tuple(RecipientKind))
    weights = {RecipientKind(name): fields.rate(raw, fields.child(key, name)) for name, raw in table.items()}
    fields.positive_total(weights.values(), key)
    return weights


def _urgency(value: object, key: str) -> dict[Priority, float]:
    table = Table(value, key, tuple(_URGENCY_KEYS))
    shares = {_URGENCY_KEYS[name]: fields.share(raw, fields.child(key, name)) for name, raw in table.items()}
    if sum(shares.values()) > 1.0 + 1e-9:
        raise Problem(key, f"shares add up to {sum(shares.values()):g}, more than 1")
    return shares


def _attachment_sizes(value: object, key: str) -> tuple[AttachmentSize, ...]:
    sizes: list[AttachmentSize] = []
    for i, item in enumerate(fields.array(value, key)):
        table = Table(item, f"{key}[{i}]", ("bytes", "weight"))
        size = table.read("bytes", lambda v, k: fields.integer(v, k, minimum=1))
        sizes.append(AttachmentSize(size, table.read("weight", fields.rate)))
    if not sizes:
        raise Problem(key, "lists no size")
    fields.positive_total([s.weight for s in sizes], key)
    return tuple(sizes)


def _signing_hours(value: object, key: str) -> tuple[tuple[time, time], ...]:
    windows: list[tuple[time, time]] = []
    for i, item in enumerate(fields.array(value, key)):
        begin, end = fields.pair(item, f"{key}[{i}]", fields.clock_time)
        if end <= begin:
            raise Problem(f"{key}[{i}][1]", f"must be after {begin:%H:%M}")
        if windows and begin < windows[-1][1]:
            raise Problem(
                f"{key}[{i}][0]", f"overlaps or precedes the previous window (ends {windows[-1][1]:%H:%M})"
            )
        windows.append((begin, end))
    if not windows:
        raise Problem(key, "lists no window")
    return tuple(windows)


def _delays(value: object) -> Delays:
    table = Table(value, "delays", _DELAY_KEYS)
    default = Delays()
    return Delays(
        send_hours=table.read("send_hours", fields.rate, default.send_hours),
        accept_hours=table.read("accept_hours", fields.rate, default.accept_hours),
        assign_hours=table.read("assign_hours", fields.rate, default.assign_hours),
        complete_days=table.read("complete_days", fields.rate, default.complete_days),
        paper_days=table.read("paper_days", fields.rate, default.paper_days),
    )


# ── adoption ─────────────────────────────────────────────────────────────────────────────

_ADOPTION_KEYS = ("interpolation", *tuple(Tier), "pilots", "level2", "agencies")
_POINT_KEYS = ("date", *tuple(AdoptionMeasure))


def _adoption(value: object, start: date) -> tuple[Adoption, list[tuple[str, str]]]:
    table = Table(value, "adoption", _ADOPTION_KEYS)
    tiers = {
        tier: _schedule(table.raw(tier), fields.child("adoption", tier), start, complete=True)
        for tier in Tier
        if table.has(tier)
    }
    level2: dict[Tier, Schedule] = {}
    if table.has("level2"):
        sub = Table(table.raw("level2"), "adoption.level2", tuple(Tier))
        level2 = {Tier(name): _schedule(raw, fields.child(sub.key, name), start) for name, raw in sub.items()}
    agencies: dict[str, Schedule] = {}
    refs: AgencyRefs = []
    if table.has("agencies"):
        sub = Table(table.raw("agencies"), "adoption.agencies")
        for agency_id, raw in sub.items():
            key = fields.child(sub.key, agency_id)
            refs.append((key, fields.identifier(agency_id, key)))
            agencies[agency_id] = _schedule(raw, key, start)
    adoption = Adoption(
        tiers=tiers,
        interpolation=table.read("interpolation", fields.choice(Interpolation), Interpolation.STEP),
        level2=level2,
        pilots=_schedule(table.raw("pilots"), "adoption.pilots", start) if table.has("pilots") else None,
        agencies=agencies,
    )
    return adoption, refs


def _schedule(value: object, key: str, start: date, *, complete: bool = False) -> Schedule:
    """A list of points ``{date, mail_use?, dms?, certificate?, axis?}``, dates strictly increasing.

    Each measure's curve starts at the first point, which must be on or before the scenario start
    (so the value is defined for every simulated day); a tier's schedule (``complete``) gives all four.
    """
    if isinstance(value, dict):
        raise Problem(key, f"must be a list of points ([[{key}]]), not a table")
    points = fields.array(value, key)
    if not points:
        raise Problem(key, "lists no point")
    curves: dict[AdoptionMeasure, list[tuple[date, float]]] = {}
    previous: date | None = None
    for i, item in enumerate(points):
        point = Table(item, f"{key}[{i}]", _POINT_KEYS)
        day = point.read("date", fields.calendar_date)
        if previous is None and day > start:
            raise Problem(
                f"{key}[0].date",
                f"must be on or before the scenario start {start} (the first value applies from it)",
            )
        if previous is not None and day <= previous:
            raise Problem(f"{key}[{i}].date", f"must be after the previous point's date {previous}")
        given = [m for m in AdoptionMeasure if point.has(m)]
        if not given:
            raise Problem(f"{key}[{i}]", f"gives no measure (expected some of {', '.join(AdoptionMeasure)})")
        for measure in given:
            if previous is not None and measure not in curves:
                raise Problem(
                    f"{key}[{i}].{measure}", "not given at the first point, where every curve starts"
                )
            curves.setdefault(measure, []).append((day, point.read(measure, fields.share)))
        previous = day
    if complete:
        for measure in AdoptionMeasure:
            if measure not in curves:
                raise Problem(
                    f"{key}[0].{measure}", "missing: the first point of a tier's schedule gives every measure"
                )
    return Schedule({m: Curve(tuple(p)) for m, p in curves.items()})


# ── faults ───────────────────────────────────────────────────────────────────────────────

_WINDOW = ("start", "end")
_FAULT_KEYS: dict[FaultKind, tuple[str, ...]] = {
    FaultKind.NODE_OUTAGE: ("agency", *_WINDOW),
    FaultKind.AXIS_OUTAGE: _WINDOW,
    FaultKind.MAIL_OUTAGE: ("agency", *_WINDOW),
    FaultKind.CERTIFICATE_REVOKED: ("agency", "role", "at", "notice_hours"),
    FaultKind.TAMPERED: (*_WINDOW, "count", "rate"),
    FaultKind.RECEIPTS_LOST: (*_WINDOW, "rate"),
    FaultKind.DUPLICATE_STORM: (*_WINDOW, "rate", "copies", "agency"),
    FaultKind.CLOCK_SKEW: ("agency", "offset_seconds", *_WINDOW),
    FaultKind.PARTITION: ("agency", *_WINDOW),
    FaultKind.SLOW_LINK: ("agency", *_WINDOW, "kbps"),
    FaultKind.FORGED: (*_WINDOW, "count", "agency"),
}


def _fault(item: Table, run: Window, refs: AgencyRefs) -> Fault:
    kind = item.read("kind", fields.choice(FaultKind))
    allowed = ("kind", *_FAULT_KEYS[kind])
    item.restrict(allowed, f'for kind = "{kind.value}", expected {", ".join(allowed)}')
    if kind is FaultKind.CERTIFICATE_REVOKED:
        at = item.read("at", fields.instant)
        if not run.contains(at):
            raise Problem(item.sub("at"), f"is outside the scenario ({fields.span(run)})")
        notice = item.read("notice_hours", fields.number, 0.0)
        if notice < 0:
            raise Problem(item.sub("notice_hours"), "must be 0 or more hours")
        role = item.read("role", fields.choice(CertificateRole))
        return CertificateRevoked(_agency(item, refs), role, at, timedelta(hours=notice))
    whole_run = kind is FaultKind.CLOCK_SKEW and not (item.has("start") or item.has("end"))
    window = run if whole_run else _window(item, run)
    if kind is FaultKind.NODE_OUTAGE:
        return NodeOutage(_agency(item, refs), window)
    if kind is FaultKind.AXIS_OUTAGE:
        return AxisOutage(window)
    if kind is FaultKind.MAIL_OUTAGE:
        every = item.need("agency") == "all"
        return MailOutage(window, None if every else _agency(item, refs))
    if kind is FaultKind.TAMPERED:
        if item.has("count") == item.has("rate"):
            raise Problem(item.key, "give exactly one of count and rate")
        count = item.read("count", lambda v, k: fields.integer(v, k, minimum=1), None)
        return TamperedDocuments(window, count=count, rate=item.read("rate", _fault_rate, None))
    if kind is FaultKind.RECEIPTS_LOST:
        return ReceiptsLost(window, item.read("rate", _fault_rate))
    if kind is FaultKind.DUPLICATE_STORM:
        copies = item.read("copies", lambda v, k: fields.integer(v, k, minimum=1))
        sender = _agency(item, refs) if item.has("agency") else None
        return DuplicateStorm(window, item.read("rate", _fault_rate), copies, sender)
    if kind is FaultKind.PARTITION:
        return Partition(_agency(item, refs), window)
    if kind is FaultKind.SLOW_LINK:
        kbps = item.read("kbps", fields.number)
        if kbps <= 0:
            raise Problem(item.sub("kbps"), "must be more than 0 kilobits per second")
        return SlowLink(_agency(item, refs), window, float(kbps))
    if kind is FaultKind.FORGED:
        count = item.read("count", lambda v, k: fields.integer(v, k, minimum=1))
        return ForgedDocuments(window, count, _agency(item, refs) if item.has("agency") else None)
    offset = item.read("offset_seconds", fields.number)
    if offset == 0:
        raise Problem(item.sub("offset_seconds"), "must not be 0 (a clock without skew is no fault)")
    return ClockSkew(_agency(item, refs), timedelta(seconds=offset), window)


def _agency(item: Table, refs: AgencyRefs) -> str:
    """The fault's ``agency``, remembered for the check that it takes part."""
    agency_id = item.read("agency", fields.identifier)
    refs.append((item.sub("agency"), agency_id))
    return agency_id


def _window(item: Table, run: Window) -> Window:
    begin = item.read("start", fields.instant)
    end = item.read("end", lambda v, k: fields.instant(v, k, end_of_day=True))
    if end <= begin:
        raise Problem(item.sub("end"), f"must be after start ({fields.stamp(begin)})")
    if begin < run.start:
        raise Problem(item.sub("start"), f"is before the scenario starts ({fields.span(run)})")
    if end > run.end:
        raise Problem(item.sub("end"), f"is after the scenario ends ({fields.span(run)})")
    return Window(begin, end)


def _fault_rate(value: object, key: str) -> float:
    rate = fields.share(value, key)
    if rate == 0:
        raise Problem(key, "must be more than 0 (a rate of 0 is no fault)")
    return rate


# ── targets and published figures ────────────────────────────────────────────────────────

_SCOPE_KEYS = (
    "tiers",
    "types",
    "agencies",
    "senders",
    "direction",
    "exclude_secret",
    "counts_when",
    "recipient_share",
    "mail_reading",
)
_TARGET_KEYS = ("name", "measure", "value", "by", "since", "source", *_SCOPE_KEYS)
_PUBLISHED_KEYS = ("name", "measure", "value", "source", "role", "since", "until", *_SCOPE_KEYS)


def _target(item: Table, start: date, end: date, refs: AgencyRefs) -> Target:
    item.restrict(_TARGET_KEYS, f"expected {', '.join(_TARGET_KEYS)}")
    measure = item.read("measure", fields.choice(TargetMeasure))
    if measure.is_volume:
        raise Problem(item.sub("measure"), f"{measure.value} is a published volume, not a target")
    by = item.read("by", fields.calendar_date)
    if not start <= by <= end:
        raise Problem(item.sub("by"), f"is outside the scenario ({start} to {end})")
    since = item.read("since", fields.calendar_date, None)
    if since is not None:
        if measure.adoption_measure is not None:
            raise Problem(item.sub("since"), f"{measure.value} is read on the date 'by', not over a period")
        if not start <= since <= by:
            raise Problem(item.sub("since"), f"must be between the scenario start {start} and 'by' {by}")
    return Target(
        name=item.read("name", fields.text),
        measure=measure,
        value=item.read("value", lambda v, k: _figure(v, k, measure)),
        by=by,
        since=since,
        source=item.read("source", fields.text),
        scope=_scope(item, measure, refs),
        exclude_secret=_exclude_secret(item, measure),
        counting=_counting(item, measure),
        reading=_reading(item, measure),
    )


def _published(item: Table, refs: AgencyRefs) -> PublishedFigure:
    item.restrict(_PUBLISHED_KEYS, f"expected {', '.join(_PUBLISHED_KEYS)}")
    measure = item.read("measure", fields.choice(TargetMeasure))
    if measure is TargetMeasure.DOCUMENTS_PER_YEAR:
        extra = next((k for k in _SCOPE_KEYS if item.has(k)), None)
        if extra is not None:
            raise Problem(item.sub(extra), "a published volume counts every document of the run")
    since, until = _period(item, measure)
    return PublishedFigure(
        since=since,
        until=until,
        role=item.read("role", fields.choice(FigureRole)),  # required: a fit must say it is one
        name=item.read("name", fields.text),
        measure=measure,
        value=item.read("value", lambda v, k: _figure(v, k, measure)),
        source=item.read("source", fields.text),
        scope=_scope(item, measure, refs),
        exclude_secret=_exclude_secret(item, measure),
        counting=_counting(item, measure),
        reading=_reading(item, measure),
    )


def _period(item: Table, measure: TargetMeasure) -> tuple[date | None, date | None]:
    """``since`` and ``until`` of a count of documents (required there, refused elsewhere)."""
    if measure is not TargetMeasure.AXIS_DOCUMENTS:
        for key in ("since", "until"):
            if item.has(key):
                raise Problem(item.sub(key), f"applies to axis-documents, not {measure.value}")
        return None, None
    since = item.read("since", fields.calendar_date)
    until = item.read("until", fields.calendar_date)
    if until < since:
        raise Problem(item.sub("until"), f"must be on or after 'since' {since}")
    return since, until


def _figure(value: object, key: str, measure: TargetMeasure) -> float:
    if measure.is_share:
        return fields.share(value, key)
    number = fields.rate(value, key)
    if number == 0:
        raise Problem(key, f"must be more than 0 {measure.unit}")
    return number


def _scope(item: Table, measure: TargetMeasure, refs: AgencyRefs) -> Scope:
    if measure.adoption_measure is not None and item.has("types"):
        raise Problem(
            item.sub("types"), f"{measure.value} counts agencies, not documents: types do not apply"
        )
    types: tuple[str, ...] = item.read("types", fields.array_of(fields.document_type), ())
    agencies: tuple[str, ...] = item.read("agencies", fields.array_of(fields.identifier), ())
    refs.extend((f"{item.sub('agencies')}[{i}]", agency_id) for i, agency_id in enumerate(agencies))
    if measure.adoption_measure is not None and item.has("senders"):
        raise Problem(item.sub("senders"), f"{measure.value} counts agencies, not documents: use agencies")
    senders: tuple[str, ...] = item.read("senders", fields.array_of(fields.identifier), ())
    refs.extend((f"{item.sub('senders')}[{i}]", agency_id) for i, agency_id in enumerate(senders))
    tiers: tuple[Tier, ...] = item.read("tiers", fields.array_of(fields.choice(Tier)), ())
    for key, named in (("tiers", tiers), ("types", types), ("agencies", agencies), ("senders", senders)):
        if item.has(key) and not named:
            raise Problem(item.sub(key), "names nothing (leave the key out for no restriction)")
    if measure.adoption_measure is not None and item.has("direction"):
        raise Problem(item.sub("direction"), f"{measure.value} counts agencies, not documents")
    direction: bool = item.read("direction", fields.boolean, False)
    return Scope(tiers=tiers, types=types, agencies=agencies, senders=senders, direction=direction)


def _reading(item: Table, measure: TargetMeasure) -> MailReading:
    if measure is not TargetMeasure.ELECTRONIC_SHARE and item.has("mail_reading"):
        raise Problem(item.sub("mail_reading"), f"applies to electronic-share, not {measure.value}")
    return item.read("mail_reading", fields.choice(MailReading), MailReading.SENDER)


def _counting(item: Table, measure: TargetMeasure) -> CountingRule:
    """``counts_when`` (default every-recipient) and, for recipient-share, ``recipient_share``."""
    if not measure.counts_documents:
        for key in ("counts_when", "recipient_share"):
            if item.has(key):
                raise Problem(item.sub(key), f"{measure.value} does not count documents: no counting rule")
        return CountingRule()
    rule = item.read("counts_when", fields.choice(DocumentRule), DocumentRule.EVERY_RECIPIENT)
    if rule is not DocumentRule.RECIPIENT_SHARE:
        if item.has("recipient_share"):
            raise Problem(
                item.sub("recipient_share"), f"applies to counts_when = 'recipient-share', not {rule.value!r}"
            )
        return CountingRule(rule)
    if not item.has("recipient_share"):
        raise Problem(item.sub("recipient_share"), "is required with counts_when = 'recipient-share'")
    share = item.read("recipient_share", fields.share)
    if share == 0:
        raise Problem(item.sub("recipient_share"), "must be more than 0 (0 counts every document)")
    return CountingRule(rule, share)


def _exclude_secret(item: Table, measure: TargetMeasure) -> bool:
    if measure.adoption_measure is not None and item.has("exclude_secret"):
        raise Problem(item.sub("exclude_secret"), f"{measure.value} counts agencies, not documents")
    return item.read("exclude_secret", fields.boolean, False)


def _named(figures: Sequence[Target | PublishedFigure], key: str) -> Iterator[tuple[str, str]]:
    for i, figure in enumerate(figures):
        yield f"{key}[{i}].name", figure.name


def _unique_names(names: list[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    for key, name in names:
        first = seen.setdefault(name, key)
        if first != key:
            raise Problem(key, f"{name!r} is already the name of {first.removesuffix('.name')}")
