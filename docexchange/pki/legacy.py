"""SHA-1 certificate signatures, for simulating the rsa-sha1 material of 2016–2019 (DOMAIN.md §6).

cryptography ≥ 45 refuses to sign X.509 structures with SHA-1 (``UnsupportedAlgorithm``), although
it still signs raw data with it and still parses and verifies such certificates. So a SHA-1
certificate is made in two steps: the builder signs with SHA-256, then :func:`resign_with_sha1`
swaps the signature AlgorithmIdentifier (inside the TBSCertificate and outside it) for the SHA-1
one and signs the new TBSCertificate bytes directly. Only the few DER elements on that path are
re-encoded; every other byte of the certificate is kept.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from docexchange.pki.keys import SigningKey

# AlgorithmIdentifier DER: sha1WithRSAEncryption (1.2.840.113549.1.1.5, NULL parameters) and
# ecdsa-with-SHA1 (1.2.840.10045.4.1, parameters absent).
_SHA1_WITH_RSA = bytes.fromhex("300d06092a864886f70d0101050500")
_ECDSA_WITH_SHA1 = bytes.fromhex("300906072a8648ce3d0401")

_SEQUENCE = 0x30
_BIT_STRING = 0x03
_CONTEXT_0 = 0xA0  # [0] EXPLICIT version


def resign_with_sha1(certificate: x509.Certificate, issuer_key: SigningKey) -> x509.Certificate:
    """The same certificate, signed by ``issuer_key`` with SHA-1 instead of its current hash."""
    outer = _children(certificate.public_bytes(Encoding.DER), expect=_SEQUENCE)
    if len(outer) != 3:
        raise ValueError("not a certificate: expected TBSCertificate, algorithm, signature")
    tbs_fields = _children(outer[0], expect=_SEQUENCE)
    index = 2 if tbs_fields[0][0] == _CONTEXT_0 else 1
    algorithm = _SHA1_WITH_RSA if isinstance(issuer_key, rsa.RSAPrivateKey) else _ECDSA_WITH_SHA1
    tbs_fields[index] = algorithm
    tbs = _encode(_SEQUENCE, b"".join(tbs_fields))
    if isinstance(issuer_key, rsa.RSAPrivateKey):
        signature = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    elif isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        signature = issuer_key.sign(tbs, ec.ECDSA(hashes.SHA1()))
    else:  # pragma: no cover - guarded by the type
        raise TypeError(f"unsupported issuer key {type(issuer_key).__name__}")
    der = _encode(_SEQUENCE, tbs + algorithm + _encode(_BIT_STRING, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)


def _children(element: bytes, *, expect: int) -> list[bytes]:
    """The complete TLV encodings of the elements inside one constructed DER element."""
    tag, start, end = _header(element, 0)
    if tag != expect or end != len(element):
        raise ValueError(f"unexpected DER element (tag {tag:#x})")
    items: list[bytes] = []
    position = start
    while position < end:
        _, _, item_end = _header(element, position)
        items.append(element[position:item_end])
        position = item_end
    return items


def _header(data: bytes, position: int) -> tuple[int, int, int]:
    """(tag, start of content, end of element) of the DER element at ``position``."""
    tag = data[position]
    first = data[position + 1]
    if first < 0x80:
        return tag, position + 2, position + 2 + first
    count = first & 0x7F
    if not 1 <= count <= 4:
        raise ValueError("unsupported DER length")
    length = int.from_bytes(data[position + 2 : position + 2 + count], "big")
    start = position + 2 + count
    if start + length > len(data):
        raise ValueError("truncated DER element")
    return tag, start, start + length


def _encode(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content
