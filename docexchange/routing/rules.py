"""The routing rules of Decision 28/2018/QĐ-TTg, as a pure decision per (document, recipient).

In order of precedence:

1. A state secret (Mật, Tối mật, Tuyệt mật) goes on paper, never electronically.
2. The first channel of the preference (default: axis, then mail) that both agencies can use is
   taken; a channel one side lacks is skipped (``no-axis-connection``, ``no-mailbox``). The axis
   carries signed documents only, so without a certificate on either side it is skipped too
   (``no-certificate``: the sender has none; or the recipient has none when the rules ask for one
   at both ends, which Decision 28 does not), and mail carries the document unsigned, "for
   information": no legal value, so the document ALSO goes on paper. When no channel is left, paper.
3. An electronic document to the Government / Prime Minister (``government_recipients``), or of a
   type its sender lists in ``paper_types``, also goes on paper.
4. Urgent documents (Khẩn, Thượng khẩn, Hỏa tốc) are sent immediately with a higher queue priority.

After a failed send (:func:`after_failure`) the same channel is retried on ``retry_delays`` with
the same DocumentId; after the last retry the next channel down is used, finally paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from docexchange.edxml.model import Priority
from docexchange.edxml.numbering import document_kind
from docexchange.routing.model import (
    FULL_CAPABILITIES,
    Capabilities,
    Channel,
    DocumentTraits,
    FailureAction,
    FailureKind,
    RouteReason,
    RoutingDecision,
)

DEFAULT_PREFERENCE: tuple[Channel, ...] = (Channel.AXIS, Channel.MAIL)
DEFAULT_RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(seconds=120),
    timedelta(seconds=1200),
)  # DHX's schedule (DOMAIN.md §7); simulated time
DEFAULT_GOVERNMENT_RECIPIENTS: tuple[str, ...] = ("000.00.00.G22",)  # Văn phòng Chính phủ

_PAPER_COPY_REASONS = frozenset({RouteReason.GOVERNMENT_PAPER_COPY, RouteReason.PAPER_TYPE})
_LACKING = {
    RouteReason.NO_AXIS_CONNECTION: "a connection to the axis",
    RouteReason.NO_MAILBOX: "a mailbox in use",
    RouteReason.NO_CERTIFICATE: "a digital-signature certificate",
}


def canonical_type(abbreviation: str) -> str:
    """``"QD"``/``"qđ"``/``"Quyết định"`` → ``"QĐ"``; ``"CV"``/``"Công văn"`` → ``"CV"``.

    ValueError for a type Decree 30 (as modelled in :mod:`docexchange.edxml.numbering`) does not know.
    """
    return document_kind(abbreviation).abbreviation or "CV"


@dataclass(frozen=True)
class _Link:
    """The two ends of one (document, recipient) pair and what each can do."""

    sender: str
    recipient: str
    sender_caps: Capabilities
    recipient_caps: Capabilities
    recipient_certificate: bool = False
    recipient_mail_use: bool = True

    @property
    def recipient_signs_off(self) -> bool:
        """Whether the recipient side lets the document be signed: always under Decision 28 (a
        recipient verifies, it needs no certificate); only with one of its own when the rules say so."""
        return self.recipient_caps.certificate or not self.recipient_certificate

    @property
    def signed(self) -> bool:
        """The document goes signed and verified, with legal value."""
        return self.sender_caps.certificate and self.recipient_signs_off

    def lacking(self, sender_ok: bool, recipient_ok: bool, what: str) -> str:
        """``"the recipient X lacks <what>"``, ``"neither the sender X nor the recipient Y has <what>"``."""
        if not sender_ok and not recipient_ok:
            return f"neither the sender {self.sender} nor the recipient {self.recipient} has {what}"
        return (
            f"the sender {self.sender} lacks {what}"
            if not sender_ok
            else f"the recipient {self.recipient} lacks {what}"
        )

    def obstacle(self, channel: Channel) -> _Obstacle | None:
        """Why ``channel`` cannot carry the document between the two ends, or None when it can."""
        reason = RouteReason.NO_AXIS_CONNECTION if channel is Channel.AXIS else RouteReason.NO_MAILBOX
        sender_ok, recipient_ok = self.sender_caps.supports(channel), self.recipient_caps.supports(channel)
        if channel is Channel.MAIL and not self.recipient_mail_use:
            recipient_ok = True  # every agency has a mailbox: the sender's use of e-mail decides
        if channel is Channel.AXIS and sender_ok and recipient_ok:
            # The axis carries signed packages only; an unsigned document may only go by mail.
            reason = RouteReason.NO_CERTIFICATE
            sender_ok, recipient_ok = self.sender_caps.certificate, self.recipient_signs_off
        if sender_ok and recipient_ok:
            return None
        what = _LACKING[reason]
        return _Obstacle(reason, f"Not by {channel.value}: {self.lacking(sender_ok, recipient_ok, what)}.")


@dataclass(frozen=True)
class _Obstacle:
    """Why one channel cannot be used between two agencies."""

    reason: RouteReason
    sentence: str


@dataclass(frozen=True)
class RoutingRules:
    """The configurable part of routing; :meth:`decide` and :meth:`after_failure` apply it.

    Build it in code or load it from TOML with :func:`docexchange.routing.load_rules`.
    """

    preference: tuple[Channel, ...] = DEFAULT_PREFERENCE
    """Electronic channels, most preferred first. Paper is always the last resort and is not listed."""
    retry_delays: tuple[timedelta, ...] = DEFAULT_RETRY_DELAYS
    """Waits before each retry on the same channel; after the last retry, fall back."""
    government_recipients: tuple[str, ...] = DEFAULT_GOVERNMENT_RECIPIENTS
    """Recipient identifiers that stand for the Government / Prime Minister (exact match)."""
    paper_types: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)
    """Per sender identifier: type abbreviations that also go on paper (canonicalised: "QD" → "QĐ")."""
    recipient_mail_use: bool = True
    """Whether mail goes only where the recipient's office uses e-mail too. The 2008 plan gives every
    agency a ``.gov.vn`` mailbox, so there the sender's use decides (``false``); whether the
    recipient's office read it by e-mail is then the stricter "both ends" reading of a target."""
    recipient_certificate: bool = False
    """Whether a signed exchange also needs a certificate at the recipient. Decision 28/2018: no —
    the sender signs, the recipient's document-management system verifies. A scenario of an earlier
    era may model both offices needing one (``recipient_certificate = true`` in its rules file)."""

    def __post_init__(self) -> None:
        preference = tuple(Channel(c) for c in self.preference)
        if not preference:
            raise ValueError("preference lists no channel")
        if Channel.PAPER in preference:
            raise ValueError("preference must not list paper: paper is always the last resort")
        if len(set(preference)) != len(preference):
            raise ValueError(f"preference lists a channel twice: {[c.value for c in preference]}")
        delays = tuple(self.retry_delays)
        if any(d <= timedelta(0) for d in delays):
            raise ValueError("retry delays must be positive")
        paper_types = {
            sender: frozenset(canonical_type(t) for t in types) for sender, types in self.paper_types.items()
        }
        object.__setattr__(self, "preference", preference)
        object.__setattr__(self, "retry_delays", delays)
        object.__setattr__(self, "government_recipients", tuple(self.government_recipients))
        object.__setattr__(self, "paper_types", MappingProxyType(paper_types))

    def decide(
        self,
        traits: DocumentTraits,
        recipient: str,
        sender_caps: Capabilities = FULL_CAPABILITIES,
        recipient_caps: Capabilities = FULL_CAPABILITIES,
    ) -> RoutingDecision:
        """The channel for ``traits`` to ``recipient``, with the reason (see the module docstring).

        ``reason`` is, in this order: ``secret``; ``no-certificate`` when the document can only
        go unsigned; otherwise why the channel just above the chosen one was not used
        (``no-axis-connection``, ``no-mailbox``, ``no-certificate``); ``government-paper-copy``;
        ``paper-type``; else ``preferred-<channel>``. The others that applied are in
        ``other_reasons``.
        """
        link = _Link(
            traits.sender,
            recipient,
            sender_caps,
            recipient_caps,
            self.recipient_certificate,
            self.recipient_mail_use,
        )
        if traits.secrecy.secret:
            sentence = (
                f"A {traits.secrecy.label} document is a state secret: it never goes electronically "
                "(Decision 28/2018); it goes on paper."
            )
            return _decision(traits, recipient, Channel.PAPER, [RouteReason.SECRET], [sentence])

        skipped: list[_Obstacle] = []
        for channel in self.preference:
            obstacle = link.obstacle(channel)
            if obstacle is None:
                return self._electronic(traits, link, channel, skipped)
            skipped.append(obstacle)
        sentences = [o.sentence for o in skipped] + ["No electronic channel is left: it goes on paper."]
        reasons = [o.reason for o in reversed(skipped)]  # decisive: why the last channel was not used
        return _decision(traits, recipient, Channel.PAPER, reasons, sentences)

    def after_failure(
        self, decision: RoutingDecision, channel: Channel, failed_attempts: int
    ) -> FailureAction:
        """What to do after ``failed_attempts`` failed sends of ``decision`` on ``channel``."""
        return after_failure(decision, channel, failed_attempts, retry_delays=self.retry_delays)

    def _electronic(
        self, traits: DocumentTraits, link: _Link, chosen: Channel, skipped: list[_Obstacle]
    ) -> RoutingDecision:
        sentences = [o.sentence for o in skipped]
        reasons: list[RouteReason] = []
        if link.signed:
            first = "" if skipped else ": the first channel of the preference, open to both agencies"
            sentences.append(f"Sent by {chosen.value}, signed{first}.")
        else:
            who = link.lacking(link.sender_caps.certificate, link.recipient_signs_off, "a certificate")
            sentences.append(
                f"As {who}, it goes by {chosen.value} unsigned, for information only: it has no legal "
                "value and does not replace paper (Decision 28/2018), so it also goes on paper."
            )
            reasons.append(RouteReason.NO_CERTIFICATE)
        reasons += (o.reason for o in reversed(skipped))  # decisive: why the channel above was not used
        if link.recipient in self.government_recipients:
            reasons.append(RouteReason.GOVERNMENT_PAPER_COPY)
            sentences.append(
                f"{link.recipient} stands for the Government / Prime Minister: documents to it go "
                "electronically and also on paper (Decision 28/2018)."
            )
        kind = _canonical_or_same(traits.type_abbreviation)
        if kind in self.paper_types.get(traits.sender, frozenset()):
            reasons.append(RouteReason.PAPER_TYPE)
            sentences.append(f"{traits.sender} lists {kind} among the types that also go on paper.")
        below = self.preference[self.preference.index(chosen) + 1 :]
        return _decision(
            traits,
            link.recipient,
            chosen,
            reasons or [RouteReason.preferred(chosen)],
            sentences,
            paper_copy=not link.signed or any(r in _PAPER_COPY_REASONS for r in reasons),
            legal_value=link.signed,
            fallbacks=(*(c for c in below if link.obstacle(c) is None), Channel.PAPER),
        )


def _decision(
    traits: DocumentTraits,
    recipient: str,
    channel: Channel,
    reasons: Sequence[RouteReason],
    sentences: list[str],
    *,
    paper_copy: bool = False,
    legal_value: bool = True,
    fallbacks: tuple[Channel, ...] = (),
) -> RoutingDecision:
    """Assemble a decision; urgency is the same whatever the channel (a courier can hurry too)."""
    urgent = traits.priority >= Priority.KHAN
    if urgent:
        sentences.append(
            f"{traits.priority.label}: sent immediately, in priority mode "
            f"(queue priority {int(traits.priority)})."
        )
    unique = tuple(dict.fromkeys(reasons))
    return RoutingDecision(
        document_id=traits.document_id,
        recipient=recipient,
        channel=channel,
        paper_copy=paper_copy,
        legal_value=legal_value,
        queue_priority=int(traits.priority),
        send_immediately=urgent,
        reason=unique[0],
        explanation=" ".join(sentences),
        fallbacks=fallbacks,
        other_reasons=unique[1:],
    )


def _canonical_or_same(abbreviation: str) -> str:
    try:
        return canonical_type(abbreviation)
    except ValueError:
        return abbreviation


def after_failure(
    decision: RoutingDecision,
    channel: Channel,
    failed_attempts: int,
    *,
    retry_delays: Sequence[timedelta] = DEFAULT_RETRY_DELAYS,
) -> FailureAction:
    """After ``failed_attempts`` (≥ 1) failed sends on ``channel``: retry, fall back, or paper.

    ``channel`` is the decision's channel or one of its fallbacks. Attempts 1 … len(retry_delays)
    are each followed by a retry after the matching delay; the failure of the last retry moves the
    document to the next channel of ``decision.fallbacks`` (attempt 1 there), the last being paper.
    ValueError when the arguments do not describe a failed electronic send of this decision.
    """
    chain = (decision.channel, *decision.fallbacks)
    if not channel.electronic:
        raise ValueError("a paper send does not fail over: there is nothing to retry")
    if channel not in chain:
        raise ValueError(f"{channel.value} is not a channel of this decision ({', '.join(chain)})")
    if failed_attempts < 1:
        raise ValueError(f"failed_attempts must be at least 1, got {failed_attempts}")
    if failed_attempts <= len(retry_delays):
        delay = retry_delays[failed_attempts - 1]
        return FailureAction(
            kind=FailureKind.RETRY,
            channel=channel,
            delay=delay,
            attempt=failed_attempts + 1,
            reason=RouteReason.RETRY_SCHEDULED,
            explanation=(
                f"Attempt {failed_attempts} by {channel.value} failed: retry {failed_attempts} of "
                f"{len(retry_delays)} in {_duration(delay)}, with the same DocumentId {decision.document_id}."
            ),
            document_id=decision.document_id,
            recipient=decision.recipient,
        )
    following = chain[chain.index(channel) + 1]
    tail = (
        "it goes on paper."
        if following is Channel.PAPER
        else f"falls back to {following.value}, with the same DocumentId {decision.document_id}."
    )
    return FailureAction(
        kind=FailureKind.PAPER if following is Channel.PAPER else FailureKind.FALL_BACK,
        channel=following,
        delay=timedelta(0),
        attempt=1,
        reason=RouteReason.FALLBACK_AFTER_RETRIES,
        explanation=(
            f"{failed_attempts} attempts by {channel.value} failed ({len(retry_delays)} retries "
            f"exhausted): {tail}"
        ),
        document_id=decision.document_id,
        recipient=decision.recipient,
    )


def _duration(delay: timedelta) -> str:
    seconds = delay.total_seconds()
    if seconds and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
