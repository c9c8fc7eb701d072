"""Refusal reasons shared by every layer.

Every refusal the system makes carries a stable :class:`ReasonCode` (what a program matches on,
and what later goes into an edXML status 02) and a sentence for people. The exception tree::

    DocexchangeError                 (a refusal: code + sentence)
    ├── RegistryError                (a registry file is malformed; names file and entry)
    ├── PkiError                     (PKI files missing or inconsistent)
    ├── ParseError                   (hostile or malformed XML input)
    └── VerificationError            (a signature or certificate check failed)
"""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    """Stable reason codes; the string value is the wire form."""

    # Input and parsing
    MALFORMED_XML = "malformed-xml"
    SCHEMA_INVALID = "schema-invalid"
    WRONG_NAMESPACE = "wrong-namespace"
    TOO_LARGE = "too-large"
    TOO_DEEP = "too-deep"
    FORBIDDEN_DTD = "forbidden-dtd"
    INVALID_ATTACHMENT = "invalid-attachment"
    UNPROCESSABLE = "unprocessable"
    # Signatures
    MISSING_SIGNATURE = "missing-signature"
    SIGNATURE_LAYOUT = "signature-layout"
    DIGEST_MISMATCH = "digest-mismatch"
    BAD_SIGNATURE = "bad-signature"
    WEAK_ALGORITHM = "weak-algorithm"
    SIGNING_TIME_INVALID = "signing-time-invalid"
    # Certificates
    UNTRUSTED_CHAIN = "untrusted-chain"
    CERT_EXPIRED = "cert-expired"
    CERT_NOT_YET_VALID = "cert-not-yet-valid"
    CERT_REVOKED = "cert-revoked"
    REVOCATION_UNKNOWN = "revocation-unknown"
    CERT_WRONG_PURPOSE = "cert-wrong-purpose"
    # Identity
    SIGNER_NOT_SENDER = "signer-not-sender"
    SIGNER_MISMATCH = "signer-mismatch"
    DOCUMENT_ID_MISMATCH = "document-id-mismatch"
    UNKNOWN_AGENCY = "unknown-agency"
    # Network
    UNAUTHENTICATED = "unauthenticated"
    SENDER_NOT_AUTHENTICATED = "sender-not-authenticated"
    UNKNOWN_RECIPIENT = "unknown-recipient"
    UNKNOWN_PACKAGE = "unknown-package"
    BAD_REQUEST = "bad-request"
    RELAY_REFUSED = "relay-refused"
    # Protocol-level refusals of the listeners (HTTP parser, SMTP session)
    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HEADERS_TOO_LARGE = "headers-too-large"
    REQUEST_TIMEOUT = "request-timeout"
    INTERNAL_ERROR = "internal-error"
    BAD_SYNTAX = "bad-syntax"
    BAD_ADDRESS = "bad-address"
    BAD_SEQUENCE = "bad-sequence"
    NOT_IMPLEMENTED = "not-implemented"
    STARTTLS_REQUIRED = "starttls-required"
    TOO_MANY_RECIPIENTS = "too-many-recipients"
    TOO_MANY_COMMANDS = "too-many-commands"
    # Status sequences (docexchange.protocol.transitions.ProtocolReason has the same values)
    STATUS_FOR_UNKNOWN_DOCUMENT = "status-for-unknown-document"
    STATUS_FROM_NON_RECIPIENT = "status-from-non-recipient"
    STATUS_FROM_NON_SENDER = "status-from-non-sender"
    WRONG_PARTY = "wrong-party"
    SKIPPED_ACCEPTANCE = "skipped-acceptance"
    REFUSED_AFTER_ACCEPTANCE = "refused-after-acceptance"
    STATUS_AFTER_REFUSAL = "status-after-refusal"
    STATUS_AFTER_RECALL = "status-after-recall"
    RECALL_ANSWER_WITHOUT_REQUEST = "recall-answer-without-request"
    RECALL_AFTER_REFUSAL = "recall-after-refusal"
    # Configuration and data files
    INVALID_REGISTRY = "invalid-registry"
    INVALID_RULES = "invalid-rules"
    INVALID_SCENARIO = "invalid-scenario"
    INVALID_CALENDAR = "invalid-calendar"
    # Stores
    STORE_CONFLICT = "store-conflict"
    STORE_NOT_FOUND = "store-not-found"
    STORE_BUSY = "store-busy"
    STORE_VERSION = "store-version"
    INVALID_ARGUMENT = "invalid-argument"
    PKI_MISSING = "pki-missing"


class DocexchangeError(Exception):
    """A refusal with a stable reason code and a human sentence."""

    temporary = False
    """True when the refusal is not a verdict on the request but a passing condition of whoever
    refuses (try again later): a listener answers it 503 / 451, never 4xx / 5xx permanent."""

    def __init__(self, code: ReasonCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


class RegistryError(DocexchangeError):
    """A registry data file cannot be loaded; the message names the file and the entry or line."""

    def __init__(self, message: str) -> None:
        super().__init__(ReasonCode.INVALID_REGISTRY, message)


class PkiError(DocexchangeError):
    """The PKI folder is missing, incomplete, or does not hold what was asked for."""


class ParseError(DocexchangeError):
    """Input XML was refused before any signature was looked at."""


class VerificationError(DocexchangeError):
    """A signature, certificate or identity check failed."""
