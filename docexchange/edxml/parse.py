"""Hardened parsing of untrusted edXML bytes, and reading message models out of a tree.

Refusals, in the order they are checked (each a :class:`ParseError` with its reason code):
``too-large`` (byte size), ``forbidden-dtd`` (any DOCTYPE: no DTD, no entities, ever),
``malformed-xml``, ``too-deep`` (nesting beyond the limit), ``wrong-namespace`` (root is not an
edXML envelope), ``schema-invalid`` (XSD), ``invalid-attachment`` (attachment decoding).
The parser never loads DTDs, never resolves entities and never touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree

from docexchange.edxml.attachments import DEFAULT_MAX_ATTACHMENT_BYTES, decode_attachment
from docexchange.edxml.model import (
    Attachment,
    Bussiness,
    BussinessDocType,
    Code,
    DocumentMessage,
    DocumentType,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
    TraceHeader,
)
from docexchange.edxml.namespaces import EDXML_NS, q
from docexchange.edxml.schema import MessageKind, validate
from docexchange.errors import ParseError, ReasonCode

Element = etree._Element


@dataclass(frozen=True)
class ParseLimits:
    max_bytes: int = 50 * 1024 * 1024  # a gateway cap seen in practice (DOMAIN.md §5)
    max_depth: int = 48  # edXML + nested XAdES signatures need about 20
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    max_total_attachment_bytes: int = 100 * 1024 * 1024  # all attachments of one message, unpacked


DEFAULT_LIMITS = ParseLimits()


def xml_parser() -> etree.XMLParser:
    """The one parser configuration for untrusted XML, also handed to signxml.

    Comments are dropped while parsing: exclusive c14n without comments ignores them, so no
    digest changes, and no reader of the tree can be misled by a comment splitting a value
    (``findtext`` stops at one). ``huge_tree`` lifts libxml2's 10-million-character limit on a
    single text node, which a base64 attachment of more than about 7 MiB exceeds; the protections it also lifts are
    replaced by ours: no DTD or entity is ever accepted (checked below), the byte size is capped
    before parsing and the nesting depth is checked after.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_blank_text=False,
        collect_ids=False,
    )


def _depth_exceeds(root: Element, limit: int) -> bool:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def parse_xml(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> Element:
    """Parse untrusted bytes into an edXML envelope element (well-formedness and safety only)."""
    if len(data) > limits.max_bytes:
        raise ParseError(
            ReasonCode.TOO_LARGE, f"the message is {len(data)} bytes; the limit is {limits.max_bytes}"
        )
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise ParseError(
            ReasonCode.FORBIDDEN_DTD, "the message declares a DTD or entities, which are refused"
        )
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        text = str(exc)
        if "entity" in text.lower():  # a DTD the prefix scan could not see (amplification, loops, …)
            raise ParseError(
                ReasonCode.FORBIDDEN_DTD, f"the message uses entities, which are refused ({text})"
            ) from None
        if "depth" in text.lower():
            raise ParseError(
                ReasonCode.TOO_DEEP, f"the XML nests deeper than the parser allows ({text})"
            ) from None
        raise ParseError(ReasonCode.MALFORMED_XML, f"not well-formed XML: {text}") from None
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise ParseError(ReasonCode.MALFORMED_XML, f"not parseable XML: {exc}") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ParseError(ReasonCode.FORBIDDEN_DTD, "the message declares a DTD, which is refused")
    if _depth_exceeds(root, limits.max_depth):
        raise ParseError(ReasonCode.TOO_DEEP, f"the XML nests deeper than {limits.max_depth} levels")
    if root.tag != q("edXMLEnvelope"):
        raise ParseError(
            ReasonCode.WRONG_NAMESPACE,
            f"the root element is {root.tag!r}; expected edXMLEnvelope in namespace {EDXML_NS}",
        )
    return root


def parse_message(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> tuple[Element, MessageKind]:
    """Parse and schema-validate; returns the envelope element and the message kind."""
    root = parse_xml(data, limits)
    return root, validate(root)


# --- reading models out of a (validated) tree -------------------------------------------------


def _text(node: Element, name: str) -> str:
    child = node.find(q(name))
    if child is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"missing element {name}")
    return child.text or ""


def _opt_text(node: Element, name: str) -> str | None:
    child = node.find(q(name))
    return None if child is None else (child.text or "")


def _date(text: str) -> date:
    return date.fromisoformat(text.strip())


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())


def _organization(node: Element) -> Organization:
    return Organization(
        organ_id=_text(node, "OrganId"),
        organ_name=_text(node, "OrganName"),
        organization_in_charge=_text(node, "OrganizationInCharge"),
        organ_add=_text(node, "OrganAdd"),
        email=_text(node, "Email"),
        telephone=_text(node, "Telephone"),
        fax=_text(node, "Fax"),
        website=_text(node, "Website"),
    )


def _response_for(node: Element) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(node, "OrganId"),
        code=_text(node, "Code"),
        promulgation_date=_date(_text(node, "PromulgationDate")),
        document_id=_text(node, "DocumentId"),
    )


def _staff_info(node: Element | None) -> StaffInfo:
    if node is None:
        return StaffInfo()
    return StaffInfo(
        _text(node, "Department"), _text(node, "Staff"), _text(node, "Mobile"), _text(node, "Email")
    )


def _trace_headers(node: Element | None) -> tuple[TraceHeader, ...]:
    if node is None:
        return ()
    return tuple(
        TraceHeader(_text(th, "OrganId"), _datetime(_text(th, "Timestamp")))
        for th in node.iterfind(q("TraceHeader"))
    )


def _bussiness(node: Element | None) -> Bussiness:
    if node is None:
        return Bussiness()
    receivers = tuple(
        Receiver(int(_text(r, "ReceiverType")), _text(r, "OrganId"))
        for r in node.iterfind(f"{q('ReceiverList')}/{q('Receiver')}")
    )
    replacements = tuple(
        ReplacementInfo(
            _text(r, "DocumentId"),
            tuple(o.text or "" for o in r.iterfind(f"{q('OrganIdList')}/{q('OrganId')}")),
        )
        for r in node.iterfind(f"{q('ReplacementInfoList')}/{q('ReplacementInfo')}")
    )
    return Bussiness(
        bussiness_doc_type=BussinessDocType(int(_text(node, "BussinessDocType"))),
        bussiness_doc_reason=_text(node, "BussinessDocReason"),
        document_id=_text(node, "DocumentId"),
        staff_info=_staff_info(node.find(q("StaffInfo"))),
        receivers=receivers,
        replacements=replacements,
    )


def _attachments(root: Element, limits: ParseLimits) -> tuple[Attachment, ...]:
    manifest = {
        _text(ref, "ContentId"): ref
        for ref in root.iterfind(f"{q('edXMLBody')}/{q('edXMLManifest')}/{q('Reference')}")
    }
    encoded = list(root.iterfind(f"{q('AttachmentEncoded')}/{q('Attachment')}"))
    if len(encoded) != len(manifest):
        raise ParseError(
            ReasonCode.INVALID_ATTACHMENT,
            f"the manifest lists {len(manifest)} attachments but {len(encoded)} are carried",
        )
    result = []
    remaining = limits.max_total_attachment_bytes
    for node in encoded:
        content_id = _text(node, "ContentId")
        ref = manifest.get(content_id)
        name = _text(node, "AttachmentName")
        if ref is None or _text(ref, "AttachmentName") != name:
            raise ParseError(
                ReasonCode.INVALID_ATTACHMENT, f"attachment {content_id!r} has no matching manifest entry"
            )
        if remaining < limits.max_attachment_bytes:
            budget = remaining
            limit = f"what is left of the {limits.max_total_attachment_bytes}-byte limit for all attachments"
        else:
            budget, limit = limits.max_attachment_bytes, "the per-attachment limit"
        data = decode_attachment(name, _text(node, "Value"), max_bytes=budget, limit=limit)
        remaining -= len(data)
        result.append(
            Attachment(
                content_id=content_id,
                attachment_name=name,
                content_type=_text(node, "ContentType"),
                data=data,
                description=_text(ref, "Description"),
            )
        )
    return tuple(result)


_READ_ERRORS = (ValueError, TypeError, AttributeError, KeyError, OverflowError)


def read_document(
    root: Element, limits: ParseLimits = DEFAULT_LIMITS, *, attachments: bool = True
) -> DocumentMessage:
    """The document model of a schema-valid envelope, attachments decoded and checked.

    ``attachments=False`` reads the header only and leaves ``attachments`` empty: for a caller
    that needs who sends and signs what (the signer, routing), where unzipping every attachment
    would cost more than the rest of the reading together.
    """
    try:
        return _read_document(root, limits, attachments)
    except _READ_ERRORS as exc:
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"the document cannot be read: {exc}") from None


def read_status(root: Element) -> StatusMessage:
    """The status model of a schema-valid status envelope."""
    try:
        return _read_status(root)
    except _READ_ERRORS as exc:
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"the status message cannot be read: {exc}") from None


def _read_document(root: Element, limits: ParseLimits, attachments: bool) -> DocumentMessage:
    mh = root.find(f"{q('edXMLHeader')}/{q('MessageHeader')}")
    if mh is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "missing MessageHeader")
    code = mh.find(q("Code"))
    pi = mh.find(q("PromulgationInfo"))
    dt = mh.find(q("DocumentType"))
    si = mh.find(q("SignerInfo"))
    oi = mh.find(q("OtherInfo"))
    if code is None or pi is None or dt is None or si is None or oi is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "incomplete MessageHeader")
    due = _opt_text(mh, "DueDate")
    thl = root.find(f"{q('edXMLHeader')}/{q('TraceHeaderList')}")
    return DocumentMessage(
        from_=_organization(mh.find(q("From"))),  # type: ignore[arg-type]
        to=tuple(_organization(t) for t in mh.iterfind(q("To"))),
        document_id=_text(mh, "DocumentId"),
        code=Code(_text(code, "CodeNumber"), _text(code, "CodeNotation")),
        promulgation_info=PromulgationInfo(_text(pi, "Place"), _date(_text(pi, "PromulgationDate"))),
        document_type=DocumentType(
            int(_text(dt, "Type")), int(_text(dt, "TypeDetail")), _text(dt, "TypeName")
        ),
        subject=_text(mh, "Subject"),
        content=_text(mh, "Content"),
        signer_info=SignerInfo(_text(si, "Competence"), _text(si, "Position"), _text(si, "FullName")),
        due_date=_date(due) if due else None,
        to_places=tuple(p.text or "" for p in mh.iterfind(f"{q('ToPlaces')}/{q('Place')}")),
        other_info=OtherInfo(
            priority=Priority(int(_text(oi, "Priority"))),
            sphere_of_promulgation=_text(oi, "SphereOfPromulgation"),
            typer_notation=_text(oi, "TyperNotation"),
            promulgation_amount=int(_text(oi, "PromulgationAmount")),
            page_amount=int(_text(oi, "PageAmount")),
            appendixes=tuple(a.text or "" for a in oi.iterfind(f"{q('Appendixes')}/{q('Appendix')}")),
        ),
        response_for=tuple(_response_for(r) for r in mh.iterfind(q("ResponseFor"))),
        steering_type=SteeringType(int(_text(mh, "SteeringType"))),
        trace_headers=_trace_headers(thl),
        bussiness=_bussiness(thl.find(q("Bussiness")) if thl is not None else None),
        attachments=_attachments(root, limits) if attachments else (),
    )


def _read_status(root: Element) -> StatusMessage:
    st = root.find(f"{q('edXMLHeader')}/{q('Status')}")
    if st is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "missing Status")
    return StatusMessage(
        response_for=_response_for(st.find(q("ResponseFor"))),  # type: ignore[arg-type]
        from_=_organization(st.find(q("From"))),  # type: ignore[arg-type]
        status_code=StatusCode(int(_text(st, "StatusCode"))),
        description=_text(st, "Description"),
        timestamp=_datetime(_text(st, "Timestamp")),
        staff_info=_staff_info(st.find(q("StaffInfo"))),
        trace_headers=_trace_headers(root.find(f"{q('edXMLHeader')}/{q('TraceHeaderList')}")),
    )
