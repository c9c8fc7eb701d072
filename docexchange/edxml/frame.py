"""Where the parts of a message sit: the framing real systems exchange, and this version's own.

The real framing (DOMAIN.md §5, "The real wire format"; ``docs/edxml-real-framing.md``) has the
root ``edXML`` holding the ``edXMLEnvelope`` and, beside it, ``AttachmentEncoded``. The messages
this version writes still have the envelope itself as root, with ``AttachmentEncoded`` inside it
(the *legacy* framing). Readers find the envelope, its header and the attachments through a
:class:`Frame`, whichever framing a message has.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from docexchange.edxml.namespaces import q
from docexchange.errors import ParseError, ReasonCode

Element = etree._Element

WIRE_ROOT = q("edXML")
LEGACY_ROOT = q("edXMLEnvelope")


@dataclass(frozen=True)
class Frame:
    root: Element
    envelope: Element
    legacy: bool
    """True for the framing this version writes (the envelope as root)."""

    @property
    def header(self) -> Element | None:
        return self.envelope.find(q("edXMLHeader"))

    @property
    def attachments_parent(self) -> Element:
        """The element holding ``AttachmentEncoded``: the root (real) or the envelope (legacy)."""
        return self.root


def frame_of(root: Element) -> Frame:
    """The frame of a parsed message (its root already checked by the parser)."""
    if root.tag == LEGACY_ROOT:
        return Frame(root, root, legacy=True)
    envelope = root.find(q("edXMLEnvelope"))
    if envelope is None:
        raise ParseError(ReasonCode.SCHEMA_INVALID, "the edXML root holds no edXMLEnvelope")
    return Frame(root, envelope, legacy=False)
