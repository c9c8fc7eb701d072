"""Interoperability with an independent XMLDSig implementation: libxmlsec1 via python-xmlsec.

1. Both signatures the project makes verify with libxmlsec1, each on its own, with libxmlsec1
   building the certificate chain to the simulation's root (trusted) from the KeyInfo.
2. A document whose two signatures libxmlsec1 computes with the agency's keys (the test only
   writes the XAdES template) verifies in the project.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
import xmlsec
from cryptography.hazmat.primitives import serialization
from lxml import etree

from docexchange.edxml import build_document, to_bytes
from docexchange.edxml.attachments import encode_attachment
from docexchange.edxml.build import format_datetime
from docexchange.edxml.namespaces import DS_NS, XADES_NS, q
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import Credential, PkiStore
from docexchange.registry import Registry
from docexchange.signing.layout import AGENCY_ID, PERSON_ID
from tests.signing.conftest import SIGNED_AT, SignedFactory, verifier_for
from tests.signing.documents import document_from

PEM = serialization.Encoding.PEM


def _manager(store: PkiStore) -> xmlsec.KeysManager:
    manager = xmlsec.KeysManager()
    manager.load_cert_from_memory(
        store.root.public_bytes(PEM),
        xmlsec.constants.KeyDataFormatCertPem,
        xmlsec.constants.KeyDataTypeTrusted,
    )
    return manager


def _xmlsec_verify(data: bytes, signature_id: str, store: PkiStore) -> None:
    root = etree.fromstring(data)
    xmlsec.tree.add_ids(root, ["Id"])
    node = root.xpath(f"//*[@Id='{signature_id}']")[0]
    context = xmlsec.SignatureContext(_manager(store))
    context.verify(node)


@pytest.mark.parametrize("signature_id", [PERSON_ID, AGENCY_ID])
def test_libxmlsec1_verifies_each_project_signature_alone(
    signature_id: str, store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    _xmlsec_verify(signed_by().bytes(document_from(registry)), signature_id, store)


@pytest.mark.parametrize("signature_id", [PERSON_ID, AGENCY_ID])
def test_libxmlsec1_refuses_a_tampered_project_document(
    signature_id: str, store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    data = signed_by().bytes(document_from(registry)).replace("Đề nghị".encode(), "Yêu cầu".encode())
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(data, signature_id, store)


def test_libxmlsec1_refuses_a_chain_to_another_root(
    tmp_path,
    store: PkiStore,
    registry: Registry,
    signed_by: SignedFactory,  # type: ignore[no-untyped-def]
) -> None:
    from tests.signing.conftest import make_store

    other = make_store(tmp_path / "other", registry, "ecdsa-p256")
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(signed_by().bytes(document_from(registry)), PERSON_ID, other)


# --- libxmlsec1 signs ------------------------------------------------------------------------

EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"


def _e(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{tag}", attrs, nsmap={"ds": DS_NS, "xades": XADES_NS})


def _reference(signed_info: etree._Element, uri: str, *, enveloped: bool, type_: str | None = None) -> None:
    reference = _e(signed_info, DS_NS, "Reference", URI=uri, **({"Type": type_} if type_ else {}))
    transforms = _e(reference, DS_NS, "Transforms")
    if enveloped:
        _e(transforms, DS_NS, "Transform", Algorithm=f"{DS_NS}enveloped-signature")
    _e(transforms, DS_NS, "Transform", Algorithm=EXC)
    _e(reference, DS_NS, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    _e(reference, DS_NS, "DigestValue")


def _xades_template(parent: etree._Element, signature_id: str, credential: Credential) -> etree._Element:
    """A XAdES-BES signature template with everything but digests and the signature value."""
    signature = _e(parent, DS_NS, "Signature", Id=signature_id)
    signed_info = _e(signature, DS_NS, "SignedInfo")
    _e(signed_info, DS_NS, "CanonicalizationMethod", Algorithm=EXC)
    _e(signed_info, DS_NS, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    _reference(signed_info, "", enveloped=True)
    _reference(
        signed_info,
        f"#{signature_id}-SP",
        enveloped=False,
        type_="http://uri.etsi.org/01903#SignedProperties",
    )
    _reference(signed_info, f"#{signature_id}-KI", enveloped=False)
    _e(signature, DS_NS, "SignatureValue")
    x509_data = _e(_e(signature, DS_NS, "KeyInfo", Id=f"{signature_id}-KI"), DS_NS, "X509Data")
    for cert in (credential.cert, *credential.chain):
        _e(x509_data, DS_NS, "X509Certificate").text = base64.b64encode(
            cert.public_bytes(serialization.Encoding.DER)
        ).decode()
    qualifying = _e(
        _e(signature, DS_NS, "Object"), XADES_NS, "QualifyingProperties", Target=f"#{signature_id}"
    )
    ssp = _e(
        _e(qualifying, XADES_NS, "SignedProperties", Id=f"{signature_id}-SP"),
        XADES_NS,
        "SignedSignatureProperties",
    )
    _e(ssp, XADES_NS, "SigningTime").text = format_datetime(SIGNED_AT)
    cert_digest = _e(_e(_e(ssp, XADES_NS, "SigningCertificateV2"), XADES_NS, "Cert"), XADES_NS, "CertDigest")
    _e(cert_digest, DS_NS, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    _e(cert_digest, DS_NS, "DigestValue").text = base64.b64encode(
        hashlib.sha256(credential.cert.public_bytes(serialization.Encoding.DER)).digest()
    ).decode()
    return signature


def _xmlsec_sign(root: etree._Element, signature: etree._Element, credential: Credential) -> None:
    xmlsec.tree.add_ids(root, ["Id"])
    key_pem = credential.key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(key_pem, xmlsec.constants.KeyDataFormatPem)
    context.sign(signature)


def _signed_by_libxmlsec1(store: PkiStore, registry: Registry) -> bytes:
    root = build_document(document_from(registry))
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    assert header is not None
    person, org = store.person("000.00.00.G22"), store.organisation("000.00.00.G22")
    person_signature = _xades_template(header, PERSON_ID, person)
    _xmlsec_sign(root, person_signature, person)
    qualifying = person_signature.find(f"{{{DS_NS}}}Object/{{{XADES_NS}}}QualifyingProperties")
    assert qualifying is not None
    counter = _e(
        _e(_e(qualifying, XADES_NS, "UnsignedProperties"), XADES_NS, "UnsignedSignatureProperties"),
        XADES_NS,
        "CounterSignature",
    )
    agency_signature = _xades_template(counter, AGENCY_ID, org)
    _xmlsec_sign(root, agency_signature, org)
    return to_bytes(root)


def test_document_signed_by_libxmlsec1_verifies_in_the_project(store: PkiStore, registry: Registry) -> None:
    data = _signed_by_libxmlsec1(store, registry)
    verified = verifier_for(store).verify_document(data)
    assert verified.person.identity.full_name == registry.get("000.00.00.G22").signer.full_name
    assert verified.agency.identity.agency_id == "000.00.00.G22"
    assert verified.agency.signing_time == SIGNED_AT
    assert verified.message.attachments[0].data == "Phụ lục: danh sách cơ quan".encode()


def test_libxmlsec1_signed_document_tampered_is_refused_by_the_project(
    store: PkiStore, registry: Registry
) -> None:
    data = _signed_by_libxmlsec1(store, registry).replace("Đề nghị".encode(), "Yêu cầu".encode())
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store, SIGNED_AT + timedelta(hours=1)).verify_document(data)
    assert refused.value.code is ReasonCode.DIGEST_MISMATCH


def test_lxml_and_xmlsec_share_one_libxml2() -> None:
    """python-xmlsec refuses to work (or misbehaves) when it links another libxml2 than lxml."""
    assert xmlsec.get_libxml_version() == etree.LIBXML_VERSION


@pytest.mark.parametrize("signature_id", [PERSON_ID, AGENCY_ID])
def test_libxmlsec1_sees_an_attachment_beside_the_envelope_altered(
    signature_id: str, store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    """The attachments sit after the envelope, yet both enveloped signatures cover them."""
    root = signed_by().root(document_from(registry))
    value = root.find(f"{q('AttachmentEncoded')}/{q('Attachment')}/{q('ContentTransferEncoded')}")
    assert value is not None and value.getparent().getparent().getparent() is root  # type: ignore[union-attr]
    _xmlsec_verify(to_bytes(root), signature_id, store)
    value.text = encode_attachment("phu-luc.txt", "Phụ lục: danh sách đã sửa".encode())
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(to_bytes(root), signature_id, store)


def test_libxmlsec1_verifies_a_project_status_message(store: PkiStore) -> None:
    from docexchange.edxml import build_status
    from docexchange.signing import sign_status
    from tests.edxml.factories import status
    from tests.signing.conftest import chain

    message = status()
    agency = store.organisation(message.from_.organ_id)
    signed = sign_status(build_status(message), key=agency.key, chain=chain(agency), signing_time=SIGNED_AT)
    data = to_bytes(signed)
    _xmlsec_verify(data, AGENCY_ID, store)
    assert verifier_for(store).verify_status(data).message == message
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(data.replace("Đã đến".encode(), "Đã tiếp nhận".encode()), AGENCY_ID, store)
