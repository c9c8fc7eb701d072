"""After a failed send: retry on the schedule with the same DocumentId, then fall back, then paper."""

from __future__ import annotations

from datetime import timedelta

import pytest

from docexchange.routing import (
    Capabilities,
    Channel,
    DocumentTraits,
    FailureKind,
    RouteReason,
    RoutingDecision,
    RoutingRules,
    Secrecy,
    after_failure,
)

DOC = DocumentTraits("000.00.00.G12,2019/03/12,05/TB-BTC", "000.00.00.G12", "TB")
LAO_CAI = "000.00.00.H38"
SCHEDULE = (timedelta(seconds=30), timedelta(seconds=120), timedelta(seconds=1200))


def axis_decision(rules: RoutingRules | None = None) -> RoutingDecision:
    decision = (rules or RoutingRules()).decide(DOC, LAO_CAI)
    assert decision.channel is Channel.AXIS
    return decision


def test_retries_follow_the_default_schedule_with_the_same_document_id() -> None:
    rules, decision = RoutingRules(), axis_decision()
    actions = [rules.after_failure(decision, Channel.AXIS, n) for n in (1, 2, 3)]
    assert [a.kind for a in actions] == [FailureKind.RETRY] * 3
    assert [a.delay for a in actions] == list(SCHEDULE)
    assert [a.attempt for a in actions] == [2, 3, 4]
    assert {a.channel for a in actions} == {Channel.AXIS}
    assert {a.reason for a in actions} == {RouteReason.RETRY_SCHEDULED}
    assert {a.document_id for a in actions} == {DOC.document_id}
    assert "in 20 min" in actions[2].explanation


def test_after_the_last_retry_it_falls_back_to_mail_then_paper() -> None:
    rules, decision = RoutingRules(), axis_decision()
    to_mail = rules.after_failure(decision, Channel.AXIS, 4)
    assert (to_mail.kind, to_mail.channel, to_mail.attempt, to_mail.delay) == (
        FailureKind.FALL_BACK,
        Channel.MAIL,
        1,
        timedelta(0),
    )
    assert to_mail.reason is RouteReason.FALLBACK_AFTER_RETRIES
    assert to_mail.document_id == DOC.document_id
    assert rules.after_failure(decision, Channel.MAIL, 3).kind is FailureKind.RETRY
    to_paper = rules.after_failure(decision, Channel.MAIL, 4)
    assert (to_paper.kind, to_paper.channel, to_paper.reason) == (
        FailureKind.PAPER,
        Channel.PAPER,
        RouteReason.FALLBACK_AFTER_RETRIES,
    )


def test_the_whole_walk_from_first_failure_to_paper() -> None:
    """Feed failures back as a sender would, and record the simulated time spent."""
    rules, decision = RoutingRules(), axis_decision()
    channel, failed, waited, path = decision.channel, 0, timedelta(0), [decision.channel]
    while channel is not Channel.PAPER:
        failed += 1
        action = rules.after_failure(decision, channel, failed)
        waited += action.delay
        if action.kind is not FailureKind.RETRY:
            channel, failed = action.channel, 0
            path.append(channel)
    assert path == [Channel.AXIS, Channel.MAIL, Channel.PAPER]
    assert waited == 2 * sum(SCHEDULE, timedelta(0))


def test_a_decision_without_mail_falls_back_straight_to_paper() -> None:
    decision = RoutingRules().decide(DOC, LAO_CAI, Capabilities(), Capabilities(mail=False))
    assert decision.fallbacks == (Channel.PAPER,)
    assert after_failure(decision, Channel.AXIS, 4).kind is FailureKind.PAPER


def test_the_retry_schedule_is_configurable() -> None:
    rules = RoutingRules(retry_delays=(timedelta(seconds=5),))
    decision = axis_decision(rules)
    first = rules.after_failure(decision, Channel.AXIS, 1)
    assert (first.kind, first.delay) == (FailureKind.RETRY, timedelta(seconds=5))
    assert rules.after_failure(decision, Channel.AXIS, 2).kind is FailureKind.FALL_BACK


def test_no_retries_means_falling_back_at_the_first_failure() -> None:
    rules = RoutingRules(retry_delays=())
    action = rules.after_failure(axis_decision(rules), Channel.AXIS, 1)
    assert (action.kind, action.channel) == (FailureKind.FALL_BACK, Channel.MAIL)


def test_the_module_function_uses_the_default_schedule() -> None:
    assert after_failure(axis_decision(), Channel.AXIS, 2).delay == timedelta(seconds=120)


def test_nonsense_failures_are_refused() -> None:
    decision = RoutingRules().decide(DOC, LAO_CAI, Capabilities(), Capabilities(mail=False))
    with pytest.raises(ValueError, match="at least 1"):
        after_failure(decision, Channel.AXIS, 0)
    with pytest.raises(ValueError, match="not a channel of this decision"):
        after_failure(decision, Channel.MAIL, 1)
    with pytest.raises(ValueError, match="paper"):
        after_failure(decision, Channel.PAPER, 1)
    secret = RoutingRules().decide(DocumentTraits("x", "000.00.00.G12", "TB", secrecy=Secrecy.MAT), LAO_CAI)
    with pytest.raises(ValueError, match="paper"):
        after_failure(secret, Channel.PAPER, 1)
