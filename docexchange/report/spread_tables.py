"""The spread over replications as tables: ``target_spreads.csv`` and ``share_fan.csv`` beside a
replicated run's other tables, the same on its page, and the spread columns a sweep or a
comparison puts beside its own keys."""

from __future__ import annotations

from docexchange.report.replications import Replications, TargetSpread
from docexchange.report.tables import Cell, Column, Kind, Table


def spread_columns(kind: Kind = Kind.NUMBER) -> tuple[Column, ...]:
    """Mean, sd, the interval and the verdict count; ``kind`` says how mean, low and high read
    (raw fractions in CSV; percentages or days on a page)."""
    sd = {Kind.NUMBER: Kind.NUMBER, Kind.SHARE: Kind.PP, Kind.PP: Kind.PP}.get(kind, Kind.DAYS)
    return (
        Column("mean", "Trung bình (mean)", kind),
        Column("sd", "Độ lệch chuẩn (sd)", sd),
        Column("low", "Phân vị 5 của các lần lặp (low: 5th percentile)", kind),
        Column("high", "Phân vị 95 của các lần lặp (high: 95th percentile)", kind),
        Column("met", "Số lần đạt (met)", Kind.INT),
        Column("replications", "Số lần lặp (replications)", Kind.INT),
        Column("met_share", "Tỷ lệ số lần đạt (share met)", Kind.SHARE),
    )


def spread_cells(spread: TargetSpread, kind: Kind = Kind.NUMBER) -> tuple[Cell, ...]:
    """A spread as the cells of :func:`spread_columns` (a share's sd in points on a page)."""
    sd = spread.sd * 100 if kind is Kind.SHARE else spread.sd
    return (spread.mean, sd, spread.low, spread.high, spread.met, spread.replications, spread.met_share)


def target_spreads_table(replications: Replications, *, shares: bool | None = None) -> Table:
    """Each target over the replications: every target (CSV), or the share or the days targets
    (a page, where they read as percentages or days)."""
    kind = Kind.NUMBER if shares is None else (Kind.SHARE if shares else Kind.DAYS)
    columns = (
        Column("name", "Chỉ tiêu (target)"),
        Column("measure", "Tính trên (measure)", Kind.MEASURE),
        Column("target", "Mục tiêu (target)", kind),
        *spread_columns(kind),
    )
    rows = tuple(
        (s.name, s.measure.value, s.target, *spread_cells(s, kind))
        for s in replications.targets
        if shares is None or s.measure.is_share == shares
    )
    return Table("target_spreads", "Chỉ tiêu qua các lần lặp (targets over replications)", columns, rows)


def fan_table(replications: Replications) -> Table:
    """Each quarter's share over the replications: the percentiles the fan chart draws."""
    columns = (
        Column("quarter", "Quý (quarter)"),
        Column("measure", "Tỷ lệ (measure)", Kind.MEASURE),
        Column("target", "Chỉ tiêu, để tham chiếu (target)", Kind.SHARE),
        Column("replications", "Số lần lặp (replications)", Kind.INT),
        *(Column(f"p{p}", f"Phân vị {p} (p{p})", Kind.SHARE) for p in (5, 25, 50, 75, 95)),
    )
    rows = tuple(
        (f.key, f.measure.value, f.target, f.replications, f.p5, f.p25, f.p50, f.p75, f.p95)
        for f in replications.fan
    )
    return Table(
        "share_fan", "Tỷ lệ theo quý qua các lần lặp (share by quarter over replications)", columns, rows
    )


def failed_table(replications: Replications) -> Table:
    columns = (
        Column("replication", "Lần lặp (replication)", Kind.INT),
        Column("seed", "Hạt giống (seed)"),
        Column("reason", "Lý do (reason)"),
    )
    rows = tuple((f.replication, str(f.seed), f.reason) for f in replications.failed)
    return Table("failed_replications", "Lần lặp không chạy được (failed replications)", columns, rows)
