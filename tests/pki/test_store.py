"""The PKI on disk: layout, key protection, manifest, refusal to overwrite, reopening."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from docexchange.errors import PkiError, ReasonCode, VerificationError
from docexchange.pki import CertRole, KeyAlgorithm, PkiStore, SigningKey
from docexchange.registry.model import Registry
from tests.pki.conftest import HANOI, NOT_BEFORE, VPCP, VPCP_UNIT, make_store


def test_init_writes_the_documented_layout_with_private_keys_mode_600(store: PkiStore) -> None:
    directory = store.directory
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    expected = {
        "manifest.json",
        "revocations.json",
        "root.pem",
        "root.key",
        "intermediate.pem",
        "intermediate.key",
        "services/axis.pem",
        "services/axis.key",
    }
    for agency in (VPCP, HANOI):
        expected |= {
            f"agencies/{agency.id}/{role}.{suffix}" for role in CertRole for suffix in ("pem", "key")
        }
    assert names == expected
    for key_file in directory.rglob("*.key"):
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, key_file
        assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted


def test_only_level1_agencies_by_default(store: PkiStore) -> None:
    assert store.agency_ids == (VPCP.id, HANOI.id)
    assert VPCP_UNIT.id not in store
    with pytest.raises(PkiError) as caught:
        store.organisation(VPCP_UNIT.id)
    assert caught.value.code is ReasonCode.UNKNOWN_AGENCY


def test_agency_subset_may_name_level2_units(tmp_path: Path, registry: Registry) -> None:
    store = PkiStore.init(
        tmp_path, registry, algorithm="ecdsa-p256", not_before=NOT_BEFORE, agency_ids=[VPCP_UNIT.id]
    )
    assert store.agency_ids == (VPCP_UNIT.id,)
    assert store.person(VPCP_UNIT.id).cert.subject.rfc4514_string().startswith("CN=Lê Văn Minh")


def test_unknown_agency_in_subset_is_refused(tmp_path: Path, registry: Registry) -> None:
    with pytest.raises(PkiError, match=r"000\.00\.00\.X99") as caught:
        PkiStore.init(
            tmp_path, registry, algorithm="ecdsa-p256", not_before=NOT_BEFORE, agency_ids=["000.00.00.X99"]
        )
    assert caught.value.code is ReasonCode.UNKNOWN_AGENCY
    assert not (tmp_path / "manifest.json").exists()


def test_manifest_lists_algorithm_serials_and_fingerprints(store: PkiStore) -> None:
    manifest = json.loads((store.directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["algorithm"] == "ecdsa-p256"
    assert manifest["created"]
    assert [a["id"] for a in manifest["agencies"]] == [VPCP.id, HANOI.id]
    person = store.person(HANOI.id).cert
    entry = manifest["agencies"][1]["person"]
    assert entry["serial"] == f"{person.serial_number:x}"
    assert entry["sha256"] == person.fingerprint(hashes.SHA256()).hex()
    assert manifest["root"]["sha256"] == store.root.fingerprint(hashes.SHA256()).hex()


def test_init_refuses_to_overwrite_an_existing_pki(store: PkiStore, registry: Registry) -> None:
    before = (store.directory / "root.pem").read_bytes()
    with pytest.raises(PkiError, match="--force") as caught:
        PkiStore.init(store.directory, registry, algorithm="ecdsa-p256", not_before=NOT_BEFORE)
    assert caught.value.code is ReasonCode.INVALID_ARGUMENT
    assert (store.directory / "root.pem").read_bytes() == before


def test_force_replaces_the_pki_and_keeps_unrelated_files(store: PkiStore, registry: Registry) -> None:
    readme = store.directory / "README.md"
    readme.write_text("kept\n", encoding="utf-8")
    store.revoke(VPCP.id, at=NOT_BEFORE.replace(year=2019))
    replaced = PkiStore.init(
        store.directory,
        registry,
        algorithm="ecdsa-p256",
        not_before=NOT_BEFORE,
        agency_ids=[HANOI.id],
        force=True,
    )
    assert replaced.root != store.root
    assert replaced.agency_ids == (HANOI.id,)
    assert replaced.revocations == ()
    assert not (store.directory / "agencies" / VPCP.id).exists()
    assert readme.read_text(encoding="utf-8") == "kept\n"


def test_force_never_deletes_files_init_did_not_write(tmp_path: Path, registry: Registry) -> None:
    registry_data = tmp_path / "agencies" / "government-2008.toml"  # e.g. --dir . in the repository
    registry_data.parent.mkdir()
    registry_data.write_text("[registry]\n", encoding="utf-8")
    with pytest.raises(PkiError, match=r"government-2008\.toml"):
        PkiStore.init(tmp_path, registry, algorithm="ecdsa-p256", not_before=NOT_BEFORE, force=True)
    assert registry_data.exists()
    assert not (tmp_path / "manifest.json").exists()


def test_reopening_gives_the_same_certificates_and_keys(store: PkiStore) -> None:
    again = PkiStore.open(store.directory)
    assert again.root == store.root and again.intermediate == store.intermediate
    assert again.algorithm is KeyAlgorithm.ECDSA_P256
    for agency_id in store.agency_ids:
        for role in CertRole:
            first, second = store.credential(agency_id, role), again.credential(agency_id, role)
            assert first.cert == second.cert
            assert _public(first.key) == _public(second.key)


def test_credential_chain_holds_the_intermediate_not_the_root(store: PkiStore) -> None:
    credential = store.organisation(VPCP.id)
    assert credential.chain == (store.intermediate,)
    assert _public(credential.key) == credential.cert.public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )


def test_opening_an_empty_folder_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(PkiError, match="no PKI here; run `docexchange certs init`") as caught:
        PkiStore.open(tmp_path)
    assert caught.value.code is ReasonCode.PKI_MISSING


def test_a_certificate_replaced_by_hand_is_detected(store: PkiStore, tmp_path: Path) -> None:
    other = make_store(tmp_path / "other")
    target = store.directory / "agencies" / VPCP.id / "person.pem"
    target.write_bytes(other.person(VPCP.id).cert.public_bytes(Encoding.PEM))
    with pytest.raises(PkiError, match=r"does not match manifest\.json") as caught:
        PkiStore.open(store.directory).person(VPCP.id)
    assert caught.value.code is ReasonCode.PKI_MISSING


def test_leaf_validity_is_capped_by_the_issuing_ca(tmp_path: Path, registry: Registry) -> None:
    store = PkiStore.init(
        tmp_path, registry, algorithm="ecdsa-p256", not_before=NOT_BEFORE, years=5, leaf_years=2
    )
    leaf = store.person(VPCP.id).cert
    assert leaf.not_valid_after_utc.year == 2016
    assert store.intermediate.not_valid_after_utc.year in (2019, 2020)  # 2020-01-01 00:00 +07 is 2019 in UTC


def _public(key: SigningKey) -> bytes:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_the_axis_gets_a_tls_service_certificate_that_cannot_sign_documents(store: PkiStore) -> None:
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from docexchange.pki import AXIS_HOST, identity_of

    axis = store.service()
    names = axis.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [AXIS_HOST]
    usages = axis.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usages
    assert axis.chain == (store.intermediate,)
    with pytest.raises(VerificationError) as refused:
        identity_of(axis.cert)
    assert refused.value.code is ReasonCode.CERT_WRONG_PURPOSE
