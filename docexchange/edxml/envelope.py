"""Who a message is from and to, read from a schema-valid envelope without decoding attachments.

The axis routes on this (it never needs the document's content); receivers still verify the
signatures and read everything from the signed content.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from docexchange.edxml.frame import frame_of
from docexchange.edxml.namespaces import q
from docexchange.edxml.schema import MessageKind


@dataclass(frozen=True)
class EnvelopeSummary:
    kind: MessageKind
    sender: str
    recipients: tuple[str, ...]
    document_id: str  # the document itself, or the one a status answers
    status_code: str | None = None  # two digits for status messages


def summarize(root: etree._Element, kind: MessageKind) -> EnvelopeSummary:
    frame = frame_of(root)
    if kind is MessageKind.DOCUMENT:
        mh = frame.message_header
        if mh is None:
            raise ValueError("no MessageHeader")
        return EnvelopeSummary(
            kind=kind,
            sender=mh.findtext(f"{q('From')}/{q('OrganId')}") or "",
            recipients=tuple(to.findtext(q("OrganId")) or "" for to in mh.iterfind(q("To"))),
            document_id=mh.findtext(q("DocumentId")) or "",
        )
    status = frame.status_header
    if status is None:
        raise ValueError("no Status")
    return EnvelopeSummary(
        kind=kind,
        sender=status.findtext(f"{q('From')}/{q('OrganId')}") or "",
        recipients=(status.findtext(f"{q('ResponseFor')}/{q('OrganId')}") or "",),
        document_id=status.findtext(f"{q('ResponseFor')}/{q('DocumentId')}") or "",
        status_code=status.findtext(q("StatusCode")),
    )
