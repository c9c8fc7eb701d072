"""What happened to each document, in order: the timeline the demo prints and tests read.

One log may be shared by every node of a run; each entry names the agency it happened at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NodeEvent:
    at: datetime
    agency: str
    document_id: str
    what: str  # signed, queued, sent, received, verified, refused, status-in, status-out, paper, …
    channel: str = ""
    detail: str = ""
    counterpart: str = ""  # the other agency, where there is one (recipient of a paper copy …)
    caused_at: datetime | None = None
    """When what the event reports was caused, where that is earlier than ``at``: a paper
    follow-up names the send that went unanswered."""

    @property
    def cause_time(self) -> datetime:
        return self.caused_at if self.caused_at is not None else self.at


Listener = Callable[[NodeEvent], None]


@dataclass
class EventLog:
    """``keep=False`` keeps nothing (a year-long simulation only needs its listeners)."""

    events: list[NodeEvent] = field(default_factory=list)
    keep: bool = True
    listeners: list[Listener] = field(default_factory=list)

    def add(self, event: NodeEvent) -> None:
        if self.keep:
            self.events.append(event)
        for listener in self.listeners:
            listener(event)

    def for_document(self, document_id: str) -> list[NodeEvent]:
        return [e for e in self.events if e.document_id == document_id]
