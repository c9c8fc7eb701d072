"""What a run measured: each delivery's outcome read from the stores, and the report built from them."""

from docexchange.metrics.build import build_report, collect
from docexchange.metrics.outcomes import DeliveryResult, Outcome, PaperReason, Settlement

__all__ = ["DeliveryResult", "Outcome", "PaperReason", "Settlement", "build_report", "collect"]
