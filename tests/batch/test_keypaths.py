"""--vary: key paths, value lists, and setting a value in a scenario's files (the loader then
judges it), each refusal with its exact sentence."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from docexchange.batch.keypaths import KeyPath, Vary, VaryError, assign, parse_value, split_values
from docexchange.batch.sources import ScenarioFiles
from docexchange.routing import parse_rules
from tests.batch.scenarios import SMALL


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("delays.paper_days", ("delays", "paper_days")),
        ("adoption.ministry[1].mail_use", ("adoption", "ministry", 1, "mail_use")),
        ('workload.types."QĐ"', ("workload", "types", "QĐ")),
        ('adoption.agencies."000.00.00.G03"[0].axis', ("adoption", "agencies", "000.00.00.G03", 0, "axis")),
        ("targets[0].value", ("targets", 0, "value")),
    ],
)
def test_key_paths_read_as_the_scenario_messages_write_them(text: str, steps: tuple[Any, ...]) -> None:
    path = KeyPath.parse(text)
    assert path.steps == steps and path.text == text
    assert path.in_rules is False


def test_a_routing_key_path_names_the_rules_file() -> None:
    assert KeyPath.parse("routing.retry_seconds").in_rules


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[0].x", '--vary [0].x: not a key path (dotted keys, "quoted" keys, [index])'),
        ("a..b", '--vary a..b: not a key path (dotted keys, "quoted" keys, [index])'),
        ("a b", "--vary a b: not a key path (unexpected ' ')"),
        ("a[x]", "--vary a[x]: not a key path (unexpected '[')"),
    ],
)
def test_a_malformed_key_path_is_refused(text: str, message: str) -> None:
    with pytest.raises(VaryError) as caught:
        KeyPath.parse(text)
    assert caught.value.message == message


def test_values_split_at_commas_outside_brackets_and_quotes() -> None:
    assert split_values("[30,120],[60,600,1200]") == ["[30,120]", "[60,600,1200]"]
    assert split_values('"a,b",c') == ['"a,b"', "c"]
    assert split_values("0.1,0.2") == ["0.1", "0.2"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.5", 0.5), ("3", 3), ("2019-03-12", date(2019, 3, 12)), ("[30,120]", [30, 120]), ("step", "step"),
     ('"a b"', "a b"), ("true", True)],
)  # fmt: skip
def test_values_are_toml_values_or_bare_words(text: str, value: Any) -> None:
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "delays.paper_days",
            "--vary delays.paper_days: expected KEY=V1,V2,… (e.g. delays.paper_days=1,2,3)",
        ),
        ("=1,2", "--vary =1,2: expected KEY=V1,V2,… (e.g. delays.paper_days=1,2,3)"),
        ("delays.paper_days=", "--vary delays.paper_days=: give one or more values, separated by commas"),
        (
            "delays.paper_days=1,,2",
            "--vary delays.paper_days=1,,2: give one or more values, separated by commas",
        ),
        ("delays.paper_days=1,1", "--vary delays.paper_days=1,1: a value is listed twice"),
        ('delays.paper_days="x', "--vary: '\"x' is not a value (a TOML number, date, string or list)"),
    ],
)
def test_a_malformed_vary_is_refused(spec: str, message: str) -> None:
    with pytest.raises(VaryError) as caught:
        Vary.parse(spec)
    assert caught.value.message == message


def _data() -> dict[str, Any]:
    return tomllib.loads(SMALL.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("delays.paper_days", "abc", "--vary delays.paper_days: 'abc' is a string; the scenario has a number there"),
        ("adoption.province[1].date", 0.3,
         "--vary adoption.province[1].date: 0.3 is a number; the scenario has a date there"),
        ("adoption.province[5].mail_use", 0.3,
         "--vary adoption.province[5].mail_use: adoption.province has 2 items (index from 0)"),
        ("delays[0]", 1, "--vary delays[0]: delays is a table, not a list"),
        ("workload.several.low", 1, "--vary workload.several.low: workload.several is a list, not a table"),
    ],
)  # fmt: skip
def test_a_value_that_does_not_fit_is_refused(path: str, value: Any, message: str) -> None:
    with pytest.raises(VaryError) as caught:
        assign(_data(), KeyPath.parse(path), value)
    assert caught.value.message == message


def test_an_integer_may_replace_a_float_and_a_missing_key_is_added() -> None:
    data = _data()
    assign(data, KeyPath.parse("delays.paper_days"), 3)
    assign(data, KeyPath.parse("delays.complete_days"), 1.5)  # not in the file: the loader judges it
    assert (data["delays"]["paper_days"], data["delays"]["complete_days"]) == (3, 1.5)


def test_varied_files_carry_the_values_to_the_loaded_scenario(tmp_path: Path) -> None:
    files = ScenarioFiles.read(SMALL)
    settings = [
        (KeyPath.parse("delays.paper_days"), 3.5),
        (KeyPath.parse("adoption.province[1].mail_use"), 0.45),
        (KeyPath.parse("routing.retry_seconds"), [60, 600]),
    ]
    varied = files.varied(settings)
    scenario, _calendar = varied.load(tmp_path / "w")
    assert scenario.delays.paper_days == 3.5
    assert scenario.adoption.tiers["province"].curves["mail_use"].points[1] == (date(2008, 12, 31), 0.45)
    assert varied.rules is not None
    assert parse_rules(varied.rules).retry_delays == (timedelta(seconds=60), timedelta(seconds=600))
    # the original is untouched, and its scenario loads as the file does
    original, _ = files.load(tmp_path / "o")
    assert original.delays.paper_days == 2.0 and files.scenario == SMALL.read_text(encoding="utf-8")


def test_a_refusal_of_a_varied_scenario_names_the_users_file(tmp_path: Path) -> None:
    files = ScenarioFiles.read(SMALL).varied([(KeyPath.parse("adoption.province[1].mail_use"), 1.5)])
    with pytest.raises(Exception) as caught:
        files.load(tmp_path / "w")
    assert str(caught.value) == (
        f"invalid-scenario: {SMALL}: adoption.province[1].mail_use: must be a share between 0 and 1, got 1.5"
    )
