"""Apply the person's and the agency's XAdES signatures to edXML messages.

signxml does the XMLDSig work (canonicalisation, digests, KeyInfo); this module only decides the
layout (:mod:`.layout`), feeds the signing time from the caller's clock and makes two
adjustments to signxml's XAdES signer:

- the references to SignedProperties and KeyInfo declare their exclusive-c14n transform
  explicitly, so that any XMLDSig implementation (libxmlsec1 in our tests) canonicalises them
  the same way instead of falling back to inclusive C14N;
- element Ids are deterministic (``PersonSignature``, ``AgencySignature-…``) rather than random.
"""

from __future__ import annotations

from base64 import b64encode
from datetime import datetime
from typing import Any

from cryptography.x509 import Certificate
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, SignatureConstructionMethod
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSigner

from docexchange.edxml.build import format_datetime
from docexchange.edxml.frame import WIRE_ROOT, frame_of
from docexchange.edxml.namespaces import DS_NS, ds, xades
from docexchange.edxml.parse import xml_parser
from docexchange.pki import SigningKey
from docexchange.signing.layout import (
    AGENCY_ID,
    PERSON_ID,
    add_counter_signature_placeholder,
    all_signatures,
    header_signature,
)
from docexchange.signing.policy import EXC_C14N, HashChoice, algorithms_for

Element = etree._Element


class _EdxmlXAdESSigner(XAdESSigner):
    def __init__(
        self,
        *,
        signature_id: str,
        signing_time: datetime,
        claimed_role: str,
        description: str,
        allow_sha1: bool,
        **kwargs: Any,
    ) -> None:
        self._allow_sha1 = allow_sha1
        super().__init__(
            claimed_roles=[claimed_role] if claimed_role else None,
            data_object_format=XAdESDataObjectFormat(Description=description, MimeType="application/xml"),
            **kwargs,
        )
        self._signature_id = signature_id
        self._signing_time = signing_time
        self._counter = 0
        # After KeyInfo exists, before the XAdES object is built: fix the Ids.
        self.signature_annotators.insert(1, self._set_ids)

    def check_deprecated_methods(self) -> None:
        if not getattr(self, "_allow_sha1", False):
            super().check_deprecated_methods()  # type: ignore[no-untyped-call]

    def _set_ids(self, sig_root: Element, signing_settings: Any) -> None:
        sig_root.set("Id", self._signature_id)
        key_info = sig_root.find(ds("KeyInfo"))
        if key_info is not None:
            key_info.set("Id", f"{self._signature_id}-KeyInfo")

    def _get_token(self, length: int = 4) -> str:
        self._counter += 1
        return f"-{self._signature_id}-{self._counter}"

    def add_signing_time(
        self, signed_signature_properties: Element, sig_root: Element, signing_settings: Any
    ) -> None:
        node = etree.SubElement(signed_signature_properties, xades("SigningTime"), nsmap=self.namespaces)
        node.text = format_datetime(self._signing_time)

    def _add_reference_to_signed_info(
        self, sig_root: Element, node_to_reference: Element, **attrs: str
    ) -> None:
        signed_info = sig_root.find(ds("SignedInfo"))
        assert signed_info is not None
        reference = etree.SubElement(signed_info, ds("Reference"), nsmap=self.namespaces)
        reference.set("URI", f"#{node_to_reference.get('Id')}")
        for name, value in attrs.items():
            reference.set(name, value)
        transforms = etree.SubElement(reference, ds("Transforms"))
        etree.SubElement(transforms, ds("Transform"), Algorithm=EXC_C14N)
        etree.SubElement(reference, ds("DigestMethod"), Algorithm=self.digest_alg.value)
        digest_value = etree.SubElement(reference, ds("DigestValue"))
        c14n = self._c14n(
            node_to_reference, algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
        )
        digest_value.text = b64encode(self._get_digest(c14n, algorithm=self.digest_alg)).decode()


def _sign(
    root: Element,
    *,
    key: SigningKey,
    chain: list[Certificate],
    signature_id: str,
    signing_time: datetime,
    claimed_role: str,
    description: str,
    hash_choice: HashChoice,
) -> Element:
    signature_method, digest = algorithms_for(key, hash_choice)
    signer = _EdxmlXAdESSigner(
        signature_id=signature_id,
        signing_time=signing_time,
        claimed_role=claimed_role,
        description=description,
        allow_sha1=hash_choice is HashChoice.SHA1,
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=signature_method,
        digest_algorithm=digest,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signer._parser = xml_parser()  # type: ignore[assignment]  # re-parsed copies; big attachments
    signed: Element = signer.sign(root, key=key, cert=chain, always_add_key_value=False)
    return signed


def _require_real_framing(root: Element) -> None:
    if root.tag != WIRE_ROOT:
        raise ValueError(
            f"its root is {etree.QName(root).localname}: this version signs only the real framing "
            "(root edXML); write the message again with docexchange new or docexchange status"
        )


def _header_placeholder(root: Element, what: str) -> None:
    """Put signxml's placeholder at the end of edXMLHeader of an unsigned message."""
    if all_signatures(root):
        raise ValueError(f"the {what} already carries a signature")
    _require_real_framing(root)
    header = frame_of(root).header
    if header is None:
        raise ValueError("not an edXML message: its envelope has no edXMLHeader")
    etree.SubElement(header, ds("Signature"), nsmap={"ds": DS_NS}, Id="placeholder")


RECORDS_OFFICE_ROLE = "Văn thư cơ quan"


def sign_as_person(
    root: Element,
    *,
    key: SigningKey,
    chain: list[Certificate],
    signing_time: datetime,
    position: str,
    hash_choice: HashChoice = HashChoice.SHA256,
) -> Element:
    """The competent person's signature over an unsigned document (returns a new tree)."""
    _header_placeholder(root, "document")
    return _sign(
        root,
        key=key,
        chain=chain,
        signature_id=PERSON_ID,
        signing_time=signing_time,
        claimed_role=position,
        description="edXML: chữ ký số của người có thẩm quyền",
        hash_choice=hash_choice,
    )


def countersign_as_agency(
    root: Element,
    *,
    key: SigningKey,
    chain: list[Certificate],
    signing_time: datetime,
    hash_choice: HashChoice = HashChoice.SHA256,
) -> Element:
    """The agency's signature over a document the person has already signed (returns a new tree)."""
    _require_real_framing(root)
    person = header_signature(root)
    if person is None or person.get("Id") != PERSON_ID:
        raise ValueError("the agency signs only a document that already carries the person's signature")
    if len(all_signatures(root)) != 1:
        raise ValueError("the document already carries the agency's signature")
    add_counter_signature_placeholder(person)
    return _sign(
        root,
        key=key,
        chain=chain,
        signature_id=AGENCY_ID,
        signing_time=signing_time,
        claimed_role=RECORDS_OFFICE_ROLE,
        description="edXML: chữ ký số của cơ quan, tổ chức",
        hash_choice=hash_choice,
    )


def sign_status(
    root: Element,
    *,
    key: SigningKey,
    chain: list[Certificate],
    signing_time: datetime,
    hash_choice: HashChoice = HashChoice.SHA256,
) -> Element:
    """The agency's signature over a status message (the only signature it carries)."""
    _header_placeholder(root, "status message")
    return _sign(
        root,
        key=key,
        chain=chain,
        signature_id=AGENCY_ID,
        signing_time=signing_time,
        claimed_role=RECORDS_OFFICE_ROLE,
        description="edXML: thông điệp trạng thái",
        hash_choice=hash_choice,
    )
