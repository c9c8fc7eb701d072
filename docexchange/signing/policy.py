"""Which signature algorithms a verifier accepts, and which a signer uses.

SHA-1 is refused by default; a scenario era that predates SHA-256 practice (real samples from
2016–2019 still used rsa-sha1, DOMAIN.md §6) may allow it explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec, rsa

DS = "http://www.w3.org/2000/09/xmldsig#"
DSMORE = "http://www.w3.org/2001/04/xmldsig-more#"
XMLENC = "http://www.w3.org/2001/04/xmlenc#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

WEAK_SIGNATURE_METHODS = frozenset({f"{DS}rsa-sha1", f"{DSMORE}ecdsa-sha1", f"{DS}dsa-sha1"})
WEAK_DIGEST_METHODS = frozenset({f"{DS}sha1"})
STRONG_SIGNATURE_METHODS = frozenset(
    {
        f"{DSMORE}rsa-sha256",
        f"{DSMORE}rsa-sha384",
        f"{DSMORE}rsa-sha512",
        f"{DSMORE}ecdsa-sha256",
        f"{DSMORE}ecdsa-sha384",
        f"{DSMORE}ecdsa-sha512",
    }
)
STRONG_DIGEST_METHODS = frozenset({f"{XMLENC}sha256", f"{DSMORE}sha384", f"{XMLENC}sha512"})


class HashChoice(StrEnum):
    SHA256 = "sha256"
    SHA1 = "sha1"


@dataclass(frozen=True)
class SignaturePolicy:
    """What a verifier accepts."""

    allow_sha1: bool = False
    """Accept rsa-sha1/ecdsa-sha1 signatures and sha1 digests (only for eras that used them)."""

    clock_skew: timedelta = timedelta(minutes=5)
    """How far a signing time may lie after the verification time before it is refused."""

    @property
    def signature_methods(self) -> frozenset[str]:
        return STRONG_SIGNATURE_METHODS | (WEAK_SIGNATURE_METHODS if self.allow_sha1 else frozenset())

    @property
    def digest_methods(self) -> frozenset[str]:
        return STRONG_DIGEST_METHODS | (WEAK_DIGEST_METHODS if self.allow_sha1 else frozenset())


def algorithms_for(key: object, hash_choice: HashChoice = HashChoice.SHA256) -> tuple[str, str]:
    """(SignatureMethod, DigestMethod) fragments for signxml: RSA→rsa-*, EC→ecdsa-*."""
    if isinstance(key, rsa.RSAPrivateKey):
        family = "rsa"
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        family = "ecdsa"
    else:
        raise ValueError(f"unsupported signing key type {type(key).__name__}")
    return f"{family}-{hash_choice.value}", hash_choice.value
