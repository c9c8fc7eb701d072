"""Build edXML document and status messages as XML trees, in the element order of DOMAIN.md §5."""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from docexchange.clock import as_vietnam_time
from docexchange.edxml.attachments import encode_attachment
from docexchange.edxml.model import (
    Attachment,
    Bussiness,
    DocumentMessage,
    Organization,
    OtherInfo,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    TraceHeader,
)
from docexchange.edxml.namespaces import NSMAP, q

Element = etree._Element


def format_date(value: date) -> str:
    return value.isoformat()


def format_datetime(value: datetime) -> str:
    """ISO 8601 in Vietnam time with the +07:00 offset (Decision 28/2018)."""
    return as_vietnam_time(value).isoformat(timespec="seconds")


def _leaf(parent: Element, name: str, text: object) -> Element:
    node = etree.SubElement(parent, q(name))
    node.text = str(text)
    return node


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
        _leaf(th, "Timestamp", format_datetime(trace.timestamp))
    if bussiness is None:
        return
    bn = etree.SubElement(node, q("Bussiness"))
    _leaf(bn, "BussinessDocType", int(bussiness.bussiness_doc_type))
    _leaf(bn, "BussinessDocReason", bussiness.bussiness_doc_reason)
    _leaf(bn, "DocumentId", bussiness.document_id)
    _staff_info(bn, bussiness.staff_info)
    receivers = etree.SubElement(bn, q("ReceiverList"))
    for receiver in bussiness.receivers:
        rn = etree.SubElement(receivers, q("Receiver"))
        _leaf(rn, "ReceiverType", receiver.receiver_type)
        _leaf(rn, "OrganId", receiver.organ_id)
    replacements = etree.SubElement(bn, q("ReplacementInfoList"))
    for replacement in bussiness.replacements:
        rp = etree.SubElement(replacements, q("ReplacementInfo"))
        _leaf(rp, "DocumentId", replacement.document_id)
        organs = etree.SubElement(rp, q("OrganIdList"))
        for organ_id in replacement.organ_ids:
            _leaf(organs, "OrganId", organ_id)


def _attachments(envelope: Element, attachments: tuple[Attachment, ...]) -> None:
    body = etree.SubElement(envelope, q("edXMLBody"))
    manifest = etree.SubElement(body, q("edXMLManifest"))
    for att in attachments:
        ref = etree.SubElement(manifest, q("Reference"))
        _leaf(ref, "ContentId", att.content_id)
        _leaf(ref, "ContentType", att.content_type)
        _leaf(ref, "Description", att.description)
        _leaf(ref, "AttachmentName", att.attachment_name)
    if not attachments:
        return
    encoded = etree.SubElement(envelope, q("AttachmentEncoded"))
    for att in attachments:
        node = etree.SubElement(encoded, q("Attachment"))
        _leaf(node, "ContentId", att.content_id)
        _leaf(node, "AttachmentName", att.attachment_name)
        _leaf(node, "ContentType", att.content_type)
        _leaf(node, "ContentTransferEncoded", "base64")
        _leaf(node, "Value", encode_attachment(att.attachment_name, att.data))


def build_document(msg: DocumentMessage) -> Element:
    """The unsigned ``edXMLEnvelope`` of a document message."""
    envelope = etree.Element(q("edXMLEnvelope"), nsmap=NSMAP)
    header = etree.SubElement(envelope, q("edXMLHeader"))
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
    _leaf(pi, "PromulgationDate", format_date(msg.promulgation_info.promulgation_date))
    dt = etree.SubElement(mh, q("DocumentType"))
    _leaf(dt, "Type", msg.document_type.type)
    _leaf(dt, "TypeDetail", msg.document_type.type_detail)
    _leaf(dt, "TypeName", msg.document_type.type_name)
    _leaf(mh, "Subject", msg.subject)
    _leaf(mh, "Content", msg.content)
    si = etree.SubElement(mh, q("SignerInfo"))
    _leaf(si, "Competence", msg.signer_info.competence)
    _leaf(si, "Position", msg.signer_info.position)
    _leaf(si, "FullName", msg.signer_info.full_name)
    if msg.due_date is not None:
        _leaf(mh, "DueDate", format_date(msg.due_date))
    places = etree.SubElement(mh, q("ToPlaces"))
    for place in msg.to_places:
        _leaf(places, "Place", place)
    _other_info(mh, msg.other_info)
    for rf in msg.response_for:
        _response_for(mh, rf)
    _leaf(mh, "SteeringType", int(msg.steering_type))
    _trace_header_list(header, msg.trace_headers, msg.bussiness)
    _attachments(envelope, msg.attachments)
    etree.indent(envelope, space="  ")
    return envelope


def build_status(msg: StatusMessage) -> Element:
    """The unsigned ``edXMLEnvelope`` of a status message."""
    envelope = etree.Element(q("edXMLEnvelope"), nsmap=NSMAP)
    header = etree.SubElement(envelope, q("edXMLHeader"))
    status = etree.SubElement(header, q("Status"))
    _response_for(status, msg.response_for)
    _organization(status, "From", msg.from_)
    _leaf(status, "StatusCode", msg.status_code.wire)
    _leaf(status, "Description", msg.description)
    _leaf(status, "Timestamp", format_datetime(msg.timestamp))
    _staff_info(status, msg.staff_info)
    if msg.trace_headers:
        _trace_header_list(header, msg.trace_headers, None)
    etree.SubElement(envelope, q("edXMLBody"))
    etree.indent(envelope, space="  ")
    return envelope


def to_bytes(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
