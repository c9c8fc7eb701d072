"""Revocation: the durable record, the CRLs and OCSP answers made from it, and sources a validator asks.

A certificate revoked at time R is invalid for every instant ``at >= R`` and still valid before R:
a document signed before the revocation keeps its signature. The records live in the store's
``revocations.json`` (see :mod:`docexchange.pki.store`); this module turns them into real,
signed CRLs and OCSP responses, and reads CRLs back — trusting one only once its signature checks
against the issuer it claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

from docexchange.clock import Clock, as_vietnam_time
from docexchange.errors import PkiError, ReasonCode, VerificationError
from docexchange.pki.authority import CertificateAuthority, certificate_time
from docexchange.pki.identity import CertRole, describe
from docexchange.pki.keys import default_hash

#: How long a CRL or OCSP answer made at ``at`` claims to be current.
UPDATE_INTERVAL = timedelta(days=1)

_REASONS = {flag.value: flag for flag in x509.ReasonFlags if flag is not x509.ReasonFlags.remove_from_crl}


def parse_reason(text: str) -> x509.ReasonFlags:
    """A CRL reason from its RFC 5280 name (``keyCompromise``, ``superseded``, …)."""
    try:
        return _REASONS[text]
    except KeyError:
        choices = ", ".join(_REASONS)
        message = f"unknown revocation reason {text!r}; use one of {choices}"
        raise PkiError(ReasonCode.INVALID_ARGUMENT, message) from None


def reason_names() -> tuple[str, ...]:
    return tuple(_REASONS)


@dataclass(frozen=True)
class RevocationRecord:
    """One revoked certificate, as recorded in ``revocations.json``."""

    serial_number: int
    agency_id: str
    role: CertRole
    revoked_at: datetime
    """Aware, whole seconds, Vietnam time (CRLs carry seconds; keeping the same value avoids drift)."""
    reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise

    def to_json(self) -> dict[str, str]:
        return {
            "serial": f"{self.serial_number:x}",
            "agency_id": self.agency_id,
            "role": self.role.value,
            "revoked_at": self.revoked_at.isoformat(),
            "reason": self.reason.value,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, source: str) -> RevocationRecord:
        try:
            return cls(
                serial_number=int(str(data["serial"]), 16),
                agency_id=str(data["agency_id"]),
                role=CertRole(data["role"]),
                revoked_at=as_vietnam_time(datetime.fromisoformat(str(data["revoked_at"]))),
                reason=parse_reason(str(data["reason"])),
            )
        except (KeyError, ValueError, PkiError) as exc:
            message = f"{source}: malformed revocation entry {dict(data)!r}"
            raise PkiError(ReasonCode.PKI_MISSING, message) from exc


@dataclass(frozen=True)
class RevocationStatus:
    """What a revocation source knows about one certificate."""

    revoked_at: datetime | None
    """When it was revoked; None when the source lists it as not revoked."""
    reason: x509.ReasonFlags | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


NOT_REVOKED = RevocationStatus(None)


class RevocationSource(Protocol):
    """Answers whether ``cert`` (issued by ``issuer``) is revoked.

    A source that cannot tell raises :class:`VerificationError`; it never answers "not revoked" by
    default.
    """

    def status(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationStatus: ...


def build_crl(
    issuer: CertificateAuthority,
    records: Iterable[RevocationRecord],
    at: datetime,
    *,
    next_update: datetime | None = None,
) -> x509.CertificateRevocationList:
    """A CRL signed by ``issuer`` listing exactly the ``records`` revoked at or before ``at``.

    thisUpdate is ``at``, nextUpdate ``at`` + one day; the CRL number is ``at`` in Unix seconds, so
    it grows with thisUpdate without any stored counter.
    """
    at = certificate_time(at)
    ski = issuer.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(at)
        .next_update(certificate_time(next_update) if next_update is not None else at + UPDATE_INTERVAL)
        .add_extension(x509.CRLNumber(max(0, int(at.timestamp()))), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    )
    for record in sorted(records, key=lambda r: (r.revoked_at, r.serial_number)):
        if record.revoked_at > at:
            continue
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(record.serial_number)
            .revocation_date(record.revoked_at)
        )
        if record.reason is not x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(record.reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer.key, default_hash())


def build_ocsp_response(
    responder: CertificateAuthority, cert: x509.Certificate, status: RevocationStatus, at: datetime
) -> ocsp.OCSPResponse:
    """A signed OCSP response from the issuing CA itself: GOOD, or REVOKED with time and reason.

    The CertID uses SHA-256. producedAt is set by cryptography from the real clock (it offers no
    way to choose it); thisUpdate is ``at`` and nextUpdate ``at`` + one day.
    """
    at = certificate_time(at)
    reason = status.reason if status.reason is not x509.ReasonFlags.unspecified else None
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert,
        issuer=responder.cert,
        algorithm=hashes.SHA256(),
        cert_status=ocsp.OCSPCertStatus.REVOKED if status.revoked else ocsp.OCSPCertStatus.GOOD,
        this_update=at,
        next_update=at + UPDATE_INTERVAL,
        revocation_time=status.revoked_at,
        revocation_reason=reason if status.revoked else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
    return builder.sign(responder.key, default_hash())


def unauthorized_ocsp_response() -> ocsp.OCSPResponse:
    """The answer for a certificate this PKI did not issue (RFC 6960 ``unauthorized``)."""
    return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)


class CrlRevocationSource:
    """Revocation status from a set of CRLs, each trusted only if signed by the issuer it names.

    For a certificate and its issuer, the CRLs whose issuer name matches and whose signature
    verifies with the issuer's key are candidates; the newest (by thisUpdate) answers. A CRL with a
    bad signature, or from another issuer, is never used. No usable CRL means the status is
    unknown, which is a refusal (REVOCATION_UNKNOWN), not "not revoked": the validator fails closed.
    """

    def __init__(self, crls: Iterable[x509.CertificateRevocationList]) -> None:
        self._crls: tuple[x509.CertificateRevocationList, ...] = tuple(crls)
        self._trusted: dict[x509.Certificate, x509.CertificateRevocationList | None] = {}
        self.rejected: list[x509.CertificateRevocationList] = []
        """CRLs seen with a matching issuer name but a signature that does not verify."""

    @property
    def crls(self) -> tuple[x509.CertificateRevocationList, ...]:
        return self._crls

    def status(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationStatus:
        crl = self._crl_for(issuer)
        if crl is None:
            raise VerificationError(
                ReasonCode.REVOCATION_UNKNOWN,
                f"no CRL signed by {describe(issuer)} is available, so the revocation status of "
                f"{describe(cert)} is unknown",
            )
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is None:
            return NOT_REVOKED
        try:
            reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            reason = x509.ReasonFlags.unspecified
        return RevocationStatus(as_vietnam_time(entry.revocation_date_utc), reason)

    def _crl_for(self, issuer: x509.Certificate) -> x509.CertificateRevocationList | None:
        if issuer not in self._trusted:  # certificates hash and compare by their DER encoding
            self._trusted[issuer] = self._select(issuer)
        return self._trusted[issuer]

    def _select(self, issuer: x509.Certificate) -> x509.CertificateRevocationList | None:
        if not _may_sign_crls(issuer):
            return None
        public_key = issuer.public_key()
        candidates = []
        for crl in self._crls:
            if crl.issuer != issuer.subject:
                continue
            try:
                valid = crl.is_signature_valid(public_key)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                valid = False
            if valid:
                candidates.append(crl)
            else:
                self.rejected.append(crl)
        return max(candidates, key=lambda c: c.last_update_utc, default=None)


def _may_sign_crls(issuer: x509.Certificate) -> bool:
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.crl_sign


class CrlPublisher(Protocol):
    """What :class:`StoreRevocationSource` needs from a PKI store."""

    @property
    def revocations(self) -> tuple[RevocationRecord, ...]: ...

    def crls(self, at: datetime) -> tuple[x509.CertificateRevocationList, ...]: ...


class StoreRevocationSource:
    """Revocation status straight from a PKI store, through CRLs it signs for the clock's "now".

    The verifier learns of every revocation effective at ``clock.now()`` — later ones are not yet
    known. CRLs are re-signed only when that set of effective revocations changes, so a run that
    moves the clock for every document does not sign two CRLs per document.
    """

    def __init__(self, store: CrlPublisher, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._key: frozenset[int] | None = None
        self._source: CrlRevocationSource | None = None

    def status(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationStatus:
        return self.current().status(cert, issuer)

    def current(self) -> CrlRevocationSource:
        """The CRL-backed source for the clock's present moment."""
        now = self._clock.now()
        key = frozenset(r.serial_number for r in self._store.revocations if r.revoked_at <= now)
        if self._source is None or key != self._key:
            self._source = CrlRevocationSource(self._store.crls(now))
            self._key = key
        return self._source


def records_for(records: Sequence[RevocationRecord], serial_number: int) -> RevocationRecord | None:
    """The record of ``serial_number``, if any."""
    return next((r for r in records if r.serial_number == serial_number), None)
