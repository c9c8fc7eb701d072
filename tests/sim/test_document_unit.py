"""Targets count documents (DOMAIN.md §1): a document with several recipients counts by its rule,
and the per-delivery share stands beside it. Checked against shares worked out by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.metrics import DeliveryResult, Outcome
from docexchange.metrics.build import document_share
from docexchange.metrics.outcomes import Settlement
from docexchange.metrics.table import ResultTable
from docexchange.registry import Tier
from docexchange.routing import Channel
from docexchange.sim.ledger import Delivery
from docexchange.sim.scenario import CountingRule, DocumentRule, TargetMeasure

SIGNED = datetime(2012, 3, 1, 9, 0, tzinfo=VIETNAM_TZ)


def result(document: str, recipient: str, outcome: Outcome, *, paper_copy: bool = False) -> DeliveryResult:
    electronic = outcome is not Outcome.PAPER
    delivery = Delivery(
        document_id=document, plan_key=document, sender="000.00.00.G12", recipient=recipient,
        sender_tier=Tier.MINISTRY, type_code="CV", signed_at=SIGNED, send_at=SIGNED, urgent=False,
        secret=False, channel=Channel.MAIL if electronic else Channel.PAPER, reason="test",
        legal_value=outcome is Outcome.LEGAL, paper_copy=paper_copy,
    )  # fmt: skip
    return DeliveryResult(
        delivery, outcome, Settlement.DELIVERED if electronic else Settlement.NOT_ELECTRONIC, None,
        delivery.channel, None, None, None, None, None,
    )  # fmt: skip


# Four documents, ten deliveries:
#   A → 1 recipient, legal                      (1 of 1 legal)
#   B → 3 recipients: legal, legal, paper       (2 of 3)
#   C → 4 recipients: info-only ×1, paper ×3    (0 of 4 legal, 1 of 4 electronic)
#   D → 2 recipients: legal (with paper copy), legal  (2 of 2 legal, 1 of 2 fully electronic)
ROWS = [
    result("A", "r1", Outcome.LEGAL),
    result("B", "r1", Outcome.LEGAL),
    result("B", "r2", Outcome.LEGAL),
    result("B", "r3", Outcome.PAPER),
    result("C", "r1", Outcome.INFO_ONLY),
    result("C", "r2", Outcome.PAPER),
    result("C", "r3", Outcome.PAPER),
    result("C", "r4", Outcome.PAPER),
    result("D", "r1", Outcome.LEGAL, paper_copy=True),
    result("D", "r2", Outcome.LEGAL),
]


@pytest.mark.parametrize(
    ("measure", "rule", "documents_counted", "deliveries_met"),
    [
        (TargetMeasure.SIGNED_ELECTRONIC_SHARE, CountingRule(), 2, 5),  # A, D
        (TargetMeasure.SIGNED_ELECTRONIC_SHARE, CountingRule(DocumentRule.ANY_RECIPIENT), 3, 5),  # A, B, D
        (TargetMeasure.SIGNED_ELECTRONIC_SHARE, CountingRule(DocumentRule.RECIPIENT_SHARE, 0.6), 3, 5),
        (TargetMeasure.SIGNED_ELECTRONIC_SHARE, CountingRule(DocumentRule.RECIPIENT_SHARE, 0.7), 2, 5),
        (TargetMeasure.ELECTRONIC_SHARE, CountingRule(), 2, 6),  # A, D
        (TargetMeasure.ELECTRONIC_SHARE, CountingRule(DocumentRule.ANY_RECIPIENT), 4, 6),
        (TargetMeasure.ELECTRONIC_SHARE, CountingRule(DocumentRule.RECIPIENT_SHARE, 0.25), 4, 6),
        (TargetMeasure.FULLY_ELECTRONIC_SHARE, CountingRule(), 1, 4),  # A only: D had a paper copy
        (TargetMeasure.FULLY_ELECTRONIC_SHARE, CountingRule(DocumentRule.ANY_RECIPIENT), 3, 4),
    ],
)
def test_a_document_counts_by_its_rule_and_the_delivery_share_stands_beside(
    measure: TargetMeasure, rule: CountingRule, documents_counted: int, deliveries_met: int
) -> None:
    share = document_share(measure, rule, ResultTable.from_results(ROWS))
    assert (share.documents, share.deliveries) == (4, 10)
    assert share.share == documents_counted / 4
    assert share.per_delivery == deliveries_met / 10


def test_the_unit_changes_the_answer() -> None:
    """One broadcast to many on paper weighs as much as one single-recipient document."""
    rows = [result("X", "r1", Outcome.LEGAL)] + [result("Y", f"r{i}", Outcome.PAPER) for i in range(9)]
    share = document_share(
        TargetMeasure.SIGNED_ELECTRONIC_SHARE, CountingRule(), ResultTable.from_results(rows)
    )
    assert (share.share, share.per_delivery) == (0.5, 0.1)


@pytest.mark.parametrize(
    ("rule", "share", "message"),
    [
        (DocumentRule.RECIPIENT_SHARE, None, "a recipient share goes with the recipient-share rule"),
        (DocumentRule.EVERY_RECIPIENT, 0.5, "a recipient share goes with the recipient-share rule"),
        (DocumentRule.RECIPIENT_SHARE, 0.0, "a recipient share must be more than 0 and at most 1"),
    ],
)
def test_a_counting_rule_refuses_meaningless_thresholds(
    rule: DocumentRule, share: float | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CountingRule(rule, share)
