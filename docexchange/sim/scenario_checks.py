"""The second pass over a scenario: what only its registry and routing rules can tell.

That the agencies it names exist and take part, that the registry covers its dates for every
participating tier, that every participating tier has a workload rate and an adoption schedule,
and that the recipients it asks for exist among the participants.
"""

from __future__ import annotations

from datetime import date, timedelta

from docexchange.errors import RegistryError
from docexchange.registry.loader import load_registry
from docexchange.registry.model import Agency, Registry, Tier
from docexchange.routing.loader import RulesFileError, load_rules
from docexchange.routing.rules import DEFAULT_GOVERNMENT_RECIPIENTS
from docexchange.sim.scenario import (
    PROVINCIAL_TIERS,
    RecipientKind,
    Scenario,
    SelectionMode,
    active_between,
)
from docexchange.sim.scenario_fields import Problem

AgencyRefs = list[tuple[str, str]]
"""(key, identifier) pairs of a scenario file that must name agencies taking part."""


def check_against_registry(scenario: Scenario, refs: AgencyRefs) -> None:
    """Raise Problem for the first defect that the registry or the routing rules reveal."""
    selection = scenario.participants
    try:
        registry = load_registry(scenario.registry, include_level2=selection.level2)
    except RegistryError as exc:
        raise Problem("scenario.registry", f"cannot load the registry: {exc.message}") from None
    named = [(f"participants.also[{i}]", a) for i, a in enumerate(selection.also)]
    named += [(f"participants.agencies[{i}]", a) for i, a in enumerate(selection.agencies)]
    for key, agency_id in named:
        _known_agency(registry, scenario, key, agency_id)
    participants = selection.select(registry, scenario.start, scenario.end)
    between = f"between {scenario.start} and {scenario.end}"
    if not any(active_between(a, scenario.start, scenario.end) for a in registry):
        reason = f"the registry {scenario.registry.name} has no agency {between} ({_period(registry)})"
        raise Problem("scenario.start", reason)
    if len(participants) < 2:
        count = f"{len(participants)} agency" if participants else "no agency"
        raise Problem("participants", f"selects {count} active {between}; an exchange needs two")
    if selection.mode is not SelectionMode.AGENCIES:
        _check_coverage(scenario, participants)
    taking_part = {a.id for a in participants}
    for key, agency_id in refs:
        if agency_id not in taking_part:
            raise Problem(key, f"{agency_id} does not take part in the scenario (see [participants])")
    _check_tiers(scenario, participants)
    _check_recipients(scenario, participants, _government_recipients(scenario))


def _known_agency(registry: Registry, scenario: Scenario, key: str, agency_id: str) -> None:
    agency = registry.find(agency_id)
    if agency is None:
        hint = " (level-2 units need participants.level2 = true)" if agency_id[4:9] != "00.00" else ""
        raise Problem(key, f"unknown agency {agency_id} in the registry {scenario.registry.name}{hint}")
    if not active_between(agency, scenario.start, scenario.end):
        raise Problem(
            key,
            f"{agency_id} is not active between {scenario.start} and {scenario.end} ({_validity(agency)})",
        )


def _check_coverage(scenario: Scenario, participants: tuple[Agency, ...]) -> None:
    """Every day of the run has at least one participating agency of each participating tier."""
    tiers = {a.tier for a in participants if a.parent is None}
    if scenario.participants.mode is SelectionMode.TIERS:
        for i, tier in enumerate(scenario.participants.tiers):
            if tier not in tiers:
                between = f"between {scenario.start} and {scenario.end}"
                reason = f"the registry {scenario.registry.name} has no {tier.value} agency {between}"
                raise Problem(f"participants.tiers[{i}]", reason)
    for tier in (t for t in Tier if t in tiers):
        spans = sorted(
            (a.valid_from or date.min, a.valid_to or date.max)
            for a in participants
            if a.parent is None and a.tier is tier
        )
        day = scenario.start
        for first, last in spans:
            if first > day:
                break
            if last >= day:
                day = last + timedelta(days=1) if last < date.max else date.max
        if day <= scenario.end:
            key = "scenario.start" if day == scenario.start else "scenario.end"
            since = "" if day == scenario.start else f" (it has them until {day - timedelta(days=1)})"
            raise Problem(
                key,
                f"the registry {scenario.registry.name} has no {tier.value} agency taking part on {day}{since}",
            )


def _check_tiers(scenario: Scenario, participants: tuple[Agency, ...]) -> None:
    """Each participating tier has a workload rate and an adoption schedule."""
    workload, adoption = scenario.workload, scenario.adoption
    for agency in participants:
        tier = agency.tier.value
        if agency.parent is None and agency.tier not in workload.documents_per_day:
            raise Problem(
                f"workload.documents_per_day.{tier}", f"missing: {tier} agencies take part ({agency.id})"
            )
        if agency.parent is not None and agency.tier not in workload.level2_documents_per_day:
            raise Problem(
                f"workload.level2_documents_per_day.{tier}",
                f"missing: level-2 units of {tier} agencies take part ({agency.id})",
            )
        if agency.tier not in adoption.tiers:
            raise Problem(f"adoption.{tier}", f"missing: {tier} agencies take part ({agency.id})")


def _government_recipients(scenario: Scenario) -> tuple[str, ...]:
    """The rules' government recipients; loading the rules file also checks it."""
    if scenario.routing_rules is None:
        return DEFAULT_GOVERNMENT_RECIPIENTS
    try:
        return load_rules(scenario.routing_rules).government_recipients
    except RulesFileError as exc:
        raise Problem("scenario.routing_rules", f"cannot load the rules: {exc.message}") from None


def _check_recipients(
    scenario: Scenario, participants: tuple[Agency, ...], government: tuple[str, ...]
) -> None:
    weights = scenario.workload.recipients
    key = "workload.recipients"
    if weights.get(RecipientKind.ALL_PROVINCES, 0) > 0 and not any(
        a.tier in PROVINCIAL_TIERS for a in participants
    ):
        raise Problem(f"{key}.all-provinces", "no province or centrally-run city takes part")
    if weights.get(RecipientKind.SEVERAL, 0) > 0 and scenario.workload.several[1] > len(participants) - 1:
        raise Problem(
            "workload.several[1]", f"more recipients than the {len(participants) - 1} other participants"
        )
    if weights.get(RecipientKind.GOVERNMENT, 0) > 0 and not {a.id for a in participants} & set(government):
        raise Problem(
            f"{key}.government", f"none of the government recipients ({', '.join(government)}) takes part"
        )


def _period(registry: Registry) -> str:
    starts = [a.valid_from for a in registry]
    ends = [a.valid_to for a in registry]
    first = "…" if None in starts else min(d for d in starts if d is not None)
    last = "…" if None in ends else max(d for d in ends if d is not None)
    return f"it covers {first} to {last}"


def _validity(agency: Agency) -> str:
    return f"valid {agency.valid_from or '…'} to {agency.valid_to or '…'}"
