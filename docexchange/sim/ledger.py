"""What the runner knows about each delivery when the document is sent, before the network acts.

A *delivery* is one document to one recipient. The ledger keeps the facts the stores do not hold
(the sending agency's tier, the planned send time, secrecy, the first routing decision); the
outcome of each delivery is read from the agencies' stores after the run (``docexchange.metrics``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from docexchange.registry import Tier
from docexchange.routing import Channel, RoutingDecision


@dataclass(frozen=True, slots=True)
class Delivery:
    document_id: str
    plan_key: str  # the workload plan's name for the document ("<sender>/<day>/<n>")
    sender: str
    recipient: str
    sender_tier: Tier
    type_code: str  # Decree 30 abbreviation ("CV" for a công văn)
    signed_at: datetime
    send_at: datetime  # when the records office was to send it
    urgent: bool
    secret: bool
    channel: Channel  # the first routing decision
    reason: str  # its RouteReason value
    legal_value: bool  # signed: replaces paper
    paper_copy: bool  # paper goes too (Government copy, listed types, unsigned)
    recipient_uses_mail: bool = True  # the recipient's office used e-mail for this document (drawn)
    direction: bool = False  # a direction document (edXML SteeringType 2)

    @property
    def paper_original(self) -> bool:
        """Whether the paper copy (if any) is the original the recipient registers."""
        return self.channel is Channel.PAPER or not self.legal_value


@dataclass
class Ledger:
    deliveries: list[Delivery] = field(default_factory=list)
    documents: int = 0
    _index: dict[tuple[str, str], Delivery] = field(default_factory=dict, repr=False)

    def record(
        self,
        *,
        document_id: str,
        plan_key: str,
        sender: str,
        sender_tier: Tier,
        type_code: str,
        signed_at: datetime,
        send_at: datetime,
        urgent: bool,
        secret: bool,
        decisions: tuple[RoutingDecision, ...],
        mail_users: frozenset[str] | None = None,
        direction: bool = False,
    ) -> list[Delivery]:
        """``mail_users``: the recipients whose office used e-mail for this document (None: all)."""
        self.documents += 1
        added = []
        for decision in decisions:
            delivery = Delivery(
                document_id=document_id,
                plan_key=plan_key,
                sender=sender,
                recipient=decision.recipient,
                sender_tier=sender_tier,
                type_code=type_code,
                signed_at=signed_at,
                send_at=send_at,
                urgent=urgent,
                secret=secret,
                channel=decision.channel,
                reason=decision.reason.value,
                legal_value=decision.legal_value and decision.electronic,
                paper_copy=decision.paper_copy,
                recipient_uses_mail=mail_users is None or decision.recipient in mail_users,
                direction=direction,
            )
            self.deliveries.append(delivery)
            self._index[(document_id, decision.recipient)] = delivery
            added.append(delivery)
        return added

    def get(self, document_id: str, recipient: str) -> Delivery | None:
        return self._index.get((document_id, recipient))

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self.deliveries)

    def __len__(self) -> int:
        return len(self.deliveries)
