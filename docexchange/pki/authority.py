"""Certificate authorities: a CA certificate with its key, issuing certificates by profile.

The building blocks are public so tests can make hostile material with the same code that makes
the real thing: a second, foreign root (:meth:`CertificateAuthority.create_root` again), an expired
or not-yet-valid certificate (``not_before``/``not_after``), a SHA-1 signature
(``hash_algorithm=hashes.SHA1()``), or any extension set (:meth:`CertificateAuthority.issue` with a
modified list from :mod:`docexchange.pki.profiles`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from docexchange.clock import as_vietnam_time
from docexchange.pki import profiles
from docexchange.pki.keys import PublicKey, SigningKey, certificate_hash, default_hash
from docexchange.pki.legacy import resign_with_sha1
from docexchange.registry.model import Agency


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA certificate and its private key."""

    cert: x509.Certificate
    key: SigningKey

    @classmethod
    def create_root(
        cls,
        key: SigningKey,
        *,
        not_before: datetime,
        not_after: datetime,
        name: x509.Name | None = None,
        path_length: int | None = 1,
        hash_algorithm: hashes.HashAlgorithm | None = None,
    ) -> CertificateAuthority:
        """A self-signed root (the simulated Ban Cơ yếu Chính phủ root unless ``name`` is given)."""
        subject = name if name is not None else profiles.root_name()
        public = key.public_key()
        extensions = profiles.ca_extensions(public, public, path_length=path_length)
        builder = _builder(subject, subject, public, extensions, not_before, not_after)
        return cls(_sign(builder, key, hash_algorithm), key)

    @property
    def name(self) -> x509.Name:
        return self.cert.subject

    def issue_intermediate(
        self,
        key: SigningKey,
        *,
        not_before: datetime,
        not_after: datetime,
        name: x509.Name | None = None,
        path_length: int | None = 0,
        hash_algorithm: hashes.HashAlgorithm | None = None,
    ) -> CertificateAuthority:
        """A subordinate CA below this one (the simulated issuing CA unless ``name`` is given)."""
        subject = name if name is not None else profiles.intermediate_name()
        extensions = profiles.ca_extensions(
            key.public_key(), self.cert, path_length=path_length, crl_url=profiles.ROOT_CRL_URL
        )
        cert = self.issue(
            subject,
            key.public_key(),
            extensions,
            not_before=not_before,
            not_after=not_after,
            hash_algorithm=hash_algorithm,
        )
        return CertificateAuthority(cert, key)

    def issue_organisation(
        self,
        agency: Agency,
        public_key: PublicKey,
        *,
        not_before: datetime,
        not_after: datetime,
        hash_algorithm: hashes.HashAlgorithm | None = None,
    ) -> x509.Certificate:
        """The agency's organisation ("seal") certificate."""
        extensions = profiles.organisation_extensions(agency, public_key, self.cert)
        return self.issue(
            profiles.organisation_name(agency),
            public_key,
            extensions,
            not_before=not_before,
            not_after=not_after,
            hash_algorithm=hash_algorithm,
        )

    def issue_person(
        self,
        agency: Agency,
        public_key: PublicKey,
        *,
        not_before: datetime,
        not_after: datetime,
        hash_algorithm: hashes.HashAlgorithm | None = None,
    ) -> x509.Certificate:
        """The personal certificate of the agency's signer (``agency.signer``)."""
        extensions = profiles.person_extensions(agency, public_key, self.cert)
        return self.issue(
            profiles.person_name(agency),
            public_key,
            extensions,
            not_before=not_before,
            not_after=not_after,
            hash_algorithm=hash_algorithm,
        )

    def issue(
        self,
        subject: x509.Name,
        public_key: PublicKey,
        extensions: Iterable[x509.Extension[x509.ExtensionType]],
        *,
        not_before: datetime,
        not_after: datetime,
        hash_algorithm: hashes.HashAlgorithm | None = None,
        serial_number: int | None = None,
    ) -> x509.Certificate:
        """Any certificate signed by this CA, with exactly the given extensions.

        Naive datetimes are Vietnam time; ``hash_algorithm`` defaults to SHA-256, and SHA-1 is
        produced through :func:`docexchange.pki.legacy.resign_with_sha1`.
        """
        issuer = self.cert.subject
        builder = _builder(subject, issuer, public_key, extensions, not_before, not_after, serial_number)
        return _sign(builder, self.key, hash_algorithm)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: PublicKey,
    extensions: Iterable[x509.Extension[x509.ExtensionType]],
    not_before: datetime,
    not_after: datetime,
    serial_number: int | None = None,
) -> x509.CertificateBuilder:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial_number if serial_number is not None else x509.random_serial_number())
        .not_valid_before(certificate_time(not_before))
        .not_valid_after(certificate_time(not_after))
    )
    for extension in extensions:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    return builder


def _sign(
    builder: x509.CertificateBuilder, key: SigningKey, hash_algorithm: hashes.HashAlgorithm | None
) -> x509.Certificate:
    if isinstance(hash_algorithm, hashes.SHA1):
        return resign_with_sha1(builder.sign(key, default_hash()), key)
    return builder.sign(key, certificate_hash(hash_algorithm))


def certificate_time(value: datetime) -> datetime:
    """``value`` as certificates hold it: whole seconds, aware (naive values are Vietnam time)."""
    return as_vietnam_time(value).replace(microsecond=0)
