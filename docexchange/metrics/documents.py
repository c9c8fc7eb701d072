"""``documents.csv``: every delivery of a run, one row each, with its document's facts repeated —
what a person opens in a spreadsheet to follow one document or to recount a share.

One row per document and recipient, in signing order (then DocumentId, then recipient). Times are
simulated, ISO 8601 with their offset (+07:00); an empty cell is something that did not happen
(no 01 for a paper delivery, no 06 before the run ended). The rows add up to the report's totals:
``deliveries`` rows, ``documents`` distinct DocumentIds, and the outcomes of ``shares.overall``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from docexchange.metrics.outcomes import DeliveryResult
from docexchange.registry import Registry

DOCUMENTS_CSV = "documents.csv"

COLUMNS = (
    "document_id",  # the edXML DocumentId: "<sender organ id>,<yyyy/mm/dd>,<số/ký hiệu>"
    "sender",
    "sender_name",
    "sender_tier",
    "type",  # Decree 30 abbreviation
    "signed_at",
    "secret",
    "direction",  # a direction document (chỉ đạo, điều hành; edXML SteeringType 2)
    "urgent",
    "recipients",  # how many recipients the document has
    "recipient",
    "recipient_name",
    "routed",  # the first routing decision: axis, mail or paper
    "route_reason",
    "signed",  # sent with both signatures (legal value)
    "paper_copy",  # paper went too (Government copy, listed types, unsigned)
    "outcome",  # legal, info_only or paper
    "paper_reason",
    "channel",  # what carried it in the end
    "sent_at",
    "arrived_at",  # status 01
    "accepted_at",  # status 03, or the paper original's registration
    "completed_at",  # status 06
    "refusal",  # reason code of a status 02
)


def _time(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def documents_csv(results: Iterable[DeliveryResult], registry: Registry) -> str:
    """The text of ``documents.csv`` (UTF-8, ``\\n`` line ends, same results → same bytes)."""
    rows = sorted(results, key=lambda r: (r.delivery.signed_at, r.delivery.document_id, r.delivery.recipient))
    size: dict[str, int] = {}
    for r in rows:
        size[r.delivery.document_id] = size.get(r.delivery.document_id, 0) + 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        d = r.delivery
        writer.writerow(
            (
                d.document_id,
                d.sender,
                _name(registry, d.sender),
                d.sender_tier.value,
                d.type_code,
                _time(d.signed_at),
                _flag(d.secret),
                _flag(d.direction),
                _flag(d.urgent),
                size[d.document_id],
                d.recipient,
                _name(registry, d.recipient),
                d.channel.value,
                d.reason,
                _flag(d.legal_value),
                _flag(d.paper_copy),
                r.outcome.value,
                r.paper_reason.value if r.paper_reason is not None else "",
                r.channel.value,
                _time(r.sent_at),
                _time(r.arrived_at),
                _time(r.accepted_at),
                _time(r.completed_at),
                r.refusal or "",
            )
        )
    return buffer.getvalue()


def _name(registry: Registry, agency_id: str) -> str:
    return registry.get(agency_id).name if agency_id in registry else ""


__all__ = ["COLUMNS", "DOCUMENTS_CSV", "documents_csv"]
