"""Attacks found in review, kept as regressions. Several play a key holder who re-signs a
modified signature, so they re-compute digests and signature values with signxml's own routines.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from docexchange.edxml import Attachment, DocumentMessage, ParseLimits, build_document, to_bytes
from docexchange.edxml.frame import frame_of
from docexchange.edxml.namespaces import ds, q, xades
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import PkiStore, SigningKey
from docexchange.registry import Registry
from docexchange.signing import MessageVerifier
from docexchange.signing.layout import counter_location, counter_signature, header_signature
from tests.signing.conftest import VERIFIED_AT, SignedFactory, verifier_for
from tests.signing.documents import document_from


def _resign(root: etree._Element, location: str, key: SigningKey) -> None:
    """Recompute every reference digest of the signature at ``location`` and its value (in place)."""
    verifier = XAdESVerifier()
    verifier.config = XAdESSignatureConfiguration(location=location)
    signature = verifier._get_signature(root)
    signed_info = signature.find(ds("SignedInfo"))
    for reference in signed_info.findall(ds("Reference")):
        copied = verifier._fromstring(verifier._tostring(root))
        payload = verifier._resolve_reference(copied, reference)
        c14n = verifier._apply_transforms(
            payload,
            transforms_node=reference.find(ds("Transforms")),
            signature=verifier._get_signature(copied),
        )
        reference.find(ds("DigestValue")).text = base64.b64encode(hashlib.sha256(c14n).digest()).decode()
    canonical = verifier._c14n(
        verifier._fromstring(verifier._tostring(signed_info)),
        algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    if isinstance(key, rsa.RSAPrivateKey):
        value = key.sign(canonical, PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(canonical, ec.ECDSA(hashes.SHA256())))
        size = (key.key_size + 7) // 8
        value = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    signature.find(ds("SignatureValue")).text = base64.b64encode(value).decode()


def _refused(verifier: MessageVerifier, data: bytes) -> DocexchangeError:
    with pytest.raises(DocexchangeError) as refused:
        verifier.verify(data)
    return refused.value


def test_agency_key_cannot_substitute_a_nested_envelope_for_what_the_person_signed(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    signer = signed_by()
    root = etree.fromstring(signer.bytes(document_from(registry, subject="Văn bản người ký đã ký")))
    agency = counter_signature(header_signature(root))  # type: ignore[arg-type]
    assert agency is not None
    fake = build_document(document_from(registry, subject="VĂN BẢN GIẢ", number=9999))
    fake.set("Id", "fake")
    etree.SubElement(agency, ds("Object")).append(fake)
    first = agency.find(ds("SignedInfo")).find(ds("Reference"))  # type: ignore[union-attr]
    first.set("URI", "#fake")  # type: ignore[union-attr]
    transforms = first.find(ds("Transforms"))  # type: ignore[union-attr]
    transforms.remove(transforms[0])  # type: ignore[union-attr]
    _resign(root, counter_location(frame_of(root)), signer.agency.key)
    error = _refused(verifier_for(store), to_bytes(root))
    assert error.code is ReasonCode.SIGNATURE_LAYOUT


def test_agency_key_cannot_repoint_the_document_reference_even_without_extra_objects(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    signer = signed_by()
    root = etree.fromstring(signer.bytes(document_from(registry)))
    agency = counter_signature(header_signature(root))  # type: ignore[arg-type]
    first = agency.find(ds("SignedInfo")).find(ds("Reference"))  # type: ignore[union-attr]
    first.set("URI", "#PersonSignature")  # cover only the person's signature, not the document  # type: ignore[union-attr]
    _resign(root, counter_location(frame_of(root)), signer.agency.key)
    error = _refused(verifier_for(store), to_bytes(root))
    assert error.code is ReasonCode.SIGNATURE_LAYOUT
    assert 'URI=""' in error.message


def test_reference_amplification_is_refused_before_any_digest(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = etree.fromstring(signed_by().bytes(document_from(registry)))
    person = header_signature(root)
    signed_info = person.find(ds("SignedInfo"))  # type: ignore[union-attr]
    first = signed_info.find(ds("Reference"))  # type: ignore[union-attr]
    for _ in range(200):
        copy = etree.fromstring(etree.tostring(first))
        copy.attrib.pop("Id", None)
        signed_info.append(copy)  # type: ignore[union-attr]
    error = _refused(verifier_for(store), to_bytes(root))
    assert error.code is ReasonCode.SIGNATURE_LAYOUT
    assert "203 references" in error.message


def test_unsigned_signing_time_rewritten_out_of_range_is_a_refusal_not_a_crash(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = etree.fromstring(signed_by().bytes(document_from(registry)))
    time = header_signature(root).find(  # type: ignore[union-attr]
        f"{ds('Object')}/{xades('QualifyingProperties')}/{xades('SignedProperties')}/"
        f"{xades('SignedSignatureProperties')}/{xades('SigningTime')}"
    )
    time.text = "0001-01-01T00:00:00+14:00"  # type: ignore[union-attr]
    assert _refused(verifier_for(store), to_bytes(root)).code is ReasonCode.DIGEST_MISMATCH


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "2018-09-20T09:00:00"])
def test_signed_signing_time_out_of_range_or_without_offset(
    text: str, store: PkiStore, registry: Registry, signed_by: SignedFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docexchange.signing.signer as signer_module

    monkeypatch.setattr(signer_module, "format_datetime", lambda value: text)
    data = signed_by().bytes(document_from(registry))
    assert _refused(verifier_for(store), data).code is ReasonCode.SIGNING_TIME_INVALID


def test_verification_time_out_of_range_is_an_argument_error(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    data = signed_by().bytes(document_from(registry))
    far = datetime.max.replace(tzinfo=timezone(timedelta(hours=-12)))
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify(data, at=far)
    assert refused.value.code is ReasonCode.INVALID_ARGUMENT


def test_decoy_object_with_another_signing_time_is_refused(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = etree.fromstring(signed_by().bytes(document_from(registry)))
    agency = counter_signature(header_signature(root))  # type: ignore[arg-type]
    decoy = etree.fromstring(etree.tostring(agency.find(ds("Object"))))  # type: ignore[union-attr]
    for node in decoy.iter(xades("SigningTime")):
        node.text = "2040-01-01T00:00:00+07:00"
    for node in decoy.iter():
        node.attrib.pop("Id", None)
    agency.insert(3, decoy)  # type: ignore[union-attr]
    assert _refused(verifier_for(store), to_bytes(root)).code is ReasonCode.SIGNATURE_LAYOUT


def test_duplicate_id_elsewhere_is_refused(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = etree.fromstring(signed_by().bytes(document_from(registry)))
    agency = counter_signature(header_signature(root))  # type: ignore[arg-type]
    agency.find(ds("Object")).set("Id", "PersonSignature")  # type: ignore[union-attr]
    error = _refused(verifier_for(store), to_bytes(root))
    assert error.code is ReasonCode.SIGNATURE_LAYOUT
    assert "unique" in error.message


def _zip_with_method(name: str, data: bytes, method: int) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    raw = bytearray(buffer.getvalue())
    raw[8:10] = method.to_bytes(2, "little")  # local header compression method
    central = raw.find(b"PK\x01\x02")
    raw[central + 10 : central + 12] = method.to_bytes(2, "little")
    return base64.b64encode(bytes(raw)).decode()


def test_signed_attachment_with_unsupported_zip_method_is_refused(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    from docexchange.signing import countersign_as_agency, sign_as_person
    from tests.signing.conftest import SIGNED_AT, chain

    signer = signed_by()
    root = build_document(document_from(registry))
    root.find(
        f"{q('AttachmentEncoded')}/{q('Attachment')}/{q('ContentTransferEncoded')}"
    ).text = _zip_with_method(  # type: ignore[union-attr]
        "phu-luc.txt", b"du lieu", 99
    )
    once = sign_as_person(
        root,
        key=signer.person.key,
        chain=chain(signer.person),
        signing_time=SIGNED_AT,
        position=registry.get("000.00.00.G22").signer.position,
    )
    data = to_bytes(
        countersign_as_agency(once, key=signer.agency.key, chain=chain(signer.agency), signing_time=SIGNED_AT)
    )
    error = _refused(verifier_for(store), data)
    assert error.code is ReasonCode.INVALID_ATTACHMENT
    assert "NotImplementedError" in error.message


def test_total_unpacked_attachment_size_is_capped(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    base = document_from(registry)
    blobs = tuple(
        Attachment(f"att{i}", f"tep-{i}.bin", "application/octet-stream", bytes(4000)) for i in range(3)
    )
    data = signed_by().bytes(DocumentMessage(**{**base.__dict__, "attachments": blobs}))
    verifier = verifier_for(store)
    verifier.limits = ParseLimits(max_attachment_bytes=5000, max_total_attachment_bytes=10000)
    error = _refused(verifier, data)
    assert error.code is ReasonCode.INVALID_ATTACHMENT
    assert "10000-byte limit for all attachments" in error.message


def test_an_attachment_larger_than_libxml2_text_limit_signs_and_verifies(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    import os

    payload = os.urandom(8 * 1024 * 1024)  # base64 of its zip exceeds 10 million characters
    base = document_from(registry)
    big = Attachment("att1", "ban-do.bin", "application/octet-stream", payload, "Bản đồ")
    data = signed_by().bytes(DocumentMessage(**{**base.__dict__, "attachments": (big,)}))
    verified = verifier_for(store).verify_document(data)
    assert verified.message.attachments[0].data == payload
    assert verified.verified_at == VERIFIED_AT


def test_a_document_id_belongs_to_its_sender(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    """A valid signer cannot claim another agency's DocumentId (and squat its register entry)."""
    from tests.signing.conftest import LAO_CAI_ID

    base = document_from(registry, sender=LAO_CAI_ID)
    squatting = DocumentMessage(**{**base.__dict__, "document_id": "000.00.00.G22,2018/09/20,7817/VPCP-TTĐT"})
    error = _refused(verifier_for(store), signed_by(LAO_CAI_ID).bytes(squatting))
    assert error.code is ReasonCode.DOCUMENT_ID_MISMATCH


def test_a_comment_inside_a_signed_value_cannot_change_what_is_read(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    data = signed_by().bytes(document_from(registry))
    document_id = document_from(registry).document_id
    split = document_id.replace(",", "<!---->,", 1)
    commented = data.replace(
        f"<edXML:DocumentId>{document_id}<".encode(), f"<edXML:DocumentId>{split}<".encode()
    )
    assert commented != data
    from docexchange.edxml import parse_message
    from docexchange.edxml.envelope import summarize

    root, kind = parse_message(commented)
    assert summarize(root, kind).document_id == document_id  # the comment is gone, not the tail
    assert verifier_for(store).verify_document(commented).message.document_id == document_id
