"""PathValidator: each way a certificate can fail at the signing time gets its own reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki import (
    CertificateAuthority,
    CertRole,
    ChainCache,
    CrlRevocationSource,
    PathValidator,
    PkiStore,
    build_crl,
    generate_key,
    profiles,
)
from docexchange.pki.pathcheck import check_path
from tests.pki.conftest import HANOI, NOT_BEFORE, NOW, SIGNING_TIME, VPCP, make_store, validator_for

END = NOT_BEFORE.replace(year=2035)


def _refusal(
    validator: PathValidator,
    leaf: x509.Certificate,
    chain: list[x509.Certificate],
    at: datetime,
    role: CertRole = CertRole.PERSON,
) -> VerificationError:
    with pytest.raises(VerificationError) as caught:
        validator.validate(leaf, chain, at, role)
    return caught.value


def _sha1_person(authority: CertificateAuthority) -> x509.Certificate:
    return authority.issue_person(
        VPCP,
        generate_key("rsa2048").public_key(),
        not_before=NOT_BEFORE,
        not_after=END,
        hash_algorithm=hashes.SHA1(),
    )


@pytest.mark.parametrize("role", list(CertRole))
def test_valid_chain_is_accepted_with_its_identity(rsa_store: PkiStore, role: CertRole) -> None:
    credential = rsa_store.credential(VPCP.id, role)
    validated = validator_for(rsa_store).validate(credential.cert, credential.chain, SIGNING_TIME, role)
    assert validated.leaf == credential.cert
    assert validated.chain == (credential.cert, rsa_store.intermediate, rsa_store.root)
    assert validated.identity.role is role and validated.identity.agency_id == VPCP.id


def test_chain_of_a_foreign_root_with_the_same_names_is_untrusted(store: PkiStore, tmp_path: Path) -> None:
    foreign = make_store(tmp_path / "foreign")  # same subject names, other keys
    credential = foreign.person(VPCP.id)
    error = _refusal(validator_for(store), credential.cert, list(credential.chain), SIGNING_TIME)
    assert error.code is ReasonCode.UNTRUSTED_CHAIN
    assert "does not chain to the trusted root" in error.message
    assert "encountered processing" not in error.message  # the library's repr is condensed away


def test_leaf_of_a_differently_named_foreign_root_is_untrusted(store: PkiStore) -> None:
    foreign = CertificateAuthority.create_root(
        generate_key("ecdsa-p256"),
        not_before=NOT_BEFORE,
        not_after=END,
        name=profiles.root_name("Fake root CA"),
    )
    leaf = foreign.issue_person(
        VPCP, generate_key("ecdsa-p256").public_key(), not_before=NOT_BEFORE, not_after=END
    )
    assert _refusal(validator_for(store), leaf, [], SIGNING_TIME).code is ReasonCode.UNTRUSTED_CHAIN


def test_missing_intermediate_is_untrusted(store: PkiStore) -> None:
    leaf = store.person(VPCP.id).cert
    assert _refusal(validator_for(store), leaf, [], SIGNING_TIME).code is ReasonCode.UNTRUSTED_CHAIN


def test_signing_after_the_leaf_expired_is_cert_expired(store: PkiStore) -> None:
    credential = store.person(VPCP.id)
    error = _refusal(
        validator_for(store), credential.cert, list(credential.chain), END + timedelta(seconds=1)
    )
    assert error.code is ReasonCode.CERT_EXPIRED
    assert "expired at 2035-01-01T00:00:00+07:00" in error.message


def test_signing_before_the_leaf_is_valid_is_cert_not_yet_valid(store: PkiStore) -> None:
    credential = store.person(VPCP.id)
    at = NOT_BEFORE - timedelta(seconds=1)
    assert _refusal(validator_for(store), credential.cert, list(credential.chain), at).code is (
        ReasonCode.CERT_NOT_YET_VALID
    )
    # notBefore itself is inside the validity period (RFC 5280: inclusive).
    validator_for(store).validate(credential.cert, credential.chain, NOT_BEFORE, CertRole.PERSON)


def test_expired_intermediate_is_named_even_when_the_leaf_is_still_valid(store: PkiStore) -> None:
    short_lived = store.root_authority().issue_intermediate(
        generate_key("ecdsa-p256"), not_before=NOT_BEFORE, not_after=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ)
    )
    leaf = short_lived.issue_person(
        VPCP, generate_key("ecdsa-p256").public_key(), not_before=NOT_BEFORE, not_after=END
    )
    validator = PathValidator(store.root, CrlRevocationSource([]))
    error = _refusal(validator, leaf, [short_lived.cert], SIGNING_TIME)
    assert error.code is ReasonCode.CERT_EXPIRED
    assert "simulated issuing CA" in error.message


def test_certificate_revoked_before_the_signing_time_is_refused(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=SIGNING_TIME - timedelta(days=3))
    credential = store.person(VPCP.id)
    error = _refusal(validator_for(store), credential.cert, list(credential.chain), SIGNING_TIME)
    assert error.code is ReasonCode.CERT_REVOKED
    assert "revoked at 2019-03-09T09:30:00+07:00 (keyCompromise)" in error.message
    assert "before the signing time 2019-03-12T09:30:00+07:00" in error.message


def test_certificate_revoked_at_the_signing_time_is_refused(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=SIGNING_TIME)
    credential = store.person(VPCP.id)
    error = _refusal(validator_for(store), credential.cert, list(credential.chain), SIGNING_TIME)
    assert error.code is ReasonCode.CERT_REVOKED


def test_certificate_revoked_after_the_signing_time_still_validates(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=SIGNING_TIME + timedelta(seconds=1))
    credential = store.person(VPCP.id)
    validator_for(store).validate(credential.cert, credential.chain, SIGNING_TIME, CertRole.PERSON)


def test_revocation_of_one_role_leaves_the_other_valid(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=NOT_BEFORE)
    credential = store.organisation(VPCP.id)
    validator_for(store).validate(credential.cert, credential.chain, SIGNING_TIME, CertRole.ORGANISATION)


def test_sha1_leaf_is_a_weak_algorithm(rsa_store: PkiStore) -> None:
    leaf = _sha1_person(rsa_store.intermediate_authority())
    assert isinstance(leaf.signature_hash_algorithm, hashes.SHA1)
    error = _refusal(validator_for(rsa_store), leaf, [rsa_store.intermediate], SIGNING_TIME)
    assert error.code is ReasonCode.WEAK_ALGORITHM
    assert "SHA1" in error.message


def test_sha1_leaf_is_accepted_when_sha1_is_allowed(rsa_store: PkiStore) -> None:
    leaf = _sha1_person(rsa_store.intermediate_authority())
    validated = validator_for(rsa_store, allow_sha1=True).validate(
        leaf, [rsa_store.intermediate], SIGNING_TIME, CertRole.PERSON
    )
    assert validated.identity.full_name == VPCP.signer.full_name


def test_sha1_intermediate_is_accepted_only_when_allowed(store: PkiStore) -> None:
    legacy = store.root_authority().issue_intermediate(
        generate_key("ecdsa-p256"), not_before=NOT_BEFORE, not_after=END, hash_algorithm=hashes.SHA1()
    )
    leaf = legacy.issue_person(
        VPCP, generate_key("ecdsa-p256").public_key(), not_before=NOT_BEFORE, not_after=END
    )
    revocation = CrlRevocationSource([store.authority_crl(NOW), _empty_crl(legacy)])
    strict = PathValidator(store.root, revocation)
    assert _refusal(strict, leaf, [legacy.cert], SIGNING_TIME).code is ReasonCode.WEAK_ALGORITHM
    lenient = PathValidator(store.root, revocation, allow_sha1=True)
    assert lenient.validate(leaf, [legacy.cert], SIGNING_TIME, CertRole.PERSON).chain[1] == legacy.cert


def test_sha1_fallback_still_checks_the_issuer_signature(rsa_store: PkiStore) -> None:
    impostor = CertificateAuthority(rsa_store.intermediate, generate_key("rsa2048"))  # right name, wrong key
    leaf = _sha1_person(impostor)
    error = _refusal(validator_for(rsa_store, allow_sha1=True), leaf, [rsa_store.intermediate], SIGNING_TIME)
    assert error.code is ReasonCode.UNTRUSTED_CHAIN
    assert "does not verify" in error.message


def test_sha1_fallback_refuses_an_end_entity_acting_as_ca(rsa_store: PkiStore) -> None:
    issuing = rsa_store.intermediate_authority()
    rogue_key = generate_key("rsa2048")
    rogue_cert = issuing.issue_organisation(
        VPCP, rogue_key.public_key(), not_before=NOT_BEFORE, not_after=END, hash_algorithm=hashes.SHA1()
    )
    leaf = CertificateAuthority(rogue_cert, rogue_key).issue(
        profiles.person_name(HANOI),
        generate_key("rsa2048").public_key(),
        profiles.person_extensions(HANOI, generate_key("rsa2048").public_key(), rogue_cert),
        not_before=NOT_BEFORE,
        not_after=END,
        hash_algorithm=hashes.SHA1(),
    )
    with pytest.raises(VerificationError, match="not a CA"):
        check_path([leaf, rogue_cert, rsa_store.intermediate, rsa_store.root])


def test_short_rsa_key_is_a_weak_algorithm(rsa_store: PkiStore) -> None:
    short_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    leaf = rsa_store.intermediate_authority().issue_person(
        VPCP, short_key.public_key(), not_before=NOT_BEFORE, not_after=END
    )
    error = _refusal(validator_for(rsa_store), leaf, [rsa_store.intermediate], SIGNING_TIME)
    assert error.code is ReasonCode.WEAK_ALGORITHM
    assert "1024-bit" in error.message


def test_wrong_role_is_cert_wrong_purpose(store: PkiStore) -> None:
    credential = store.organisation(VPCP.id)
    error = _refusal(
        validator_for(store), credential.cert, list(credential.chain), SIGNING_TIME, CertRole.PERSON
    )
    assert error.code is ReasonCode.CERT_WRONG_PURPOSE
    assert "organisation certificate" in error.message


def test_leaf_not_issued_for_document_signing_is_cert_wrong_purpose(store: PkiStore) -> None:
    key = generate_key("ecdsa-p256").public_key()
    extensions = [
        e
        for e in profiles.person_extensions(VPCP, key, store.intermediate)
        if not isinstance(e.value, x509.ExtendedKeyUsage)
    ]
    leaf = store.intermediate_authority().issue(
        profiles.person_name(VPCP), key, extensions, not_before=NOT_BEFORE, not_after=END
    )
    error = _refusal(validator_for(store), leaf, [store.intermediate], SIGNING_TIME)
    assert error.code is ReasonCode.CERT_WRONG_PURPOSE


def test_unknown_revocation_status_is_refused(store: PkiStore) -> None:
    credential = store.person(VPCP.id)
    only_leaf_crl = PathValidator(store.root, CrlRevocationSource([store.crl(NOW)]))
    error = _refusal(only_leaf_crl, credential.cert, list(credential.chain), SIGNING_TIME)
    assert error.code is ReasonCode.REVOCATION_UNKNOWN  # nothing says whether the issuing CA is revoked
    both = PathValidator(store.root, CrlRevocationSource(store.crls(NOW)))
    both.validate(credential.cert, credential.chain, SIGNING_TIME, CertRole.PERSON)


def test_second_validation_of_the_same_chain_at_another_time_hits_the_cache(store: PkiStore) -> None:
    credential = store.person(VPCP.id)
    validator = validator_for(store)
    validator.validate(credential.cert, credential.chain, SIGNING_TIME, CertRole.PERSON)
    assert (validator.cache_info().hits, validator.cache_info().misses) == (0, 1)

    validator.validate(credential.cert, credential.chain, SIGNING_TIME + timedelta(days=200), CertRole.PERSON)
    assert (validator.cache_info().hits, validator.cache_info().misses) == (1, 1)

    # The cached verdict does not freeze time: the same chain is expired later on, and revoked after R.
    assert _refusal(validator, credential.cert, list(credential.chain), END + timedelta(days=1)).code is (
        ReasonCode.CERT_EXPIRED
    )
    store.revoke(VPCP.id, CertRole.PERSON, at=SIGNING_TIME)
    assert (
        _refusal(validator, credential.cert, list(credential.chain), SIGNING_TIME).code
        is ReasonCode.CERT_REVOKED
    )
    assert validator.cache_info().misses == 1


def test_refusals_are_cached_too_and_a_cache_can_be_shared(store: PkiStore, tmp_path: Path) -> None:
    cache = ChainCache(maxsize=8)
    foreign = make_store(tmp_path / "foreign").person(VPCP.id)
    first = PathValidator(store.root, store.revocation_source(_clock()), cache=cache)
    second = PathValidator(store.root, store.revocation_source(_clock()), cache=cache)
    for validator in (first, second):
        assert (
            _refusal(validator, foreign.cert, list(foreign.chain), SIGNING_TIME).code
            is ReasonCode.UNTRUSTED_CHAIN
        )
    assert (cache.info().hits, cache.info().misses, cache.info().size) == (1, 1, 1)


def test_cache_is_bounded(store: PkiStore) -> None:
    validator = PathValidator(store.root, store.revocation_source(_clock()), cache=ChainCache(maxsize=1))
    for agency_id in store.agency_ids:
        credential = store.person(agency_id)
        validator.validate(credential.cert, credential.chain, SIGNING_TIME, CertRole.PERSON)
    assert validator.cache_info().size == 1


def _clock() -> FixedClock:
    return FixedClock(NOW)


def _empty_crl(authority: CertificateAuthority) -> x509.CertificateRevocationList:
    return build_crl(authority, [], NOW)
