"""The report as tables: one CSV file each, and the same tables in ``report.html``.

A :class:`Table` holds raw values (ints, floats as in ``report.json``, strings, booleans, None);
each :class:`Column` says what kind of value it holds so that the CSV writer and the HTML page
format it their own way. CSV files are UTF-8 without BOM, comma-separated, ``\\n`` line ends,
headers in snake_case; None is an empty cell, a target result is ``met`` or ``missed``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from docexchange.report.codec import round_value
from docexchange.report.labels import (
    CHANNEL_LABELS,
    MEASURE_LABELS,
    PAPER_REASON_LABELS,
    RULE_LABELS,
    TIER_LABELS,
    label,
)
from docexchange.report.schema import Report, ShareRow, Shares, TargetUnit

Cell = str | int | float | bool | None


class Kind(StrEnum):
    """How a column's values read."""

    TEXT = "text"
    INT = "int"
    SHARE = "share"  # fraction 0–1; the page shows a percentage
    PP = "pp"  # percentage points, signed
    HOURS = "hours"  # working hours
    NUMBER = "number"  # any other float
    FLAG = "flag"  # yes / no
    MET = "met"  # a target result: True met, False missed, None no target
    MEASURE = "measure"  # a Measure value: the page shows its Vietnamese name
    DAYS = "days"  # working days
    DAYS_GAP = "days-gap"  # working days under a maximum, signed


@dataclass(frozen=True)
class Column:
    name: str  # CSV header
    label: str  # header on the page (Vietnamese, with the English name where it helps)
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Table:
    name: str  # file stem: ``{name}.csv``
    title: str  # heading on the page
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _c(name: str, label: str, kind: Kind = Kind.TEXT) -> Column:
    return Column(name, label, kind)


# --------------------------------------------------------------------------------------------
# Tables

SHARE_COLUMNS = (
    _c("deliveries", "Lượt gửi (deliveries)", Kind.INT),
    _c("legal", "Điện tử có giá trị pháp lý (legal)", Kind.INT),
    _c("info_only", "Điện tử chỉ để tham khảo (info only)", Kind.INT),
    _c("paper", "Giấy (paper)", Kind.INT),
    _c("legal_share", "Tỷ lệ có giá trị pháp lý", Kind.SHARE),
    _c("info_only_share", "Tỷ lệ chỉ để tham khảo", Kind.SHARE),
    _c("electronic_share", "Tỷ lệ điện tử", Kind.SHARE),
    _c("paper_share", "Tỷ lệ giấy", Kind.SHARE),
    _c("measure", "Chỉ tiêu tính trên (measure)", Kind.MEASURE),
    _c(
        "target",
        "Chỉ tiêu, để tham chiếu (target, for reference: judged per document in targets)",
        Kind.SHARE,
    ),
)

DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    # (dimension, title, header of the key column)
    ("overall", "Toàn bộ (overall)", "Phạm vi"),
    ("year", "Theo năm (by year)", "Năm (year)"),
    ("quarter", "Theo quý (by quarter)", "Quý (quarter)"),
    ("tier", "Theo nhóm cơ quan (by tier)", "Nhóm cơ quan (tier)"),
    ("document_type", "Theo loại văn bản (by document type)", "Loại văn bản (type)"),
    ("channel", "Theo kênh gửi (by channel)", "Kênh (channel)"),
    ("tier_quarter", "Theo nhóm cơ quan và quý (by tier and quarter)", "Quý (quarter)"),
)


def _share_cells(row: ShareRow) -> tuple[Cell, ...]:
    return (
        row.deliveries,
        row.legal,
        row.info_only,
        row.paper,
        row.legal_share,
        row.info_only_share,
        row.electronic_share,
        row.paper_share,
        None if row.measure is None else row.measure.value,
        row.target,
    )


def share_rows(shares: Shares, dimension: str) -> tuple[tuple[str, ShareRow], ...]:
    """``(tier, row)`` pairs of one dimension (tier is empty except for ``tier_quarter``)."""
    if dimension == "overall":
        return (("", shares.overall),)
    if dimension == "tier_quarter":
        return tuple((series.tier, row) for series in shares.by_tier_quarter for row in series.quarters)
    rows: tuple[ShareRow, ...] = getattr(shares, f"by_{dimension}")
    return tuple(("", row) for row in rows)


def key_label(dimension: str, key: str) -> str:
    """The slice's name for people: tier and channel names in Vietnamese, others as they are."""
    if dimension == "tier":
        return label(TIER_LABELS, key)
    if dimension == "channel":
        return label(CHANNEL_LABELS, key)
    return key


def shares_table(report: Report) -> Table:
    """Every slicing of the shares in one long table (``dimension`` says which)."""
    columns = (_c("dimension", "Chiều (dimension)"), _c("tier", "Nhóm (tier)"), _c("key", "Khóa (key)"))
    rows = tuple(
        (dimension, tier, row.key, *_share_cells(row))
        for dimension, _title, _header in DIMENSIONS
        for tier, row in share_rows(report.shares, dimension)
    )
    return Table("shares", "Tỷ lệ văn bản điện tử (shares)", columns + SHARE_COLUMNS, rows)


def shares_table_of(report: Report, dimension: str, title: str, header: str) -> Table:
    """One slicing of the shares, keys named for people (for the page)."""
    first: tuple[Column, ...] = (_c("tier", "Nhóm cơ quan (tier)"),) if dimension == "tier_quarter" else ()
    first += (_c("key", header),)
    rows = tuple(
        ((label(TIER_LABELS, tier),) if dimension == "tier_quarter" else ())
        + (key_label(dimension, row.key), *_share_cells(row))
        for tier, row in share_rows(report.shares, dimension)
    )
    return Table(f"shares_{dimension}", title, first + SHARE_COLUMNS, rows)


def totals_table(report: Report) -> Table:
    t, x = report.totals, report.exchange
    rows: tuple[tuple[Cell, ...], ...] = (
        ("documents", "Văn bản (documents)", t.documents),
        ("deliveries", "Lượt gửi theo nơi nhận (per-recipient deliveries)", t.deliveries),
        ("paper_copies", "Văn bản điện tử kèm bản giấy (paper copies)", t.paper_copies),
        ("retries", "Gửi lại (retries)", x.retries),
        (
            "fallbacks",
            "Chuyển sang giấy sau khi gửi lại thất bại (fallbacks)",
            report.reconciliation.fallen_back,
        ),
        ("duplicates", "Bản trùng phát hiện (duplicates detected)", x.duplicates),
        ("refusals", "Từ chối tiếp nhận (refusals, status 02)", x.refused),
    )
    columns = (_c("name", "Tên (name)"), _c("label", "Nội dung"), _c("value", "Giá trị (value)", Kind.INT))
    return Table("totals", "Tổng số (totals)", columns, rows)


def paper_reasons_table(report: Report) -> Table:
    reasons = report.paper_reasons
    total = reasons.total
    rows = tuple(
        (name, label(PAPER_REASON_LABELS, name), count, None if total == 0 else round_value(count / total))
        for name, count in (
            ("secret", reasons.secret),
            ("no_capability", reasons.no_capability),
            ("fallback_after_retries", reasons.fallback_after_retries),
            ("refused_resent", reasons.refused_resent),
            ("no_receipt_followed_up", reasons.no_receipt_followed_up),
        )
    )
    columns = (
        _c("reason", "Mã (reason)"),
        _c("label", "Lý do gửi giấy"),
        _c("count", "Lượt gửi (deliveries)", Kind.INT),
        _c("share_of_paper", "Tỷ lệ trong số gửi giấy", Kind.SHARE),
    )
    return Table("paper_reasons", "Lý do gửi bằng giấy (paper reasons)", columns, rows)


def targets_table(report: Report, unit: TargetUnit | None = None) -> Table:
    """Every target (the CSV file), or those of one unit (the page: shares of documents, then days)."""
    days = unit is TargetUnit.DELIVERY
    value = Kind.DAYS if days else Kind.SHARE
    columns = (
        _c("name", "Chỉ tiêu (target)"),
        _c("measure", "Tính trên (measure)", Kind.MEASURE),
        _c("unit", "Đơn vị (unit)"),
        _c("rule", "Văn bản được tính khi (counts when)"),
        _c("scope", "Phạm vi (scope)"),
        _c("deadline", "Thời hạn (deadline)"),
        _c("target", "Mục tiêu", value),
        _c("measured", "Đạt được (measured)", value),
        _c("documents", "Văn bản (documents)", Kind.INT),
        _c("deliveries", "Lượt gửi (deliveries)", Kind.INT),
        _c("per_delivery", "Tính theo lượt gửi (per delivery)", Kind.SHARE),
        _c("met", "Kết quả (result)", Kind.MET),
        _c(
            "gap_pp",
            "Chênh lệch (gap)" if days else "Chênh lệch (gap, pp)",
            Kind.DAYS_GAP if days else Kind.PP,
        ),
        _c("source", "Căn cứ (source)"),
    )
    rows = tuple(
        (
            t.name,
            t.measure.value,
            t.unit.value,
            t.rule,
            t.scope,
            t.deadline.isoformat(),
            t.target,
            t.measured,
            t.documents,
            t.deliveries,
            t.per_delivery,
            t.met,
            t.gap_pp,
            t.source,
        )
        for t in report.targets
        if unit is None or t.unit is unit
    )
    name = "targets_days" if days else "targets"
    return Table(name, "Chỉ tiêu của Chính phủ (targets)", columns, rows)


def inputs_table(report: Report) -> Table:
    columns = (
        _c("name", "Mức triển khai (adoption level)"),
        _c("measure", "Tính trên (measure)", Kind.MEASURE),
        _c("scope", "Phạm vi (scope)"),
        _c("on", "Ngày (on)"),
        _c("plan", "Kế hoạch (plan)", Kind.SHARE),
        _c("scenario", "Kịch bản đặt (scenario input)", Kind.SHARE),
        _c("agencies", "Cơ quan (agencies)", Kind.INT),
        _c("source", "Căn cứ (source)"),
    )
    rows = tuple(
        (i.name, i.measure.value, i.scope, i.on.isoformat(), i.plan, i.scenario, i.agencies, i.source)
        for i in report.inputs
    )
    return Table(
        "inputs", "Mức triển khai: đầu vào của kịch bản, không phải kết quả (adoption inputs)", columns, rows
    )


def calibration_table(report: Report) -> Table:
    columns = (
        _c("name", "Số liệu (figure)"),
        _c("published", "Công bố (published)", Kind.NUMBER),
        _c("measured", "Mô phỏng (measured)", Kind.NUMBER),
        _c("unit", "Đơn vị (unit)"),
        _c("deviation", "Sai lệch tương đối (deviation)", Kind.SHARE),
        _c("role", "Vai trò (fitted: đã dùng để chọn đầu vào, không phải bằng chứng; held-out: kiểm chứng)"),
        _c("source", "Nguồn (source)"),
    )
    rows = tuple(
        (c.name, c.published, c.measured, c.unit, c.deviation, c.role, c.source) for c in report.calibration
    )
    return Table("calibration", "Đối chiếu với số liệu công bố (calibration)", columns, rows)


_INTERVAL_LABELS = {
    "to_01_arrived": "Ký → 01 đã đến (arrived)",
    "to_03_accepted": "Ký → 03 đã tiếp nhận (accepted)",
    "to_06_completed": "Ký → 06 hoàn thành (completed)",
}


def timing_table(report: Report) -> Table:
    columns = (
        _c("interval", "Khoảng (interval)"),
        _c("status", "Trạng thái (status)"),
        _c("count", "Lượt (count)", Kind.INT),
        _c("mean", "Trung bình (mean)", Kind.HOURS),
        _c("p50", "p50", Kind.HOURS),
        _c("p90", "p90", Kind.HOURS),
        _c("p99", "p99", Kind.HOURS),
        _c("max", "Lớn nhất (max)", Kind.HOURS),
    )
    rows = tuple(
        (_INTERVAL_LABELS[name], code, lat.count, lat.mean, lat.p50, lat.p90, lat.p99, lat.max)
        for name, code, lat in report.timing.latencies()
    ) + tuple(
        (f"Ký → tiếp nhận, mọi lượt gửi: {c.channel} (signed → accepted, every delivery)", "03/giấy",
         c.latency.count, c.latency.mean, c.latency.p50, c.latency.p90, c.latency.p99, c.latency.max)
        for c in report.timing.acceptance_by_channel
    )  # fmt: skip
    return Table("timing", "Thời gian tính bằng giờ làm việc (timing, working hours)", columns, rows)


def latency_histogram_table(report: Report) -> Table:
    timing = report.timing
    edges = timing.bin_edges
    latencies = timing.latencies()
    columns = (
        _c("bin_start", "Từ (giờ)", Kind.HOURS),
        _c("bin_end", "Đến (giờ)", Kind.HOURS),
        *(_c(name, _INTERVAL_LABELS[name], Kind.INT) for name, _code, _lat in latencies),
    )
    last = len(edges) - 2
    rows = tuple(
        (edges[i], None if i == last else edges[i + 1], *(lat.histogram[i] for _n, _c_, lat in latencies))
        for i in range(len(edges) - 1)
    )
    return Table("latency_histogram", "Phân bố thời gian (latency histogram)", columns, rows)


def deadlines_table(report: Report) -> Table:
    columns = (
        _c("rule", "Quy định (rule)"),
        _c("label", "Nội dung"),
        _c("eligible", "Áp dụng (eligible)", Kind.INT),
        _c("compliant", "Đúng hạn (compliant)", Kind.INT),
        _c("share", "Tỷ lệ đúng hạn", Kind.SHARE),
    )
    rows = tuple(
        (rule, label(RULE_LABELS, rule), c.eligible, c.compliant, c.share)
        for rule in report.deadlines.RULES
        for c in (getattr(report.deadlines, rule),)
    )
    return Table("deadlines", "Tuân thủ thời hạn (deadline compliance)", columns, rows)


def refusals_table(report: Report) -> Table:
    columns = (_c("reason_code", "Mã lý do (reason code)"), _c("count", "Số lần (count)", Kind.INT))
    rows = tuple((c.key, c.count) for c in report.exchange.refusals)
    return Table("refusals", "Từ chối tiếp nhận theo mã lý do (refusals)", columns, rows)


def reconciliation_table(report: Report) -> Table:
    r = report.reconciliation
    columns = (
        _c("sent", "Đã gửi (sent)", Kind.INT),
        _c("delivered", "Đã nhận (delivered)", Kind.INT),
        _c("refused", "Bị từ chối (refused)", Kind.INT),
        _c("fallen_back", "Chuyển sang giấy (fallen back)", Kind.INT),
        _c("lost", "Thất lạc (lost)", Kind.INT),
        _c("reconciles", "Khớp (reconciles)", Kind.FLAG),
    )
    rows = ((r.sent, r.delivered, r.refused, r.fallen_back, r.lost, r.reconciles),)
    return Table(
        "reconciliation", "Đối soát: gửi = nhận + từ chối + chuyển giấy (reconciliation)", columns, rows
    )


def faults_table(report: Report) -> Table:
    columns = (
        _c("kind", "Loại sự cố (kind)"),
        _c("scope", "Phạm vi (scope)"),
        _c("start", "Bắt đầu (start)"),
        _c("end", "Kết thúc (end)"),
        _c("affected", "Lượt bị ảnh hưởng (affected)", Kind.INT),
        _c("retries", "Gửi lại (retries)", Kind.INT),
        _c("fallbacks", "Chuyển giấy (fallbacks)", Kind.INT),
        _c("refusals", "Từ chối (refusals)", Kind.INT),
        _c("delay_hours", "Chậm thêm (delay, giờ)", Kind.HOURS),
    )
    rows = tuple(
        (
            f.kind,
            f.scope,
            f.start.isoformat(),
            f.end.isoformat(),
            f.affected,
            f.retries,
            f.fallbacks,
            f.refusals,
            f.delay_hours,
        )
        for f in report.faults
    )
    return Table("faults", "Sự cố (faults)", columns, rows)


def csv_tables(report: Report) -> tuple[Table, ...]:
    """The tables written as CSV files, in a fixed order."""
    return (
        totals_table(report),
        shares_table(report),
        paper_reasons_table(report),
        targets_table(report),
        inputs_table(report),
        calibration_table(report),
        timing_table(report),
        latency_histogram_table(report),
        deadlines_table(report),
        refusals_table(report),
        reconciliation_table(report),
        faults_table(report),
    )


# --------------------------------------------------------------------------------------------
# Formatting for people (the page and the terminal)

_NONE = "—"


def _number(value: float) -> str:
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f")


def format_cell(value: Cell, kind: Kind) -> str:
    """A value as the page shows it (plain text, not yet escaped)."""
    if kind is Kind.MET:
        return _NONE if value is None else ("Đạt (met)" if value else "Không đạt (missed)")
    if value is None:
        return _NONE
    if kind is Kind.FLAG:
        return "có (yes)" if value else "không (no)"
    if kind is Kind.MEASURE and isinstance(value, str):
        return label(MEASURE_LABELS, value)
    if isinstance(value, bool | str):
        return str(value)
    if kind is Kind.SHARE:
        return f"{value * 100:.2f} %"
    if kind is Kind.PP:
        return f"{value:+.2f} pp"
    if kind is Kind.DAYS:
        return f"{value:.2f} ngày (days)"
    if kind is Kind.DAYS_GAP:
        return f"{value:+.2f} ngày (days)"
    if kind is Kind.INT:
        return f"{value:,}".replace(",", "\u202f")
    if kind is Kind.HOURS:
        return f"{value:.2f}"
    return _number(value)


# --------------------------------------------------------------------------------------------
# CSV


def csv_cell(value: Cell, kind: Kind) -> str:
    if value is None:
        return ""
    if kind is Kind.MET:
        return "met" if value else "missed"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)  # floats are already rounded: repr is the shortest exact form


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return buffer.getvalue()
