"""XSD validation of edXML messages against the schemas in ``schemas/``."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

from docexchange.edxml.frame import frame_of
from docexchange.edxml.namespaces import q
from docexchange.edxml.singletons import check_singletons
from docexchange.errors import ParseError, ReasonCode

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


class MessageKind(StrEnum):
    DOCUMENT = "document"
    STATUS = "status"


_WRITTEN = {MessageKind.DOCUMENT: "edxml-document.xsd", MessageKind.STATUS: "edxml-status.xsd"}
"""Exactly what this version writes (the real framing, strictly)."""
_LEGACY = {MessageKind.DOCUMENT: "edxml-legacy-document.xsd", MessageKind.STATUS: "edxml-legacy-status.xsd"}
"""The framing earlier versions wrote (the envelope as root): read, never written."""
WIRE_SCHEMA = "edxml-wire.xsd"
"""The real framing, as read (tolerant of what varies between producers: see the file)."""


@cache
def _schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name), parser))


def schema_for(kind: MessageKind) -> etree.XMLSchema:
    """The strict schema of what this version writes for ``kind``."""
    return _schema(_WRITTEN[kind])


def message_kind(root: etree._Element) -> MessageKind:
    """Document or status: the legacy framing starts its header with MessageHeader or Status; the
    real framing's status is a MessageHeader (or Status) holding a StatusCode."""
    frame = frame_of(root)
    header = frame.header
    if frame.legacy:
        first = header[0] if header is not None and len(header) else None
        if first is not None and first.tag == q("MessageHeader"):
            return MessageKind.DOCUMENT
        if first is not None and first.tag == q("Status"):
            return MessageKind.STATUS
        raise ParseError(
            ReasonCode.SCHEMA_INVALID,
            "the edXMLHeader must start with MessageHeader (document) or Status (status message)",
        )
    if header is not None and header.find(q("Status")) is not None:
        return MessageKind.STATUS
    message_header = frame.message_header
    if message_header is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "the edXMLHeader holds no MessageHeader (nor Status)")
    return MessageKind.STATUS if message_header.find(q("StatusCode")) is not None else MessageKind.DOCUMENT


def validate(root: etree._Element, kind: MessageKind | None = None, *, strict: bool = False) -> MessageKind:
    """Validate against the XSD of the message's framing and kind; ParseError(schema-invalid) names
    the first error. A received real-framed message is held to the tolerant reading schema;
    ``strict`` holds it to exactly what this version writes."""
    kind = kind or message_kind(root)
    name = _LEGACY[kind] if frame_of(root).legacy else _WRITTEN[kind] if strict else WIRE_SCHEMA
    schema = _schema(name)
    if not schema.validate(root):
        error = schema.error_log.last_error  # type: ignore[attr-defined]
        where = f"line {error.line}: " if error is not None and error.line else ""
        detail = error.message if error is not None else "invalid"
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"not a valid edXML {kind} message: {where}{detail}")
    if name == WIRE_SCHEMA:
        check_singletons(frame_of(root))
    return kind
