"""``documents.csv``: every delivery of a run, one row each, with its document's facts repeated —
what a person opens in a spreadsheet to follow one document or to recount a share.

One row per document and recipient: documents in signing order (then sender, then the number in
the sender's register), a document's recipients in identifier order. Times are
simulated, ISO 8601 with their offset (+07:00); an empty cell is something that did not happen
(no 01 for a paper delivery, no 06 before the run ended). The rows add up to the report's totals:
``deliveries`` rows, ``documents`` distinct DocumentIds, and the outcomes of ``shares.overall``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv

from docexchange.metrics.table import (
    CHANNELS,
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


CHUNK = 250_000
"""Deliveries formatted at a time (a year at real volume is millions of rows, written as a stream)."""


def _times(values: Floats) -> pa.Array:
    """ISO 8601 in Vietnam time as ``datetime.isoformat`` writes it (microseconds only when there
    are some), null (an empty cell) for NaN."""
    known = ~np.isnan(values)
    micro = np.zeros(len(values), dtype=np.int64)
    micro[known] = np.round(values[known] * 1e6).astype(np.int64) + VIETNAM_OFFSET * 1_000_000
    text = pc.cast(pa.array(micro, pa.timestamp("us"), mask=~known), pa.string())  # "Y-m-d H:M:S.ffffff"
    text = pc.replace_substring(text, " ", "T", max_replacements=1)
    text = pc.replace_substring_regex(text, r"\.000000$", "")
    return pc.binary_join_element_wise(text, "+07:00", "")


def _pick(names: Sequence[str], codes: Ints) -> pa.Array:
    """``names[code]`` for each code (a code of -1: an empty cell)."""
    valid = codes >= 0
    return pc.take(pa.array(list(names), type=pa.string()), pa.array(np.where(valid, codes, 0), mask=~valid))


_YES_NO = ("no", "yes")


def _flags(values: Flags) -> pa.Array:
    return _pick(_YES_NO, values.astype(np.int64))


def _batch(
    table: ResultTable, names: list[str], ids: _DocumentIds, sizes: Ints, start: int, stop: int
) -> pa.RecordBatch:
    """Rows ``start:stop`` of the file (deliveries in the table's order), as columns."""
    doc = table.document[start:stop].astype(np.int64)
    first, last = int(doc.min()), int(doc.max())
    chunk_ids = pa.array(ids.between(first, last + 1), type=pa.string())
    sender = table.doc_sender[doc].astype(np.int64)
    recipient = table.recipient[start:stop].astype(np.int64)
    arrays = [
        pc.take(chunk_ids, pa.array(doc - first)),
        _pick(table.agencies, sender),
        _pick(names, sender),
        _pick([t.value for t in TIERS], table.doc_tier[doc].astype(np.int64)),
        _pick(table.types, table.doc_type[doc].astype(np.int64)),
        _times(table.doc_signed[doc]),
        _flags(table.doc_secret[doc]),
        _flags(table.doc_direction[doc]),
        _flags(table.doc_urgent[doc]),
        pa.array(sizes[doc]),
        _pick(table.agencies, recipient),
        _pick(names, recipient),
        _pick([c.value for c in CHANNELS], table.routed[start:stop].astype(np.int64)),
        _pick(table.reasons, table.route_reason[start:stop].astype(np.int64)),
        _flags(table.legal_value[start:stop]),
        _flags(table.paper_copy[start:stop]),
        _pick([o.value for o in OUTCOMES], table.outcome[start:stop].astype(np.int64)),
        _pick([r.value for r in PAPER_REASONS], table.paper_reason[start:stop].astype(np.int64)),
        _pick([c.value for c in CHANNELS], table.channel[start:stop].astype(np.int64)),
        _times(table.sent[start:stop]),
        _times(table.arrived[start:stop]),
        _times(table.accepted[start:stop]),
        _times(table.completed[start:stop]),
        _pick(table.refusals, table.refusal[start:stop].astype(np.int64)),
    ]
    return pa.RecordBatch.from_arrays(arrays, names=list(COLUMNS))


class _DocumentIds:
    """DocumentIds made a range at a time (millions of strings are not kept at once)."""

    def __init__(self, table: ResultTable) -> None:
        self.table = table

    def between(self, first: int, stop: int) -> list[str]:
        return [self.table.id_of(i) for i in range(first, stop)]


def write_documents_csv(table: ResultTable, registry: Registry, out: BinaryIO) -> None:
    """Write ``documents.csv`` to the binary stream ``out`` (UTF-8, ``\\n`` line ends, text quoted,
    same table → same bytes): one row per delivery in the table's order — documents in signing order
    (then sender, then register number), a document's recipients in identifier order. Written by
    Arrow's CSV writer a chunk at a time: a year at real volume is millions of rows."""
    sizes = np.bincount(table.document, minlength=table.documents)  # recipients per document
    names = [_name(registry, a) for a in table.agencies]
    ids = _DocumentIds(table)
    options = csv.WriteOptions(quoting_style="needed")
    writer: csv.CSVWriter | None = None
    for start in range(0, max(table.deliveries, 1), CHUNK):
        stop = min(start + CHUNK, table.deliveries)
        if stop <= start:
            break
        batch = _batch(table, names, ids, sizes, start, stop)
        if writer is None:
            writer = csv.CSVWriter(out, batch.schema, write_options=options)
        writer.write_batch(batch)
    if writer is None:  # no delivery: the header alone
        out.write((",".join(f'"{c}"' for c in COLUMNS) + "\n").encode())
    else:
        writer.close()


def documents_csv(table: ResultTable, registry: Registry) -> str:
    """The text of ``documents.csv`` (see :func:`write_documents_csv`)."""
    buffer = io.BytesIO()
    write_documents_csv(table, registry, buffer)
    return buffer.getvalue().decode("utf-8")


def _name(registry: Registry, agency_id: str) -> str:
    return registry.get(agency_id).name if agency_id in registry else ""


__all__ = ["COLUMNS", "DOCUMENTS_CSV", "documents_csv", "write_documents_csv"]
