"""The progress bar stays silent off a terminal; the summary table shows targets and reconciliation."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from docexchange.report import Progress, print_summary
from tests.report.factories import sample_report


def test_progress_writes_nothing_when_not_a_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False)
    with Progress(total=3, console=console) as progress:
        assert not progress.enabled
        assert list(progress.track(["a", "b", "c"])) == ["a", "b", "c"]
        progress.update(completed=3, description="xong")
    assert buffer.getvalue() == ""


def test_progress_draws_on_a_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with Progress(total=4, description="Mô phỏng", console=console) as progress:
        assert progress.enabled
        progress.advance(4)
    assert "Mô phỏng" in buffer.getvalue() and "4/4" in buffer.getvalue()


def test_summary_shows_shares_targets_and_reconciliation() -> None:
    buffer = io.StringIO()
    print_summary(sample_report(), Console(file=buffer, width=160, force_terminal=False))
    text = buffer.getvalue()
    assert "plan-2008" in text and "seed 2008" in text
    assert "28.93 %" in text  # legal share
    assert "Không đạt (missed) -8.75 pp; 160 văn bản (documents)" in text and "every-recipient" in text
    assert "theo lượt gửi (per delivery)" in text
    assert "Đạt (met) +0.75 ngày (days)" in text
    assert "(đầu vào / input)" in text and "không đánh giá" in text
    assert "627 = 590 + 12 + 25; lost 0" in text
    assert "in-memory" in text


def test_summary_flags_a_run_that_does_not_reconcile() -> None:
    report = sample_report()
    report = replace(report, reconciliation=replace(report.reconciliation, lost=1))
    buffer = io.StringIO()
    print_summary(report, Console(file=buffer, width=160))
    assert "KHÔNG KHỚP" in buffer.getvalue()
