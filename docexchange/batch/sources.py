"""A scenario as the texts of its files, so that a worker runs it without the driver's disk.

A task sent to a Dask worker on another machine carries :class:`ScenarioFiles`: the scenario's
TOML text and the texts of the files it names (the agency registry, the routing rules) and of the
working calendar. The worker writes them into a folder of its own and loads them there, so it
needs docexchange installed and nothing else. A sweep's varied values are applied to these texts
on the driver (:meth:`ScenarioFiles.varied`), checked there, and travel as text.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w

from docexchange.batch.keypaths import KeyPath, assign
from docexchange.routing import parse_rules
from docexchange.sim.calendar import DEFAULT_CALENDAR, WorkingCalendar, parse_calendar
from docexchange.sim.scenario import Scenario
from docexchange.sim.scenario_loader import ScenarioError, load_scenario

Setting = tuple[KeyPath, Any]
"""A key path and the value given to it."""

_SCENARIO = "scenario.toml"
_REGISTRY = "registry.toml"
_RULES = "rules.toml"


@dataclass(frozen=True)
class ScenarioFiles:
    name: str
    """The scenario file as the user named it (for messages)."""
    scenario: str
    registry: str
    rules: str | None
    calendar: str

    @classmethod
    def read(cls, path: Path | str) -> ScenarioFiles:
        """The scenario at ``path`` and the files it names (checked first: a bad file is refused with
        the loader's message)."""
        return cls.of(load_scenario(path), str(path))

    @classmethod
    def of(cls, scenario: Scenario, name: str) -> ScenarioFiles:
        """The files of a loaded scenario; ``name`` is how the user named it."""
        assert scenario.file is not None, "a scenario loaded from a file"
        return cls(
            name=name,
            scenario=scenario.file.read_text(encoding="utf-8"),
            registry=scenario.registry.read_text(encoding="utf-8"),
            rules=scenario.routing_rules.read_text(encoding="utf-8") if scenario.routing_rules else None,
            calendar=DEFAULT_CALENDAR.read_text(encoding="utf-8"),
        )

    def varied(self, settings: Sequence[Setting]) -> ScenarioFiles:
        """These files with each key path set to its value (``routing.…`` in the rules file)."""
        if not settings:
            return self
        scenario = tomllib.loads(self.scenario)
        rules: dict[str, Any] = tomllib.loads(self.rules) if self.rules is not None else {"routing": {}}
        touched_rules = False
        for path, value in settings:
            if path.in_rules:
                assign(rules, path, value)
                touched_rules = True
            else:
                assign(scenario, path, value)
        return replace(
            self,
            scenario=tomli_w.dumps(scenario),
            rules=tomli_w.dumps(rules) if touched_rules else self.rules,
        )

    def load(self, folder: Path) -> tuple[Scenario, WorkingCalendar]:
        """Write the files into ``folder`` and load them: the scenario (its file names pointed at the
        copies) and the calendar. A refusal names :attr:`name`, not the copy."""
        folder.mkdir(parents=True, exist_ok=True)
        data = tomllib.loads(self.scenario)
        head = data.get("scenario")
        if isinstance(head, dict):
            head["registry"] = _REGISTRY
            if self.rules is not None:
                head["routing_rules"] = _RULES
            elif "routing_rules" in head:
                del head["routing_rules"]
        (folder / _REGISTRY).write_text(self.registry, encoding="utf-8")
        if self.rules is not None:
            (folder / _RULES).write_text(self.rules, encoding="utf-8")
        (folder / _SCENARIO).write_text(tomli_w.dumps(data), encoding="utf-8")
        if self.rules is not None:  # first, so that a refusal names them as the user knows them
            parse_rules(self.rules, f"{self.name} (its routing rules)")
        try:
            scenario = load_scenario(folder / _SCENARIO)
        except ScenarioError as exc:
            raise ScenarioError(self.name, exc.key, exc.reason) from None
        return scenario, parse_calendar(self.calendar, DEFAULT_CALENDAR.name)
