"""Each fault kind, alone, on the first working day of ``faults.toml`` (Monday 1 July 2019), over the
scenario's real transports: what it costs, with the exact refusal reasons, and that nothing is lost.

Every case is compared with the same day run without the fault, so a difference is the fault's."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.clock import VIETNAM_TZ
from docexchange.metrics import DeliveryResult, Outcome, PaperReason, build_report, collect
from docexchange.report import Report
from docexchange.routing import Channel
from docexchange.sim.runner import run_scenario
from docexchange.sim.scenario import (
    AxisOutage,
    CertificateRevoked,
    CertificateRole,
    ClockSkew,
    DuplicateStorm,
    Fault,
    ForgedDocuments,
    MailOutage,
    Partition,
    ReceiptsLost,
    Scenario,
    SlowLink,
    TamperedDocuments,
    Window,
)
from docexchange.sim.scenario_loader import load_scenario

FAULTS = Path(__file__).resolve().parents[2] / "simulations" / "faults.toml"
DAY = date(2019, 7, 1)
JUSTICE, FINANCE, QUANG_NINH = "000.00.00.G15", "000.00.00.G12", "000.00.00.H49"
HO_CHI_MINH_CITY = "000.00.00.H29"


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2019, 7, 1, hour, minute, tzinfo=VIETNAM_TZ)


WHOLE_DAY = Window(_at(0), _at(0) + timedelta(days=1))


def _scenario(*faults: Fault) -> Scenario:
    return dataclasses.replace(load_scenario(FAULTS), faults=faults)


def _run(scenario: Scenario, workdir: Path) -> tuple[Report, list[DeliveryResult]]:
    async def go() -> tuple[Report, list[DeliveryResult]]:
        result = await run_scenario(scenario, workdir, until=DAY, scale=1.0)
        try:
            results = collect(result)
            return build_report(result, results), results
        finally:
            result.close()

    return asyncio.run(go())


def _outcomes(results: list[DeliveryResult]) -> dict[tuple[str, str], Outcome]:
    return {(r.delivery.plan_key, r.delivery.recipient): r.outcome for r in results}


@pytest.fixture(scope="module")
def calm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, list[DeliveryResult]]:
    """The day without any fault."""
    return _run(_scenario(), tmp_path_factory.mktemp("calm"))


def _sound(report: Report) -> None:
    rec = report.reconciliation
    assert rec.lost == 0 and rec.reconciles


def test_the_calm_day_is_all_electronic_but_secret_documents(
    calm: tuple[Report, list[DeliveryResult]],
) -> None:
    report, results = calm
    _sound(report)
    assert len(results) > 50
    assert report.exchange.refused == 0 and report.exchange.duplicates == 0
    assert {r.paper_reason for r in results if r.outcome is Outcome.PAPER} <= {PaperReason.SECRET}


def test_mail_and_axis_down_together_send_documents_to_paper_after_the_retries(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    report, results = _run(
        _scenario(MailOutage(Window(_at(9), _at(12))), AxisOutage(Window(_at(9), _at(12)))), tmp_path
    )
    _sound(report)
    fallen = [r for r in results if r.paper_reason is PaperReason.FALLBACK]
    assert fallen, "documents sent while both channels were down must fall back to paper"
    assert report.reconciliation.fallen_back == len(fallen)
    mail = next(f for f in report.faults if f.kind == "mail-outage")
    axis = next(f for f in report.faults if f.kind == "axis-outage")
    assert axis.retries > 0 and axis.fallbacks + mail.fallbacks >= len(fallen)
    # sent before 9:00 or after noon, a delivery is as on the calm day
    calm_outcomes = _outcomes(calm[1])
    for r in results:
        if r.delivery.send_at < _at(8, 30) and r.outcome is not Outcome.PAPER:
            assert calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is r.outcome


def test_after_a_revocation_the_agency_cannot_sign_and_its_documents_go_with_paper(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    """Signing checks the certificate first (DOMAIN.md §6): from the revocation of the Minister's
    certificate on, the Ministry of Justice's documents leave unsigned, for information, with the
    paper original."""
    report, results = _run(_scenario(CertificateRevoked(JUSTICE, CertificateRole.PERSON, _at(8))), tmp_path)
    _sound(report)
    after = [r for r in results if r.delivery.sender == JUSTICE and r.delivery.signed_at >= _at(8)]
    assert after, "the Ministry of Justice signs documents after 8:00"
    calm_outcomes = _outcomes(calm[1])
    assert any(calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is Outcome.LEGAL for r in after)
    for r in after:
        assert r.outcome in (Outcome.INFO_ONLY, Outcome.PAPER) and r.delivery.paper_original
        assert r.delivery.reason == "no-certificate" or r.delivery.secret
    cost = next(f for f in report.faults if f.kind == "certificate-revoked")
    signed_calm = {
        r.delivery.plan_key
        for r in after
        if calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is Outcome.LEGAL
    }
    assert cost.scope == JUSTICE and cost.refusals == len(signed_calm)  # one refused signing per document
    # nobody else is touched
    others = [r for r in results if r.delivery.sender != JUSTICE]
    assert all(calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is r.outcome for r in others)


def test_an_agency_whose_organisation_certificate_is_revoked_gets_paper_and_nothing_is_lost(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    """TP Hồ Chí Minh's organisation certificate is revoked at 8:00: the axis refuses its TLS client
    certificate, so what waits there for it cannot be collected; the senders hear nothing, and a
    working day after sending each sends the paper original (``no-receipt``). Its own documents
    leave unsigned with paper, as it cannot seal them."""
    revocation = CertificateRevoked(HO_CHI_MINH_CITY, CertificateRole.ORGANISATION, _at(8))
    report, results = _run(_scenario(revocation), tmp_path)
    _sound(report)
    calm_outcomes = _outcomes(calm[1])
    to_city = [
        r
        for r in results
        if r.delivery.recipient == HO_CHI_MINH_CITY
        and r.delivery.send_at >= _at(8)
        and calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is Outcome.LEGAL
    ]
    assert to_city, "documents are sent to TP Hồ Chí Minh after 8:00"
    for r in to_city:
        assert r.sent_at is not None and r.arrived_at is None  # sent electronically, never collected
        assert r.outcome is Outcome.PAPER and r.paper_reason is PaperReason.NO_RECEIPT
    from_city = [
        r for r in results if r.delivery.sender == HO_CHI_MINH_CITY and r.delivery.signed_at >= _at(8)
    ]
    assert from_city and all(r.delivery.reason == "no-certificate" or r.delivery.secret for r in from_city)
    cost = next(f for f in report.faults if f.kind == "certificate-revoked")
    assert cost.scope == HO_CHI_MINH_CITY and cost.fallbacks >= len(to_city)
    untouched = [r for r in results if HO_CHI_MINH_CITY not in (r.delivery.sender, r.delivery.recipient)]
    assert all(calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is r.outcome for r in untouched)


def test_documents_tampered_in_transit_are_refused_then_the_genuine_bytes_land(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    report, results = _run(_scenario(TamperedDocuments(WHOLE_DAY, count=5)), tmp_path)
    _sound(report)
    refusals = {c.key: c.count for c in report.exchange.refusals}
    assert set(refusals) == {"digest-mismatch"} and refusals["digest-mismatch"] >= 5
    cost = next(f for f in report.faults if f.kind == "tampered")
    assert cost.affected >= 5
    # the sender re-sent its genuine bytes: every delivery ends as on the calm day
    assert _outcomes(results) == _outcomes(calm[1])


def test_lost_receipts_bring_paper_follow_ups_but_change_nothing_that_was_registered(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    report, results = _run(_scenario(ReceiptsLost(WHOLE_DAY, rate=0.5)), tmp_path)
    _sound(report)
    cost = next(f for f in report.faults if f.kind == "receipts-lost")
    assert cost.affected > 0
    # the axis's answers to uploads were lost too: senders timed out and sent the same bytes again,
    # which the axis recognised — no second document, nothing registered twice
    assert cost.retries > 0
    assert report.exchange.duplicates > calm[0].exchange.duplicates == 0
    assert (report.totals.documents, report.totals.deliveries) == (
        calm[0].totals.documents,
        calm[0].totals.deliveries,
    )
    audited = audit(tmp_path)
    assert audited.offenders == [] and audited.registered == calm[0].totals.deliveries
    # some senders heard nothing at all for a working day and sent the paper original; the
    # recipient had registered the signed copy, which keeps its legal value
    assert cost.fallbacks > 0
    assert _outcomes(results) == _outcomes(calm[1])
    # the senders miss some 01s the calm day had: the loss is visible, not hidden
    heard = sum(r.arrived_at is not None for r in results)
    assert heard < sum(r.arrived_at is not None for r in calm[1])


def test_a_duplicate_storm_is_detected_and_registers_nothing_twice(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    report, results = _run(_scenario(DuplicateStorm(WHOLE_DAY, rate=1.0, copies=2, agency=FINANCE)), tmp_path)
    _sound(report)
    cost = next(f for f in report.faults if f.kind == "duplicate-storm")
    # rate 1.0: every document the Ministry of Finance sent electronically within the window (the
    # day; what it signed late goes out the next morning) went out twice more
    stormed = [
        r
        for r in results
        if r.delivery.sender == FINANCE and r.sent_at is not None and WHOLE_DAY.contains(r.sent_at)
    ]
    assert stormed and cost.scope == FINANCE
    assert cost.affected == 2 * len(stormed)  # the copies injected
    # every copy was caught (at the axis or by the recipient) ...
    assert report.exchange.duplicates == 2 * len(stormed)
    # ... and nothing was registered twice or ended differently
    assert _outcomes(results) == _outcomes(calm[1])
    assert report.totals.deliveries == calm[0].totals.deliveries


def test_a_receiver_whose_clock_runs_slow_refuses_documents_signed_in_its_future(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    """Quảng Ninh's clock is 30 minutes slow: documents that reach it less than half an hour after
    signing carry a signing time in its future and are refused (signing-time-invalid), then go on
    paper; nobody else's exchanges change."""
    skew = ClockSkew(QUANG_NINH, timedelta(minutes=-30), WHOLE_DAY)
    report, results = _run(_scenario(skew), tmp_path)
    _sound(report)
    refused = [r for r in results if r.refusal is not None]
    assert refused and {r.refusal for r in refused} == {"signing-time-invalid"}
    assert {r.delivery.recipient for r in refused} == {QUANG_NINH}
    assert all(r.outcome is Outcome.PAPER and r.paper_reason is PaperReason.REFUSED for r in refused)
    calm_outcomes = _outcomes(calm[1])
    others = [r for r in results if r.delivery.recipient != QUANG_NINH]
    assert all(calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is r.outcome for r in others)
    cost = next(f for f in report.faults if f.kind == "clock-skew")
    assert cost.scope == QUANG_NINH and cost.refusals >= len(refused)


def test_a_partition_between_a_province_and_the_axis_moves_its_documents_to_mail(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    """Quảng Ninh cannot reach the axis from 9:00 to 15:00: what it sends is retried, then falls
    back to mail; what waits for it at the axis is collected when the link is back."""
    report, results = _run(_scenario(Partition(QUANG_NINH, Window(_at(9), _at(15)))), tmp_path)
    _sound(report)
    cost = next(f for f in report.faults if f.kind == "partition")
    assert cost.scope == QUANG_NINH and cost.retries > 0
    assert _outcomes(results) == _outcomes(calm[1])  # mail kept every document legal
    calm_channels = {(r.delivery.plan_key, r.delivery.recipient): r.channel for r in calm[1]}
    moved = [
        r
        for r in results
        if r.delivery.sender == QUANG_NINH
        and calm_channels[(r.delivery.plan_key, r.delivery.recipient)] is Channel.AXIS
        and r.channel is Channel.MAIL
    ]
    assert moved and all(_at(9) <= (r.sent_at or _at(0)) < _at(16) for r in moved)


def test_a_slow_link_fails_the_large_transfers_and_lets_the_small_ones_through(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    """Quảng Ninh's link carries 4 kbit/s all day: a transfer over 15 kB outlasts the 30 s timeout.
    Its documents (24–36 kB with their attachments) fail on the axis and on mail and go on paper;
    its statuses (about 7 kB) pass; documents to it wait at the axis until the link is back."""
    report, results = _run(_scenario(SlowLink(QUANG_NINH, WHOLE_DAY, kbps=4)), tmp_path)
    _sound(report)
    cost = next(f for f in report.faults if f.kind == "slow-link")
    assert cost.scope == QUANG_NINH and cost.retries > 0 and cost.fallbacks > 0
    calm_outcomes = _outcomes(calm[1])
    sent = [
        r
        for r in results
        if r.delivery.sender == QUANG_NINH
        and calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is Outcome.LEGAL
    ]
    assert sent and all(r.outcome is Outcome.PAPER and r.paper_reason is PaperReason.FALLBACK for r in sent)
    received = [r for r in results if r.delivery.recipient == QUANG_NINH]
    assert received and all(
        calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is r.outcome for r in received
    )
    assert all(r.arrived_at is not None for r in received if r.outcome is Outcome.LEGAL)  # 01s passed
    others = [r for r in results if QUANG_NINH not in (r.delivery.sender, r.delivery.recipient)]
    assert all(calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is r.outcome for r in others)


def test_forged_documents_are_refused_as_untrusted_and_register_nothing(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    report, results = _run(_scenario(ForgedDocuments(WHOLE_DAY, count=3)), tmp_path)
    _sound(report)
    refusals = {c.key: c.count for c in report.exchange.refusals}
    assert refusals == {"untrusted-chain": 3}
    cost = next(f for f in report.faults if f.kind == "forged")
    assert cost.affected == 3 and cost.refusals == 3
    assert _outcomes(results) == _outcomes(calm[1])  # no genuine delivery touched
    audited = audit(tmp_path)
    assert audited.offenders == [] and audited.registered == calm[0].totals.deliveries


def test_an_agency_that_learns_of_its_revocation_late_signs_documents_receivers_refuse(
    calm: tuple[Report, list[DeliveryResult]], tmp_path: Path
) -> None:
    """The Minister's certificate is revoked at 8:40 but the Ministry's signing system learns of it
    only at 10:30: what it signs in between is refused (cert-revoked) and re-sent on paper; what it
    signed before 8:40 stays valid, though verified after 8:40; from 10:30 it sends
    unsigned with paper."""
    fault = CertificateRevoked(JUSTICE, CertificateRole.PERSON, _at(8, 40), notice=timedelta(minutes=110))
    report, results = _run(_scenario(fault), tmp_path)
    _sound(report)
    calm_outcomes = _outcomes(calm[1])
    mine = [
        r
        for r in results
        if r.delivery.sender == JUSTICE
        and calm_outcomes[(r.delivery.plan_key, r.delivery.recipient)] is Outcome.LEGAL
    ]
    before = [r for r in mine if r.delivery.signed_at < _at(8, 40)]
    blind = [r for r in mine if _at(8, 40) <= r.delivery.signed_at < _at(10, 30)]
    after = [r for r in mine if r.delivery.signed_at >= _at(10, 30)]
    assert before and blind and after, (
        "on 1 July the Ministry of Justice signs at 8:34, 9:57, 10:07 and 10:51"
    )
    assert all(r.outcome is Outcome.LEGAL for r in before)
    assert all(r.arrived_at is not None and r.arrived_at >= _at(8, 40) for r in before)  # verified after
    for r in blind:
        assert (r.outcome, r.paper_reason, r.refusal) == (Outcome.PAPER, PaperReason.REFUSED, "cert-revoked")
    assert all(r.delivery.reason == "no-certificate" for r in after)
    cost = next(f for f in report.faults if f.kind == "certificate-revoked")
    assert cost.refusals >= len(blind)
    refusals = {c.key: c.count for c in report.exchange.refusals}
    assert refusals == {"cert-revoked": len(blind)}
