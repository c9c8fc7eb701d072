"""Verify edXML messages: both signatures, chains to the simulation's root, revocation at the
signing time, identities against the signed content.

Order of checks for each signature (the first failure is the refusal):

1. algorithms allowed by policy (``weak-algorithm``);
2. XMLDSig/XAdES cryptography by signxml, with the leaf certificate from KeyInfo
   (``digest-mismatch``, ``bad-signature``, ``signature-layout``);
3. the signing time, read from the *verified* SignedProperties (``signing-time-invalid``);
4. the certificate path to the trusted root at that signing time, revocation included
   (``untrusted-chain``, ``cert-expired``, ``cert-not-yet-valid``, ``cert-revoked``,
   ``cert-wrong-purpose``).

Then, per message: the agency signed after the person; the organisation certificate belongs to
the ``From`` agency (``signer-not-sender``); the personal certificate names the ``SignerInfo``
signer of that agency (``signer-mismatch``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignXMLException,
)
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from docexchange.clock import Clock, SystemClock, as_vietnam_time
from docexchange.edxml.frame import frame_of
from docexchange.edxml.model import DocumentMessage
from docexchange.edxml.namespaces import ds, xades
from docexchange.edxml.parse import (
    DEFAULT_LIMITS,
    ParseLimits,
    parse_message,
    read_document,
    read_status,
    xml_parser,
)
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ParseError, ReasonCode, VerificationError
from docexchange.pki import CertRole, PathValidator
from docexchange.signing.layout import (
    AGENCY_ID,
    PERSON_ID,
    all_signatures,
    counter_location,
    counter_signature,
    header_location,
    header_signature,
)
from docexchange.signing.policy import SignaturePolicy
from docexchange.signing.result import SignatureVerdict, Verified, VerifiedDocument, VerifiedStatus
from docexchange.signing.structure import check_signature_shape, check_unique_ids

Element = etree._Element


def _fail(code: ReasonCode, message: str) -> VerificationError:
    return VerificationError(code, message)


def same_person_name(a: str, b: str) -> bool:
    """Names compare equal after Unicode NFC normalisation, case folding and space folding."""

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return norm(a) == norm(b)


@dataclass(frozen=True)
class _Checked:
    verdict: SignatureVerdict
    signed_xml: Element
    signed_bytes: bytes


class MessageVerifier:
    """Verifies document and status messages against one trust root.

    Holds a :class:`PathValidator`, whose cache makes repeated verification of documents from
    the same agencies cheap. Thread-unsafe; one per node or per worker.
    """

    def __init__(
        self,
        validator: PathValidator,
        *,
        policy: SignaturePolicy | None = None,
        limits: ParseLimits = DEFAULT_LIMITS,
        clock: Clock | None = None,
    ) -> None:
        self.validator = validator
        self.policy = policy or SignaturePolicy()
        self.limits = limits
        self.clock: Clock = clock or SystemClock()
        self._config_base = XAdESSignatureConfiguration(
            signature_methods=frozenset(SignatureMethod(m) for m in self.policy.signature_methods),
            digest_algorithms=frozenset(DigestAlgorithm(m) for m in self.policy.digest_methods),
        )

    # -- public API ---------------------------------------------------------------------------

    def verify(
        self, data: bytes, *, at: datetime | None = None, parsed: tuple[Element, MessageKind] | None = None
    ) -> Verified:
        """Verify either kind of message; ``at`` is the verification time (default: the clock).

        ``parsed`` is what :func:`parse_message` already returned for these same bytes, for a
        caller that had to parse them to route them: parsing twice costs more than it checks.
        """
        now = self._verification_time(at)
        try:
            root, kind = parsed if parsed is not None else parse_message(data, self.limits)
            if kind is MessageKind.DOCUMENT:
                return self._verify_document(root, now)
            return self._verify_status(root, now)
        except DocexchangeError:
            raise
        except Exception as exc:  # a refusal, never a traceback: bad input must get a clear answer
            raise _fail(
                ReasonCode.UNPROCESSABLE,
                f"the message could not be processed ({type(exc).__name__}: {exc})",
            ) from exc

    def _verification_time(self, at: datetime | None) -> datetime:
        if at is None:
            return self.clock.now()
        try:
            return as_vietnam_time(at)
        except OverflowError:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, f"verification time {at!r} is out of range"
            ) from None

    def verify_document(
        self, data: bytes, *, at: datetime | None = None, parsed: tuple[Element, MessageKind] | None = None
    ) -> VerifiedDocument:
        result = self.verify(data, at=at, parsed=parsed)
        if not isinstance(result, VerifiedDocument):
            raise ParseError(ReasonCode.SCHEMA_INVALID, "expected a document message, got a status message")
        return result

    def verify_status(
        self, data: bytes, *, at: datetime | None = None, parsed: tuple[Element, MessageKind] | None = None
    ) -> VerifiedStatus:
        result = self.verify(data, at=at, parsed=parsed)
        if not isinstance(result, VerifiedStatus):
            raise ParseError(ReasonCode.SCHEMA_INVALID, "expected a status message, got a document message")
        return result

    # -- messages -----------------------------------------------------------------------------

    def _verify_document(self, root: Element, now: datetime) -> VerifiedDocument:
        person_sig = header_signature(root)
        agency_sig = counter_signature(person_sig) if person_sig is not None else None
        if person_sig is None:
            raise _fail(ReasonCode.MISSING_SIGNATURE, "the document carries no signature")
        if person_sig.get("Id") == AGENCY_ID:
            raise _fail(
                ReasonCode.MISSING_SIGNATURE,
                "the competent person's signature is missing: only the agency's signature is present",
            )
        if agency_sig is None:
            raise _fail(
                ReasonCode.MISSING_SIGNATURE,
                "the document carries no agency signature (countersignature of the person's signature)",
            )
        self._check_layout(root, expected={id(person_sig), id(agency_sig)})
        if person_sig.get("Id") != PERSON_ID or agency_sig.get("Id") != AGENCY_ID:
            raise _fail(ReasonCode.SIGNATURE_LAYOUT, "the signatures do not carry the expected Ids")
        check_unique_ids(root)
        check_signature_shape(person_sig, countersigned=True)
        check_signature_shape(agency_sig, countersigned=False)

        frame = frame_of(root)
        person = self._check_signature(root, header_location(frame), person_sig, CertRole.PERSON, now)
        agency = self._check_signature(root, counter_location(frame), agency_sig, CertRole.ORGANISATION, now)
        if agency.verdict.signing_time < person.verdict.signing_time:
            raise _fail(
                ReasonCode.SIGNING_TIME_INVALID,
                "the agency's signature is dated before the person's; "
                "the agency signs only a document the person has signed",
            )
        message = read_document(agency.signed_xml, self.limits)
        self._check_identities(message, person.verdict, agency.verdict)
        return VerifiedDocument(message, person.verdict, agency.verdict, agency.signed_bytes, now)

    def _verify_status(self, root: Element, now: datetime) -> VerifiedStatus:
        signature = header_signature(root)
        if signature is None:
            raise _fail(ReasonCode.MISSING_SIGNATURE, "the status message carries no signature")
        self._check_layout(root, expected={id(signature)})
        check_unique_ids(root)
        check_signature_shape(signature, countersigned=False)
        agency = self._check_signature(
            root, header_location(frame_of(root)), signature, CertRole.ORGANISATION, now
        )
        message = read_status(agency.signed_xml)
        if agency.verdict.identity.agency_id != message.from_.organ_id:
            raise _fail(
                ReasonCode.SIGNER_NOT_SENDER,
                f"the status is signed by {agency.verdict.identity.agency_id} but claims to come from "
                f"{message.from_.organ_id}",
            )
        return VerifiedStatus(message, agency.verdict, agency.signed_bytes, now)

    @staticmethod
    def _check_layout(root: Element, expected: set[int]) -> None:
        found = all_signatures(root)
        extra = [s for s in found if id(s) not in expected]
        if extra:
            where = extra[0].getparent()
            parent = etree.QName(where).localname if where is not None else "?"
            raise _fail(
                ReasonCode.SIGNATURE_LAYOUT,
                f"the message carries {len(found)} signatures where {len(expected)} are expected "
                f"(an extra one under {parent})",
            )

    def _check_identities(
        self, message: DocumentMessage, person: SignatureVerdict, agency: SignatureVerdict
    ) -> None:
        sender = message.from_.organ_id
        message.promulgation_date  # noqa: B018  # refuses (schema-invalid) a document without a date
        if message.document_id.split(",", 1)[0] != sender:
            raise _fail(
                ReasonCode.DOCUMENT_ID_MISMATCH,
                f"DocumentId {message.document_id!r} does not belong to the sender {sender}: "
                "a DocumentId starts with its issuer's identifier",
            )
        if agency.identity.agency_id != sender:
            raise _fail(
                ReasonCode.SIGNER_NOT_SENDER,
                f"the agency signature is made with the certificate of {agency.identity.agency_id}, "
                f"but the document comes from {sender}",
            )
        if person.identity.agency_id != sender:
            raise _fail(
                ReasonCode.SIGNER_MISMATCH,
                f"the person's certificate belongs to {person.identity.agency_id}, "
                f"not to the sender {sender}",
            )
        signer = message.signer_info.full_name
        if not same_person_name(person.identity.full_name or "", signer):
            raise _fail(
                ReasonCode.SIGNER_MISMATCH,
                f"the person's certificate names {person.identity.full_name!r}, "
                f"but SignerInfo names {signer!r}",
            )

    # -- one signature ------------------------------------------------------------------------

    def _check_algorithms(self, signature: Element) -> str:
        method_node = signature.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}")
        method = method_node.get("Algorithm", "") if method_node is not None else ""
        if method not in self.policy.signature_methods:
            raise _fail(
                ReasonCode.WEAK_ALGORITHM, f"signature method {method or '(none)'} is not allowed by policy"
            )
        digests = [node.get("Algorithm", "") for node in signature.iter(ds("DigestMethod"))]
        for digest in digests:
            if digest not in self.policy.digest_methods:
                raise _fail(
                    ReasonCode.WEAK_ALGORITHM, f"digest method {digest or '(none)'} is not allowed by policy"
                )
        return method

    def _certificates(self, signature: Element) -> list[x509.Certificate]:
        nodes = signature.findall(f"{ds('KeyInfo')}/{ds('X509Data')}/{ds('X509Certificate')}")
        if not nodes:
            raise _fail(ReasonCode.UNTRUSTED_CHAIN, "the signature carries no X.509 certificate in KeyInfo")
        certs = []
        for node in nodes:
            try:
                der = _b64(node.text or "")
                certs.append(x509.load_der_x509_certificate(der))
            except ValueError as exc:
                raise _fail(
                    ReasonCode.UNTRUSTED_CHAIN, f"a KeyInfo certificate cannot be read: {exc}"
                ) from None
        return certs

    def _check_signature(
        self, root: Element, location: str, signature: Element, role: CertRole, now: datetime
    ) -> _Checked:
        method = self._check_algorithms(signature)
        certs = self._certificates(signature)
        leaf, intermediates = certs[0], certs[1:]
        results = self._crypto(root, location, leaf, intermediates, role)
        # The shape check pinned the reference order: [0] the message (URI=""), [1] SignedProperties.
        envelope, props = results[0], results[1]
        if envelope.signed_xml is None or envelope.signed_xml.tag != root.tag:
            raise _fail(
                ReasonCode.SIGNATURE_LAYOUT, 'the first reference does not cover the whole message (URI="")'
            )
        signed_properties = getattr(props, "signed_properties", None)
        if signed_properties is None:
            raise _fail(
                ReasonCode.SIGNATURE_LAYOUT, "the second reference does not cover XAdES SignedProperties"
            )
        signed_time = self._signing_time(signed_properties)
        if signed_time > now + self.policy.clock_skew:
            raise _fail(
                ReasonCode.SIGNING_TIME_INVALID,
                f"the signing time {signed_time.isoformat()} lies after "
                f"the verification time {now.isoformat()}",
            )
        validated = self.validator.validate(leaf, intermediates, signed_time, role)
        verdict = SignatureVerdict(
            role=role,
            signature_id=signature.get("Id", ""),
            signing_time=signed_time,
            identity=validated.identity,
            certificate=leaf,
            signature_method=method,
        )
        return _Checked(verdict, envelope.signed_xml, envelope.signed_data)

    @staticmethod
    def _signing_time(signed_signature_properties: Element) -> datetime:
        """The SigningTime of *verified* SignedSignatureProperties; it must carry a UTC offset."""
        node = signed_signature_properties.find(xades("SigningTime"))
        text = (node.text or "").strip() if node is not None else ""
        if not text:
            raise _fail(ReasonCode.SIGNING_TIME_INVALID, "the signature records no XAdES SigningTime")
        try:
            value = datetime.fromisoformat(text)
            if value.tzinfo is None:
                raise _fail(ReasonCode.SIGNING_TIME_INVALID, f"SigningTime {text!r} has no UTC offset")
            return as_vietnam_time(value)
        except (ValueError, OverflowError):
            raise _fail(
                ReasonCode.SIGNING_TIME_INVALID, f"SigningTime {text!r} is not a usable ISO 8601 time"
            ) from None

    def _crypto(
        self,
        root: Element,
        location: str,
        leaf: x509.Certificate,
        intermediates: list[x509.Certificate],
        role: CertRole,
    ) -> list[Any]:
        # signxml checks the leaf's validity window at verification_time; the path validator does
        # the real time checks later, at the verified signing time. Until then no unverified time
        # is used: give signxml an instant inside the leaf's window.
        config = XAdESSignatureConfiguration(
            location=location,
            signature_methods=self._config_base.signature_methods,
            digest_algorithms=self._config_base.digest_algorithms,
            verification_time=leaf.not_valid_before_utc,
        )
        try:
            results: list[Any] = XAdESVerifier().verify(
                root, x509_cert=leaf, expect_config=config, parser=xml_parser()
            )
            return results
        except InvalidInput as exc:
            raise _fail(
                ReasonCode.SIGNATURE_LAYOUT, f"the signature is not in the expected form: {exc}"
            ) from None
        except InvalidDigest as exc:
            raise _fail(ReasonCode.DIGEST_MISMATCH, f"the signed content was altered: {exc}") from None
        except InvalidCertificate as exc:
            raise _fail(ReasonCode.UNTRUSTED_CHAIN, f"the signing certificate was refused: {exc}") from None
        except InvalidSignature as exc:
            raise _fail(ReasonCode.BAD_SIGNATURE, f"the signature value does not verify: {exc}") from None
        except SignXMLException as exc:
            raise _fail(
                ReasonCode.SIGNATURE_LAYOUT, f"the signature is not in the expected form: {exc}"
            ) from None
        except (etree.LxmlError, ValueError) as exc:
            raise _fail(ReasonCode.BAD_SIGNATURE, f"the signature cannot be processed: {exc}") from None


def _b64(text: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64 ({exc})") from None
