"""What a node's users and transports exchange with it: drafts, outcomes, policies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from docexchange.edxml import Attachment, DocumentMessage, Priority, StatusMessage, SteeringType
from docexchange.routing import Channel, RoutingDecision, Secrecy

OFFICE = "Văn thư"


@dataclass(frozen=True)
class Draft:
    """A document a user of the node wants to send."""

    recipients: tuple[str, ...]
    type_code: str  # Decree 30 abbreviation, CV for a công văn
    subject: str
    content: str = ""
    drafting_unit: str = "VP"
    legal_normative: bool = False
    priority: Priority = Priority.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    attachments: tuple[Attachment, ...] = ()
    steering_type: SteeringType = SteeringType.NOT_DIRECTIVE
    """edXML SteeringType: 2 for a direction document (chỉ đạo, điều hành) of the Government or PM."""
    number: int | None = None
    """The register number to use; None takes the series' next. A simulation gives it so that a
    thinned run (``--scale``) keeps the numbers, and so the DocumentIds, of the full run."""


class FollowUp(StrEnum):
    """What a look in the records office's diary found (:meth:`AgencyNode.follow_up`)."""

    PAPER = "paper"  # no answer that counts: the paper original went
    ARRIVED_ONLY = "arrived-only"  # the recipient said it arrived (01), nothing since: look again later
    ANSWERED = "answered"  # accepted, refused, or further on: nothing to do
    NOTHING = "nothing"  # recalled, not sent yet (retries see to it), or its paper original went already


@dataclass(frozen=True)
class SentDocument:
    document_id: str
    code: str
    decisions: tuple[RoutingDecision, ...]


@dataclass(frozen=True)
class ReceiveOutcome:
    """What became of bytes that arrived. ``delivered`` False means refused at transport level
    (nothing could be read: SMTP 5xx, axis 'fail'); a document refused with status 02 was delivered."""

    delivered: bool
    reason: str = ""
    message: str = ""
    document_id: str = ""
    duplicate: bool = False
    retry_later: bool = False  # a passing condition (store busy): nothing taken, deliver again


@dataclass(frozen=True)
class PreparedStatus:
    """A signed status message not yet logged or queued (so both can share a transaction).

    ``payload`` is None when the agency could not sign it (its certificate was refused, e.g.
    revoked): the status is still the agency's own record, but nothing unsigned is sent;
    ``refusal`` says why ("<reason-code>: <sentence>")."""

    status: StatusMessage
    to: str
    channel: Channel
    payload: bytes | None
    refusal: str = ""


@dataclass
class ReceiverPolicy:
    """Business decisions a records office makes; defaults accept everything and agree to recalls."""

    refuse: Callable[[DocumentMessage], tuple[str, str] | None] = lambda message: None
    agree_to_recall: Callable[[str], bool] = lambda document_id: True
    accept_at_once: bool = True
    """False: a verified document is registered as arrived (01 only) and the records office
    accepts it later with :meth:`~docexchange.node.agency.AgencyNode.accept` (03), as a simulation
    with acceptance delays does."""
