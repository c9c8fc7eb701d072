"""Build edXML document and status messages as XML trees, in the real wire framing.

The framing, element order and value styles are those real systems exchange (DOMAIN.md §5, "The
real wire format"; ``docs/edxml-real-framing.md``): root ``edXML`` (default namespace) holding the
``edXML:edXMLEnvelope`` and, beside it, ``AttachmentEncoded``; dates ``YYYY/MM/DD``; times
``yyyy/MM/dd HH:mm:ss`` in Vietnam time; a status message's fields in its ``MessageHeader``.
``schemas/edxml-document.xsd`` and ``schemas/edxml-status.xsd`` describe exactly what is written.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from docexchange.clock import as_vietnam_time
from docexchange.edxml.attachments import encode_attachment
from docexchange.edxml.model import (
    Attachment,
    Bussiness,
    BussinessDocType,
    DocumentMessage,
    Organization,
    OtherInfo,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    TraceHeader,
)
from docexchange.edxml.namespaces import EDXML_NS, NSMAP, q

Element = etree._Element


def format_date(value: date) -> str:
    """A date as the real files write it: ``2019/04/11`` (their library reads no ISO date)."""
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_wire_time(value: datetime) -> str:
    """A message time as the real files write it: ``2019/04/11 08:30:00``, Vietnam time, no offset."""
    local = as_vietnam_time(value)
    return f"{format_date(local.date())} {local:%H:%M:%S}"


def format_datetime(value: datetime) -> str:
    """ISO 8601 in Vietnam time with the +07:00 offset: XAdES SigningTime (an xs:dateTime), reports."""
    return as_vietnam_time(value).isoformat(timespec="seconds")


def _leaf(parent: Element, name: str, text: object) -> Element:
    node = etree.SubElement(parent, q(name))
    node.text = str(text)
    return node


def _or_empty(value: int | None) -> object:
    """A number not known is written empty (the strict schema then refuses the message)."""
    return "" if value is None else value


def _organization(parent: Element, name: str, org: Organization) -> None:
    node = etree.SubElement(parent, q(name))
    _leaf(node, "OrganId", org.organ_id)
    _leaf(node, "OrganizationInCharge", org.organization_in_charge)
    _leaf(node, "OrganName", org.organ_name)
    _leaf(node, "OrganAdd", org.organ_add)
    _leaf(node, "Email", org.email)
    _leaf(node, "Telephone", org.telephone)
    _leaf(node, "Fax", org.fax)
    _leaf(node, "Website", org.website)


def _response_for(parent: Element, rf: ResponseFor) -> None:
    node = etree.SubElement(parent, q("ResponseFor"))
    _leaf(node, "OrganId", rf.organ_id)
    _leaf(node, "Code", rf.code)
    _leaf(node, "PromulgationDate", format_date(rf.promulgation_date))
    _leaf(node, "DocumentId", rf.document_id)


def _staff_info(parent: Element, staff: StaffInfo) -> None:
    node = etree.SubElement(parent, q("StaffInfo"))
    _leaf(node, "Department", staff.department)
    _leaf(node, "Staff", staff.staff)
    _leaf(node, "Mobile", staff.mobile)
    _leaf(node, "Email", staff.email)


def _other_info(parent: Element, info: OtherInfo) -> None:
    node = etree.SubElement(parent, q("OtherInfo"))
    _leaf(node, "Priority", int(info.priority))
    _leaf(node, "SphereOfPromulgation", info.sphere_of_promulgation)
    _leaf(node, "TyperNotation", info.typer_notation)
    _leaf(node, "PromulgationAmount", info.promulgation_amount)
    _leaf(node, "PageAmount", info.page_amount)
    appendixes = etree.SubElement(node, q("Appendixes"))
    for appendix in info.appendixes:
        _leaf(appendixes, "Appendix", appendix)


def _trace_header_list(parent: Element, traces: tuple[TraceHeader, ...], bussiness: Bussiness | None) -> None:
    node = etree.SubElement(parent, q("TraceHeaderList"))
    for trace in traces:
        th = etree.SubElement(node, q("TraceHeader"))
        _leaf(th, "OrganId", trace.organ_id)
        _leaf(th, "Timestamp", format_wire_time(trace.timestamp))
    if bussiness is not None:
        _bussiness(node, bussiness)


def _bussiness(parent: Element, bussiness: Bussiness) -> None:
    """Bussiness (sic) in the real files' order: DocumentId, BussinessDocType, BussinessDocReason,
    Paper, StaffInfo, then BussinessDocumentInfo (an update: the recipients it adds or removes) and
    ReplacementInfoList (a replacement: the documents it replaces), when there are any."""
    node = etree.SubElement(parent, q("Bussiness"))
    _leaf(node, "DocumentId", bussiness.document_id)
    _leaf(node, "BussinessDocType", int(bussiness.bussiness_doc_type))
    _leaf(node, "BussinessDocReason", bussiness.bussiness_doc_reason)
    _leaf(node, "Paper", 0)  # no paper copy follows: the document goes electronically only
    _staff_info(node, bussiness.staff_info)
    if bussiness.bussiness_doc_type is BussinessDocType.UPDATE or bussiness.receivers:
        info = etree.SubElement(node, q("BussinessDocumentInfo"))
        # Flags: 1 when the update changes the document's information / its recipients.
        _leaf(info, "DocumentInfo", 0 if bussiness.receivers else 1)
        _leaf(info, "DocumentReceiver", 1 if bussiness.receivers else 0)
        receivers = etree.SubElement(info, q("ReceiverList"))
        for receiver in bussiness.receivers:
            rn = etree.SubElement(receivers, q("Receiver"))
            _leaf(rn, "ReceiverType", receiver.receiver_type)
            _leaf(rn, "OrganId", receiver.organ_id)
    if bussiness.replacements:
        replacements = etree.SubElement(node, q("ReplacementInfoList"))
        for replacement in bussiness.replacements:
            rp = etree.SubElement(replacements, q("ReplacementInfo"))
            _leaf(rp, "DocumentId", replacement.document_id)
            organs = etree.SubElement(rp, q("OrganIdList"))
            for organ_id in replacement.organ_ids:
                _leaf(organs, "OrganId", organ_id)


def _manifest(envelope: Element, attachments: tuple[Attachment, ...]) -> None:
    body = etree.SubElement(envelope, q("edXMLBody"))
    manifest = etree.SubElement(body, q("edXMLManifest"), version="1.0")
    for att in attachments:
        ref = etree.SubElement(manifest, q("Reference"))
        _leaf(ref, "ContentId", att.content_id)
        _leaf(ref, "ContentType", att.content_type)
        _leaf(ref, "Description", att.description)
        _leaf(ref, "AttachmentName", att.attachment_name)


def _attachment_encoded(root: Element, attachments: tuple[Attachment, ...]) -> None:
    """``AttachmentEncoded`` beside the envelope: each file zipped (one entry) and base64-encoded
    in ``ContentTransferEncoded``, the one child the real files write prefixed."""
    encoded = etree.SubElement(root, q("AttachmentEncoded"))
    for att in attachments:
        node = etree.SubElement(encoded, q("Attachment"))
        _leaf(node, "ContentId", att.content_id)
        _leaf(node, "AttachmentName", att.attachment_name)
        _leaf(node, "Description", att.description)
        _leaf(node, "ContentType", att.content_type)
        value = etree.SubElement(node, q("ContentTransferEncoded"), nsmap=NSMAP)
        value.text = encode_attachment(att.attachment_name, att.data)


def _frame() -> tuple[Element, Element, Element]:
    """The root ``edXML`` (default namespace), its ``edXML:edXMLEnvelope`` and header."""
    default: dict[str | None, str] = {None: EDXML_NS}
    root = etree.Element(q("edXML"), nsmap=default)  # type: ignore[arg-type]  # lxml-stubs omit None
    envelope = etree.SubElement(root, q("edXMLEnvelope"), nsmap=NSMAP)
    header = etree.SubElement(envelope, q("edXMLHeader"))
    return root, envelope, header


def build_document(msg: DocumentMessage) -> Element:
    """The unsigned ``edXML`` of a document message (attachments beside the envelope)."""
    root, envelope, header = _frame()
    mh = etree.SubElement(header, q("MessageHeader"))
    _organization(mh, "From", msg.from_)
    for recipient in msg.to:
        _organization(mh, "To", recipient)
    _leaf(mh, "DocumentId", msg.document_id)
    code = etree.SubElement(mh, q("Code"))
    _leaf(code, "CodeNumber", msg.code.code_number)
    _leaf(code, "CodeNotation", msg.code.code_notation)
    pi = etree.SubElement(mh, q("PromulgationInfo"))
    _leaf(pi, "Place", msg.promulgation_info.place)
    _leaf(pi, "PromulgationDate", format_date(msg.promulgation_date))
    dt = etree.SubElement(mh, q("DocumentType"))
    _leaf(dt, "Type", _or_empty(msg.document_type.type))
    _leaf(dt, "TypeDetail", _or_empty(msg.document_type.type_detail))
    _leaf(dt, "TypeName", msg.document_type.type_name)
    _leaf(mh, "Subject", msg.subject)
    _leaf(mh, "Content", msg.content)
    si = etree.SubElement(mh, q("SignerInfo"))
    _leaf(si, "Competence", msg.signer_info.competence)
    _leaf(si, "Position", msg.signer_info.position)
    _leaf(si, "FullName", msg.signer_info.full_name)
    if msg.due_date is not None:
        _leaf(mh, "DueDate", format_date(msg.due_date))
    _other_info(mh, msg.other_info)
    for rf in msg.response_for:
        _response_for(mh, rf)
    _leaf(mh, "SteeringType", int(msg.steering_type))
    places = etree.SubElement(mh, q("ToPlaces"))
    for place in msg.to_places:
        _leaf(places, "Place", place)
    _trace_header_list(header, msg.trace_headers, msg.bussiness)
    _manifest(envelope, msg.attachments)
    if msg.attachments:
        _attachment_encoded(root, msg.attachments)
    etree.indent(root, space="  ")
    return root


def build_status(msg: StatusMessage) -> Element:
    """The unsigned ``edXML`` of a status message: its fields in the header's ``MessageHeader``."""
    root, _, header = _frame()
    mh = etree.SubElement(header, q("MessageHeader"))
    _organization(mh, "From", msg.from_)
    _response_for(mh, msg.response_for)
    _staff_info(mh, msg.staff_info)
    _leaf(mh, "StatusCode", msg.status_code.wire)
    _leaf(mh, "Description", msg.description)
    _leaf(mh, "Timestamp", format_wire_time(msg.timestamp))
    if msg.trace_headers:
        _trace_header_list(header, msg.trace_headers, None)
    etree.indent(root, space="  ")
    return root


def to_bytes(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
