"""A sample report built the way a run would: tier × quarter counts first, every other slicing summed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from docexchange.report import (
    AdoptionInput,
    Calibration,
    ChannelLatency,
    Compliance,
    Deadlines,
    Exchange,
    Fault,
    Measure,
    PaperReasons,
    Reconciliation,
    Report,
    RunInfo,
    ShareRow,
    Shares,
    Target,
    TargetUnit,
    TierSeries,
    Timing,
    Totals,
    counts,
    latency_from_samples,
    share_row,
)

VN = timezone(timedelta(hours=7))
QUARTERS = ("2008-Q1", "2008-Q2", "2008-Q3", "2008-Q4")
BIN_EDGES = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 40.0)

# (legal, info_only, paper) per tier and quarter: shares grow through the year
COUNTS: Mapping[str, tuple[tuple[int, int, int], ...]] = {
    "ministry": ((30, 20, 50), (40, 20, 40), (50, 15, 35), (60, 10, 30)),
    "central-city": ((20, 15, 65), (30, 15, 55), (40, 15, 45), (45, 15, 40)),
    "province": ((10, 10, 80), (15, 10, 75), (20, 12, 68), (25, 12, 63)),
    "mountainous-remote": ((2, 3, 45), (4, 4, 42), (6, 4, 40), (8, 5, 37)),
}
# Electronic share the 2008 plan expects by the end of the year, per tier (a stepped target)
TIER_TARGET = {"ministry": 0.5, "central-city": 0.5, "province": 0.3, "mountainous-remote": 0.1}


def _sum(key: str, rows: list[ShareRow], **target: Any) -> ShareRow:
    return share_row(
        key,
        sum(r.legal for r in rows),
        sum(r.info_only for r in rows),
        sum(r.paper for r in rows),
        **target,
    )


def _split(key_parts: Mapping[str, float], total: ShareRow) -> tuple[ShareRow, ...]:
    """Split ``total`` over keys by weight, the last key taking the remainder."""
    rows, left = [], [total.legal, total.info_only, total.paper]
    keys = list(key_parts)
    for key in keys[:-1]:
        part = [int(n * key_parts[key]) for n in (total.legal, total.info_only, total.paper)]
        left = [a - b for a, b in zip(left, part, strict=True)]
        rows.append(share_row(key, *part))
    rows.append(share_row(keys[-1], *left))
    return tuple(rows)


def sample_shares() -> Shares:
    series = []
    for tier, quarters in COUNTS.items():
        rows = []
        for i, (quarter, (legal, info, paper)) in enumerate(zip(QUARTERS, quarters, strict=True)):
            # the target steps up in Q4 (end of 2008); none before
            target = {"target": TIER_TARGET[tier], "measure": Measure.ELECTRONIC} if i == 3 else {}
            rows.append(share_row(quarter, legal, info, paper, **target))
        series.append(TierSeries(tier, tuple(rows)))
    all_rows = [r for s in series for r in s.quarters]
    overall = _sum("all", all_rows)
    by_quarter = tuple(
        _sum(
            q,
            [r for r in all_rows if r.key == q],
            **({"target": 0.4, "measure": Measure.ELECTRONIC} if q.endswith("Q4") else {}),
        )
        for q in QUARTERS
    )
    by_tier = tuple(
        _sum(s.tier, list(s.quarters), target=TIER_TARGET[s.tier], measure=Measure.ELECTRONIC) for s in series
    )
    by_type = _split({"BC": 0.4, "GM": 0.3, "QĐ": 0.1, "CV": 0.2}, overall)
    electronic = share_row("e", overall.legal, overall.info_only, 0)
    axis, mail = _split({"axis": 0.25, "mail": 0.75}, electronic)
    by_channel = (axis, mail, share_row("paper", 0, 0, overall.paper))
    return Shares(
        overall=overall,
        by_year=(_sum("2008", all_rows, target=0.4, measure=Measure.ELECTRONIC),),
        by_quarter=by_quarter,
        by_tier=by_tier,
        by_document_type=by_type,
        by_channel=by_channel,
        by_tier_quarter=tuple(series),
    )


def sample_report(**overrides: Any) -> Report:
    shares = sample_shares()
    overall = shares.overall
    secret = 40
    fallback = 25
    refused_resent = 5
    paper_reasons = PaperReasons(
        secret=secret,
        no_capability=overall.paper - secret - fallback - refused_resent,
        fallback_after_retries=fallback,
        refused_resent=refused_resent,
        no_receipt_followed_up=0,
    )
    arrived = [0.02 * (i % 50) for i in range(400)]
    accepted = [0.5 + 0.03 * (i % 200) for i in range(380)]
    completed = [4.0 + 0.1 * (i % 300) for i in range(350)]
    paper_accepted = [20.0 + 0.5 * (i % 40) for i in range(200)]
    electronic = overall.legal + overall.info_only
    targets = (
        Target(
            name="KH 2008: 40 % văn bản qua thư điện tử",
            measure=Measure.ELECTRONIC,
            unit=TargetUnit.DOCUMENT,
            rule="every-recipient",
            scope="Chính phủ ↔ bộ, ngành, tỉnh: báo cáo, giấy mời, lịch công tác",
            deadline=date(2008, 12, 31),
            target=0.4,
            measured=0.3125,
            documents=160,
            deliveries=shares.by_quarter[-1].deliveries,
            per_delivery=shares.by_quarter[-1].electronic_share or 0.0,
            source="Thông báo 05/TB-VPCP",
        ),
        Target(
            name="QĐ 28/2018: văn bản không mật gửi điện tử, ký số",
            measure=Measure.LEGAL,
            unit=TargetUnit.DOCUMENT,
            rule="recipient-share 0.5",
            scope="Mọi văn bản không mật giữa các cơ quan hành chính",
            deadline=date(2019, 6, 30),
            target=1.0,
            measured=0.55,
            documents=400,
            deliveries=overall.deliveries,
            per_delivery=overall.legal_share or 0.0,
            source="Quyết định 28/2018/QĐ-TTg",
        ),
        Target(
            name="2012: 2,5 ngày mỗi lần trao đổi",
            measure=Measure.EXCHANGE_DAYS,
            unit=TargetUnit.DELIVERY,
            rule="",
            scope="mọi lượt gửi",
            deadline=date(2012, 12, 31),
            target=2.5,
            measured=1.75,
            documents=0,
            deliveries=overall.deliveries,
            per_delivery=None,
            source="DOMAIN.md §1",
        ),
    )
    inputs = (
        AdoptionInput(
            name="KH 2008: tỉnh miền núi, vùng sâu, vùng xa 10 % cán bộ dùng thư điện tử",
            measure=Measure.MAIL_USE,
            scope="Tỉnh miền núi, vùng sâu, vùng xa",
            on=date(2008, 12, 31),
            plan=0.1,
            scenario=0.1,
            agencies=12,
            source="Thông báo 05/TB-VPCP",
        ),
    )
    report = Report(
        run=RunInfo(
            scenario="plan-2008",
            description="Kế hoạch CNTT 2008: Chính phủ, bộ, ngành và tỉnh",
            seed=2008,
            period_start=date(2008, 1, 1),
            period_end=date(2008, 12, 31),
            transport="memory",
            generated_by="docexchange 0.1.0",
        ),
        totals=Totals(documents=900, deliveries=overall.deliveries, paper_copies=37),
        shares=shares,
        paper_reasons=paper_reasons,
        targets=targets,
        inputs=inputs,
        calibration=(
            Calibration(
                "2012: văn bản điện tử hoàn toàn, bộ ngành", 0.3, 0.2875, "share", "DOMAIN.md §1", "fitted"
            ),
            Calibration("2012: thời gian mỗi lần trao đổi", 2.5, 1.75, "days", "DOMAIN.md §1", "held-out"),
        ),
        timing=Timing(
            bin_edges=BIN_EDGES,
            to_01_arrived=latency_from_samples(arrived, BIN_EDGES),
            to_03_accepted=latency_from_samples(accepted, BIN_EDGES),
            to_06_completed=latency_from_samples(completed, BIN_EDGES),
            acceptance_by_channel=(
                ChannelLatency("mail", latency_from_samples(accepted, BIN_EDGES)),
                ChannelLatency("paper", latency_from_samples(paper_accepted, BIN_EDGES)),
                ChannelLatency("all", latency_from_samples([*accepted, *paper_accepted], BIN_EDGES)),
            ),
        ),
        deadlines=Deadlines(
            sent_on_time=Compliance(eligible=electronic, compliant=electronic - 31),
            receipt_same_day=Compliance(eligible=electronic - 20, compliant=electronic - 90),
            urgent_immediate=Compliance(eligible=48, compliant=45),
        ),
        exchange=Exchange(
            retries=73,
            duplicates=4,
            refusals=counts({"cert-revoked": 6, "digest-mismatch": 2, "mis-sent": 4}),
        ),
        reconciliation=Reconciliation(
            sent=electronic + fallback + 12,
            delivered=electronic,
            refused=12,
            fallen_back=fallback,
            lost=0,
        ),
        faults=(
            Fault(
                kind="axis-outage",
                scope="axis",
                start=datetime(2008, 5, 12, 9, 0, tzinfo=VN),
                end=datetime(2008, 5, 13, 11, 30, tzinfo=VN),
                affected=64,
                retries=58,
                fallbacks=9,
                refusals=0,
                delay_hours=131.25,
            ),
        ),
    )
    return replace(report, **overrides) if overrides else report
