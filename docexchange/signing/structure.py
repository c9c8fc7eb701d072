"""The exact shape each signature must have, checked before any cryptography runs.

signxml verifies whatever references a signature declares. Left at that, a signer could point its
first reference at a nested copy of an envelope instead of the document (and the verifier would
then read that copy), or declare thousands of references to make verification slow. So every
signature is pinned to the shape our signer and the layout in ``schemas/README.md`` produce:

- children ``SignedInfo, SignatureValue, KeyInfo, Object`` in that order, nothing else;
- ``KeyInfo`` holds one ``X509Data`` and nothing else; it carries an Id;
- exactly three references: ``URI=""`` with the transforms [enveloped-signature, exc-c14n]; the
  signature's *own* SignedProperties (Type SignedProperties, [exc-c14n]); its *own* KeyInfo ([exc-c14n]);
- one ``Object`` holding one ``QualifyingProperties`` that targets this signature, with
  ``SignedProperties`` and — only on the person's signature — ``UnsignedProperties`` holding
  exactly the agency's countersignature;
- every Id in the message is unique, so a reference can only resolve inside its own signature.

Anything else is ``signature-layout``: nothing unsigned rides along in a message we accept.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from docexchange.edxml.namespaces import ds, xades
from docexchange.errors import ReasonCode, VerificationError
from docexchange.signing.policy import ENVELOPED, EXC_C14N

Element = etree._Element

SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_ID_NAMES = ("Id", "ID")


def _layout(message: str) -> VerificationError:
    return VerificationError(ReasonCode.SIGNATURE_LAYOUT, message)


def _names(node: Element) -> list[str]:
    return [etree.QName(child).localname if isinstance(child.tag, str) else "#other" for child in node]


def _only_child(parent: Element, tag: str, what: str) -> Element:
    children = [c for c in parent if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag != tag:
        found = ", ".join(_names(parent)) or "nothing"
        raise _layout(f"{what} must hold exactly one {etree.QName(tag).localname}; it holds {found}")
    return children[0]


def _transforms(reference: Element) -> list[str]:
    node = reference.find(ds("Transforms"))
    if node is None:
        return []
    return [t.get("Algorithm", "") for t in node if isinstance(t.tag, str)]


def check_unique_ids(root: Element) -> None:
    """No two elements share an Id/ID value (signxml resolves ``#x`` by attribute value anywhere)."""
    values: Counter[str] = Counter()
    for node in root.iter():
        for name, value in node.attrib.items():
            if etree.QName(name).localname in _ID_NAMES:
                values[str(value)] += 1
    duplicated = [value for value, count in values.items() if count > 1]
    if duplicated:
        raise _layout(f"the Id {duplicated[0]!r} is used {values[duplicated[0]]} times; Ids must be unique")


def check_signature_shape(signature: Element, *, countersigned: bool) -> None:
    """Refuse (signature-layout) any signature that is not exactly the pinned shape."""
    sig_id = signature.get("Id", "")
    what = f"signature {sig_id or '(no Id)'}"
    if _names(signature) != ["SignedInfo", "SignatureValue", "KeyInfo", "Object"]:
        raise _layout(
            f"{what} must hold SignedInfo, SignatureValue, KeyInfo, Object; it holds "
            f"{', '.join(_names(signature))}"
        )
    signed_info = signature[0]
    key_info = signature[2]
    _only_child(key_info, ds("X509Data"), f"{what}: KeyInfo")
    qualifying = _only_child(signature[3], xades("QualifyingProperties"), f"{what}: Object")
    if qualifying.get("Target") != f"#{sig_id}":
        raise _layout(
            f"{what}: QualifyingProperties targets {qualifying.get('Target')!r}, not this signature"
        )
    expected = ["SignedProperties", "UnsignedProperties"] if countersigned else ["SignedProperties"]
    if _names(qualifying) != expected:
        raise _layout(
            f"{what}: QualifyingProperties must hold {', '.join(expected)}; it holds "
            f"{', '.join(_names(qualifying)) or 'nothing'}"
        )
    signed_properties = qualifying[0]
    if countersigned:
        node = _only_child(qualifying[1], xades("UnsignedSignatureProperties"), f"{what}: UnsignedProperties")
        node = _only_child(node, xades("CounterSignature"), f"{what}: UnsignedSignatureProperties")
        _only_child(node, ds("Signature"), f"{what}: CounterSignature")

    references = [r for r in signed_info if r.tag == ds("Reference")]
    if len(references) != 3:
        raise _layout(
            f"{what} declares {len(references)} references; exactly 3 are expected "
            "(the document, its SignedProperties, its KeyInfo)"
        )
    document, props, keys = references
    if document.get("URI") != "" or _transforms(document) != [ENVELOPED, EXC_C14N]:
        raise _layout(
            f'{what}: the first reference must be URI="" with the enveloped-signature and '
            "exclusive c14n transforms"
        )
    props_id, keys_id = signed_properties.get("Id"), key_info.get("Id")
    if not props_id or props.get("URI") != f"#{props_id}" or props.get("Type") != SIGNED_PROPERTIES_TYPE:
        raise _layout(f"{what}: the second reference must point at its own SignedProperties")
    if not keys_id or keys.get("URI") != f"#{keys_id}":
        raise _layout(f"{what}: the third reference must point at its own KeyInfo")
    for reference in (props, keys):
        if _transforms(reference) != [EXC_C14N]:
            raise _layout(
                f"{what}: reference {reference.get('URI')} must use exactly the exclusive c14n transform"
            )
