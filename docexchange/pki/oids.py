"""Object identifiers and names the simulated PKI binds into its certificates.

Role policies live under a UUID-derived arc (``2.25.<int>``, ITU-T X.667): anyone may mint such an
arc without registering it, so the simulation never squats on a real government OID. The UUID below
was generated once for this project and must not change, or certificates already on disk stop being
recognised.
"""

from __future__ import annotations

import uuid
from typing import Final

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

#: The project's arc: 2.25.<the UUID as an integer>.
PROJECT_ARC: Final = f"2.25.{uuid.UUID('6f1c3f9e-2b7a-4d5e-9c1a-0e7b3d2f4a10').int}"

#: certificatePolicies OID of an organisation ("seal") certificate.
ORGANISATION_POLICY: Final = x509.ObjectIdentifier(f"{PROJECT_ARC}.1.1")
#: certificatePolicies OID of a personal (signer) certificate.
PERSON_POLICY: Final = x509.ObjectIdentifier(f"{PROJECT_ARC}.1.2")
#: certificatePolicies OID of a service certificate (TLS only, e.g. the national axis); never signs documents.
SERVICE_POLICY: Final = x509.ObjectIdentifier(f"{PROJECT_ARC}.1.3")
#: certificatePolicies OID carried by the simulated CAs (marks every certificate as simulation).
SIMULATION_CA_POLICY: Final = x509.ObjectIdentifier(f"{PROJECT_ARC}.1.0")

#: id-kp-documentSigning (RFC 9336).
DOCUMENT_SIGNING: Final = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SERVER_AUTH: Final = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH: Final = ExtendedKeyUsageOID.CLIENT_AUTH
EMAIL_PROTECTION: Final = ExtendedKeyUsageOID.EMAIL_PROTECTION

#: Prefix of the subjectAltName URI that carries the QCVN 102 agency identifier.
AGENCY_URN_PREFIX: Final = "urn:qcvn102:"

#: The national document exchange axis (Trục liên thông văn bản quốc gia), run by the Government Office.
AXIS_SERVICE: Final = "axis"
AXIS_HOST: Final = "truclienthong.chinhphu.gov.vn"

#: Host of the never-contacted CRL and OCSP addresses written into certificates.
PKI_HOST: Final = "pki.simulated.gov.vn"


def agency_urn(agency_id: str) -> str:
    """The SAN URI that binds an agency identifier, e.g. ``urn:qcvn102:000.00.00.G22``."""
    return f"{AGENCY_URN_PREFIX}{agency_id}"
