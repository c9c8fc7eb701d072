"""``documents.csv``: every delivery of a run, one row each, with its document's facts repeated —
what a person opens in a spreadsheet to follow one document or to recount a share.

One row per document and recipient: documents in signing order (then sender, then the number in
the sender's register), a document's recipients in identifier order. Times are
simulated, ISO 8601 with their offset (+07:00); an empty cell is something that did not happen
(no 01 for a paper delivery, no 06 before the run ended). The rows add up to the report's totals:
``deliveries`` rows, ``documents`` distinct DocumentIds, and the outcomes of ``shares.overall``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TextIO

import numpy as np

from docexchange.metrics.table import (
    CHANNELS,
    NONE,
    OUTCOMES,
    PAPER_REASONS,
    TIERS,
    Flags,
    Floats,
    Ints,
    ResultTable,
)
from docexchange.registry import Registry
from docexchange.sim.timeline import VIETNAM_OFFSET

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


CHUNK = 200_000
"""Deliveries formatted at a time (a year at real volume is millions of rows, written as a stream)."""


def _times(values: Floats) -> list[str]:
    """ISO 8601 in Vietnam time as ``datetime.isoformat`` writes it (microseconds only when there
    are some), empty for NaN."""
    known = ~np.isnan(values)
    micro = np.zeros(len(values), dtype=np.int64)
    micro[known] = np.round(values[known] * 1e6).astype(np.int64) + VIETNAM_OFFSET * 1_000_000
    stamps = micro.astype("datetime64[us]")
    whole = micro % 1_000_000 == 0
    text = np.where(
        whole,
        np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s"),
        np.datetime_as_string(stamps, unit="us"),
    )
    return [f"{t}+07:00" if k else "" for t, k in zip(text.tolist(), known.tolist(), strict=True)]


_YES_NO = ("no", "yes")


def _flags(values: Flags) -> list[str]:
    return [_YES_NO[v] for v in values.astype(np.int8).tolist()]


def _rows(
    table: ResultTable, registry: Registry, sizes: Ints, start: int, stop: int
) -> Iterator[tuple[object, ...]]:
    """Rows ``start:stop`` of the file (deliveries in the table's order)."""
    doc = table.document[start:stop]
    first, last = int(doc.min()), int(doc.max())
    ids = [table.id_of(i) for i in range(first, last + 1)]
    agencies = table.agencies
    names = [_name(registry, a) for a in agencies]
    tiers = [t.value for t in TIERS]
    sender = table.doc_sender[doc].tolist()
    recipient = table.recipient[start:stop].tolist()
    reasons = [""] + [r.value for r in PAPER_REASONS]
    columns = (
        [ids[i - first] for i in doc.tolist()],
        [agencies[a] for a in sender],
        [names[a] for a in sender],
        [tiers[t] for t in table.doc_tier[doc].tolist()],
        [table.types[t] for t in table.doc_type[doc].tolist()],
        _times(table.doc_signed[doc]),
        _flags(table.doc_secret[doc]),
        _flags(table.doc_direction[doc]),
        _flags(table.doc_urgent[doc]),
        sizes[doc].tolist(),
        [agencies[a] for a in recipient],
        [names[a] for a in recipient],
        [CHANNELS[c].value for c in table.routed[start:stop].tolist()],
        [table.reasons[r] for r in table.route_reason[start:stop].tolist()],
        _flags(table.legal_value[start:stop]),
        _flags(table.paper_copy[start:stop]),
        [OUTCOMES[o].value for o in table.outcome[start:stop].tolist()],
        [reasons[r + 1] for r in table.paper_reason[start:stop].tolist()],
        [CHANNELS[c].value for c in table.channel[start:stop].tolist()],
        _times(table.sent[start:stop]),
        _times(table.arrived[start:stop]),
        _times(table.accepted[start:stop]),
        _times(table.completed[start:stop]),
        ["" if r == NONE else table.refusals[r] for r in table.refusal[start:stop].tolist()],
    )
    return zip(*columns, strict=True)


def write_documents_csv(table: ResultTable, registry: Registry, out: TextIO) -> None:
    """Write ``documents.csv`` to ``out`` (UTF-8, ``\\n`` line ends, same table → same bytes): one
    row per delivery in the table's order — documents in signing order (then sender, then register
    number), a document's recipients in identifier order."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    sizes = np.bincount(table.document, minlength=table.documents)  # recipients per document
    for start in range(0, table.deliveries, CHUNK):
        writer.writerows(_rows(table, registry, sizes, start, min(start + CHUNK, table.deliveries)))


def documents_csv(table: ResultTable, registry: Registry) -> str:
    """The text of ``documents.csv`` (see :func:`write_documents_csv`)."""
    buffer = io.StringIO()
    write_documents_csv(table, registry, buffer)
    return buffer.getvalue()


def _name(registry: Registry, agency_id: str) -> str:
    return registry.get(agency_id).name if agency_id in registry else ""


__all__ = ["COLUMNS", "DOCUMENTS_CSV", "documents_csv", "write_documents_csv"]
