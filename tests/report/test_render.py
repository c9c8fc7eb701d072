"""render(): every file of a run folder, byte-identical for the same report; the page and the tables."""

from __future__ import annotations

import csv
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from docexchange.report import Report, Shares, Timing, latency_from_samples, render, share_row
from docexchange.report.charts import charts
from tests.report.conftest import FILES
from tests.report.factories import sample_report


@pytest.fixture
def folder(rendered: Path) -> Path:
    return rendered


def read_csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kinds.append(data[at + 4 : at + 8])
        at += 12 + length
    return kinds


def test_writes_every_file_and_nothing_else(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)


def test_report_json_reads_back_as_the_same_report(folder: Path) -> None:
    text = (folder / "report.json").read_text(encoding="utf-8")
    assert Report.from_json(text) == sample_report()
    assert text == sample_report().to_json()


def test_rendering_again_gives_byte_identical_files(folder: Path, tmp_path: Path) -> None:
    render(sample_report(), tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_png_carries_no_software_or_time_chunk(folder: Path) -> None:
    for name in ("share_vs_target.png", "latency.png"):
        kinds = png_chunks((folder / name).read_bytes())
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
        assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(kinds), name


def test_csv_headers(folder: Path) -> None:
    def header(name: str) -> list[str]:
        return (folder / name).read_text(encoding="utf-8").splitlines()[0].split(",")

    assert header("shares.csv") == [
        "dimension",
        "tier",
        "key",
        "deliveries",
        "legal",
        "info_only",
        "paper",
        "legal_share",
        "info_only_share",
        "electronic_share",
        "paper_share",
        "measure",
        "target",
    ]
    assert header("targets.csv") == [
        "name",
        "measure",
        "unit",
        "rule",
        "scope",
        "deadline",
        "target",
        "measured",
        "documents",
        "deliveries",
        "per_delivery",
        "met",
        "gap_pp",
        "source",
    ]
    assert header("inputs.csv") == [
        "name",
        "measure",
        "scope",
        "on",
        "plan",
        "scenario",
        "agencies",
        "source",
    ]
    assert header("reconciliation.csv") == [
        "sent",
        "delivered",
        "refused",
        "fallen_back",
        "lost",
        "reconciles",
    ]
    assert header("timing.csv") == ["interval", "status", "count", "mean", "p50", "p90", "p99", "max"]
    assert header("refusals.csv") == ["reason_code", "count"]
    assert header("paper_reasons.csv") == ["reason", "label", "count", "share_of_paper"]
    assert header("deadlines.csv") == ["rule", "label", "eligible", "compliant", "share"]
    assert header("faults.csv")[:4] == ["kind", "scope", "start", "end"]
    assert header("latency_histogram.csv") == [
        "bin_start",
        "bin_end",
        "to_01_arrived",
        "to_03_accepted",
        "to_06_completed",
    ]


def test_csv_values(folder: Path) -> None:
    targets = read_csv(folder, "targets.csv")
    assert [(t["unit"], t["rule"], t["met"], t["gap_pp"]) for t in targets] == [
        ("document", "every-recipient", "missed", "-8.75"),
        ("document", "recipient-share 0.5", "missed", "-45.0"),
        ("delivery", "", "met", "0.75"),
    ]
    assert [t["per_delivery"] for t in targets][2] == ""  # a days target has no per-delivery share
    shares = read_csv(folder, "shares.csv")
    assert {r["dimension"] for r in shares} == {
        "overall",
        "year",
        "quarter",
        "tier",
        "document_type",
        "channel",
        "tier_quarter",
    }
    overall = next(r for r in shares if r["dimension"] == "overall")
    assert (overall["deliveries"], overall["legal_share"], overall["target"]) == ("1400", "0.2893", "")
    assert "met" not in overall  # per-delivery rows carry no verdict
    assert read_csv(folder, "reconciliation.csv") == [
        {
            "sent": "627",
            "delivered": "590",
            "refused": "12",
            "fallen_back": "25",
            "lost": "0",
            "reconciles": "true",
        }
    ]
    assert read_csv(folder, "refusals.csv")[0] == {"reason_code": "cert-revoked", "count": "6"}


def test_html_is_self_contained(folder: Path) -> None:
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert html.count('src="data:image/png;base64,') == 2
    lowered = html.lower()
    for external in ("<script", "<link", "http://", "https://", "url(", "@import"):
        assert external not in lowered, external


def test_html_targets_table_says_met_or_missed_and_by_how_much(folder: Path) -> None:
    html = (folder / "report.html").read_text(encoding="utf-8")
    table = html[
        html.index('<table id="targets">') : html.index("</table>", html.index('<table id="targets">'))
    ]
    assert table.count("Đạt (met)") == 0
    assert table.count("Không đạt (missed)") == 2
    assert "-8.75 pp" in table and "-45.00 pp" in table
    assert "every-recipient" in table and "recipient-share 0.5" in table
    days = html[html.index('<table id="targets_days">') :]
    days = days[: days.index("</table>")]
    assert "Đạt (met)" in days and "+0.75 ngày (days)" in days and "1.75 ngày (days)" in days
    assert "KH 2008: 40 % văn bản qua thư điện tử" in table
    assert "Quyết định 28/2018/QĐ-TTg" in table


def test_html_in_vietnamese_with_every_section(folder: Path) -> None:
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html
    for text in (
        "Tỷ lệ văn bản điện tử",
        "Lý do gửi bằng giấy",
        "Thời gian",
        "Tuân thủ thời hạn",
        "Từ chối tiếp nhận theo mã lý do",
        "Đối soát",
        "Sự cố",
        "Đối chiếu với số liệu công bố",
        "Tỉnh miền núi, vùng sâu, vùng xa",
        "Trục liên thông văn bản quốc gia",
        "Số liệu khớp (reconciles)",
    ):
        assert text in html, text


def test_html_says_when_transport_was_in_memory(folder: Path, tmp_path: Path) -> None:
    assert "in-memory transport" in (folder / "report.html").read_text(encoding="utf-8")
    loopback = sample_report(run=replace(sample_report().run, transport="loopback"))
    from docexchange.report.html import render_html

    assert "in-memory transport" not in render_html(loopback, pngs=())


def test_html_raises_the_alarm_when_counts_do_not_reconcile() -> None:
    from docexchange.report.html import render_html

    report = sample_report()
    lost = replace(report, reconciliation=replace(report.reconciliation, lost=2))
    html = render_html(lost, pngs=())
    assert "KHÔNG khớp (does not reconcile)" in html


def test_charts_of_an_empty_run_still_render() -> None:
    edges = (0.0, 8.0)
    empty = latency_from_samples([], edges)
    report = replace(
        sample_report(),
        totals=replace(sample_report().totals, documents=0, deliveries=0, paper_copies=0),
        shares=Shares(share_row("all", 0, 0, 0)),
        paper_reasons=replace(
            sample_report().paper_reasons,
            secret=0,
            no_capability=0,
            fallback_after_retries=0,
            refused_resent=0,
            no_receipt_followed_up=0,
        ),
        timing=Timing(edges, empty, empty, empty),
        targets=(),
        faults=(),
    )
    pngs = dict(charts(report))
    assert set(pngs) == {"share_vs_target.png", "latency.png"}
    assert all(p.startswith(b"\x89PNG") for p in pngs.values())
