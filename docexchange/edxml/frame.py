"""Where the parts of a message sit: the framing real systems exchange, and the old one.

The real framing (DOMAIN.md §5, "The real wire format"; ``docs/edxml-real-framing.md``), which
this version writes, has the root ``edXML`` holding the ``edXMLEnvelope`` and, beside it,
``AttachmentEncoded``. Versions before it wrote the envelope itself as root, with
``AttachmentEncoded`` inside it (the *legacy* framing), which is still read and verified, never
written. Readers find the envelope, its header and the attachments through a :class:`Frame`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from docexchange.edxml.namespaces import ds, q
from docexchange.errors import ParseError, ReasonCode

Element = etree._Element

WIRE_ROOT = q("edXML")
LEGACY_ROOT = q("edXMLEnvelope")

WIRE_HEADER_PATH = f"./{q('edXMLEnvelope')}/{q('edXMLHeader')}/"
LEGACY_HEADER_PATH = f"./{q('edXMLHeader')}/"


@dataclass(frozen=True)
class Frame:
    root: Element
    envelope: Element
    legacy: bool
    """True for the framing of earlier versions (the envelope as root)."""

    @property
    def header(self) -> Element | None:
        return self.envelope.find(q("edXMLHeader"))

    @property
    def message_header(self) -> Element | None:
        """The header's ``MessageHeader``: a document's, or (real framing) a status's."""
        header = self.header
        return None if header is None else header.find(q("MessageHeader"))

    @property
    def status_header(self) -> Element | None:
        """The element holding a status's fields: ``Status`` (the legacy framing, some producers),
        else, in the real framing, the ``MessageHeader``."""
        header = self.header
        status = None if header is None else header.find(q("Status"))
        return status if status is not None or self.legacy else self.message_header

    @property
    def attachments_parent(self) -> Element:
        """The element holding ``AttachmentEncoded``: the root (real) or the envelope (legacy)."""
        return self.root

    @property
    def header_path(self) -> str:
        """The header's path from the root, as an ElementPath prefix ending in ``/``."""
        return LEGACY_HEADER_PATH if self.legacy else WIRE_HEADER_PATH


def frame_of(root: Element) -> Frame:
    """The frame of a parsed message (its root already checked by the parser)."""
    if root.tag == LEGACY_ROOT:
        return Frame(root, root, legacy=True)
    envelope = root.find(q("edXMLEnvelope"))
    if envelope is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "the edXML root holds no edXMLEnvelope")
    return Frame(root, envelope, legacy=False)


def unread_parts(frame: Frame) -> list[str]:
    """What a file carries that is not read as part of the message, to be said rather than
    dropped silently: a ``Signature`` outside the XMLDSig namespace (a placeholder some producers
    write), a gateway's own ``edXMLAttachments`` list inside the envelope."""
    found: list[str] = []
    header = frame.header
    placeholders = [
        node
        for node in (header if header is not None else ())
        if isinstance(node.tag, str)
        and etree.QName(node).localname == "Signature"
        and node.tag != ds("Signature")
    ]
    if placeholders:
        found.append(
            f"{len(placeholders)} Signature element(s) outside the XMLDSig namespace (a placeholder some "
            "producers write): not a signature, not counted"
        )
    for extra in frame.envelope.iterfind(q("edXMLAttachments")):
        found.append(
            f"{len(extra)} file(s) in edXMLAttachments, a gateway's own list inside the envelope: not read as "
            "attachments (the standard carries them in AttachmentEncoded)"
        )
    return found
