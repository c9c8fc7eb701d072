"""The simulated government PKI: CA hierarchy, certificate profiles, store, revocation, path validation.

A simulated root ("Ban Cơ yếu Chính phủ — simulated root") and one issuing CA certify, per agency,
an organisation ("seal") certificate and a personal certificate for its signer. Everything is
public and composable so tests can make foreign roots, expired or SHA-1 certificates with the same
code that makes the real ones.

Modules: :mod:`.profiles` (names and extensions), :mod:`.authority` (issuing),
:mod:`.identity` (reading a certificate back), :mod:`.store` (the files), :mod:`.revocation`
(records, CRL, OCSP), :mod:`.validation` (path validation with a cache), :mod:`.pathcheck` and
:mod:`.legacy` (SHA-1, which cryptography will neither sign nor verify on its own).
"""

from docexchange.pki.authority import CertificateAuthority
from docexchange.pki.identity import CertificateIdentity, CertRole, check_signing_usage, identity_of
from docexchange.pki.keys import KeyAlgorithm, PublicKey, SigningKey, generate_key
from docexchange.pki.legacy import resign_with_sha1
from docexchange.pki.oids import (
    AXIS_HOST,
    AXIS_SERVICE,
    DOCUMENT_SIGNING,
    ORGANISATION_POLICY,
    PERSON_POLICY,
    SERVICE_POLICY,
    agency_urn,
)
from docexchange.pki.revocation import (
    NOT_REVOKED,
    CrlRevocationSource,
    RevocationRecord,
    RevocationSource,
    RevocationStatus,
    StoreRevocationSource,
    build_crl,
    build_ocsp_response,
)
from docexchange.pki.store import Credential, PkiStore
from docexchange.pki.validation import CacheInfo, ChainCache, PathValidator, ValidatedChain

__all__ = [
    "AXIS_HOST",
    "AXIS_SERVICE",
    "DOCUMENT_SIGNING",
    "NOT_REVOKED",
    "ORGANISATION_POLICY",
    "PERSON_POLICY",
    "SERVICE_POLICY",
    "CacheInfo",
    "CertRole",
    "CertificateAuthority",
    "CertificateIdentity",
    "ChainCache",
    "Credential",
    "CrlRevocationSource",
    "KeyAlgorithm",
    "PathValidator",
    "PkiStore",
    "PublicKey",
    "RevocationRecord",
    "RevocationSource",
    "RevocationStatus",
    "SigningKey",
    "StoreRevocationSource",
    "ValidatedChain",
    "agency_urn",
    "build_crl",
    "build_ocsp_response",
    "check_signing_usage",
    "generate_key",
    "identity_of",
    "resign_with_sha1",
]
