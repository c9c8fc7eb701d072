"""Adoption turned into per-agency capabilities, and the deterministic workload."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from docexchange.edxml import Priority
from docexchange.registry import Tier, load_registry
from docexchange.routing import Secrecy
from docexchange.sim.adoption import AdoptionModel
from docexchange.sim.calendar import load_calendar
from docexchange.sim.day_draws import by_weight
from docexchange.sim.scenario import (
    Adoption,
    AdoptionMeasure,
    Curve,
    Interpolation,
    RecipientKind,
    Schedule,
    Workload,
)
from docexchange.sim.scenario_loader import load_scenario
from docexchange.sim.workload import WorkloadPlanner

SIMULATIONS = Path(__file__).resolve().parents[2] / "simulations"


def _schedule(**shares: float) -> Schedule:
    return Schedule(
        {AdoptionMeasure(name): Curve(((date(2018, 1, 1), value),)) for name, value in shares.items()}
    )


def test_adoption_per_agency_matches_the_share_and_is_monotone() -> None:
    registry = load_registry()
    provinces = [a for a in registry.active_on(date(2019, 1, 1)) if a.tier is Tier.PROVINCE]
    rising = Schedule(
        {
            AdoptionMeasure.AXIS: Curve(((date(2019, 1, 1), 0.2), (date(2019, 6, 30), 0.8))),
            AdoptionMeasure.DMS: Curve(((date(2019, 1, 1), 1.0),)),
            AdoptionMeasure.MAIL_USE: Curve(((date(2019, 1, 1), 1.0),)),
            AdoptionMeasure.CERTIFICATE: Curve(((date(2019, 1, 1), 1.0),)),
        }
    )
    model = AdoptionModel(Adoption({Tier.PROVINCE: rising}, Interpolation.LINEAR), seed=28)
    early = {a.id for a in provinces if model.has_adopted(a, AdoptionMeasure.AXIS, date(2019, 1, 1))}
    late = {a.id for a in provinces if model.has_adopted(a, AdoptionMeasure.AXIS, date(2019, 6, 30))}
    assert early <= late  # nobody leaves as the share grows
    assert 0.05 < len(early) / len(provinces) < 0.4 and 0.6 < len(late) / len(provinces) < 0.95


@pytest.mark.parametrize("seed", [1, 2012, 28])
def test_a_cohort_adopts_the_stated_share_to_the_nearest_agency_whatever_the_seed(seed: int) -> None:
    registry = load_registry()
    ministries = [a for a in registry.active_on(date(2012, 1, 1)) if a.tier is Tier.MINISTRY]
    schedule = _schedule(axis=0, dms=0, mail_use=1, certificate=0)
    model = AdoptionModel(Adoption({Tier.MINISTRY: schedule}), seed=seed, population=ministries)
    n = len(ministries)
    for share in (0.05, 0.3, 0.5, 0.76, 0.99):
        rising = Adoption({Tier.MINISTRY: _schedule(axis=0, dms=0, mail_use=1, certificate=share)})
        at_share = AdoptionModel(rising, seed=seed, population=ministries)
        adopters = sum(
            at_share.has_adopted(a, AdoptionMeasure.CERTIFICATE, date(2012, 6, 1)) for a in ministries
        )
        assert int(share * n) <= adopters <= int(share * n) + 1, (share, adopters, n)
    # the thresholds are one per agency in each n-th of [0, 1): a permutation of the strata
    strata = sorted(int(model.threshold(a, AdoptionMeasure.CERTIFICATE) * n) for a in ministries)
    assert strata == list(range(n))


def test_agencies_outside_the_population_still_get_a_seeded_threshold() -> None:
    registry = load_registry()
    agency = registry.get("000.00.00.H38")
    alone = AdoptionModel(
        Adoption({agency.tier: _schedule(axis=0, dms=0, mail_use=1, certificate=0.5)}), seed=3
    )
    again = AdoptionModel(
        Adoption({agency.tier: _schedule(axis=0, dms=0, mail_use=1, certificate=0.5)}), seed=3
    )
    assert 0 <= alone.threshold(agency, AdoptionMeasure.CERTIFICATE) < 1
    assert alone.threshold(agency, AdoptionMeasure.CERTIFICATE) == again.threshold(
        agency, AdoptionMeasure.CERTIFICATE
    )


def test_the_axis_needs_a_connected_document_management_system() -> None:
    registry = load_registry()
    agency = registry.get("000.00.00.H38")
    no_dms = Adoption({agency.tier: _schedule(axis=1.0, dms=0.0, mail_use=1.0, certificate=1.0)})
    caps = AdoptionModel(no_dms, seed=1).capabilities(agency, date(2019, 1, 2), 0.3)
    assert (caps.axis, caps.mail, caps.certificate) == (False, True, True)


def test_mail_use_is_the_documents_own_draw_below_the_share() -> None:
    registry = load_registry()
    agency = registry.get("000.00.00.H38")
    half = AdoptionModel(
        Adoption({agency.tier: _schedule(axis=0, dms=0, mail_use=0.5, certificate=0)}), seed=7
    )
    uses = [half.uses_mail(agency, date(2019, 1, 2), n / 400) for n in range(400)]
    assert uses == [n < 200 for n in range(400)]


def test_weights_pick_by_inversion_in_the_order_of_their_keys_text() -> None:
    u = np.array([0.0, 0.2499, 0.25, 0.9999])
    assert by_weight({"b": 3.0, "a": 1.0}, u).tolist() == [0, 0, 1, 1]  # "a" covers [0, 0.25)
    assert by_weight({10: 1.0, 9: 1.0}, np.array([0.1, 0.6])).tolist() == [0, 1]  # "10" < "9" as text


def test_counts_types_and_several_recipients_follow_the_workload() -> None:
    registry = load_registry()
    participants = tuple(registry.active_on(date(2019, 1, 2)))
    workload = Workload(
        documents_per_day={tier: 3.0 for tier in Tier},
        types={"CV": 1.0, "BC": 3.0},
        recipients={RecipientKind.SEVERAL: 1.0},
        several=(2, 4),
    )
    planner = WorkloadPlanner(workload, load_calendar(), 5, participants)
    days = [
        d
        for d in (date(2019, 3, 1) + timedelta(days=k) for k in range(60))
        if planner.calendar.is_working_day(d)
    ]
    plans = [p for d in days for a in participants[:10] for p in planner.plan_day(a, d)]
    assert abs(len(plans) / (len(days) * 10) - 3.0) < 0.25  # Poisson mean 3 a day
    assert 0.70 < sum(p.type_code == "BC" for p in plans) / len(plans) < 0.80
    sizes = [len(p.recipients) for p in plans]
    assert set(sizes) == {2, 3, 4} and all(len(set(p.recipients)) == len(p.recipients) for p in plans)
    assert all(
        list(p.recipients) == sorted(p.recipients, key=[a.id for a in participants].index) for p in plans
    )
    assert all(len(p.deliveries) == len(p.recipients) for p in plans)


@pytest.fixture(scope="module")
def planner() -> WorkloadPlanner:
    scenario = load_scenario(SIMULATIONS / "decision-28-rollout.toml")
    registry = load_registry(scenario.registry, include_level2=scenario.include_level2)
    return WorkloadPlanner(
        scenario.workload,
        load_calendar(),
        scenario.seed,
        scenario.select_participants(registry),
        ("000.00.00.G22",),
    )


def test_the_same_seed_gives_the_same_plans_and_adding_agencies_changes_nobody_elses(
    planner: WorkloadPlanner,
) -> None:
    day = date(2019, 3, 12)
    agency = planner.participants[0]
    again = WorkloadPlanner(
        planner.workload, planner.calendar, planner.seed, planner.participants, planner.government
    )
    assert planner.plan_day(agency, day) == again.plan_day(agency, day)
    fewer = WorkloadPlanner(
        planner.workload, planner.calendar, planner.seed, planner.participants[:5], planner.government
    )
    assert [p.key for p in fewer.plan_day(agency, day)] == [p.key for p in planner.plan_day(agency, day)]


def test_documents_are_signed_on_working_days_in_office_hours(planner: WorkloadPlanner) -> None:
    plans = list(planner.plan_period(date(2019, 4, 26), date(2019, 5, 3)))  # 30/4 and 1/5 are holidays
    assert plans
    for plan in plans:
        assert planner.calendar.is_working_day(plan.signed_at.date())
        assert planner.calendar.is_office_time(plan.signed_at)
        assert plan.sender not in plan.recipients and plan.recipients
    assert {p.signed_at.date() for p in plans}.isdisjoint(
        {date(2019, 4, 30), date(2019, 5, 1), date(2019, 4, 27)}
    )
    assert plans == sorted(plans, key=lambda p: (p.signed_at, p.sender, p.key))


def test_secret_urgent_and_all_provinces_follow_the_workload() -> None:
    registry = load_registry()
    participants = tuple(registry.active_on(date(2019, 1, 2)))
    workload = Workload(
        documents_per_day={tier: 5.0 for tier in Tier},
        types={"CV": 1.0},
        recipients={RecipientKind.ALL_PROVINCES: 1.0},
        share_secret=0.2,
        urgency={Priority.HOA_TOC: 0.1},
    )
    planner = WorkloadPlanner(workload, load_calendar(), 3, participants)
    plans = [p for a in participants[:20] for p in planner.plan_day(a, date(2019, 1, 2))]
    secret = sum(p.secrecy is Secrecy.MAT for p in plans) / len(plans)
    urgent = sum(p.priority is Priority.HOA_TOC for p in plans) / len(plans)
    assert 0.1 < secret < 0.3 and 0.03 < urgent < 0.2
    provinces = {a.id for a in participants if a.tier is not Tier.MINISTRY}
    assert all(set(p.recipients) == provinces - {p.sender} for p in plans)
