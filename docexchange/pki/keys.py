"""Key algorithms of the simulated PKI: generation, PEM encoding, and the matching signature hash."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeAlias

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from docexchange.errors import PkiError, ReasonCode

#: The private keys the PKI issues and signs with.
SigningKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
#: Their public halves.
PublicKey: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class KeyAlgorithm(StrEnum):
    """Key algorithm of every key in one PKI; the value is what the CLI and the manifest use."""

    RSA2048 = "rsa2048"
    ECDSA_P256 = "ecdsa-p256"

    @property
    def label(self) -> str:
        """A human label including the signature hash, e.g. ``RSA-2048/SHA-256``."""
        return "RSA-2048/SHA-256" if self is KeyAlgorithm.RSA2048 else "ECDSA P-256/SHA-256"


def parse_algorithm(text: str) -> KeyAlgorithm:
    """The algorithm named ``text``; PkiError(INVALID_ARGUMENT) naming the choices otherwise."""
    try:
        return KeyAlgorithm(text)
    except ValueError:
        choices = ", ".join(a.value for a in KeyAlgorithm)
        message = f"unknown key algorithm {text!r}; use one of {choices}"
        raise PkiError(ReasonCode.INVALID_ARGUMENT, message) from None


def generate_key(algorithm: KeyAlgorithm | str) -> SigningKey:
    """A fresh private key (RSA with e=65537, or ECDSA on P-256)."""
    algorithm = parse_algorithm(algorithm) if isinstance(algorithm, str) else algorithm
    if algorithm is KeyAlgorithm.RSA2048:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def algorithm_of(key: SigningKey | PublicKey) -> KeyAlgorithm:
    """Which :class:`KeyAlgorithm` a key belongs to; PkiError for keys the PKI does not issue."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) and key.key_size == 2048:
        return KeyAlgorithm.RSA2048
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        return KeyAlgorithm.ECDSA_P256
    raise PkiError(ReasonCode.INVALID_ARGUMENT, f"unsupported key: {type(key).__name__}")


def private_key_to_pem(key: SigningKey) -> bytes:
    """PEM, PKCS#8, unencrypted (the files are protected by mode 0600 and .gitignore, not a passphrase)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key_pem(data: bytes, *, source: str = "key") -> SigningKey:
    """Parse a PEM private key written by :func:`private_key_to_pem`; PkiError naming ``source`` otherwise."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise PkiError(ReasonCode.PKI_MISSING, f"{source}: not a readable private key ({exc})") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise PkiError(ReasonCode.PKI_MISSING, f"{source}: unsupported key type {type(key).__name__}")
    return key


#: Hashes cryptography will sign X.509 structures with (SHA-1 goes through :mod:`.legacy`).
CertificateHash: TypeAlias = (
    hashes.SHA224
    | hashes.SHA256
    | hashes.SHA384
    | hashes.SHA512
    | hashes.SHA3_256
    | hashes.SHA3_384
    | hashes.SHA3_512
)


def default_hash() -> hashes.SHA256:
    """SHA-256: the signature hash for both key algorithms."""
    return hashes.SHA256()


def certificate_hash(algorithm: hashes.HashAlgorithm | None) -> CertificateHash:
    """``algorithm`` (default SHA-256) if cryptography can sign certificates with it; ValueError otherwise."""
    if algorithm is None:
        return default_hash()
    if not isinstance(algorithm, CertificateHash):
        raise ValueError(f"cannot sign certificates with {algorithm.name}")
    return algorithm
