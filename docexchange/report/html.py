"""``report.html``: one self-contained page (tables, charts as base64 PNG, inline CSS; no script, no link).

The page is in Vietnamese with the English term beside it where it helps. It holds no time of
generation, so the same report gives the same bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from docexchange.report.labels import TRANSPORT_LABELS, label
from docexchange.report.schema import FORMAT, Report, TargetUnit
from docexchange.report.spread_tables import failed_table, fan_table, target_spreads_table
from docexchange.report.tables import (
    DIMENSIONS,
    Cell,
    Kind,
    Table,
    calibration_table,
    deadlines_table,
    faults_table,
    format_cell,
    inputs_table,
    latency_histogram_table,
    paper_reasons_table,
    reconciliation_table,
    refusals_table,
    shares_table_of,
    targets_table,
    timing_table,
    totals_table,
)

PAGE_CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #c8102e; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.subtitle { color: #555; margin-top: 0; }
.notice { background: #fff4d6; border-left: 4px solid #e0a800; padding: .6rem .9rem; }
.alarm { background: #fde2e2; border-left: 4px solid #c8102e; padding: .6rem .9rem; }
.ok { background: #e3f4e1; border-left: 4px solid #2e7d32; padding: .6rem .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .5rem; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.met { color: #2e7d32; font-weight: bold; }
td.missed { color: #c8102e; font-weight: bold; }
.kpi { display: flex; flex-wrap: wrap; gap: .8rem; }
.kpi div { border: 1px solid #d0d0d0; border-radius: 4px; padding: .5rem .9rem; min-width: 10rem; }
.kpi b { display: block; font-size: 1.4rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e0e0e0; }
figcaption { color: #555; font-size: .85rem; }
footer { margin-top: 3rem; color: #777; font-size: .8rem; }
"""


def _cell_class(value: Cell, kind: Kind) -> str:
    if kind is Kind.MET and value is not None:
        return ' class="met"' if value else ' class="missed"'
    if kind not in (Kind.TEXT, Kind.FLAG, Kind.MET, Kind.MEASURE):
        return ' class="num"'
    return ""


def table_html(table: Table, *, caption: str | None = None, empty: str = "Không có (none).") -> str:
    if not table.rows:
        return f'<p class="empty">{escape(empty)}</p>\n'
    head = "".join(f"<th>{escape(c.label)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = "".join(
            f"<td{_cell_class(v, c.kind)}>{escape(format_cell(v, c.kind))}</td>"
            for v, c in zip(row, table.columns, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    rows = "\n".join(body)
    return f'<table id="{escape(table.name)}">{cap}\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n'


def figure_html(name: str, png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{escape(name)}"><img alt="{escape(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>\n"
    )


def _kpi(report: Report) -> str:
    overall = report.shares.overall
    items = [
        ("Văn bản (documents)", format_cell(report.totals.documents, Kind.INT)),
        ("Lượt gửi (deliveries)", format_cell(overall.deliveries, Kind.INT)),
        ("Có giá trị pháp lý (legal)", format_cell(overall.legal_share, Kind.SHARE)),
        ("Chỉ để tham khảo (info only)", format_cell(overall.info_only_share, Kind.SHARE)),
        ("Giấy (paper)", format_cell(overall.paper_share, Kind.SHARE)),
        ("Thất lạc (lost)", format_cell(report.reconciliation.lost, Kind.INT)),
    ]
    boxes = "".join(f"<div>{escape(name)}<b>{escape(value)}</b></div>" for name, value in items)
    return f'<div class="kpi">{boxes}</div>\n'


def _reconciliation_notice(report: Report) -> str:
    r = report.reconciliation
    equation = f"{r.sent} = {r.delivered} + {r.refused} + {r.fallen_back}; thất lạc (lost) = {r.lost}"
    if r.reconciles:
        return f'<p class="ok">Số liệu khớp (reconciles): gửi = nhận + từ chối + chuyển giấy: {escape(equation)}.</p>\n'
    return f'<p class="alarm">Số liệu KHÔNG khớp (does not reconcile): {escape(equation)}.</p>\n'


def _run_table(report: Report) -> str:
    run = report.run
    rows = [
        ("Kịch bản (scenario)", run.scenario),
        ("Mô tả (description)", run.description),
        ("Hạt giống (seed)", str(run.seed)),
        ("Thời kỳ (period)", f"{run.period_start.isoformat()} → {run.period_end.isoformat()}"),
        ("Truyền tải (transport)", f"{run.transport} — {label(TRANSPORT_LABELS, run.transport)}"),
        ("Phần mềm (generated by)", run.generated_by),
    ]
    body = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table id="run">\n<tbody>\n{body}\n</tbody></table>\n'


def _replications_section(report: Report, images: dict[str, bytes]) -> str:
    from docexchange.report.charts import FAN_CHART

    replications = report.replications
    assert replications is not None
    parts = [
        f"<h2>Độ bất định: {replications.count} lần lặp (replications)</h2>\n",
        f"<p>Các bảng khác của trang là lần lặp {replications.shown} (hạt giống {report.run.seed}"
        f"{', của kịch bản' if replications.shown == 0 else '; lần lặp 0 không chạy được'}; the rest of "
        f"this page is replication {replications.shown}). {replications.completed} trong "
        f"{replications.count} lần lặp đã chạy. Khoảng 90 %: {escape(replications.interval)}. "
        f"Hạt giống: {escape(replications.seed_derivation)}.</p>\n",
        table_html(target_spreads_table(replications, shares=True), empty="Không có chỉ tiêu tỷ lệ (none)."),
    ]
    if any(not s.measure.is_share for s in replications.targets):
        parts.append(table_html(target_spreads_table(replications, shares=False)))
    if FAN_CHART in images:
        parts.append(
            figure_html(
                "chart-fan",
                images[FAN_CHART],
                "Tỷ lệ theo quý qua các lần lặp",
                "Trung vị, dải 25–75 % và 5–95 % của tỷ lệ theo quý qua các lần lặp (median and bands).",
            )
        )
    parts.append(table_html(fan_table(replications)))
    if replications.failed:
        parts.append(table_html(failed_table(replications)))
    return "".join(parts)


def render_html(report: Report, pngs: Sequence[tuple[str, bytes]] | None = None) -> str:
    """The page for ``report``; ``pngs`` are the charts if already drawn (``charts(report)``)."""
    from docexchange.report.charts import LATENCY_CHART, SHARE_CHART, charts  # matplotlib only when drawing

    images = dict(charts(report) if pngs is None else pngs)
    run = report.run
    title = f"Báo cáo mô phỏng trao đổi văn bản điện tử — {run.scenario}"
    parts: list[str] = [
        "<!DOCTYPE html>\n",
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n",
        f"<h1>{escape(title)}</h1>\n",
        f'<p class="subtitle">{escape(run.description)} · seed {run.seed} · '
        f"{run.period_start.isoformat()} → {run.period_end.isoformat()}</p>\n",
    ]
    if run.transport == "memory":
        parts.append(
            '<p class="notice">Lần chạy này dùng truyền tải trong bộ nhớ (in-memory transport): văn bản không '
            "đi qua HTTPS hay SMTP thật; thời gian là thời gian mô phỏng.</p>\n"
        )
    if run.engine == "plan":
        parts.append(
            '<p class="notice">Lần chạy này dùng plan engine: cùng khối lượng văn bản, mức triển khai, định '
            "tuyến và độ trễ như khi chạy giao thức, nhưng không văn bản nào được tạo, ký hay gửi; tỷ lệ "
            "giống hệt, thời gian là ước tính (plan engine: same draws, no messages).</p>\n"
        )
    parts += ["<h2>Tóm tắt (summary)</h2>\n", _kpi(report), _reconciliation_notice(report)]

    parts.append("<h2>Chỉ tiêu của Chính phủ (targets)</h2>\n")
    parts.append(
        "<p>Chỉ tiêu tính trên <b>văn bản</b> (một văn bản gửi nhiều nơi là một văn bản), theo quy tắc "
        "ở cột “văn bản được tính khi”; tỷ lệ tính theo lượt gửi ghi bên cạnh (targets count documents; "
        "the per-delivery share is shown beside).</p>\n"
    )
    parts.append(
        table_html(
            targets_table(report, TargetUnit.DOCUMENT), empty="Kịch bản không đặt chỉ tiêu nào (no targets)."
        )
    )
    if any(t.unit is TargetUnit.DELIVERY for t in report.targets):
        parts.append("<p>Chỉ tiêu thời gian, tính trên từng lượt gửi (time targets, per delivery):</p>\n")
        parts.append(table_html(targets_table(report, TargetUnit.DELIVERY)))
    if report.replications is not None:
        parts.append(_replications_section(report, images))
    if report.inputs:
        parts.append("<h2>Mức triển khai đặt trong kịch bản (adoption inputs)</h2>\n")
        parts.append(
            "<p>Đây là <b>đầu vào</b> của kịch bản bên cạnh con số của kế hoạch, không phải kết quả đo "
            "được: không có đánh giá đạt hay không đạt (inputs, never results).</p>\n"
        )
        parts.append(table_html(inputs_table(report)))

    parts.append("<h2>Tỷ lệ văn bản điện tử (shares)</h2>\n")
    parts.append(
        "<p>Một lượt gửi là một văn bản tới một nơi nhận. <b>Có giá trị pháp lý</b>: điện tử, đã ký số và "
        "kiểm tra chữ ký; <b>chỉ để tham khảo</b>: điện tử không ký số, vẫn gửi bản giấy; <b>giấy</b>: chỉ "
        "gửi bản giấy. Chênh lệch (gap) tính bằng điểm phần trăm (pp).</p>\n"
    )
    if SHARE_CHART in images:
        parts.append(
            figure_html(
                "chart-share",
                images[SHARE_CHART],
                "Tỷ lệ điện tử theo quý so với chỉ tiêu",
                "Tỷ lệ theo quý cho từng nhóm cơ quan; nét đứt: chỉ tiêu (share by quarter per tier; dashed: target).",
            )
        )
    for dimension, heading, header in DIMENSIONS:
        table = shares_table_of(report, dimension, heading, header)
        if table.rows:
            parts.append(f"<h3>{escape(heading)}</h3>\n")
            parts.append(table_html(table))

    parts.append("<h2>Lý do gửi bằng giấy (paper reasons)</h2>\n")
    parts.append(table_html(paper_reasons_table(report)))

    parts.append("<h2>Thời gian (timing, working hours)</h2>\n")
    if LATENCY_CHART in images:
        parts.append(
            figure_html(
                "chart-latency",
                images[LATENCY_CHART],
                "Phân bố thời gian từ khi ký đến 01, 03, 06",
                "Thời gian từ khi ký đến khi đến (01), tiếp nhận (03), hoàn thành (06), giờ làm việc mô phỏng.",
            )
        )
    parts.append(table_html(timing_table(report)))
    parts.append("<h3>Phân bố (histogram)</h3>\n")
    parts.append(table_html(latency_histogram_table(report)))

    parts.append("<h2>Tuân thủ thời hạn (deadline compliance)</h2>\n")
    parts.append(table_html(deadlines_table(report)))

    parts.append("<h2>Trao đổi (exchange): tổng số, từ chối, gửi lại, trùng lặp</h2>\n")
    parts.append(table_html(totals_table(report)))
    parts.append("<h3>Từ chối tiếp nhận theo mã lý do (refusals by reason code)</h3>\n")
    parts.append(table_html(refusals_table(report), empty="Không có văn bản bị từ chối (no refusals)."))

    parts.append("<h2>Đối soát (reconciliation)</h2>\n")
    parts.append(_reconciliation_notice(report))
    parts.append(table_html(reconciliation_table(report)))

    parts.append("<h2>Sự cố (faults)</h2>\n")
    parts.append(
        table_html(faults_table(report), empty="Không có sự cố nào được đưa vào (no faults injected).")
    )

    parts.append("<h2>Đối chiếu với số liệu công bố (calibration)</h2>\n")
    if any(c.role == "fitted" for c in report.calibration):
        parts.append(
            "<p>Số liệu <b>fitted</b> đã được dùng để chọn đầu vào của kịch bản: khớp với chúng không "
            "phải là bằng chứng mô hình đúng. Chỉ số liệu <b>held-out</b> (không dùng để chọn gì) mới "
            "kiểm chứng mô hình (a fitted figure is never agreement).</p>\n"
        )
    parts.append(
        table_html(calibration_table(report), empty="Không có số liệu đối chiếu (no published figures).")
    )

    parts.append("<h2>Thông tin lần chạy (run)</h2>\n")
    parts.append(_run_table(report))
    parts.append(f"<footer>{escape(run.generated_by)} · {escape(FORMAT)}</footer>\n</body>\n</html>\n")
    return "".join(parts)
