"""What happened to each document, in order: the timeline the demo prints and tests read.

One log may be shared by every node of a run; each entry names the agency it happened at.
"""

from __future__ import annotations

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


@dataclass
class EventLog:
    events: list[NodeEvent] = field(default_factory=list)

    def add(self, event: NodeEvent) -> None:
        self.events.append(event)

    def for_document(self, document_id: str) -> list[NodeEvent]:
        return [e for e in self.events if e.document_id == document_id]
