"""Hardened parsing of untrusted edXML bytes, and reading message models out of a tree.

Refusals, in the order they are checked (each a :class:`ParseError` with its reason code):
``too-large`` (byte size), ``forbidden-dtd`` (any DOCTYPE: no DTD, no entities, ever),
``malformed-xml``, ``too-deep`` (nesting beyond the limit), ``wrong-namespace`` (the root is
neither the real framing's ``edXML`` nor earlier versions' ``edXMLEnvelope``, named as found),
``schema-invalid`` (XSD), ``invalid-attachment`` (attachment decoding).
The parser never loads DTDs, never resolves entities and never touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from typing import Any, TypeVar

from lxml import etree

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml.attachments import (
    DEFAULT_MAX_ATTACHMENT_BYTES,
    decode_attachment,
    decode_wire_attachment,
)
from docexchange.edxml.frame import LEGACY_ROOT, WIRE_ROOT, Frame, frame_of
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
    if root.tag not in (WIRE_ROOT, LEGACY_ROOT):
        name = etree.QName(root)
        where = f"in namespace {name.namespace}" if name.namespace else "in no namespace"
        raise ParseError(
            ReasonCode.WRONG_NAMESPACE,
            f"the root element is {name.localname} {where}; expected edXML in namespace {EDXML_NS}",
        )
    return root


def parse_message(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> tuple[Element, MessageKind]:
    """Parse and schema-validate; returns the envelope element and the message kind."""
    root = parse_xml(data, limits)
    return root, validate(root)


# --- reading models out of a (validated) tree -------------------------------------------------
#
# Both framings are read by the same functions (a Frame says where the parts sit). The legacy
# framing is strictly validated before; the real one varies between producers, so a field the
# model can do without may be missing or empty, and dates come in several styles: what a message
# must have is checked here, naming the element.


def _text(node: Element, name: str) -> str:
    """A required element's text (it may be empty)."""
    child = node.find(q(name))
    if child is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"missing element {name}")
    return child.text or ""


def _opt_text(node: Element | None, name: str) -> str:
    """An optional element's text, as written: "" when missing or empty."""
    child = node.find(q(name)) if node is not None else None
    return "" if child is None else (child.text or "")


def _number(text: str, name: str) -> int:
    """A whole number written in ASCII digits (Python's int() would also take other scripts')."""
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"{name}: {text!r} is not a number")
    return int(text)


def _int(node: Element | None, name: str, default: int) -> int:
    text = _opt_text(node, name).strip()
    return _number(text, name) if text else default


def _opt_int(node: Element | None, name: str) -> int | None:
    """A number a file may leave out: None then, never a default presented as read."""
    text = _opt_text(node, name).strip()
    return _number(text, name) if text else None


_E = TypeVar("_E", bound=IntEnum)


def _code(node: Element | None, name: str, kind: type[_E], default: _E) -> _E:
    """A coded value (SteeringType, Priority, …) among the codes the standard defines."""
    value = _int(node, name, int(default))
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(str(int(member)) for member in kind)
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"{name}: {value} is not one of {known}") from None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def read_date(text: str, name: str = "date") -> date:
    """``YYYY/MM/DD`` (the real files, and what this version writes), ``YYYY-MM-DD`` (earlier
    versions) or ``DD/MM/YYYY`` (seen in the wild); schema-invalid naming the element otherwise."""
    value = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ParseError(ReasonCode.SCHEMA_INVALID, f"{name}: {value!r} is not a date (YYYY/MM/DD)")


def read_instant(text: str, name: str = "Timestamp") -> datetime:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnam time (the real files, and what this version writes),
    ``dd/MM/yyyy HH:mm:ss`` (a status builder in the wild), or ISO 8601 (earlier versions, with
    an offset; without one it is Vietnam time too)."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            return _in_range(parsed, value, name)
    except ValueError:
        pass
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=VIETNAM_TZ)
        except ValueError:
            continue
    raise ParseError(
        ReasonCode.SCHEMA_INVALID, f"{name}: {value!r} is not a time (yyyy/MM/dd HH:mm:ss, Vietnam time)"
    )


def _in_range(parsed: datetime, value: str, name: str) -> datetime:
    """An instant that Vietnam time can show (``9999-12-31T23:59:59-12:00`` is past year 9999 there)."""
    try:
        return parsed.astimezone(VIETNAM_TZ)
    except OverflowError:
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"{name}: {value!r} is out of range") from None


def _organization(node: Element | None, what: str) -> Organization:
    if node is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"missing element {what}")
    organ_id = _opt_text(node, "OrganId")
    if not organ_id.strip():
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"{what}: missing OrganId")
    return Organization(
        organ_id=organ_id,
        organ_name=_opt_text(node, "OrganName"),
        organization_in_charge=_opt_text(node, "OrganizationInCharge"),
        organ_add=_opt_text(node, "OrganAdd"),
        email=_opt_text(node, "Email"),
        telephone=_opt_text(node, "Telephone"),
        fax=_opt_text(node, "Fax"),
        website=_opt_text(node, "Website"),
    )


def _response_for(node: Element | None) -> ResponseFor:
    if node is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "missing element ResponseFor")
    document_id = _opt_text(node, "DocumentId")
    if not document_id.strip():
        raise ParseError(ReasonCode.SCHEMA_INVALID, "ResponseFor: missing DocumentId")
    return ResponseFor(
        organ_id=_opt_text(node, "OrganId"),
        code=_opt_text(node, "Code"),
        promulgation_date=read_date(_text(node, "PromulgationDate"), "ResponseFor/PromulgationDate"),
        document_id=document_id,
    )


def _staff_info(node: Element | None) -> StaffInfo:
    if node is None:
        return StaffInfo()
    return StaffInfo(
        _opt_text(node, "Department"),
        _opt_text(node, "Staff"),
        _opt_text(node, "Mobile"),
        _opt_text(node, "Email"),
    )


def _trace_headers(node: Element | None) -> tuple[TraceHeader, ...]:
    """Each hop; one with no time at all (an empty element, as producers write) says nothing."""
    if node is None:
        return ()
    return tuple(
        TraceHeader(
            _opt_text(th, "OrganId"), read_instant(_opt_text(th, "Timestamp"), "TraceHeader/Timestamp")
        )
        for th in node.iterfind(q("TraceHeader"))
        if _opt_text(th, "Timestamp").strip()
    )


def _bussiness(node: Element | None) -> Bussiness:
    if node is None:
        return Bussiness()
    receivers = tuple(
        Receiver(_int(r, "ReceiverType", 1), _opt_text(r, "OrganId"))
        for r in node.iterfind(f".//{q('ReceiverList')}/{q('Receiver')}")
    )
    replacements = tuple(
        ReplacementInfo(
            _opt_text(r, "DocumentId"),
            tuple(o.text or "" for o in r.iterfind(f"{q('OrganIdList')}/{q('OrganId')}")),
        )
        for r in node.iterfind(f"{q('ReplacementInfoList')}/{q('ReplacementInfo')}")
    )
    return Bussiness(
        bussiness_doc_type=_code(node, "BussinessDocType", BussinessDocType, BussinessDocType.NEW),
        bussiness_doc_reason=_opt_text(node, "BussinessDocReason"),
        document_id=_opt_text(node, "DocumentId"),
        staff_info=_staff_info(node.find(q("StaffInfo"))),
        receivers=receivers,
        replacements=replacements,
    )


def _unique_ids(nodes: list[Element], where: str) -> dict[str, Element]:
    by_id: dict[str, Element] = {}
    for node in nodes:
        content_id = _text(node, "ContentId")
        if content_id in by_id:
            raise ParseError(
                ReasonCode.INVALID_ATTACHMENT, f"the ContentId {content_id!r} is used twice in the {where}"
            )
        by_id[content_id] = node
    return by_id


def _attachments(frame: Frame, limits: ParseLimits) -> tuple[Attachment, ...]:
    """Each carried attachment with its one manifest entry: the same ContentId, the same name."""
    references = list(frame.envelope.iterfind(f"{q('edXMLBody')}/{q('edXMLManifest')}/{q('Reference')}"))
    manifest = _unique_ids(references, "manifest")
    encoded = list(frame.attachments_parent.iterfind(f"{q('AttachmentEncoded')}/{q('Attachment')}"))
    _unique_ids(encoded, "attachments")
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
        if ref is None:
            raise ParseError(
                ReasonCode.INVALID_ATTACHMENT, f"attachment {content_id!r} has no matching manifest entry"
            )
        listed = _opt_text(ref, "AttachmentName")
        if listed != name and (frame.legacy or listed):
            raise ParseError(
                ReasonCode.INVALID_ATTACHMENT,
                f"attachment {content_id!r} is named {name!r} but the manifest names it {listed!r}",
            )
        if remaining < limits.max_attachment_bytes:
            budget = remaining
            limit = f"what is left of the {limits.max_total_attachment_bytes}-byte limit for all attachments"
        else:
            budget, limit = limits.max_attachment_bytes, "the per-attachment limit"
        if frame.legacy:
            data = decode_attachment(name, _text(node, "Value"), max_bytes=budget, limit=limit)
        else:  # the real files carry the base64 in ContentTransferEncoded, zipped or not
            data = decode_wire_attachment(
                name, _text(node, "ContentTransferEncoded"), max_bytes=budget, limit=limit
            )
        remaining -= len(data)
        result.append(
            Attachment(
                content_id=content_id,
                attachment_name=name,
                content_type=_opt_text(node, "ContentType") or _opt_text(ref, "ContentType"),
                data=data,
                description=_opt_text(ref, "Description"),
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
    frame = frame_of(root)
    header = frame.header
    mh = frame.message_header
    if mh is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "missing MessageHeader")
    code, pi, dt, si, oi = (
        mh.find(q(n)) for n in ("Code", "PromulgationInfo", "DocumentType", "SignerInfo", "OtherInfo")
    )
    document_id = _opt_text(mh, "DocumentId")
    if not document_id.strip():
        raise ParseError(ReasonCode.SCHEMA_INVALID, "missing DocumentId")
    due = _opt_text(mh, "DueDate").strip()
    day = _opt_text(pi, "PromulgationDate")  # left out by some producers: read as no date
    thl = header.find(q("TraceHeaderList")) if header is not None else None
    return DocumentMessage(
        from_=_organization(mh.find(q("From")), "From"),
        to=tuple(_organization(t, "To") for t in mh.iterfind(q("To"))),
        document_id=document_id,
        code=Code(_opt_text(code, "CodeNumber"), _opt_text(code, "CodeNotation")),
        promulgation_info=PromulgationInfo(
            _opt_text(pi, "Place"), read_date(day, "PromulgationDate") if day.strip() else None
        ),
        document_type=DocumentType(
            _opt_int(dt, "Type"), _opt_int(dt, "TypeDetail"), _opt_text(dt, "TypeName")
        ),
        subject=_opt_text(mh, "Subject"),
        content=_opt_text(mh, "Content"),
        signer_info=SignerInfo(
            _opt_text(si, "Competence"), _opt_text(si, "Position"), _opt_text(si, "FullName")
        ),
        due_date=read_date(due, "DueDate") if due else None,
        to_places=tuple(p.text or "" for p in mh.iterfind(f"{q('ToPlaces')}/{q('Place')}")),
        other_info=OtherInfo(
            priority=_code(oi, "Priority", Priority, Priority.NORMAL),
            sphere_of_promulgation=_opt_text(oi, "SphereOfPromulgation"),
            typer_notation=_opt_text(oi, "TyperNotation"),
            promulgation_amount=_int(oi, "PromulgationAmount", 1),
            page_amount=_int(oi, "PageAmount", 1),
            appendixes=tuple(a.text or "" for a in oi.iterfind(f"{q('Appendixes')}/{q('Appendix')}"))
            if oi is not None
            else (),
        ),
        response_for=tuple(
            _response_for(r) for r in mh.iterfind(q("ResponseFor")) if _opt_text(r, "DocumentId")
        ),
        steering_type=_code(mh, "SteeringType", SteeringType, SteeringType.NOT_STATED),
        trace_headers=_trace_headers(thl),
        bussiness=_bussiness(thl.find(q("Bussiness")) if thl is not None else None),
        attachments=_attachments(frame, limits) if attachments else (),
    )


def _read_status(root: Element) -> StatusMessage:
    frame = frame_of(root)
    header = frame.header
    st = frame.status_header
    if st is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "missing Status")
    code = _opt_text(st, "StatusCode").strip()
    try:
        status_code = StatusCode(_number(code, "StatusCode"))
    except (ValueError, ParseError):
        raise ParseError(ReasonCode.SCHEMA_INVALID, f"StatusCode: {code!r} is not a status code") from None
    return StatusMessage(
        response_for=_response_for(st.find(q("ResponseFor"))),
        from_=_organization(st.find(q("From")), "From"),
        status_code=status_code,
        description=_opt_text(st, "Description"),
        timestamp=read_instant(_text(st, "Timestamp")),
        staff_info=_staff_info(st.find(q("StaffInfo"))),
        trace_headers=_trace_headers(header.find(q("TraceHeaderList")) if header is not None else None),
    )
