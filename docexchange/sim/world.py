"""What every process of a run derives alike from its scenario: who takes part, the routing rules,
and what each agency can use on each day.

The coordinator of a run and each of its node processes build this from the same (possibly thinned)
scenario, so they agree without exchanging it: adoption thresholds come from the seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from docexchange.clock import Clock
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.registry import Agency, Registry, load_registry
from docexchange.routing import Capabilities, RoutingRules, load_rules
from docexchange.sim.adoption import AdoptionModel
from docexchange.sim.randomness import entity_uniform
from docexchange.sim.scenario import Scenario


@dataclass(frozen=True)
class RunWorld:
    scenario: Scenario
    registry: Registry
    """The scenario's registry, reduced to the agencies taking part."""
    participants: tuple[Agency, ...]
    rules: RoutingRules
    adoption: AdoptionModel

    @classmethod
    def of(cls, scenario: Scenario) -> RunWorld:
        registry = load_registry(scenario.registry, include_level2=scenario.include_level2)
        participants = scenario.select_participants(registry)
        if len(participants) < 2:
            raise DocexchangeError(
                ReasonCode.INVALID_SCENARIO, f"{scenario.name}: fewer than two agencies take part"
            )
        return cls(
            scenario=scenario,
            registry=registry.filtered(a.id for a in participants),
            participants=participants,
            rules=load_rules(scenario.routing_rules) if scenario.routing_rules else RoutingRules(),
            adoption=AdoptionModel(scenario.adoption, scenario.seed, participants),
        )


class DynamicCapabilities:
    """What each agency can use on the simulated day (for retries and fallbacks; a new document
    gets its own draw of mail use when it is sent)."""

    def __init__(self, model: AdoptionModel, registry: Registry, clock: Clock) -> None:
        self._model = model
        self._registry = registry
        self._clock = clock

    def of(self, agency_id: str) -> Capabilities:
        day = self._clock.now().date()
        agency = self._registry.get(agency_id)
        # faults only (a fallback): a draw of the agency's day, not of a document
        draw = entity_uniform(self._model.seed, "mail-use", "fallback", day.isoformat(), agency_id)
        return self._model.capabilities(agency, day, draw)
