"""report.json: canonical bytes, exact round trip, strict reading with messages that name the field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.report import (
    FORMAT,
    Calibration,
    Compliance,
    Count,
    Measure,
    PaperReasons,
    Reconciliation,
    Report,
    ReportError,
    RunInfo,
    ShareRow,
    Shares,
    Target,
    TargetUnit,
    counts,
    latency_from_samples,
    share_row,
)
from tests.report.factories import VN, sample_report


def as_data(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.to_json())
    return data


def refusal(data: Any) -> str:
    with pytest.raises(ReportError) as caught:
        Report.from_json(json.dumps(data), "run/report.json")
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.code is ReasonCode.SCHEMA_INVALID
    return message


def test_round_trips_to_identical_bytes_and_equal_report() -> None:
    report = sample_report()
    text = report.to_json()
    again = Report.from_json(text)
    assert again == report
    assert again.to_json() == text
    assert Report.from_json(text.encode("utf-8")).to_json() == text


def test_json_is_canonical_sorted_unescaped_and_versioned() -> None:
    text = sample_report().to_json()
    data = json.loads(text)
    assert data["format"] == FORMAT == "docexchange-report/3"
    assert text == json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert "Thông báo 05/TB-VPCP" in text  # Vietnamese stays readable, not \u-escaped
    assert list(data) == sorted(data)


def test_json_holds_no_wall_clock_or_host() -> None:
    run = as_data(sample_report())["run"]
    assert set(run) == {
        "scenario",
        "description",
        "seed",
        "period_start",
        "period_end",
        "transport",
        "engine",
        "generated_by",
    }


def test_same_inputs_give_same_bytes() -> None:
    assert sample_report().to_json() == sample_report().to_json()


def test_top_level_shape() -> None:
    data = as_data(sample_report())
    assert set(data) == {
        "format",
        "run",
        "totals",
        "shares",
        "paper_reasons",
        "targets",
        "inputs",
        "calibration",
        "timing",
        "deadlines",
        "exchange",
        "reconciliation",
        "faults",
    }
    assert data["exchange"]["refusals"] == {"cert-revoked": 6, "digest-mismatch": 2, "mis-sent": 4}
    assert data["reconciliation"]["reconciles"] is True
    assert data["faults"][0]["start"] == "2008-05-12T09:00:00+07:00"
    row = data["shares"]["by_tier_quarter"][0]["quarters"][3]
    assert row == {
        "key": "2008-Q4",
        "deliveries": 100,
        "legal": 60,
        "info_only": 10,
        "paper": 30,
        "legal_share": 0.6,
        "info_only_share": 0.1,
        "electronic_share": 0.7,
        "paper_share": 0.3,
        "target": 0.5,
        "measure": "electronic",
    }  # a reference line, no verdict: targets are judged per document, in "targets"


# --------------------------------------------------------------------------------------------
# Strict reading


def test_refuses_unknown_field_naming_where() -> None:
    data = as_data(sample_report())
    data["shares"]["by_year"][0]["colour"] = "red"
    message = refusal(data)
    assert message.startswith("schema-invalid: run/report.json: shares.by_year[0]: unknown field 'colour'")


def test_refuses_unknown_top_level_field() -> None:
    data = as_data(sample_report())
    data["generated_at"] = "2026-01-01T00:00:00"
    assert "top level: unknown field 'generated_at'" in refusal(data)


def test_refuses_missing_field_naming_where() -> None:
    data = as_data(sample_report())
    del data["reconciliation"]["lost"]
    assert "reconciliation: missing field 'lost'" in refusal(data)


def test_refuses_missing_section() -> None:
    data = as_data(sample_report())
    del data["timing"]
    assert "top level: missing field 'timing'" in refusal(data)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("run", "seed"), "2008", "run.seed: expected an integer, got the string '2008'"),
        (("totals", "documents"), True, "totals.documents: expected an integer, got a boolean"),
        (("totals", "documents"), 1.5, "totals.documents: expected an integer, got the number 1.5"),
        (
            ("run", "transport"),
            "smtp",
            "run.transport: expected one of 'loopback', 'memory', 'none', got the string 'smtp'",
        ),
        (
            ("run", "engine"),
            "guess",
            "run.engine: expected one of 'protocol', 'plan', got the string 'guess'",
        ),
        (("run", "period_start"), "01/01/2008", "run.period_start: expected a date YYYY-MM-DD"),
        (("targets", 0, "measure"), "paper", "targets[0].measure: expected one of 'legal', 'electronic'"),
        (
            ("faults", 0, "start"),
            "2008-05-12T09:00:00",
            "faults[0].start: expected an ISO 8601 time with offset",
        ),
        (("exchange", "refusals", "cert-revoked"), -1, "exchange.refusals.cert-revoked: expected a count"),
        (("targets",), {}, "targets: expected a list, got an object"),
    ],
)
def test_refuses_wrong_types(path: tuple[Any, ...], value: Any, expected: str) -> None:
    data = as_data(sample_report())
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    assert expected in refusal(data)


def test_refuses_derived_value_that_contradicts_the_counts() -> None:
    data = as_data(sample_report())
    data["shares"]["overall"]["legal_share"] = 0.5
    assert "shares.overall.legal_share: is 0.5 but the other fields give 0.2893" in refusal(data)


def test_refuses_reconciles_flag_that_does_not_hold() -> None:
    data = as_data(sample_report())
    data["reconciliation"]["lost"] = 1
    assert "reconciliation.reconciles: is true but the other fields give false" in refusal(data)


def test_refuses_counts_that_do_not_add_up() -> None:
    data = as_data(sample_report())
    overall = data["shares"]["overall"]
    overall.update(legal=406, paper=809, legal_share=0.29, paper_share=0.5779, electronic_share=0.4221)
    message = refusal(data)
    assert "shares: by_year: legal add up to 405, overall has 406" in message


def test_refuses_other_format_and_missing_format() -> None:
    data = as_data(sample_report())
    data["format"] = "docexchange-report/2"  # targets per delivery, adoption levels as targets
    assert (
        "format 'docexchange-report/2' is not supported; this version reads 'docexchange-report/3'"
        in refusal(data)
    )
    del data["format"]
    assert "missing field 'format'" in refusal(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"", "not valid JSON: Expecting value at line 1 column 1"),
        (b'{"format": ', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"[]", "expected a JSON object at the top, got a list"),
        (b'{"x": NaN}', "NaN is not allowed"),
    ],
)
def test_refuses_corrupt_text_on_one_line(text: bytes, expected: str) -> None:
    with pytest.raises(DocexchangeError) as caught:
        Report.from_json(text, "r.json")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("schema-invalid: r.json: ")
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------------------------
# Building a report


def test_floats_are_rounded_at_construction_so_memory_equals_json() -> None:
    target = Target(
        "t", Measure.LEGAL, TargetUnit.DOCUMENT, "every-recipient", "s", sample_report().run.period_end,
        0.7, 0.123456789, 10, 25, 0.2, "src",
    )  # fmt: skip
    assert target.measured == 0.1235
    assert target.gap_pp == -57.65
    assert not target.met
    calibration = Calibration("c", 2.5, -0.000001, "days", "src")
    assert str(calibration.measured) == "0.0"  # no -0.0 in the file


def test_a_share_row_carries_its_target_for_reference_but_no_verdict() -> None:
    row = share_row("2012", legal=60, info_only=15, paper=25, target=0.7, measure=Measure.LEGAL)
    assert (row.deliveries, row.legal_share, row.electronic_share, row.measured) == (100, 0.6, 0.75, 0.6)
    assert not hasattr(row, "met") and not hasattr(row, "gap_pp")
    assert replace(row, measure=Measure.ELECTRONIC).measured == 0.75


def test_constructor_refuses_inconsistent_values() -> None:
    with pytest.raises(ReportError, match="legal 1 \\+ info_only 1 \\+ paper 1 != deliveries 4"):
        ShareRow("x", 4, 1, 1, 1)
    with pytest.raises(ReportError, match="target and measure go together"):
        ShareRow("x", 1, 1, 0, 0, target=0.5)
    with pytest.raises(ReportError, match="by_tier: key 'ministry' appears twice"):
        Shares(
            share_row("all", 2, 0, 0),
            by_tier=(share_row("ministry", 1, 0, 0), share_row("ministry", 1, 0, 0)),
        )
    with pytest.raises(ReportError, match="must not be negative"):
        Reconciliation(sent=1, delivered=2, refused=0, fallen_back=0, lost=-1)
    with pytest.raises(ReportError, match="compliant 5 is more than eligible 4"):
        Compliance(eligible=4, compliant=5)
    with pytest.raises(ReportError, match="period_end 2007-12-31 is before period_start 2008-01-01"):
        replace(
            sample_report().run,
            period_end=sample_report().run.period_start.replace(year=2007, month=12, day=31),
        )
    with pytest.raises(ReportError, match="paper_reasons add up to 811"):
        replace(sample_report(), paper_reasons=PaperReasons(41, 740, 25, 5, 0))
    with pytest.raises(ReportError, match="start must be a datetime with a UTC offset"):
        replace(sample_report().faults[0], start=datetime(2008, 5, 12, 9, 0))


def test_negative_seed_is_allowed() -> None:
    run = sample_report().run
    assert isinstance(replace(run, seed=-5), RunInfo)


def test_reconciliation_fails_when_something_is_lost_or_unaccounted() -> None:
    assert Reconciliation(10, 7, 2, 1, 0).reconciles
    assert not Reconciliation(10, 7, 2, 1, 1).reconciles
    assert not Reconciliation(10, 7, 2, 0, 0).reconciles


def test_counts_are_sorted_by_key() -> None:
    assert counts({"b": 1, "a": 2}) == (Count("a", 2), Count("b", 1))


def test_latency_from_samples_nearest_rank_and_histogram() -> None:
    latency = latency_from_samples([float(h) for h in range(1, 101)], (0.0, 10.0, 50.0))
    assert (latency.count, latency.p50, latency.p90, latency.p99, latency.max) == (
        100,
        50.0,
        90.0,
        99.0,
        100.0,
    )
    assert latency.mean == 50.5
    assert latency.histogram == (9, 91)  # 1–9 in [0, 10); 10–100 in the last, open bin
    empty = latency_from_samples([], (0.0, 1.0))
    assert (empty.count, empty.p50, empty.histogram) == (0, None, (0,))


def test_timing_refuses_histogram_of_wrong_length() -> None:
    timing = sample_report().timing
    with pytest.raises(ReportError, match="to_01_arrived: histogram has 6 bins, bin_edges make 2"):
        replace(timing, bin_edges=(0.0, 1.0, 2.0))


def test_time_zone_survives_the_round_trip() -> None:
    fault = Report.from_json(sample_report().to_json()).faults[0]
    assert fault.start.utcoffset() == VN.utcoffset(None)


def test_the_plan_engine_and_only_it_runs_without_a_transport() -> None:
    data = as_data(sample_report())
    data["run"]["engine"] = "plan"  # with transport "memory": refused
    assert "the plan engine, and only it, runs without a transport ('none')" in refusal(data)
    data["run"]["transport"] = "none"
    assert Report.from_dict(data).run.engine == "plan"
    data["run"]["engine"] = "protocol"
    assert "the plan engine, and only it, runs without a transport ('none')" in refusal(data)


def test_acceptance_by_channel_must_add_up_to_all() -> None:
    data = as_data(sample_report())
    channels = data["timing"]["acceptance_by_channel"]
    assert [c["channel"] for c in channels] == ["mail", "paper", "all"]
    channels[2]["latency"] = channels[0]["latency"]  # "all" counting only the mail deliveries
    assert "acceptance_by_channel: 'all' must count the deliveries of every channel" in refusal(data)
