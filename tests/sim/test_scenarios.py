"""Scenario files: the shipped ones load, and every defect is refused naming the file, the key and the reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml.model import Priority
from docexchange.errors import ReasonCode
from docexchange.registry import load_registry
from docexchange.registry.model import Tier
from docexchange.routing import load_rules
from docexchange.sim.scenario import (
    DEFAULT_SIGNING_HOURS,
    AdoptionMeasure,
    AttachmentSize,
    CertificateRevoked,
    ClockSkew,
    CountingRule,
    Curve,
    Delays,
    DocumentRule,
    FaultKind,
    Interpolation,
    MailOutage,
    MailReading,
    RecipientKind,
    SelectionMode,
    TargetMeasure,
    TransportChoice,
    Window,
)
from docexchange.sim.scenario_loader import ScenarioError, load_scenario, parse_scenario

REPO = Path(__file__).resolve().parents[2]
SIMULATIONS = REPO / "simulations"
REGISTRY_2008 = REPO / "agencies" / "government-2008.toml"
SHIPPED = (
    "plan-2008",
    "vpcp-2011-2015",
    "decision-28-rollout",
    "national-2025",
    "calibration-2012",
    "faults",
)

# A small valid scenario: the 2008 pilot group (all four tiers), two weeks of July 2019.
MINIMAL = f"""
[scenario]
name = "minimal"
registry = "{REGISTRY_2008}"
start = 2019-07-01
end = 2019-07-12
seed = 1

[participants]
select = "pilots"

[workload]
documents_per_day = {{ ministry = 2.0, central-city = 2.0, province = 1.0, mountainous-remote = 1.0 }}
types = {{ CV = 1 }}

[adoption]
[[adoption.ministry]]
date = 2019-07-01
mail_use = 1.0
dms = 1.0
certificate = 1.0
axis = 1.0
[[adoption.central-city]]
date = 2019-07-01
mail_use = 1.0
dms = 1.0
certificate = 1.0
axis = 1.0
[[adoption.province]]
date = 2019-07-01
mail_use = 1.0
dms = 1.0
certificate = 1.0
axis = 1.0
[[adoption.mountainous-remote]]
date = 2019-07-01
mail_use = 1.0
dms = 1.0
certificate = 1.0
axis = 1.0
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> tuple[Path, ScenarioError]:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return path, caught.value


def assert_refused(tmp_path: Path, text: str, key: str, reason: str) -> None:
    """The scenario is refused at ``key`` with a reason that starts with ``reason``."""
    path, error = refusal(tmp_path, text)
    assert (error.file, error.key) == (str(path), key), str(error)
    assert error.reason.startswith(reason), error.reason
    assert str(error) == f"invalid-scenario: {path}: {key}: {error.reason}"


def replaced(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# ── the shipped scenarios ────────────────────────────────────────────────────────────────


def test_the_six_scenarios_of_issue_4_are_shipped() -> None:
    assert {p.stem for p in SIMULATIONS.glob("*.toml")} >= set(SHIPPED)


@pytest.mark.parametrize("path", sorted(SIMULATIONS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description
    assert scenario.registry.is_file() and scenario.registry.is_absolute()
    assert scenario.routing_rules is not None and scenario.routing_rules.is_file()
    registry = load_registry(scenario.registry, include_level2=scenario.include_level2)
    participants = scenario.select_participants(registry)
    for agency in participants:  # every participant gets a rate and all four adoption shares
        assert scenario.workload.rate(agency) > 0
        scenario.adoption.levels(agency, scenario.start)
    for target in scenario.targets:
        assert target.source


def test_plan_2008_is_every_ministry_and_province_on_mail_against_the_40_percent_target() -> None:
    """DOMAIN.md §1: the 2008 target covers every ministry and province (the pilots are a sub-row),
    and the sender's use of e-mail decides, the both-ends reading beside it."""
    scenario = load_scenario(SIMULATIONS / "plan-2008.toml")
    registry = load_registry(scenario.registry)
    participants = scenario.select_participants(registry)
    assert len(participants) == 86  # the 22 ministry-level agencies (VPCP among them) and 64 provinces
    assert "000.00.00.G22" in {a.id for a in participants}
    assert scenario.routing_rules == SIMULATIONS / "rules" / "plan-2008.toml"
    rules = load_rules(scenario.routing_rules)
    assert rules.recipient_mail_use is False
    main, strict, pilots = scenario.targets[:3]
    assert (main.reading, strict.reading) == (MailReading.SENDER, MailReading.BOTH_ENDS)
    assert main.scope.senders == () and set(pilots.scope.senders) == {a.id for a in registry if a.pilot}
    assert main.counting == CountingRule(DocumentRule.EVERY_RECIPIENT)
    target = scenario.targets[0]
    assert (target.measure, target.value, target.by) == (
        TargetMeasure.ELECTRONIC_SHARE,
        0.40,
        date(2008, 12, 31),
    )
    assert set(target.scope.types) == {"BC", "GM", "TB"}
    ministry = next(a for a in participants if a.tier is Tier.MINISTRY)
    end = scenario.adoption.levels(ministry, date(2008, 12, 31))
    assert (end.mail_use, end.dms, end.certificate, end.axis) == (0.50, 0.70, 0.0, 0.0)


def test_decision_28_connects_pilots_by_the_end_of_2018_and_everyone_by_30_june_2019() -> None:
    scenario = load_scenario(SIMULATIONS / "decision-28-rollout.toml")
    registry = load_registry(scenario.registry)
    pilot, other = registry.get("000.00.00.H38"), registry.get("000.00.00.H01")
    axis = AdoptionMeasure.AXIS
    assert scenario.adoption.share(pilot, axis, date(2018, 12, 31)) == 1.0
    assert scenario.adoption.share(other, axis, date(2018, 12, 31)) == 0.0
    assert scenario.adoption.share(other, axis, date(2019, 3, 12)) == 0.95
    assert scenario.adoption.share(other, axis, date(2019, 6, 30)) == 1.0


def test_national_2025_runs_a_full_year_with_level_2_units_in_memory() -> None:
    scenario = load_scenario(SIMULATIONS / "national-2025.toml")
    assert (scenario.start, scenario.end) == (date(2025, 7, 1), date(2026, 6, 30))
    assert scenario.transport is TransportChoice.MEMORY
    participants = scenario.select_participants(load_registry(scenario.registry, include_level2=True))
    level1 = [a for a in participants if a.parent is None]
    assert len(level1) == 51  # 17 central agencies + 34 provinces
    assert len(participants) > len(level1)


def test_calibration_2012_publishes_the_2012_figures() -> None:
    scenario = load_scenario(SIMULATIONS / "calibration-2012.toml")
    figures = {(p.measure, p.scope.tiers): p.value for p in scenario.published}
    assert figures[(TargetMeasure.FULLY_ELECTRONIC_SHARE, (Tier.MINISTRY,))] == 0.30
    assert figures[(TargetMeasure.EXCHANGE_DAYS, ())] == 2.5
    assert figures[(TargetMeasure.DOCUMENTS_PER_YEAR, ())] == 19_000_000
    assert {p.unit for p in scenario.published} == {"share", "working days", "documents/year"}


def test_the_readme_example_is_a_valid_scenario() -> None:
    text = (SIMULATIONS / "README.md").read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    other_tiers = "".join(
        f"[[adoption.{tier}]]\ndate = 2019-07-01\nmail_use = 1.0\ndms = 1.0\ncertificate = 1.0\naxis = 0.5\n"
        for tier in ("central-city", "province", "mountainous-remote")
    )
    example = example.replace(
        "# … [[adoption.central-city]], [[adoption.province]], [[adoption.mountainous-remote]]\n", other_tiers
    )
    scenario = parse_scenario(
        example, SIMULATIONS / "example.toml"
    )  # not written: paths resolve from simulations/
    assert scenario.registry == REPO / "agencies" / "government-2008.toml"


def test_faults_has_every_fault_kind() -> None:
    scenario = load_scenario(SIMULATIONS / "faults.toml")
    assert {fault.kind for fault in scenario.faults} == set(FaultKind)
    skew = next(f for f in scenario.faults if isinstance(f, ClockSkew) and f.agency == "000.00.00.H41")
    assert skew.window == scenario.window  # no window: the whole run
    whole_day = next(f for f in scenario.faults if isinstance(f, MailOutage) and f.agency is not None)
    assert whole_day.window == Window.days(date(2019, 7, 9), date(2019, 7, 9))
    revoked = next(f for f in scenario.faults if isinstance(f, CertificateRevoked))
    assert revoked.at == datetime(2019, 7, 5, 10, 0, tzinfo=VIETNAM_TZ)
    assert revoked.notice == timedelta(hours=22)


# ── defaults, paths and the model ────────────────────────────────────────────────────────


def test_a_minimal_file_equals_the_same_file_with_every_default_written_out(tmp_path: Path) -> None:
    explicit = MINIMAL.replace("seed = 1\n", 'seed = 1\ndescription = ""\ntransport = "loopback"\n')
    explicit = explicit.replace('select = "pilots"\n', 'select = "pilots"\nalso = []\nlevel2 = false\n')
    explicit = explicit.replace(
        "types = { CV = 1 }\n",
        """types = { CV = 1 }
level2_documents_per_day = {}
recipients = { one = 1 }
several = [2, 5]
share_secret = 0.0
urgency = {}
attachment_count = [1, 1]
attachment_sizes = [{ bytes = 200_000, weight = 1 }]
signing_hours = [[07:30:00, 11:30:00], ["13:00", "17:00"]]

[delays]
send_hours = 2.0
accept_hours = 4.0
paper_days = 2.0
""",
    )
    explicit = explicit.replace("[adoption]\n", '[adoption]\ninterpolation = "step"\n')
    explicit = "faults = []\ntargets = []\npublished = []\n" + explicit  # top-level keys come before tables
    minimal = load_scenario(write(tmp_path, MINIMAL, "minimal.toml"))
    written_out = load_scenario(write(tmp_path, explicit, "explicit.toml"))
    assert minimal == written_out
    assert minimal.routing_rules is None
    assert minimal.transport is TransportChoice.LOOPBACK
    assert minimal.delays == Delays()
    workload = minimal.workload
    assert dict(workload.recipients) == {RecipientKind.ONE: 1.0}
    assert workload.attachment_sizes == (AttachmentSize(200_000, 1.0),)
    assert workload.signing_hours == DEFAULT_SIGNING_HOURS
    assert (workload.share_secret, workload.share_urgent) == (0.0, 0.0)
    assert minimal.adoption.interpolation is Interpolation.STEP
    assert (minimal.faults, minimal.targets, minimal.published) == ((), (), ())


def test_paths_are_relative_to_the_scenario_folder_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "agencies").mkdir()
    (tmp_path / "agencies" / "registry.toml").write_bytes(REGISTRY_2008.read_bytes())
    (tmp_path / "sims" / "rules").mkdir(parents=True)
    (tmp_path / "sims" / "rules" / "mail.toml").write_text('[routing]\npreference = ["mail"]\n')
    text = replaced(f'registry = "{REGISTRY_2008}"', 'registry = "../agencies/registry.toml"')
    text = replaced("seed = 1\n", 'seed = 1\nrouting_rules = "rules/mail.toml"\n', text)
    path = write(tmp_path, text, "sims/scenario.toml")
    monkeypatch.chdir(REPO)
    scenario = load_scenario(path)
    assert scenario.registry == tmp_path / "agencies" / "registry.toml"
    assert scenario.routing_rules == tmp_path / "sims" / "rules" / "mail.toml"
    monkeypatch.chdir(tmp_path / "sims")
    assert load_scenario("scenario.toml").registry == scenario.registry


def test_curves_step_or_interpolate_between_points() -> None:
    curve = Curve(((date(2019, 1, 1), 0.0), (date(2019, 1, 11), 1.0)))
    assert curve.at(date(2018, 12, 1)) == 0.0  # before the first point: the first value
    assert curve.at(date(2019, 1, 6), Interpolation.STEP) == 0.0
    assert curve.at(date(2019, 1, 6), Interpolation.LINEAR) == 0.5
    assert curve.at(date(2019, 1, 11), Interpolation.LINEAR) == 1.0
    assert curve.at(date(2020, 1, 1), Interpolation.LINEAR) == 1.0


def test_an_agency_schedule_overrides_only_the_measures_it_gives(tmp_path: Path) -> None:
    text = MINIMAL + '[[adoption.agencies."000.00.00.G12"]]\ndate = 2019-07-01\naxis = 0.0\n'
    text += "[[adoption.pilots]]\ndate = 2019-07-01\ncertificate = 0.5\naxis = 0.25\n"
    scenario = load_scenario(write(tmp_path, text))
    registry = load_registry(scenario.registry)
    finance = scenario.adoption.levels(registry.get("000.00.00.G12"), date(2019, 7, 2))
    assert (finance.axis, finance.certificate, finance.mail_use) == (0.0, 0.5, 1.0)
    other = scenario.adoption.levels(registry.get("000.00.00.G01"), date(2019, 7, 2))
    assert (other.axis, other.certificate) == (1.0, 1.0)  # not a pilot


def test_level2_units_of_the_selected_agencies_take_part(tmp_path: Path) -> None:
    text = replaced(
        'select = "pilots"\n',
        'select = "agencies"\nagencies = ["000.00.00.G12", "000.00.00.H38"]\nlevel2 = true\n',
    )
    text = replaced(
        "types = { CV = 1 }\n",
        "types = { CV = 1 }\nlevel2_documents_per_day = { ministry = 0.5, mountainous-remote = 0.2 }\n",
        text,
    )
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.participants.mode is SelectionMode.AGENCIES and scenario.include_level2
    participants = scenario.select_participants(load_registry(scenario.registry, include_level2=True))
    assert {a.parent for a in participants} == {None, "000.00.00.G12", "000.00.00.H38"}
    unit = next(a for a in participants if a.parent == "000.00.00.G12")
    assert scenario.workload.rate(unit) == 0.5


def test_urgency_and_types_are_read_as_priorities_and_canonical_abbreviations(tmp_path: Path) -> None:
    text = replaced(
        "types = { CV = 1 }", 'types = { "Công văn" = 3, QD = 1 }\nurgency = { khan = 0.1, hoa-toc = 0.05 }'
    )
    workload = load_scenario(write(tmp_path, text)).workload
    assert dict(workload.types) == {"CV": 3.0, "QĐ": 1.0}
    assert dict(workload.urgency) == {Priority.KHAN: 0.1, Priority.HOA_TOC: 0.05}
    assert workload.share_urgent == pytest.approx(0.15)


def test_window_days_spans_whole_days_in_vietnam_time() -> None:
    window = Window.days(date(2019, 7, 1), date(2019, 7, 1))
    assert window.start == datetime(2019, 7, 1, tzinfo=VIETNAM_TZ)
    assert window.end - window.start == timedelta(days=1)
    assert window.contains(datetime(2019, 7, 1, 23, 59, tzinfo=VIETNAM_TZ))
    assert not window.contains(window.end)


# ── refusals: the file, the key, the reason ──────────────────────────────────────────────


def test_the_error_is_a_docexchange_refusal_naming_file_key_and_reason(tmp_path: Path) -> None:
    path, error = refusal(tmp_path, replaced("seed = 1", 'seed = "one"'))
    assert error.code is ReasonCode.INVALID_SCENARIO
    assert str(error) == f"invalid-scenario: {path}: scenario.seed: must be an integer, not a string"


def test_toml_syntax_errors_name_the_file(tmp_path: Path) -> None:
    path, error = refusal(tmp_path, "[scenario\n")
    assert error.key == "" and str(error).startswith(f"invalid-scenario: {path}: TOML syntax error:")


def test_an_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read file") as caught:
        load_scenario(tmp_path / "absent.toml")
    assert caught.value.file == str(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        # unknown keys
        ("[participants]", "[participant]", "participant", "unknown key (expected scenario, participants, workload"),
        ("seed = 1", "seed = 1\nsede = 2", "scenario.sede", "unknown key (expected name, description, registry"),
        ("types = { CV = 1 }", "types = { CV = 1 }\ndocs = 1", "workload.docs", "unknown key"),
        ("mountainous-remote = 1.0 }", "mountainous-remote = 1.0, village = 1.0 }", "workload.documents_per_day.village",
         "unknown key (expected ministry, central-city, province, mountainous-remote)"),
        ("[[adoption.ministry]]\ndate = 2019-07-01\n", "[[adoption.ministry]]\ndate = 2019-07-01\nemail = 1.0\n",
         "adoption.ministry[0].email", "unknown key (expected date, mail_use, dms, certificate, axis)"),
        # wrong types
        ("start = 2019-07-01", 'start = "2019-07-01"', "scenario.start", "must be a date such as 2019-06-30, not a string"),
        ("start = 2019-07-01", "start = 2019-07-01T08:00:00", "scenario.start",
         "must be a date such as 2019-06-30, not a date-time"),
        ('select = "pilots"', "select = true", "participants.select", "must be a string, not a boolean"),
        ("types = { CV = 1 }", 'types = { CV = "many" }', "workload.types.CV", "must be a number, not a string"),
        ("types = { CV = 1 }", "types = [1]", "workload.types", "must be a table, not a list"),
        # impossible values
        ("province = 1.0,", "province = -1.0,", "workload.documents_per_day.province", "must not be negative, got -1.0"),
        ("types = { CV = 1 }", "types = { CV = 1 }\nshare_secret = 1.5", "workload.share_secret",
         "must be a share between 0 and 1, got 1.5"),
        ("types = { CV = 1 }", "types = { CV = 0, BC = 0 }", "workload.types", "weights must add up to more than 0"),
        ("types = { CV = 1 }", 'types = { CV = 1 }\ndirection = { "000.00.00.G22" = 1.5 }',
         'workload.direction."000.00.00.G22"', "must be a share between 0 and 1, got 1.5"),
        ("types = { CV = 1 }", 'types = { CV = 1 }\ndirection = { "VPCP" = 0.5 }', "workload.direction.VPCP",
         "malformed agency identifier: 'VPCP' has 4 characters"),
        ("types = { CV = 1 }", "types = { CV = 1 }\nrecipients = { one = 0 }", "workload.recipients",
         "weights must add up to more than 0"),
        ("types = { CV = 1 }", "types = { CV = 1 }\nurgency = { khan = 0.7, hoa-toc = 0.6 }", "workload.urgency",
         "shares add up to 1.3, more than 1"),
        ("types = { CV = 1 }", "types = { CV = 1 }\nseveral = [1, 3]", "workload.several[0]", "must be at least 2, got 1"),
        ("types = { CV = 1 }", "types = { CV = 1 }\nseveral = [4, 3]", "workload.several[1]",
         "must not be below the first value 4"),
        ("types = { CV = 1 }", "types = { CV = 1 }\nattachment_sizes = [{ bytes = 0, weight = 1 }]",
         "workload.attachment_sizes[0].bytes", "must be at least 1, got 0"),
        ("types = { CV = 1 }", 'types = { CV = 1 }\nsigning_hours = [["11:00", "09:00"]]', "workload.signing_hours[0][1]",
         "must be after 11:00"),
        ("end = 2019-07-12", "end = 2019-06-30", "scenario.end", "is before scenario.start (2019-06-30 < 2019-07-01)"),
        ("seed = 1", "seed = -1", "scenario.seed", "must be at least 0, got -1"),
        ("seed = 1", 'seed = 1\ntransport = "pigeon"', "scenario.transport",
         "unknown value 'pigeon' (expected 'loopback', 'memory')"),
        # unknown tiers, types and selection modes
        ("types = { CV = 1 }", "types = { XYZ = 1 }", "workload.types.XYZ",
         "unknown document type 'XYZ'; known: CV, NQ, QĐ"),
        ('select = "pilots"', 'select = "tiers"\ntiers = ["village"]', "participants.tiers[0]",
         "unknown value 'village' (expected 'ministry', 'central-city', 'province', 'mountainous-remote')"),
        ('select = "pilots"', 'select = "tiers"', "participants.tiers", 'missing: select = "tiers" needs the list'),
        ('select = "pilots"', 'select = "pilots"\ntiers = ["ministry"]', "participants.tiers", 'only with select = "tiers"'),
    ],
)  # fmt: skip
def test_refuses_unknown_keys_wrong_types_and_impossible_values(
    tmp_path: Path, old: str, new: str, key: str, reason: str
) -> None:
    assert_refused(tmp_path, replaced(old, new), key, reason)


def test_refuses_an_adoption_share_outside_0_and_1_naming_the_point(tmp_path: Path) -> None:
    points = "".join(
        f"[[adoption.province]]\ndate = 2019-07-0{day}\naxis = {share}\n"
        for day, share in ((2, 0.5), (3, 1.5))
    )
    assert_refused(
        tmp_path, MINIMAL + points, "adoption.province[2].axis", "must be a share between 0 and 1, got 1.5"
    )


@pytest.mark.parametrize(
    ("extra", "key", "reason"),
    [
        ("[[adoption.province]]\ndate = 2019-07-01\naxis = 0.5\n", "adoption.province[1].date",
         "must be after the previous point's date 2019-07-01"),
        ('[[adoption.agencies."000.00.00.G12"]]\ndate = 2019-07-02\naxis = 0.5\n',
         'adoption.agencies."000.00.00.G12"[0].date', "must be on or before the scenario start 2019-07-01"),
        ('[[adoption.agencies."000.00.00.G12"]]\ndate = 2019-07-01\naxis = 0.5\n[[adoption.agencies."000.00.00.G12"]]\n'
         "date = 2019-07-05\ndms = 0.5\n", 'adoption.agencies."000.00.00.G12"[1].dms', "not given at the first point"),
        ("[[adoption.pilots]]\ndate = 2019-07-01\n", "adoption.pilots[0]", "gives no measure"),
        ('[[adoption.agencies."000.00.00.G01"]]\ndate = 2019-07-01\naxis = 0.5\n', 'adoption.agencies."000.00.00.G01"',
         "000.00.00.G01 does not take part in the scenario"),
        ('[adoption.level2.village]\n', "adoption.level2.village", "unknown key"),
    ],
)  # fmt: skip
def test_refuses_malformed_adoption_schedules(tmp_path: Path, extra: str, key: str, reason: str) -> None:
    assert_refused(tmp_path, MINIMAL + extra, key, reason)


def test_a_tier_schedule_must_give_every_measure_at_its_first_point(tmp_path: Path) -> None:
    text = replaced(
        "[[adoption.ministry]]\ndate = 2019-07-01\nmail_use = 1.0\n",
        "[[adoption.ministry]]\ndate = 2019-07-01\n",
    )
    assert_refused(
        tmp_path, text, "adoption.ministry[0].mail_use", "missing: the first point of a tier's schedule"
    )


def test_refuses_a_participating_tier_without_rate_or_schedule(tmp_path: Path) -> None:
    text = replaced("province = 1.0, ", "")
    assert_refused(
        tmp_path,
        text,
        "workload.documents_per_day.province",
        "missing: province agencies take part (000.00.00.H41)",
    )
    schedule = (
        "[[adoption.province]]\ndate = 2019-07-01\nmail_use = 1.0\ndms = 1.0\ncertificate = 1.0\naxis = 1.0\n"
    )
    assert_refused(
        tmp_path,
        replaced(schedule, ""),
        "adoption.province",
        "missing: province agencies take part (000.00.00.H41)",
    )


FAULT = "\n[[faults]]\n"


@pytest.mark.parametrize(
    ("fault", "key", "reason"),
    [
        ('kind = "meteor"', "faults[0].kind", "unknown value 'meteor' (expected 'node-outage', 'axis-outage'"),
        ('kind = "node-outage"\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].agency", "missing"),
        ('kind = "axis-outage"\nagency = "000.00.00.G12"\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].agency",
         'unknown key (for kind = "axis-outage", expected kind, start, end)'),
        ('kind = "axis-outage"\nstart = 2019-06-30\nend = 2019-07-02', "faults[0].start",
         "is before the scenario starts (2019-07-01 00:00 to 2019-07-13 00:00)"),
        ('kind = "axis-outage"\nstart = 2019-07-12T16:00:00\nend = 2019-07-13T08:00:00', "faults[0].end",
         "is after the scenario ends (2019-07-01 00:00 to 2019-07-13 00:00)"),
        ('kind = "axis-outage"\nstart = 2019-07-03T10:00:00\nend = 2019-07-03T09:00:00', "faults[0].end",
         "must be after start (2019-07-03 10:00)"),
        ('kind = "axis-outage"\nstart = "10:00"\nend = 2019-07-03', "faults[0].start",
         "must be a date-time such as 2019-07-02T09:00:00 or a date, not a string"),
        ('kind = "node-outage"\nagency = "000.00.00.G01"\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].agency",
         "000.00.00.G01 does not take part in the scenario (see [participants])"),
        ('kind = "mail-outage"\nagency = "G12"\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].agency",
         "malformed agency identifier: 'G12' has 3 characters"),
        ('kind = "certificate-revoked"\nagency = "000.00.00.G12"\nrole = "seal"\nat = 2019-07-02T10:00:00', "faults[0].role",
         "unknown value 'seal' (expected 'person', 'organisation')"),
        ('kind = "certificate-revoked"\nagency = "000.00.00.G12"\nrole = "person"\nat = 2019-08-02T10:00:00', "faults[0].at",
         "is outside the scenario"),
        ('kind = "tampered"\ncount = 2\nrate = 0.1\nstart = 2019-07-02\nend = 2019-07-02', "faults[0]",
         "give exactly one of count and rate"),
        ('kind = "tampered"\ncount = 0\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].count",
         "must be at least 1, got 0"),
        ('kind = "receipts-lost"\nrate = 0\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].rate",
         "must be more than 0 (a rate of 0 is no fault)"),
        ('kind = "duplicate-storm"\nrate = 0.5\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].copies", "missing"),
        ('kind = "clock-skew"\nagency = "000.00.00.H41"\noffset_seconds = 0', "faults[0].offset_seconds", "must not be 0"),
        ('kind = "slow-link"\nagency = "000.00.00.H41"\nkbps = 0\nstart = 2019-07-02\nend = 2019-07-02',
         "faults[0].kbps", "must be more than 0 kilobits per second"),
        ('kind = "forged"\ncount = 0\nstart = 2019-07-02\nend = 2019-07-02', "faults[0].count", "must be at least 1, got 0"),
        ('kind = "certificate-revoked"\nagency = "000.00.00.G12"\nrole = "person"\n'
         'at = 2019-07-02T10:00:00\nnotice_hours = -1',
         "faults[0].notice_hours", "must be 0 or more hours"),
        ('kind = "partition"\nagency = "000.00.00.H41"\nstart = 2019-07-02\nend = 2019-07-02\nkbps = 4',
         "faults[0].kbps", 'unknown key (for kind = "partition", expected kind, agency, start, end)'),
    ],
)  # fmt: skip
def test_refuses_malformed_faults(tmp_path: Path, fault: str, key: str, reason: str) -> None:
    assert_refused(tmp_path, MINIMAL + FAULT + fault + "\n", key, reason)


@pytest.mark.parametrize(
    ("target", "key", "reason"),
    [
        ('measure = "happiness"', "targets[0].measure", "unknown value 'happiness' (expected 'electronic-share'"),
        ('measure = "electronic-share"\nby = 2019-08-01\nvalue = 1.0', "targets[0].by",
         "is outside the scenario (2019-07-01 to 2019-07-12)"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 40', "targets[0].value",
         "must be a share between 0 and 1, got 40"),
        ('measure = "exchange-days"\nby = 2019-07-12\nvalue = -1', "targets[0].value", "must not be negative"),
        ('measure = "axis"\nby = 2019-07-12\nvalue = 1.0\ntypes = ["BC"]', "targets[0].types",
         "axis counts agencies, not documents: types do not apply"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\ntypes = ["lịch"]', "targets[0].types[0]",
         "unknown document type 'lịch'"),
        ('measure = "electronic-share"\nby = 2019-07-10\nsince = 2019-07-11\nvalue = 1.0', "targets[0].since",
         "must be between the scenario start 2019-07-01 and 'by' 2019-07-10"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\nagencies = ["000.00.00.G01"]',
         "targets[0].agencies[0]", "000.00.00.G01 does not take part"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\ncounts_when = "most"', "targets[0].counts_when",
         "unknown value 'most' (expected 'every-recipient', 'any-recipient', 'recipient-share')"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\ncounts_when = "recipient-share"',
         "targets[0].recipient_share", "is required with counts_when = 'recipient-share'"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\ncounts_when = "recipient-share"\n'
         "recipient_share = 0", "targets[0].recipient_share", "must be more than 0 (0 counts every document)"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\ncounts_when = "recipient-share"\n'
         "recipient_share = 1.5", "targets[0].recipient_share", "must be a share between 0 and 1, got 1.5"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\nrecipient_share = 0.5',
         "targets[0].recipient_share", "applies to counts_when = 'recipient-share', not 'every-recipient'"),
        ('measure = "exchange-days"\nby = 2019-07-12\nvalue = 2.5\ncounts_when = "any-recipient"',
         "targets[0].counts_when", "exchange-days does not count documents: no counting rule"),
        ('measure = "dms"\nby = 2019-07-12\nvalue = 0.5\ncounts_when = "any-recipient"',
         "targets[0].counts_when", "dms does not count documents: no counting rule"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\nsenders = []', "targets[0].senders",
         "names nothing (leave the key out for no restriction)"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\ntypes = []', "targets[0].types",
         "names nothing (leave the key out for no restriction)"),
        ('measure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\nsenders = ["000.00.00.G01"]',
         "targets[0].senders[0]", "000.00.00.G01 does not take part"),
        ('measure = "signed-electronic-share"\nby = 2019-07-12\nvalue = 1.0\nmail_reading = "both-ends"',
         "targets[0].mail_reading", "applies to electronic-share, not signed-electronic-share"),
        ('measure = "signed-electronic-share"\nby = 2019-07-12\nvalue = 1.0\ndirection = "yes"',
         "targets[0].direction", "must be true or false"),
        ('measure = "axis"\nby = 2019-07-12\nvalue = 1.0\ndirection = true',
         "targets[0].direction", "axis counts agencies, not documents"),
    ],
)  # fmt: skip
def test_refuses_malformed_targets(tmp_path: Path, target: str, key: str, reason: str) -> None:
    assert_refused(
        tmp_path, MINIMAL + '\n[[targets]]\nname = "t"\nsource = "s"\n' + target + "\n", key, reason
    )


def test_a_target_names_its_source(tmp_path: Path) -> None:
    target = '\n[[targets]]\nname = "t"\nmeasure = "electronic-share"\nby = 2019-07-12\nvalue = 1.0\n'
    assert_refused(tmp_path, MINIMAL + target, "targets[0].source", "missing")


def test_refuses_two_figures_with_the_same_name(tmp_path: Path) -> None:
    figure = (
        '\n[[published]]\nname = "Ministries"\nmeasure = "exchange-days"\nvalue = 2.5\nsource = "DOMAIN.md"\n'
        'role = "held-out"\n'
    )
    assert_refused(
        tmp_path,
        MINIMAL + figure + figure,
        "published[1].name",
        "'Ministries' is already the name of published[0]",
    )


# ── refusals that need the registry or the rules ─────────────────────────────────────────


def test_refuses_a_registry_or_rules_file_that_does_not_exist(tmp_path: Path) -> None:
    text = replaced(f'registry = "{REGISTRY_2008}"', 'registry = "agencies.toml"')
    assert_refused(tmp_path, text, "scenario.registry", f"file not found: {tmp_path / 'agencies.toml'}")
    text = replaced("seed = 1", 'seed = 1\nrouting_rules = "rules/none.toml"')
    assert_refused(
        tmp_path, text, "scenario.routing_rules", f"file not found: {tmp_path / 'rules' / 'none.toml'}"
    )


def test_refuses_a_malformed_rules_file_with_its_own_reason(tmp_path: Path) -> None:
    write(tmp_path, '[routing]\npreference = ["pigeon"]\n', "rules.toml")
    text = replaced("seed = 1", 'seed = 1\nrouting_rules = "rules.toml"')
    assert_refused(tmp_path, text, "scenario.routing_rules", "cannot load the rules: ")
    _, error = refusal(tmp_path, text)
    assert "routing.preference[0]: unknown channel 'pigeon'" in error.reason


def test_refuses_an_unknown_agency(tmp_path: Path) -> None:
    text = replaced('select = "pilots"', 'select = "pilots"\nalso = ["000.00.00.G99"]')
    assert_refused(
        tmp_path,
        text,
        "participants.also[0]",
        "unknown agency 000.00.00.G99 in the registry government-2008.toml",
    )
    text = replaced('select = "pilots"', 'select = "pilots"\nalso = ["000.00.01.G12"]')
    assert_refused(
        tmp_path,
        text,
        "participants.also[0]",
        "unknown agency 000.00.01.G12 in the registry government-2008.toml (level-2 units need participants.level2 = true)",
    )


def test_refuses_an_agency_that_no_longer_exists_during_the_run(tmp_path: Path) -> None:
    text = replaced(
        'select = "pilots"', 'select = "pilots"\nalso = ["000.00.00.H64"]'
    )  # Hà Tây, merged 2008-08-01
    assert_refused(
        tmp_path,
        text,
        "participants.also[0]",
        "000.00.00.H64 is not active between 2019-07-01 and 2019-07-12 (valid 2004-01-01 to 2008-07-31)",
    )


def test_refuses_dates_the_registry_does_not_cover(tmp_path: Path) -> None:
    dates = ("start = 2019-07-01\nend = 2019-07-12", "start = 2025-01-01\nend = 2025-12-31")
    reason = "the registry government-2008.toml has no ministry agency taking part on 2025-03-01"
    assert_refused(tmp_path, replaced(*dates), "scenario.end", reason + " (it has them until 2025-02-28)")
    later = ("start = 2019-07-01\nend = 2019-07-12", "start = 2026-01-01\nend = 2026-01-31")
    text = replaced(*later).replace("date = 2019-07-01", "date = 2026-01-01")
    reason = "the registry government-2008.toml has no agency between 2026-01-01 and 2026-01-31"
    assert_refused(tmp_path, text, "scenario.start", reason + " (it covers 2004-01-01 to 2025-06-30)")
    earlier = ("start = 2019-07-01\nend = 2019-07-12", "start = 2007-01-01\nend = 2007-12-31")
    text = replaced(*earlier).replace(
        "date = 2019-07-01", "date = 2007-01-01"
    )  # the Government from 2007-07-31
    reason = "the registry government-2008.toml has no ministry agency taking part on 2007-01-01"
    assert_refused(tmp_path, text, "scenario.start", reason)


def test_refuses_a_selection_with_fewer_than_two_agencies(tmp_path: Path) -> None:
    text = replaced('select = "pilots"', 'select = "agencies"\nagencies = ["000.00.00.G12"]')
    assert_refused(
        tmp_path,
        text,
        "participants",
        "selects 1 agency active between 2019-07-01 and 2019-07-12; an exchange needs two",
    )


def test_refuses_recipients_that_cannot_exist_among_the_participants(tmp_path: Path) -> None:
    ministries = replaced('select = "pilots"', 'select = "tiers"\ntiers = ["ministry"]')
    text = replaced(
        "types = { CV = 1 }", "types = { CV = 1 }\nrecipients = { all-provinces = 1 }", ministries
    )
    assert_refused(
        tmp_path, text, "workload.recipients.all-provinces", "no province or centrally-run city takes part"
    )
    text = replaced(
        "types = { CV = 1 }", "types = { CV = 1 }\nrecipients = { government = 1 }"
    )  # pilots: no VPCP
    assert_refused(
        tmp_path,
        text,
        "workload.recipients.government",
        "none of the government recipients (000.00.00.G22) takes part",
    )
    text = replaced(
        "types = { CV = 1 }", "types = { CV = 1 }\nrecipients = { several = 1 }\nseveral = [2, 20]"
    )
    assert_refused(tmp_path, text, "workload.several[1]", "more recipients than the 9 other participants")


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        ("", "missing"),
        ('role = "agreement"\n', "unknown value 'agreement' (expected 'fitted', 'held-out')"),
    ],
)
def test_a_published_figure_says_whether_it_was_fitted(tmp_path: Path, role: str, reason: str) -> None:
    figure = '\n[[published]]\nname = "F"\nmeasure = "exchange-days"\nvalue = 2.5\nsource = "DOMAIN.md"\n'
    assert_refused(tmp_path, MINIMAL + figure + role, "published[0].role", reason)


def test_calibration_2012_marks_every_figure_it_was_fitted_to() -> None:
    scenario = load_scenario(SIMULATIONS / "calibration-2012.toml")
    roles = {p.measure: p.role.value for p in scenario.published}
    assert roles.pop(TargetMeasure.EXCHANGE_DAYS) == "held-out"  # no input was chosen for it
    assert set(roles.values()) == {"fitted"}  # the two shares (adoption inputs), the volume (rates)


def test_direction_documents_must_be_issued_by_an_agency_that_takes_part(tmp_path: Path) -> None:
    target = (
        '\n[[targets]]\nname = "d"\nmeasure = "signed-electronic-share"\nby = 2019-07-12\nvalue = 1.0\n'
        'direction = true\nsource = "s"\n'
    )
    assert_refused(
        tmp_path, MINIMAL + target, "targets[0].direction",
        "no agency issues direction documents: give their shares in [workload] direction",
    )  # fmt: skip
    unknown = MINIMAL.replace(
        "types = { CV = 1 }", 'types = { CV = 1 }\ndirection = { "000.00.00.G99" = 0.6 }'
    )
    assert unknown != MINIMAL
    with pytest.raises(ScenarioError) as refused:
        path = tmp_path / "unknown.toml"
        path.write_text(unknown, encoding="utf-8")
        load_scenario(path)
    assert refused.value.key == 'workload.direction."000.00.00.G99"'
