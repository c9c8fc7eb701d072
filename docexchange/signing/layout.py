"""Where the two signatures sit in an edXML message (documented in schemas/README.md).

- The competent person's signature: ``edXMLEnvelope/edXMLHeader/ds:Signature`` — XAdES-BES,
  enveloped, ``Reference URI=""`` (the whole message from the root ``edXML``, the attachments
  beside the envelope included, minus this signature), plus references to its own
  SignedProperties (SigningTime, SigningCertificateV2, SignerRole) and KeyInfo (the chain).
- The agency's signature: a XAdES countersignature nested in the person's signature at
  ``…/ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/
  xades:UnsignedSignatureProperties/xades:CounterSignature/ds:Signature`` — also enveloped with
  ``Reference URI=""``. Its enveloped transform removes only itself, so it covers the whole
  document *including* the person's signature; the person's enveloped transform removes the
  person's signature with the nested agency signature inside it, so the person's signature
  verifies on its own. Status messages carry only an agency signature at ``edXMLHeader/ds:Signature``.

Messages in the legacy framing (the envelope as root, written by earlier versions) have the same
layout one level up; the locations follow the message's :class:`~docexchange.edxml.frame.Frame`.
"""

from __future__ import annotations

from lxml import etree

from docexchange.edxml.frame import Frame, frame_of
from docexchange.edxml.namespaces import DS_NS, XADES_NS, ds, xades

Element = etree._Element

COUNTER_PATH = (
    ds("Object"),
    xades("QualifyingProperties"),
    xades("UnsignedProperties"),
    xades("UnsignedSignatureProperties"),
    xades("CounterSignature"),
)


def header_location(frame: Frame) -> str:
    """signxml's ``location`` of the header signature (the person's, or a status's agency's)."""
    return frame.header_path


def counter_location(frame: Frame) -> str:
    """signxml's ``location`` of the agency's countersignature inside the person's signature."""
    return frame.header_path + f"{ds('Signature')}/" + "/".join(COUNTER_PATH) + "/"


PERSON_ID = "PersonSignature"
AGENCY_ID = "AgencySignature"


def all_signatures(root: Element) -> list[Element]:
    return list(root.iter(ds("Signature")))


def header_signature(root: Element) -> Element | None:
    header = frame_of(root).header
    return None if header is None else header.find(ds("Signature"))


def counter_signature(person_signature: Element) -> Element | None:
    node: Element | None = person_signature
    for tag in COUNTER_PATH:
        if node is None:
            return None
        node = node.find(tag)
    return None if node is None else node.find(ds("Signature"))


def add_counter_signature_placeholder(person_signature: Element) -> Element:
    """Create the UnsignedProperties path under the person's signature and a signxml placeholder."""
    qp = person_signature.find(f"{ds('Object')}/{xades('QualifyingProperties')}")
    if qp is None:
        raise ValueError("the person's signature has no XAdES QualifyingProperties")
    node = qp
    for tag in COUNTER_PATH[2:]:
        child = node.find(tag)
        node = child if child is not None else etree.SubElement(node, tag, nsmap={"xades": XADES_NS})
    return etree.SubElement(node, ds("Signature"), nsmap={"ds": DS_NS}, Id="placeholder")
