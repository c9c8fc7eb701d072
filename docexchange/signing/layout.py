"""Where the two signatures sit in an edXML message (documented in schemas/README.md).

- The competent person's signature: ``edXMLHeader/ds:Signature`` — XAdES-BES, enveloped,
  ``Reference URI=""`` (the whole envelope minus this signature), plus references to its own
  SignedProperties (SigningTime, SigningCertificateV2, SignerRole) and KeyInfo (the chain).
- The agency's signature: a XAdES countersignature nested in the person's signature at
  ``…/ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/
  xades:UnsignedSignatureProperties/xades:CounterSignature/ds:Signature`` — also enveloped with
  ``Reference URI=""``. Its enveloped transform removes only itself, so it covers the whole
  document *including* the person's signature; the person's enveloped transform removes the
  person's signature with the nested agency signature inside it, so the person's signature
  verifies on its own. Status messages carry only an agency signature at ``edXMLHeader/ds:Signature``.
"""

from __future__ import annotations

from lxml import etree

from docexchange.edxml.namespaces import DS_NS, XADES_NS, ds, q, xades

Element = etree._Element

HEADER_LOCATION = f"./{q('edXMLHeader')}/"
COUNTER_PATH = (
    ds("Object"),
    xades("QualifyingProperties"),
    xades("UnsignedProperties"),
    xades("UnsignedSignatureProperties"),
    xades("CounterSignature"),
)
COUNTER_LOCATION = HEADER_LOCATION + f"{ds('Signature')}/" + "/".join(COUNTER_PATH) + "/"

PERSON_ID = "PersonSignature"
AGENCY_ID = "AgencySignature"


def all_signatures(root: Element) -> list[Element]:
    return list(root.iter(ds("Signature")))


def header_signature(root: Element) -> Element | None:
    header = root.find(q("edXMLHeader"))
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
