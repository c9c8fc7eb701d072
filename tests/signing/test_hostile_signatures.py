"""The signature half of the hostile-input corpus: each case is refused with its exact reason.

Cases are generated at test time because they need private keys, which are never committed.
"""

from __future__ import annotations

import base64
import copy
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from lxml import etree

from docexchange.edxml import to_bytes
from docexchange.edxml.attachments import encode_attachment
from docexchange.edxml.namespaces import ds, q
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import CertificateAuthority, Credential, PkiStore, generate_key
from docexchange.registry import Registry
from docexchange.signing import HashChoice
from docexchange.signing.layout import counter_signature, header_signature
from tests.signing.conftest import (
    LAO_CAI_ID,
    NOT_BEFORE,
    SIGNED_AT,
    VERIFIED_AT,
    VPCP_ID,
    Signed,
    SignedFactory,
    make_store,
    verifier_for,
)
from tests.signing.documents import document_from


def refusal(store: PkiStore, data: bytes, **kwargs: object) -> DocexchangeError:
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store, **kwargs).verify(data)  # type: ignore[arg-type]
    assert refused.value.message, "a refusal always carries a sentence"
    return refused.value


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def test_a_well_signed_document_verifies(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    verified = verifier_for(store).verify_document(signed_by().bytes(document_from(registry)))
    assert verified.message.from_.organ_id == VPCP_ID


def test_unsigned_document_is_missing_signature(store: PkiStore, registry: Registry) -> None:
    from docexchange.edxml import build_document

    error = refusal(store, to_bytes(build_document(document_from(registry))))
    assert error.code is ReasonCode.MISSING_SIGNATURE


def test_subject_changed_after_signing(store: PkiStore, registry: Registry, signed_by: SignedFactory) -> None:
    root = signed_by().root(document_from(registry))
    subject = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('MessageHeader')}/{q('Subject')}")
    assert subject is not None
    subject.text = "Về việc hủy bỏ kế hoạch"
    assert refusal(store, to_bytes(root)).code is ReasonCode.DIGEST_MISMATCH


def test_attachment_changed_after_signing(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = signed_by().root(document_from(registry))
    value = root.find(f"{q('AttachmentEncoded')}/{q('Attachment')}/{q('ContentTransferEncoded')}")
    assert value is not None
    value.text = encode_attachment("phu-luc.txt", "Phụ lục: danh sách đã sửa".encode())
    assert refusal(store, to_bytes(root)).code is ReasonCode.DIGEST_MISMATCH


def test_signature_wrapping_signed_header_moved_and_forged_one_in_place(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = signed_by().root(document_from(registry))
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    person = header_signature(root)
    assert header is not None and person is not None
    original = header.find(q("MessageHeader"))
    assert original is not None
    forged = copy.deepcopy(original)
    forged_subject = forged.find(q("Subject"))
    assert forged_subject is not None
    forged_subject.text = "Quyết định giả mạo"
    # The signed MessageHeader goes into an Object inside the person's signature (excluded by the
    # enveloped transform), the forged one takes its place.
    wrapper = etree.SubElement(person, ds("Object"))
    header.replace(original, forged)
    wrapper.append(original)
    error = refusal(store, to_bytes(root))
    assert error.code is ReasonCode.SIGNATURE_LAYOUT
    assert "Object, Object" in error.message


def test_forged_header_in_place_of_the_signed_one(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = signed_by().root(document_from(registry))
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    assert header is not None
    original = header.find(q("MessageHeader"))
    assert original is not None
    forged = copy.deepcopy(original)
    forged.find(q("Subject")).text = "Quyết định giả mạo"  # type: ignore[union-attr]
    header.replace(original, forged)
    assert refusal(store, to_bytes(root)).code is ReasonCode.DIGEST_MISMATCH


def test_duplicated_signature(store: PkiStore, registry: Registry, signed_by: SignedFactory) -> None:
    root = signed_by().root(document_from(registry))
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    person = header_signature(root)
    assert header is not None and person is not None
    header.append(copy.deepcopy(person))
    error = refusal(store, to_bytes(root))
    assert error.code is ReasonCode.SIGNATURE_LAYOUT


def test_person_signature_removed_agency_signature_kept(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = signed_by().root(document_from(registry))
    person = header_signature(root)
    assert person is not None
    agency = counter_signature(person)
    assert agency is not None
    person.getparent().replace(person, agency)  # type: ignore[union-attr]
    error = refusal(store, to_bytes(root))
    assert error.code is ReasonCode.MISSING_SIGNATURE
    assert "person" in error.message


def test_agency_signature_removed(store: PkiStore, registry: Registry, signed_by: SignedFactory) -> None:
    root = signed_by().root(document_from(registry))
    person = header_signature(root)
    assert person is not None
    agency = counter_signature(person)
    assert agency is not None
    agency.getparent().remove(agency)  # type: ignore[union-attr]
    error = refusal(store, to_bytes(root))
    assert error.code is ReasonCode.MISSING_SIGNATURE
    assert "agency" in error.message


def test_agency_signature_moved_out_of_the_countersignature(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = signed_by().root(document_from(registry))
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    person = header_signature(root)
    assert header is not None and person is not None
    agency = counter_signature(person)
    assert agency is not None
    header.append(agency)  # reordered: now a sibling after the person's signature
    assert refusal(store, to_bytes(root)).code is ReasonCode.MISSING_SIGNATURE


def test_agency_signature_taken_from_another_document(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    root = signed_by().root(document_from(registry, number=1))
    other = signed_by().root(document_from(registry, number=2))
    mine, theirs = counter_signature(header_signature(root)), counter_signature(header_signature(other))  # type: ignore[arg-type]
    assert mine is not None and theirs is not None
    mine.getparent().replace(mine, theirs)  # type: ignore[union-attr]
    assert refusal(store, to_bytes(root)).code is ReasonCode.DIGEST_MISMATCH


def test_signature_value_altered(store: PkiStore, registry: Registry, signed_by: SignedFactory) -> None:
    root = signed_by().root(document_from(registry))
    value = header_signature(root).find(ds("SignatureValue"))  # type: ignore[union-attr]
    assert value is not None
    raw = bytearray(base64.b64decode(value.text or ""))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    # The agency's signature covers the person's SignatureValue, so it is checked first? No:
    # the person's signature is checked first and its own value no longer verifies.
    assert refusal(store, to_bytes(root)).code is ReasonCode.BAD_SIGNATURE


def _foreign_credentials(registry: Registry, agency_id: str) -> tuple[Credential, Credential]:
    """Certificates with the right names and identifiers, from a root the simulation does not trust."""
    agency = registry.get(agency_id)
    root = CertificateAuthority.create_root(
        generate_key("ecdsa-p256"), not_before=NOT_BEFORE, not_after=NOT_BEFORE + timedelta(days=3650)
    )
    issuing = root.issue_intermediate(
        generate_key("ecdsa-p256"), not_before=NOT_BEFORE, not_after=NOT_BEFORE + timedelta(days=3650)
    )
    person_key, org_key = generate_key("ecdsa-p256"), generate_key("ecdsa-p256")
    until = NOT_BEFORE + timedelta(days=3000)
    person = issuing.issue_person(agency, person_key.public_key(), not_before=NOT_BEFORE, not_after=until)
    org = issuing.issue_organisation(agency, org_key.public_key(), not_before=NOT_BEFORE, not_after=until)
    return Credential(person, person_key, (issuing.cert,)), Credential(org, org_key, (issuing.cert,))


def test_certificate_from_another_root(store: PkiStore, registry: Registry) -> None:
    person, org = _foreign_credentials(registry, VPCP_ID)
    data = Signed(person, org).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.UNTRUSTED_CHAIN


def test_expired_certificate(store: PkiStore, registry: Registry) -> None:
    agency = registry.get(VPCP_ID)
    issuing = store.intermediate_authority()
    key = generate_key("rsa2048")
    expired = issuing.issue_person(
        agency, key.public_key(), not_before=NOT_BEFORE, not_after=SIGNED_AT - timedelta(days=1)
    )
    person = Credential(expired, key, (store.intermediate,))
    data = Signed(person, store.organisation(VPCP_ID)).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.CERT_EXPIRED


def test_certificate_revoked_before_signing(tmp_path, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path / "certs", registry, "ecdsa-p256")
    store.revoke(VPCP_ID, at=SIGNED_AT - timedelta(hours=1))
    data = Signed(store.person(VPCP_ID), store.organisation(VPCP_ID)).bytes(document_from(registry))
    error = refusal(store, data)
    assert error.code is ReasonCode.CERT_REVOKED


def test_certificate_revoked_after_signing_still_verifies(tmp_path, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path / "certs", registry, "ecdsa-p256")
    data = Signed(store.person(VPCP_ID), store.organisation(VPCP_ID)).bytes(document_from(registry))
    store.revoke(VPCP_ID, at=SIGNED_AT + timedelta(days=1))
    later = SIGNED_AT + timedelta(days=30)
    verified = verifier_for(store, later).verify_document(data)
    assert verified.person.signing_time == SIGNED_AT


def test_agency_certificate_of_another_agency(store: PkiStore, registry: Registry) -> None:
    data = Signed(store.person(VPCP_ID), store.organisation(LAO_CAI_ID)).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.SIGNER_NOT_SENDER


def test_signer_name_mismatch(store: PkiStore, registry: Registry, signed_by: SignedFactory) -> None:
    message = document_from(registry)
    impostor = message.signer_info.__class__(message.signer_info.competence, "Thứ trưởng", "Nguyễn Văn Mạo")
    data = signed_by().bytes(message.__class__(**{**message.__dict__, "signer_info": impostor}))
    error = refusal(store, data)
    assert error.code is ReasonCode.SIGNER_MISMATCH
    assert "Nguyễn Văn Mạo" in error.message


def test_personal_certificate_of_another_agency(store: PkiStore, registry: Registry) -> None:
    data = Signed(store.person(LAO_CAI_ID), store.organisation(VPCP_ID)).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.SIGNER_MISMATCH


def test_roles_swapped_organisation_certificate_as_the_person(store: PkiStore, registry: Registry) -> None:
    data = Signed(store.organisation(VPCP_ID), store.person(VPCP_ID)).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.CERT_WRONG_PURPOSE


def test_sha1_signature_is_weak_by_default(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    data = signed_by(hash_choice=HashChoice.SHA1).bytes(document_from(registry))
    error = refusal(store, data)
    assert error.code is ReasonCode.WEAK_ALGORITHM
    assert "sha1" in error.message


def test_sha1_signature_accepted_when_the_era_allows_it(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    data = signed_by(hash_choice=HashChoice.SHA1).bytes(document_from(registry))
    verified = verifier_for(store, allow_sha1=True).verify_document(data)
    assert verified.person.signature_method.endswith("rsa-sha1")


def test_sha1_certificate_is_weak_by_default(store: PkiStore, registry: Registry) -> None:
    agency = registry.get(VPCP_ID)
    key = generate_key("rsa2048")
    cert = store.intermediate_authority().issue_person(
        agency,
        key.public_key(),
        not_before=NOT_BEFORE,
        not_after=NOT_BEFORE + timedelta(days=3000),
        hash_algorithm=hashes.SHA1(),
    )
    data = Signed(Credential(cert, key, (store.intermediate,)), store.organisation(VPCP_ID)).bytes(
        document_from(registry)
    )
    assert refusal(store, data).code is ReasonCode.WEAK_ALGORITHM


def test_agency_signing_before_the_person_is_refused(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    data = signed_by(agency_at=SIGNED_AT - timedelta(minutes=1)).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.SIGNING_TIME_INVALID


def test_signing_time_in_the_future_is_refused(
    store: PkiStore, registry: Registry, signed_by: SignedFactory
) -> None:
    future = VERIFIED_AT + timedelta(days=2)
    data = signed_by(person_at=future, agency_at=future).bytes(document_from(registry))
    assert refusal(store, data).code is ReasonCode.SIGNING_TIME_INVALID


def test_signing_time_rewritten_to_dodge_revocation(tmp_path, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path / "certs", registry, "ecdsa-p256")
    store.revoke(VPCP_ID, at=SIGNED_AT - timedelta(hours=1))
    root = Signed(store.person(VPCP_ID), store.organisation(VPCP_ID)).root(document_from(registry))
    for node in root.iter("{http://uri.etsi.org/01903/v1.3.2#}SigningTime"):
        node.text = (SIGNED_AT - timedelta(days=2)).isoformat()
    assert refusal(store, to_bytes(root)).code is ReasonCode.DIGEST_MISMATCH


def _signed_tree(store: PkiStore, root: etree._Element) -> bytes:
    """Sign a tree as it is (the signing functions take it unchecked; the service would not)."""
    from docexchange.signing import countersign_as_agency, sign_as_person
    from tests.signing.conftest import chain

    person, agency = store.person(VPCP_ID), store.organisation(VPCP_ID)
    once = sign_as_person(
        root, key=person.key, chain=chain(person), signing_time=SIGNED_AT, position="Bộ trưởng"
    )
    return to_bytes(countersign_as_agency(once, key=agency.key, chain=chain(agency), signing_time=SIGNED_AT))


MESSAGE_HEADER = f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('MessageHeader')}"


def test_a_signed_message_with_a_field_twice_is_refused_as_ambiguous(
    store: PkiStore, registry: Registry
) -> None:
    """A sender's own keys cannot make a message that readers could take two ways."""
    from docexchange.edxml import build_document

    root = build_document(document_from(registry))
    header = root.find(MESSAGE_HEADER)
    assert header is not None
    sender = header.find(q("From"))
    assert sender is not None
    other = copy.deepcopy(sender)
    other.find(q("OrganId")).text = LAO_CAI_ID  # type: ignore[union-attr]
    sender.addnext(other)
    error = refusal(store, _signed_tree(store, root))
    assert (error.code, error.message) == (
        ReasonCode.SCHEMA_INVALID,
        "MessageHeader holds 2 From elements; it may hold one",
    )


def test_a_signed_document_without_a_promulgation_date_is_refused(
    store: PkiStore, registry: Registry
) -> None:
    from docexchange.edxml import build_document

    root = build_document(document_from(registry))
    header = root.find(MESSAGE_HEADER)
    assert header is not None
    header.remove(header.find(q("PromulgationInfo")))  # type: ignore[arg-type]
    error = refusal(store, _signed_tree(store, root))
    assert (error.code, error.message) == (
        ReasonCode.SCHEMA_INVALID,
        "the document has no PromulgationInfo/PromulgationDate",
    )


def test_the_signing_service_signs_only_the_form_this_version_writes(
    store: PkiStore, registry: Registry
) -> None:
    from docexchange.clock import FixedClock
    from docexchange.edxml import build_document
    from docexchange.errors import ParseError
    from docexchange.pki import PathValidator, StoreRevocationSource
    from docexchange.signing.service import AgencySigner

    root = build_document(document_from(registry))
    subject = root.find(f"{MESSAGE_HEADER}/{q('Subject')}")
    assert subject is not None
    subject.text = ""
    signer = AgencySigner(
        store, PathValidator(store.root, StoreRevocationSource(store, FixedClock(SIGNED_AT)))
    )
    with pytest.raises(ParseError) as refused:
        signer.sign(root, SIGNED_AT)
    assert refused.value.message.startswith(
        "this version signs a message only in exactly the form it writes: not a valid edXML document message: "
    )
    assert "Subject" in refused.value.message and not header_signature(root)
