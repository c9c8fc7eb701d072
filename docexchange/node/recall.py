"""Recall, update and replace: the sender's requests (BussinessDocType 1/2/3 messages and status
13) and the receiver's answer (15 with its copy destroyed, or 16), committed atomically."""

from __future__ import annotations

from datetime import datetime

from docexchange.edxml import (
    Bussiness,
    BussinessDocType,
    DocumentMessage,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
)
from docexchange.edxml.compose import organization_of
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.node.history import sender_view
from docexchange.node.model import OFFICE, Draft, SentDocument
from docexchange.node.statuses import StatusesMixin
from docexchange.protocol import IllegalTransition, unknown_document
from docexchange.routing import Channel
from docexchange.store import Direction, IncomingState, OutboxState, PayloadKind

_MAY_HAVE_ARRIVED = (OutboxState.SENT, OutboxState.IN_FLIGHT)


class RecallMixin(StatusesMixin):
    def recall(self, document_id: str, reason: str) -> list[str]:
        """Recall a document (BussinessDocType 1 message and status 13); our copy is frozen."""
        asked = self._request_recall(document_id, reason, freeze=True)
        if asked:
            self._notice(BussinessDocType.RECALL, document_id, asked, reason)
        return asked

    def withdraw(self, document_id: str, recipients: tuple[str, ...], reason: str) -> list[str]:
        """Update a document's receivers (BussinessDocType 2): these are removed and asked to
        destroy their copy (13); the document stays valid, and unfrozen, for the others."""
        asked = self._request_recall(document_id, reason, freeze=False, recipients=recipients)
        if asked:
            removed = tuple(Receiver(0, r) for r in asked)
            self._notice(BussinessDocType.UPDATE, document_id, asked, reason, receivers=removed)
        return asked

    def replace(self, document_id: str, draft: Draft, reason: str) -> SentDocument:
        """Send ``draft`` as the replacement (BussinessDocType 3) of ``document_id``; recipients of
        both are asked to destroy the old copy (13), and our old copy is frozen."""
        if self.store.outgoing(document_id) is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} never sent {document_id}")
        bussiness = Bussiness(
            BussinessDocType.REPLACE,
            reason,
            document_id,
            StaffInfo(department=OFFICE),
            replacements=(ReplacementInfo(document_id, draft.recipients),),
        )
        sent = self.send(draft, bussiness=bussiness)
        self._request_recall(
            document_id,
            f"thay thế bằng văn bản số {sent.code}: {reason}",
            freeze=True,
            recipients=draft.recipients,
        )
        return sent

    def _notice(
        self,
        kind: BussinessDocType,
        target: str,
        recipients: list[str],
        reason: str,
        receivers: tuple[Receiver, ...] = (),
    ) -> SentDocument:
        """The official message of a recall or update: its own number, the target in Bussiness."""
        entry = self.store.outgoing(target)
        assert entry is not None
        label = {BussinessDocType.RECALL: "thu hồi", BussinessDocType.UPDATE: "điều chỉnh nơi nhận"}[kind]
        draft = Draft(tuple(recipients), "CV", f"Về việc {label} văn bản số {entry.code_text}", reason)
        return self.send(
            draft, bussiness=Bussiness(kind, reason, target, StaffInfo(department=OFFICE), receivers)
        )

    def _request_recall(
        self, document_id: str, reason: str, *, freeze: bool, recipients: tuple[str, ...] | None = None
    ) -> list[str]:
        """Ask recipients to destroy their copy (13); cancel what has not left the outbox.

        A recipient whose copy never left has nothing to destroy: its pending items are cancelled
        and it is not asked. Items that were attempted may have arrived, so those recipients are
        asked even though the retry is cancelled.
        """
        entry = self.store.outgoing(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} never sent {document_id}")
        targets = [r for r in entry.recipients if recipients is None or r in recipients]
        now = self.clock.now()
        documents = [i for i in self.store.list_outbox(document_id) if i.kind is PayloadKind.DOCUMENT]
        reached, channels = [], {}
        for recipient in targets:
            items = [i for i in documents if i.recipient == recipient and i.channel is not Channel.PAPER]
            for item in items:
                if item.state is OutboxState.PENDING:
                    self.store.mark_failed(item.id, "recalled before delivery", None)
            if any(i.state in _MAY_HAVE_ARRIVED or i.attempts > 0 for i in items):
                reached.append(recipient)
                channels[recipient] = items[-1].channel
            elif items:
                self._event(
                    document_id, "cancelled", detail=f"→ {recipient}: recalled before it left the outbox"
                )
        try:
            transitions = sender_view(entry, self.store.status_log(document_id)).request_recall(now, reached)
        except IllegalTransition as exc:
            raise DocexchangeError(ReasonCode(str(exc.reason)), exc.message) from None
        asked = [r for r, t in transitions.items() if t.changed]
        prepared = [
            self._prepare(
                StatusMessage(
                    response_for=ResponseFor(self.id, entry.code_text, entry.promulgation_date, document_id),
                    from_=organization_of(self.agency),
                    status_code=StatusCode.RECALL_REQUEST,
                    description=reason,
                    timestamp=now,
                    staff_info=StaffInfo(department=OFFICE),
                ),
                recipient,
                channels[recipient],
            )
            for recipient in asked
        ]
        with self.store.transaction():
            if freeze:
                self.store.freeze(document_id, now)
            for status in prepared:
                self._commit_status(status)
        asked_text = ", ".join(asked) or "nobody"
        frozen = "; sender copy frozen" if freeze else ""
        self._event(document_id, "recalled", detail=f"asked {asked_text}: {reason}{frozen}")
        return asked

    def _recalled_before_arrival(self, document_id: str, sender: str) -> bool:
        return any(
            e.direction is Direction.IN
            and e.status_code is StatusCode.RECALL_REQUEST
            and e.counterpart == sender
            for e in self.store.status_log(document_id)
        )

    def _recall_requested(self, status: StatusMessage, channel: Channel) -> None:
        self._recall_flow(
            status.response_for,
            status.from_.organ_id,
            status.status_code,
            status.timestamp,
            status.description,
            channel,
        )

    def _apply_bussiness(self, message: DocumentMessage, at: datetime, channel: Channel) -> None:
        """A registered recall / update / replace message asks us about its target document(s)."""
        bussiness = message.bussiness
        if bussiness.bussiness_doc_type is BussinessDocType.RECALL:
            targets = [bussiness.document_id]
        elif bussiness.bussiness_doc_type is BussinessDocType.REPLACE:
            targets = [
                r.document_id for r in bussiness.replacements if not r.organ_ids or self.id in r.organ_ids
            ]
        elif bussiness.bussiness_doc_type is BussinessDocType.UPDATE:
            removed = any(r.receiver_type == 0 and r.organ_id == self.id for r in bussiness.receivers)
            targets = [bussiness.document_id] if removed else []
        else:
            return
        sender = message.from_.organ_id
        for target in targets:
            if target.split(",", 1)[0] != sender:
                self._event(
                    target,
                    "ignored",
                    channel.value,
                    f"{message.code.text} names a document {sender} did not issue",
                )
                continue
            try:
                entry = self.store.incoming(target)
                response_for = ResponseFor(
                    sender,
                    entry.code_text if entry else target.rsplit(",", 1)[-1],
                    entry.promulgation_date if entry else at.date(),
                    target,
                )
                self._recall_flow(
                    response_for,
                    sender,
                    StatusCode.RECALL_REQUEST,
                    at,
                    bussiness.bussiness_doc_reason,
                    channel,
                )
            except IllegalTransition as exc:
                self._event(target, "status-refused", channel.value, f"{exc.reason}: {exc.message}")

    def _recall_flow(
        self,
        response_for: ResponseFor,
        sender: str,
        code: StatusCode,
        at: datetime,
        description: str,
        channel: Channel,
    ) -> None:
        """The sender asks us to destroy our copy (a 13, or a recall/update/replace message)."""
        document_id = response_for.document_id
        entry = self.store.incoming(document_id)
        now = self.clock.now()
        if entry is None:
            if sender != response_for.organ_id:
                raise unknown_document(document_id, code, sender)
            # The recall overtook its document: nothing to destroy; remember it so a late copy is ignored.
            if self._recalled_before_arrival(document_id, sender):
                return
            answer = StatusMessage(
                response_for=response_for,
                from_=organization_of(self.agency),
                status_code=StatusCode.RECALL_AGREED,
                description="Chưa nhận được văn bản; đồng ý thu hồi",
                timestamp=now,
                staff_info=StaffInfo(department=OFFICE),
            )
            prepared = self._prepare(answer, sender, channel)
            with self.store.transaction():
                self.store.log_status(document_id, sender, Direction.IN, code, at, description=description)
                self._commit_status(prepared)
            return
        view = self._receiver_view(entry)
        transition = view.receive_recall(sender, at)
        if not transition.changed:
            return
        about = self._answering(entry)
        agree = self.policy.agree_to_recall(document_id)
        view.answer_recall(agree, now)
        answer_code = StatusCode.RECALL_AGREED if agree else StatusCode.RECALL_REFUSED
        text = "Đồng ý thu hồi, đã hủy bản nhận" if agree else "Không đồng ý thu hồi"
        prepared = self._prepare_answer(about, answer_code, text, channel)
        with self.store.transaction():  # the request, the destruction and the answer land together
            self.store.log_status(document_id, sender, Direction.IN, code, at, description=description)
            if agree:
                self.store.set_incoming_state(document_id, IncomingState.RECALLED)
                self.store.destroy(document_id, now)
            self._commit_status(prepared)
        if agree:
            self.store.destroy(document_id, now)  # idempotent; outside the transaction it also checkpoints
            self._event(
                document_id, "destroyed", channel.value, "copy destroyed on recall; register row kept"
            )
