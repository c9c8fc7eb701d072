"""XSD validation of edXML messages against the schemas in ``schemas/``."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

from docexchange.edxml.namespaces import q
from docexchange.errors import ParseError, ReasonCode

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


class MessageKind(StrEnum):
    DOCUMENT = "document"
    STATUS = "status"


_SCHEMA_FILES = {MessageKind.DOCUMENT: "edxml-document.xsd", MessageKind.STATUS: "edxml-status.xsd"}


@cache
def schema_for(kind: MessageKind) -> etree.XMLSchema:
    path = SCHEMA_DIR / _SCHEMA_FILES[kind]
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def message_kind(root: etree._Element) -> MessageKind:
    """Document or status, from the first child of the header; schema-invalid otherwise."""
    header = root.find(q("edXMLHeader"))
    first = header[0] if header is not None and len(header) else None
    if first is not None and first.tag == q("MessageHeader"):
        return MessageKind.DOCUMENT
    if first is not None and first.tag == q("Status"):
        return MessageKind.STATUS
    raise ParseError(
        ReasonCode.SCHEMA_INVALID,
        "the edXMLHeader must start with MessageHeader (document) or Status (status message)",
    )


def validate(root: etree._Element, kind: MessageKind | None = None) -> MessageKind:
    """Validate against the XSD of the message's kind; ParseError(schema-invalid) names the first error."""
    kind = kind or message_kind(root)
    schema = schema_for(kind)
    if not schema.validate(root):
        error = schema.error_log.last_error  # type: ignore[attr-defined]
        where = f"line {error.line}: " if error is not None and error.line else ""
        detail = error.message if error is not None else "invalid"
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"not a valid edXML {kind} message: {where}{detail}")
    return kind
