"""Certificate path validation at a given instant (the signing time), with a cache for the costly part.

:meth:`PathValidator.validate` answers "was this leaf a valid certificate of ``role`` at ``at``,
under our root?" and refuses with a precise :class:`ReasonCode`. The checks run in this order:

1. a path by names from the leaf through the given intermediates to the root (UNTRUSTED_CHAIN);
2. every certificate on it is valid at ``at`` (CERT_NOT_YET_VALID, CERT_EXPIRED) — checked here per
   certificate, so the reason names the certificate instead of a generic path failure;
3. no SHA-1 (or MD5) signature and no RSA key under 2048 bits below the root (WEAK_ALGORITHM),
   unless ``allow_sha1`` lets SHA-1 through;
4. the path verifies (signatures, CA constraints, key usage) — with cryptography's RFC 5280
   verifier, or with :mod:`docexchange.pki.pathcheck` for SHA-1 paths it refuses (UNTRUSTED_CHAIN);
5. no certificate on it was revoked at or before ``at`` (CERT_REVOKED);
6. the leaf may sign documents and has the requested role (CERT_WRONG_PURPOSE).

**Cache.** Steps 1, 3, 4 and the reading of the leaf's identity for step 6 depend only on the
certificates, so their outcome — success or refusal — is cached under the SHA-256 fingerprints of
root, leaf and intermediates. This works because path building is never done at ``at``: it is done
once at the latest notBefore on the path, an instant inside every certificate's validity window
when the windows overlap at all; step 2 then compares ``at`` with the windows on every call. Steps
2, 5 and 6 are cheap comparisons and run on every call, so a cached verdict is correct for any
``at`` and any revocation state.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import verification

from docexchange.clock import as_vietnam_time
from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki.identity import CertificateIdentity, CertRole, check_signing_usage, describe, identity_of
from docexchange.pki.pathcheck import MINIMUM_RSA_BITS, check_path
from docexchange.pki.revocation import RevocationSource

MAX_INTERMEDIATES = 4
_ROLE_PHRASE = {
    CertRole.ORGANISATION: "an organisation certificate",
    CertRole.PERSON: "a personal certificate",
}
_WEAK_HASHES = (hashes.SHA1, hashes.MD5)


@dataclass(frozen=True)
class ValidatedChain:
    """A leaf that passed every check at the requested instant."""

    leaf: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    """The validated path: the leaf first, then the intermediates, the trusted root last."""
    identity: CertificateIdentity


@dataclass(frozen=True)
class CacheInfo:
    hits: int
    misses: int
    size: int
    maxsize: int


@dataclass(frozen=True)
class _Refusal:
    """A cached refusal; raised afresh each time so tracebacks do not pile up on one object."""

    code: ReasonCode
    message: str

    def error(self) -> VerificationError:
        return VerificationError(self.code, self.message)


@dataclass(frozen=True)
class _Analysis:
    """What is known about a set of certificates independently of time and revocation."""

    path: tuple[x509.Certificate, ...] | None
    """leaf … root chained by names; None when there is no such path."""
    windows: tuple[tuple[datetime, datetime], ...]
    """(notBefore, notAfter) of each certificate on ``path``."""
    chain_refusal: _Refusal | None
    """Why the path is untrusted or weak, if it is (step 1, 3 or 4)."""
    identity: CertificateIdentity | _Refusal


_CacheKey = tuple[bytes, bool, bytes, tuple[bytes, ...]]


class ChainCache:
    """A bounded LRU map from certificate fingerprints to path verdicts; shareable between validators."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[_CacheKey, _Analysis] = OrderedDict()
        self._lock = threading.Lock()

    def info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses, len(self._entries), self.maxsize)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def _get(self, key: _CacheKey) -> _Analysis | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._entries.move_to_end(key)
            return found

    def _put(self, key: _CacheKey, analysis: _Analysis) -> None:
        with self._lock:
            self._entries[key] = analysis
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)


class PathValidator:
    """Validates leaves against one trusted root, consulting ``revocation`` on every call."""

    def __init__(
        self,
        root: x509.Certificate,
        revocation: RevocationSource,
        *,
        allow_sha1: bool = False,
        cache: ChainCache | None = None,
    ) -> None:
        self.root = root
        self.revocation = revocation
        self.allow_sha1 = allow_sha1
        self.cache = cache if cache is not None else ChainCache()
        self._root_fingerprint = _fingerprint(root)
        self._store = verification.Store([root])

    def cache_info(self) -> CacheInfo:
        return self.cache.info()

    def validate(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate],
        at: datetime,
        role: CertRole,
    ) -> ValidatedChain:
        """The validated path of ``leaf`` at ``at`` for ``role``; VerificationError with the reason if not."""
        at = as_vietnam_time(at)
        analysis = self._analysis(leaf, intermediates)
        if analysis.path is None:
            raise (analysis.chain_refusal or _Refusal(ReasonCode.UNTRUSTED_CHAIN, "no path")).error()
        for cert, window in zip(analysis.path, analysis.windows, strict=True):
            _check_period(cert, window, at)
        if analysis.chain_refusal is not None:
            raise analysis.chain_refusal.error()
        for cert, issuer in itertools.pairwise(analysis.path):
            status = self.revocation.status(cert, issuer)
            if status.revoked_at is not None and status.revoked_at <= at:
                reason = status.reason.value if status.reason is not None else "no reason given"
                revoked_at = as_vietnam_time(status.revoked_at).isoformat()
                raise VerificationError(
                    ReasonCode.CERT_REVOKED,
                    f"{describe(cert)} was revoked at {revoked_at} ({reason}), "
                    f"before the signing time {at.isoformat()}",
                )
        if isinstance(analysis.identity, _Refusal):
            raise analysis.identity.error()
        if analysis.identity.role is not role:
            raise VerificationError(
                ReasonCode.CERT_WRONG_PURPOSE,
                f"{describe(leaf)} is {_ROLE_PHRASE[analysis.identity.role]} where "
                f"{_ROLE_PHRASE[CertRole(role)]} is required",
            )
        return ValidatedChain(leaf, analysis.path, analysis.identity)

    # -- the cached, time-independent part ------------------------------------------------------

    def _analysis(self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate]) -> _Analysis:
        key = (
            self._root_fingerprint,
            self.allow_sha1,
            _fingerprint(leaf),
            tuple(_fingerprint(cert) for cert in intermediates),
        )
        analysis = self.cache._get(key)
        if analysis is None:
            analysis = self._analyse(leaf, intermediates)
            self.cache._put(key, analysis)
        return analysis

    def _analyse(self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate]) -> _Analysis:
        identity = _identity(leaf)
        try:
            path = _path_by_names(leaf, intermediates, self.root)
        except ValueError as exc:
            refusal = _Refusal(ReasonCode.UNTRUSTED_CHAIN, f"unreadable certificate ({exc})")
            return _Analysis(None, (), refusal, identity)
        if path is None:
            issuer = leaf.issuer.rfc4514_string()
            message = f"{describe(leaf)} does not chain to the trusted root (issuer {issuer})"
            return _Analysis(None, (), _Refusal(ReasonCode.UNTRUSTED_CHAIN, message), identity)
        windows = tuple((cert.not_valid_before_utc, cert.not_valid_after_utc) for cert in path)
        return _Analysis(path, windows, self._chain_refusal(path), identity)

    def _chain_refusal(self, path: tuple[x509.Certificate, ...]) -> _Refusal | None:
        try:
            weak = _weakness(path)
        except (ValueError, UnsupportedAlgorithm) as exc:
            return _Refusal(ReasonCode.UNTRUSTED_CHAIN, f"unsupported or unreadable certificate ({exc})")
        uses_sha1 = weak == "sha1"
        if weak is not None and not (uses_sha1 and self.allow_sha1):
            return _Refusal(ReasonCode.WEAK_ALGORITHM, _weak_message(path))
        start = max(cert.not_valid_before_utc for cert in path)
        if start > min(cert.not_valid_after_utc for cert in path):
            # No instant where the whole path is valid: step 2 refuses every ``at`` first.
            return _Refusal(ReasonCode.UNTRUSTED_CHAIN, "the validity periods on the path never overlap")
        try:
            if uses_sha1:
                check_path(path)
            else:
                self._verify_with_library(path, start)
        except VerificationError as exc:
            return _Refusal(exc.code, exc.message)
        return None

    def _verify_with_library(self, path: tuple[x509.Certificate, ...], at: datetime) -> None:
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(at)
            .max_chain_depth(MAX_INTERMEDIATES)
            .extension_policies(ca_policy=_CA_POLICY, ee_policy=_EE_POLICY)
            .build_client_verifier()
        )
        try:
            verified = verifier.verify(path[0], list(path[1:-1]))
        except verification.VerificationError as exc:
            message = f"{describe(path[0])} does not chain to the trusted root: {_condense(exc)}"
            raise VerificationError(ReasonCode.UNTRUSTED_CHAIN, message) from exc
        if [_fingerprint(c) for c in verified.chain] != [_fingerprint(c) for c in path]:
            raise VerificationError(
                ReasonCode.UNTRUSTED_CHAIN, f"{describe(path[0])} validates only through an unexpected path"
            )


# Document-signing leaves are not Web PKI client certificates: the extendedKeyUsage and
# subjectAltName checks move to identity_of/check_signing_usage (CERT_WRONG_PURPOSE), everything
# else keeps cryptography's RFC 5280 / Web PKI defaults.
_CA_POLICY = verification.ExtensionPolicy.webpki_defaults_ca()
_EE_POLICY = (
    verification.ExtensionPolicy.webpki_defaults_ee()
    .may_be_present(x509.ExtendedKeyUsage, verification.Criticality.AGNOSTIC, None)
    .may_be_present(x509.SubjectAlternativeName, verification.Criticality.AGNOSTIC, None)
)


def _identity(leaf: x509.Certificate) -> CertificateIdentity | _Refusal:
    try:
        identity = identity_of(leaf)
        check_signing_usage(leaf)
    except VerificationError as exc:
        return _Refusal(exc.code, exc.message)
    except ValueError as exc:
        return _Refusal(ReasonCode.CERT_WRONG_PURPOSE, f"{describe(leaf)} has unreadable extensions ({exc})")
    return identity


def _path_by_names(
    leaf: x509.Certificate, intermediates: Sequence[x509.Certificate], root: x509.Certificate
) -> tuple[x509.Certificate, ...] | None:
    """leaf → intermediates → root by issuer/subject names (and key identifiers when present)."""
    path = [leaf]
    available = list(intermediates)
    current = leaf
    while current.issuer != root.subject:
        if len(path) > MAX_INTERMEDIATES:
            return None
        candidates = [c for c in available if c.subject == current.issuer]
        if not candidates:
            return None
        wanted = _authority_key_id(current)
        current = next((c for c in candidates if _subject_key_id(c) == wanted), candidates[0])
        available.remove(current)
        path.append(current)
    return (*path, root)


def _weakness(path: Sequence[x509.Certificate]) -> str | None:
    """``sha1`` or ``md5`` when a certificate below the root is signed so; ``rsa`` for a short RSA key."""
    found: str | None = None
    for cert in path[:-1]:  # the trust anchor's self-signature is not part of path validation
        algorithm = cert.signature_hash_algorithm
        if isinstance(algorithm, hashes.MD5):
            return "md5"
        if isinstance(algorithm, hashes.SHA1):
            found = "sha1"
    for cert in path:
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MINIMUM_RSA_BITS:
            return "rsa"
    return found


def _weak_message(path: Sequence[x509.Certificate]) -> str:
    for cert in path[:-1]:
        algorithm = cert.signature_hash_algorithm
        if isinstance(algorithm, _WEAK_HASHES):
            return f"{describe(cert)} is signed with {algorithm.name.upper()}, which is no longer accepted"
    for cert in path:
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MINIMUM_RSA_BITS:
            bits = key.key_size
            return f"{describe(cert)} has a {bits}-bit RSA key; at least {MINIMUM_RSA_BITS} bits are required"
    return "weak algorithm"


def _check_period(cert: x509.Certificate, window: tuple[datetime, datetime], at: datetime) -> None:
    not_before, not_after = window
    if at < not_before:
        raise VerificationError(
            ReasonCode.CERT_NOT_YET_VALID,
            f"{describe(cert)} is valid only from {as_vietnam_time(not_before).isoformat()}, "
            f"after the signing time {at.isoformat()}",
        )
    if at > not_after:
        raise VerificationError(
            ReasonCode.CERT_EXPIRED,
            f"{describe(cert)} expired at {as_vietnam_time(not_after).isoformat()}, "
            f"before the signing time {at.isoformat()}",
        )


def _authority_key_id(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    except x509.ExtensionNotFound:
        return None


def _subject_key_id(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return None


def _condense(exc: Exception) -> str:
    """cryptography's message without the certificate repr it appends."""
    text = re.sub(r"\s*\(encountered processing <Certificate\(.*?\)>\)", "", str(exc), flags=re.DOTALL)
    text = re.sub(r"^validation failed:\s*", "", text.strip())
    return text.rstrip(".") or "path validation failed"


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())
