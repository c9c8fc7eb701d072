"""Elements a message holds at most once, checked on the real framing as read.

The reading schema (``schemas/edxml-wire.xsd``) takes a header's children in any order, as
producers write them; XSD 1.0 cannot then also say "at most one From". Left unchecked, a message
with two ``From`` or two ``Subject`` would be read by its first and could be read by its second
elsewhere — an ambiguity a signer could exploit. So every element a message has once is counted
here, and a header holding both a ``MessageHeader`` and a ``Status`` is refused too.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from docexchange.edxml.frame import Frame
from docexchange.edxml.namespaces import EDXML_NS, q
from docexchange.errors import ParseError, ReasonCode

Element = etree._Element

_ORGANIZATION = frozenset(
    {"OrganId", "OrganizationInCharge", "OrganName", "OrganAdd", "Email", "Telephone", "Fax", "Website"}
)
_HEADER_FIELDS = frozenset(
    {
        "From", "DocumentId", "Code", "PromulgationInfo", "DocumentType", "Subject", "Content",
        "SignerInfo", "DueDate", "OtherInfo", "SteeringType", "ToPlaces", "StaffInfo", "StatusCode",
        "Description", "Timestamp",
    }
)  # fmt: skip
SINGLETONS: dict[str, frozenset[str]] = {
    "edXMLEnvelope": frozenset({"edXMLHeader", "edXMLBody"}),
    "edXMLHeader": frozenset({"MessageHeader", "Status", "TraceHeaderList"}),
    "MessageHeader": _HEADER_FIELDS,
    "Status": _HEADER_FIELDS | {"ResponseFor"},
    "From": _ORGANIZATION,
    "To": _ORGANIZATION,
    "ResponseFor": frozenset({"OrganId", "Code", "PromulgationDate", "DocumentId"}),
    "Code": frozenset({"CodeNumber", "CodeNotation"}),
    "PromulgationInfo": frozenset({"Place", "PromulgationDate"}),
    "DocumentType": frozenset({"Type", "TypeDetail", "TypeName"}),
    "SignerInfo": frozenset({"Competence", "Position", "FullName"}),
    "OtherInfo": frozenset(
        {
            "Priority",
            "SphereOfPromulgation",
            "TyperNotation",
            "PromulgationAmount",
            "PageAmount",
            "Direction",
            "Appendixes",
        }
    ),
    "StaffInfo": frozenset({"Department", "Staff", "Mobile", "Email"}),
    "TraceHeaderList": frozenset({"Bussiness"}),
    "TraceHeader": frozenset({"OrganId", "Timestamp"}),
    "Bussiness": frozenset(
        {
            "DocumentId",
            "BussinessDocType",
            "BussinessDocReason",
            "Paper",
            "StaffInfo",
            "BussinessDocumentInfo",
            "ReplacementInfoList",
        }
    ),
    "edXMLBody": frozenset({"edXMLManifest"}),
    "Reference": frozenset({"ContentId", "ContentType", "Description", "AttachmentName"}),
    "Attachment": frozenset(
        {"ContentId", "AttachmentName", "Description", "ContentType", "ContentTransferEncoded", "Value"}
    ),
}


def _local(node: Element) -> str | None:
    """The local name of an edXML element (None for anything else: signatures, comments)."""
    if not isinstance(node.tag, str):
        return None
    name = etree.QName(node)
    return name.localname if name.namespace == EDXML_NS else None


def check_singletons(frame: Frame) -> None:
    """Refuse (schema-invalid) an element the message may hold once appearing twice."""
    roots = [frame.envelope, *frame.root.iterfind(q("AttachmentEncoded"))]
    for top in roots:
        for node in top.iter():
            parent = _local(node)
            allowed = SINGLETONS.get(parent) if parent else None
            if allowed is None:
                continue
            counts = Counter(name for child in node if (name := _local(child)) in allowed)
            if parent == "MessageHeader" and counts["StatusCode"]:
                counts["ResponseFor"] = sum(1 for c in node if _local(c) == "ResponseFor")
            for name, count in counts.items():
                if count > 1:
                    raise ParseError(
                        ReasonCode.SCHEMA_INVALID, f"{parent} holds {count} {name} elements; it may hold one"
                    )
            if parent == "edXMLHeader" and counts["MessageHeader"] and counts["Status"]:
                raise ParseError(
                    ReasonCode.SCHEMA_INVALID,
                    "the edXMLHeader holds both a MessageHeader and a Status; a message is one or the other",
                )
