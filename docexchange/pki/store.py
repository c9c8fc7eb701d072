"""The PKI on disk: what ``docexchange certs init`` writes and every other command reads.

Layout of a store directory (private keys are PEM PKCS#8, unencrypted, mode 0600)::

    manifest.json                      algorithm, creation time, serials and fingerprints
    revocations.json                   revocation records (serial, agency, role, time, reason)
    root.pem          root.key         the simulated Ban Cơ yếu Chính phủ root
    intermediate.pem  intermediate.key the issuing CA (signs leaves, CRLs, OCSP answers)
    agencies/<id>/organisation.pem     the agency "seal" certificate …
    agencies/<id>/organisation.key     … and its key
    agencies/<id>/person.pem           the signer's personal certificate …
    agencies/<id>/person.key           … and its key

``manifest.json`` is written last, so an interrupted ``init`` leaves no store that opens. This is
the only module of :mod:`docexchange.pki` that touches files.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509 import ocsp

from docexchange.clock import Clock, SystemClock, as_vietnam_time
from docexchange.errors import PkiError, ReasonCode
from docexchange.pki import profiles
from docexchange.pki.authority import CertificateAuthority, certificate_time
from docexchange.pki.identity import CertRole
from docexchange.pki.keys import (
    KeyAlgorithm,
    SigningKey,
    generate_key,
    load_private_key_pem,
    parse_algorithm,
    private_key_to_pem,
)
from docexchange.pki.oids import AXIS_HOST, AXIS_SERVICE
from docexchange.pki.revocation import (
    NOT_REVOKED,
    RevocationRecord,
    RevocationStatus,
    StoreRevocationSource,
    build_crl,
    build_ocsp_response,
    records_for,
    unauthorized_ocsp_response,
)
from docexchange.registry.model import Agency, Registry

MANIFEST = "manifest.json"
REVOCATIONS = "revocations.json"
FORMAT = "docexchange-pki/1"
_CA_FILES = ("root.pem", "root.key", "intermediate.pem", "intermediate.key")
_AGENCY_FILES = frozenset(f"{role.value}.{suffix}" for role in CertRole for suffix in ("pem", "key"))


@dataclass(frozen=True)
class Credential:
    """A certificate with its private key and the intermediates a verifier needs to reach the root."""

    cert: x509.Certificate
    key: SigningKey
    chain: tuple[x509.Certificate, ...] = ()
    """Intermediate CA certificates, issuer of ``cert`` first; never the root."""


@dataclass(frozen=True)
class _Entry:
    """One agency leaf as the manifest lists it."""

    agency_id: str
    role: CertRole
    serial_number: int
    fingerprint: str


class PkiStore:
    """A simulated PKI in a directory. Make one with :meth:`init`, reopen it with :meth:`open`."""

    def __init__(self, directory: Path, manifest: Mapping[str, Any]) -> None:
        """Use :meth:`open` or :meth:`init`; this trusts ``manifest`` to describe ``directory``."""
        self.directory = directory
        self._manifest = manifest
        source = str(directory / MANIFEST)
        try:
            self._algorithm = parse_algorithm(str(manifest["algorithm"]))
            self._created = as_vietnam_time(datetime.fromisoformat(str(manifest["created"])))
            self._entries = {
                (str(agency["id"]), role): _Entry(
                    str(agency["id"]),
                    role,
                    int(str(agency[role.value]["serial"]), 16),
                    str(agency[role.value]["sha256"]),
                )
                for agency in manifest["agencies"]
                for role in CertRole
            }
        except (KeyError, TypeError, ValueError, PkiError) as exc:
            raise PkiError(ReasonCode.PKI_MISSING, f"{source}: malformed manifest ({exc})") from exc
        self._by_fingerprint = {entry.fingerprint: entry for entry in self._entries.values()}
        self._root = _load_certificate(directory / "root.pem")
        self._intermediate = _load_certificate(directory / "intermediate.pem")
        self._authorities: dict[str, CertificateAuthority] = {}
        self._credentials: dict[tuple[str, CertRole], Credential] = {}
        self._services: dict[str, Credential] = {}
        self._revocations = _read_revocations(directory / REVOCATIONS)

    # -- creating and opening -------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        directory: Path,
        registry: Registry,
        *,
        algorithm: KeyAlgorithm | str = KeyAlgorithm.RSA2048,
        not_before: datetime,
        years: int = 20,
        leaf_years: int | None = None,
        agency_ids: Iterable[str] | None = None,
        force: bool = False,
        clock: Clock | None = None,
    ) -> PkiStore:
        """Create a root, an issuing CA and two certificates per agency, and write them to ``directory``.

        Agencies are the level-1 agencies of ``registry`` unless ``agency_ids`` names others. CAs are
        valid for ``years`` from ``not_before``; leaves for ``leaf_years`` (default: ``years``), never
        past the issuing CA. An existing PKI is replaced only with ``force=True``.
        """
        key_algorithm = parse_algorithm(algorithm) if isinstance(algorithm, str) else algorithm
        if years < 1 or (leaf_years is not None and leaf_years < 1):
            raise PkiError(ReasonCode.INVALID_ARGUMENT, "validity must be at least one year")
        agencies = _select_agencies(registry, agency_ids)
        directory = Path(directory)
        _prepare_directory(directory, force=force)

        start = certificate_time(not_before)
        ca_end = add_years(start, years)
        leaf_end = min(add_years(start, leaf_years or years), ca_end)
        root_key = generate_key(key_algorithm)
        root = CertificateAuthority.create_root(root_key, not_before=start, not_after=ca_end)
        issuing = root.issue_intermediate(generate_key(key_algorithm), not_before=start, not_after=ca_end)
        _write_authority(directory, "root", root)
        _write_authority(directory, "intermediate", issuing)

        listed = []
        for agency in agencies:
            folder = directory / "agencies" / agency.id
            folder.mkdir(parents=True, exist_ok=True)
            item: dict[str, Any] = {"id": agency.id, "name": agency.name}
            for role in CertRole:
                key = generate_key(key_algorithm)
                issue = issuing.issue_organisation if role is CertRole.ORGANISATION else issuing.issue_person
                cert = issue(agency, key.public_key(), not_before=start, not_after=leaf_end)
                _write_public(folder / f"{role.value}.pem", cert.public_bytes(Encoding.PEM))
                _write_private(folder / f"{role.value}.key", private_key_to_pem(key))
                item[role.value] = _describe_cert(cert)
            listed.append(item)

        services = {
            AXIS_SERVICE: _issue_service(
                directory, issuing, key_algorithm, AXIS_SERVICE, [AXIS_HOST], start, leaf_end
            )
        }
        manifest = {
            "format": FORMAT,
            "simulation": "Simulated PKI for docexchange; not a real certification authority.",
            "algorithm": key_algorithm.value,
            "created": (clock or SystemClock()).now().isoformat(),
            "not_before": start.isoformat(),
            "years": years,
            "leaf_years": leaf_years,
            "root": _describe_cert(root.cert),
            "intermediate": _describe_cert(issuing.cert),
            "agencies": listed,
            "services": services,
        }
        _write_json(directory / REVOCATIONS, {"format": FORMAT, "revocations": []})
        _write_json(directory / MANIFEST, manifest)
        return cls(directory, manifest)

    @classmethod
    def open(cls, directory: Path) -> PkiStore:
        """The PKI in ``directory``; PkiError(PKI_MISSING) when there is none."""
        directory = Path(directory)
        path = directory / MANIFEST
        if not path.is_file():
            raise PkiError(ReasonCode.PKI_MISSING, f"{directory}: no PKI here; run `docexchange certs init`")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PkiError(ReasonCode.PKI_MISSING, f"{path}: unreadable manifest ({exc})") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PkiError(ReasonCode.PKI_MISSING, f"{path}: not a {FORMAT} manifest")
        return cls(directory, manifest)

    # -- what it holds ---------------------------------------------------------------------------

    @property
    def algorithm(self) -> KeyAlgorithm:
        return self._algorithm

    @property
    def created(self) -> datetime:
        return self._created

    @property
    def root(self) -> x509.Certificate:
        return self._root

    @property
    def intermediate(self) -> x509.Certificate:
        return self._intermediate

    @property
    def agency_ids(self) -> tuple[str, ...]:
        """Agencies with certificates, in manifest order."""
        return tuple(dict.fromkeys(agency_id for agency_id, _ in self._entries))

    def __contains__(self, agency_id: object) -> bool:
        return (agency_id, CertRole.ORGANISATION) in self._entries

    def root_authority(self) -> CertificateAuthority:
        """The root with its key (reads ``root.key``)."""
        return self._authority("root", self._root)

    def intermediate_authority(self) -> CertificateAuthority:
        """The issuing CA with its key (reads ``intermediate.key``)."""
        return self._authority("intermediate", self._intermediate)

    def certificate(self, agency_id: str, role: CertRole) -> x509.Certificate:
        """An agency certificate, without reading its key."""
        entry = self._entry(agency_id, role)
        if (agency_id, role) in self._credentials:
            return self._credentials[agency_id, role].cert
        cert = _load_certificate(self._agency_file(agency_id, role, "pem"))
        if _fingerprint(cert) != entry.fingerprint:
            path = self._agency_file(agency_id, role, "pem")
            raise PkiError(ReasonCode.PKI_MISSING, f"{path}: does not match manifest.json (edited by hand?)")
        return cert

    def service(self, name: str = AXIS_SERVICE) -> Credential:
        """TLS credential of a network service (the national axis by default); loaded once."""
        cached = self._services.get(name)
        if cached is not None:
            return cached
        described = self._manifest.get("services", {}).get(name)
        if not isinstance(described, dict):
            raise PkiError(ReasonCode.PKI_MISSING, f"{self.directory}: no certificate for service {name!r}")
        cert = _load_certificate(self.directory / "services" / f"{name}.pem")
        key_path = self.directory / "services" / f"{name}.key"
        key = load_private_key_pem(_read(key_path), source=str(key_path))
        if _fingerprint(cert) != described.get("sha256"):
            raise PkiError(
                ReasonCode.PKI_MISSING, f"{self.directory}/services/{name}.pem does not match manifest.json"
            )
        self._services[name] = Credential(cert, key, (self._intermediate,))
        return self._services[name]

    def credential(self, agency_id: str, role: CertRole) -> Credential:
        """Certificate, key and chain of one agency role; PkiError(UNKNOWN_AGENCY) when absent."""
        cached = self._credentials.get((agency_id, role))
        if cached is not None:
            return cached
        cert = self.certificate(agency_id, role)
        path = self._agency_file(agency_id, role, "key")
        key = load_private_key_pem(_read(path), source=str(path))
        if _public_der(key.public_key()) != _public_der(cert.public_key()):
            raise PkiError(ReasonCode.PKI_MISSING, f"{path}: key does not belong to {role.value}.pem")
        credential = Credential(cert, key, (self._intermediate,))
        self._credentials[agency_id, role] = credential
        return credential

    def organisation(self, agency_id: str) -> Credential:
        return self.credential(agency_id, CertRole.ORGANISATION)

    def person(self, agency_id: str) -> Credential:
        return self.credential(agency_id, CertRole.PERSON)

    # -- revocation ------------------------------------------------------------------------------

    @property
    def revocations(self) -> tuple[RevocationRecord, ...]:
        return self._revocations

    @property
    def revocations_path(self) -> Path:
        """The file ``certs revoke`` writes (atomically: a new file renamed over the old one)."""
        return self.directory / REVOCATIONS

    def reload_revocations(self) -> None:
        """Re-read ``revocations.json``: another process sharing this folder revoked something.

        Unlike opening a store, a missing file is an error here (PkiError PKI_MISSING): it existed
        and has gone, and reading it as "nothing revoked" would fail open.
        """
        path = self.directory / REVOCATIONS
        if not path.exists():
            raise PkiError(ReasonCode.PKI_MISSING, f"{path} is missing")
        self._revocations = _read_revocations(path)

    def revoke(
        self,
        agency_id: str,
        role: CertRole | None = None,
        *,
        at: datetime,
        reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise,
    ) -> list[RevocationRecord]:
        """Revoke one role's certificate of an agency (both when ``role`` is None), effective ``at``.

        Recorded in ``revocations.json`` before returning. A certificate already revoked is refused
        (PkiError INVALID_ARGUMENT) and then nothing is recorded.
        """
        if reason is x509.ReasonFlags.remove_from_crl:
            raise PkiError(ReasonCode.INVALID_ARGUMENT, "removeFromCRL is not a revocation reason")
        roles = list(CertRole) if role is None else [role]
        entries = [self._entry(agency_id, r) for r in roles]
        # Re-read first: another process (a CLI call) may have revoked since this store was opened.
        self.reload_revocations()
        when = certificate_time(at)
        for entry in entries:
            earlier = records_for(self._revocations, entry.serial_number)
            if earlier is not None:
                raise PkiError(
                    ReasonCode.INVALID_ARGUMENT,
                    f"the {entry.role.value} certificate of {agency_id} (serial {entry.serial_number:x}) "
                    f"is already revoked since {earlier.revoked_at.isoformat()} ({earlier.reason.value})",
                )
        added = [RevocationRecord(e.serial_number, agency_id, e.role, when, reason) for e in entries]
        records = (*self._revocations, *added)
        _write_json(
            self.directory / REVOCATIONS, {"format": FORMAT, "revocations": [r.to_json() for r in records]}
        )
        self._revocations = records
        return added

    def revocation_status(self, cert: x509.Certificate, at: datetime) -> RevocationStatus:
        """Whether a certificate of this store is revoked at ``at`` (straight from the records)."""
        record = records_for(self._revocations, cert.serial_number)
        if record is None or record.revoked_at > as_vietnam_time(at) or self._issued(cert) is None:
            return NOT_REVOKED
        return RevocationStatus(record.revoked_at, record.reason)

    def crl(self, at: datetime) -> x509.CertificateRevocationList:
        """The issuing CA's CRL at ``at``: every agency certificate revoked at or before ``at``."""
        return build_crl(self.intermediate_authority(), self._revocations, at)

    def authority_crl(self, at: datetime) -> x509.CertificateRevocationList:
        """The root's CRL at ``at`` (covers the issuing CA, which this simulation never revokes)."""
        return build_crl(self.root_authority(), (), at)

    def crls(self, at: datetime) -> tuple[x509.CertificateRevocationList, ...]:
        """Both CRLs a verifier needs to check a whole path at ``at``."""
        return (self.crl(at), self.authority_crl(at))

    def ocsp_response(self, cert: x509.Certificate, at: datetime) -> ocsp.OCSPResponse:
        """A signed OCSP answer at ``at`` for a certificate of this store; ``unauthorized`` otherwise.

        Agency certificates are answered by the issuing CA, the issuing CA by the root.
        """
        fingerprint = _fingerprint(cert)
        if fingerprint == _fingerprint(self._intermediate):
            return build_ocsp_response(self.root_authority(), cert, NOT_REVOKED, at)
        if self._issued(cert) is None:
            return unauthorized_ocsp_response()
        return build_ocsp_response(self.intermediate_authority(), cert, self.revocation_status(cert, at), at)

    def revocation_source(self, clock: Clock) -> StoreRevocationSource:
        """A :class:`StoreRevocationSource` over this store (CRLs as of ``clock.now()``)."""
        return StoreRevocationSource(self, clock)

    # -- internals -------------------------------------------------------------------------------

    def _issued(self, cert: x509.Certificate) -> _Entry | None:
        return self._by_fingerprint.get(_fingerprint(cert))

    def _entry(self, agency_id: str, role: CertRole) -> _Entry:
        entry = self._entries.get((agency_id, CertRole(role)))
        if entry is None:
            raise PkiError(ReasonCode.UNKNOWN_AGENCY, f"{agency_id}: no certificates in {self.directory}")
        return entry

    def _agency_file(self, agency_id: str, role: CertRole, suffix: str) -> Path:
        return self.directory / "agencies" / agency_id / f"{role.value}.{suffix}"

    def _authority(self, name: str, cert: x509.Certificate) -> CertificateAuthority:
        if name not in self._authorities:
            path = self.directory / f"{name}.key"
            key = load_private_key_pem(_read(path), source=str(path))
            if _public_der(key.public_key()) != _public_der(cert.public_key()):
                raise PkiError(ReasonCode.PKI_MISSING, f"{path}: key does not belong to {name}.pem")
            self._authorities[name] = CertificateAuthority(cert, key)
        return self._authorities[name]


def add_years(moment: datetime, years: int) -> datetime:
    """The same calendar moment ``years`` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _select_agencies(registry: Registry, agency_ids: Iterable[str] | None) -> list[Agency]:
    if agency_ids is None:
        chosen = [agency for agency in registry if agency.level == 1]
    else:
        wanted = list(dict.fromkeys(agency_ids))
        unknown = [agency_id for agency_id in wanted if agency_id not in registry]
        if unknown:
            raise PkiError(ReasonCode.UNKNOWN_AGENCY, f"not in the registry: {', '.join(unknown)}")
        chosen = [registry.get(agency_id) for agency_id in wanted]
    if not chosen:
        raise PkiError(ReasonCode.INVALID_ARGUMENT, "no agencies selected; nothing to certify")
    for agency in chosen:
        if not agency.id or agency.id.startswith(".") or any(c in agency.id for c in "/\\\0"):
            raise PkiError(ReasonCode.INVALID_ARGUMENT, f"{agency.id!r}: not usable as a folder name")
    return chosen


def _prepare_directory(directory: Path, *, force: bool) -> None:
    existing = [name for name in (MANIFEST, *_CA_FILES, "agencies") if (directory / name).exists()]
    if existing and not force:
        raise PkiError(
            ReasonCode.INVALID_ARGUMENT,
            f"{directory}: a PKI is already there ({', '.join(existing)}); use --force to replace it",
        )
    agencies = directory / "agencies"
    if agencies.exists():
        _check_only_agency_files(agencies)  # --force must never delete what init did not write
    directory.mkdir(parents=True, exist_ok=True)
    # The manifest goes first, so a replacement interrupted half-way never opens as a mixed PKI.
    for name in (MANIFEST, REVOCATIONS, *_CA_FILES):
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
    if agencies.is_dir():
        shutil.rmtree(agencies)


def _check_only_agency_files(agencies: Path) -> None:
    """Refuse unless ``agencies`` holds only ``<id>/{organisation,person}.{pem,key}``."""
    foreign: Path | None = None
    if not agencies.is_dir() or agencies.is_symlink():
        foreign = agencies
    else:
        for folder in agencies.iterdir():
            if not folder.is_dir() or folder.is_symlink():
                foreign = folder
                break
            foreign = next(
                (f for f in folder.iterdir() if f.name not in _AGENCY_FILES or not f.is_file()), None
            )
            if foreign is not None:
                break
    if foreign is not None:
        raise PkiError(
            ReasonCode.INVALID_ARGUMENT,
            f"{agencies}: holds {foreign.name}, which `certs init` does not write; "
            "refusing to replace it (is --dir the right folder?)",
        )


def _write_authority(directory: Path, name: str, authority: CertificateAuthority) -> None:
    _write_public(directory / f"{name}.pem", authority.cert.public_bytes(Encoding.PEM))
    _write_private(directory / f"{name}.key", private_key_to_pem(authority.key))


def _issue_service(
    directory: Path,
    issuing: CertificateAuthority,
    algorithm: KeyAlgorithm,
    name: str,
    dns_names: list[str],
    not_before: datetime,
    not_after: datetime,
) -> dict[str, Any]:
    key = generate_key(algorithm)
    extensions = profiles.service_extensions(dns_names, key.public_key(), issuing.cert)
    name_ = profiles.service_name(dns_names[0])
    cert = issuing.issue(name_, key.public_key(), extensions, not_before=not_before, not_after=not_after)
    folder = directory / "services"
    folder.mkdir(parents=True, exist_ok=True)
    _write_public(folder / f"{name}.pem", cert.public_bytes(Encoding.PEM))
    _write_private(folder / f"{name}.key", private_key_to_pem(key))
    return {**_describe_cert(cert), "dns": dns_names}


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by its owner only, whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)


def _write_public(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write through a temporary file and rename, so readers never see half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _read_revocations(path: Path) -> tuple[RevocationRecord, ...]:
    if not path.exists():
        return ()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["revocations"]
        if not isinstance(items, list):
            raise TypeError("revocations is not a list")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, RecursionError) as exc:
        raise PkiError(ReasonCode.PKI_MISSING, f"{path}: unreadable revocation list ({exc})") from exc
    try:
        return tuple(RevocationRecord.from_json(item, source=str(path)) for item in items)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, PkiError):
            raise
        raise PkiError(ReasonCode.PKI_MISSING, f"{path}: unreadable revocation record ({exc})") from exc


def _describe_cert(cert: x509.Certificate) -> dict[str, str]:
    return {
        "subject": cert.subject.rfc4514_string(),
        "serial": f"{cert.serial_number:x}",
        "sha256": _fingerprint(cert),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _public_der(key: Any) -> bytes:
    data: bytes = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return data


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PkiError(ReasonCode.PKI_MISSING, f"{path}: missing; run `docexchange certs init`") from None


def _load_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_read(path))
    except ValueError as exc:
        raise PkiError(ReasonCode.PKI_MISSING, f"{path}: not a PEM certificate ({exc})") from exc
