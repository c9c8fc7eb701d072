"""Hop records the axis keeps beside a package, signed with the axis's service key.

The edXML TraceHeaderList sits inside the sender's signed header, so the axis cannot add its hop
there without breaking the sender's signature. It records the hop beside the package instead and
signs it; a receiver checks it with the axis certificate.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from docexchange.clock import as_vietnam_time
from docexchange.pki import SigningKey


def hop_payload(package_id: str, organ_id: str, at: datetime, sha256: str) -> bytes:
    return "|".join(
        ("docexchange-hop/1", package_id, organ_id, as_vietnam_time(at).isoformat(), sha256)
    ).encode()


def sign_hop(key: SigningKey, payload: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(payload, ec.ECDSA(hashes.SHA256()))


def verify_hop(cert: x509.Certificate, hop: dict[str, Any], sha256: str) -> bool:
    """True when ``hop`` (as the axis serves it) is signed by ``cert`` over this package's bytes."""
    try:
        payload = hop_payload(hop["package_id"], hop["organ_id"], datetime.fromisoformat(hop["at"]), sha256)
        signature = base64.b64decode(hop["signature"])
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (KeyError, ValueError, TypeError, InvalidSignature):
        return False
    return True
