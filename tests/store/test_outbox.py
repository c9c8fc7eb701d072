"""The outbox: urgent first, claimed once, nothing lost in a crash, fallbacks keep the same bytes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.store import Channel, ConflictError, NodeStore, NotFoundError, OutboxState, PayloadKind
from tests.store.factories import LAO_CAI, NGHE_AN, VPCP, at

T0 = at(2019, 3, 12, 9)


def _queue(node: NodeStore, name: str, *, priority: int = 0, due: timedelta = timedelta()) -> int:
    return node.enqueue(name, LAO_CAI, Channel.AXIS, name.encode(), at=T0 + due, priority=priority).id


def test_urgent_items_jump_the_queue_then_oldest_due_first(node: NodeStore) -> None:
    _queue(node, "normal-late", due=timedelta(minutes=2))
    _queue(node, "normal-early", due=timedelta(minutes=1))
    _queue(node, "hoa-toc", priority=3, due=timedelta(minutes=3))
    _queue(node, "khan", priority=1, due=timedelta(minutes=3))
    _queue(node, "normal-early-2", due=timedelta(minutes=1))
    _queue(node, "not-yet", priority=3, due=timedelta(hours=1))
    due = node.due(T0 + timedelta(minutes=5), limit=10)
    assert [i.document_id for i in due] == [
        "hoa-toc",
        "khan",
        "normal-early",
        "normal-early-2",
        "normal-late",
    ]


def test_due_claims_items_so_they_are_handed_out_once(node: NodeStore) -> None:
    for name in ("a", "b", "c"):
        _queue(node, name)
    first = node.due(T0, limit=2)
    assert [(i.document_id, i.state, i.attempts) for i in first] == [
        ("a", OutboxState.IN_FLIGHT, 1),
        ("b", OutboxState.IN_FLIGHT, 1),
    ]
    assert first[0] == node.outbox_item(first[0].id)
    assert [i.document_id for i in node.due(T0, limit=10)] == ["c"]
    assert node.due(T0, limit=10) == []


def test_a_failed_attempt_is_retried_later_with_the_same_bytes(node: NodeStore) -> None:
    item_id = _queue(node, "doc")
    (item,) = node.due(T0)
    retry_at = T0 + timedelta(seconds=30)
    failed = node.mark_failed(item_id, "hub: 503", retry_at)
    assert (failed.state, failed.last_error, failed.next_attempt_at) == (
        OutboxState.PENDING,
        "hub: 503",
        retry_at,
    )
    assert node.due(T0 + timedelta(seconds=29)) == []
    (again,) = node.due(retry_at)
    assert (again.id, again.attempts, again.payload) == (item.id, 2, item.payload)
    given_up = node.mark_failed(item_id, "hub: 503", None)
    assert given_up.state is OutboxState.FAILED
    with pytest.raises(ConflictError, match="failed and cannot be marked sent"):
        node.mark_sent(item_id, retry_at)


def test_mark_sent_is_idempotent(node: NodeStore) -> None:
    item_id = _queue(node, "doc")
    node.due(T0)
    sent = node.mark_sent(item_id, T0 + timedelta(seconds=1))
    assert sent.state is OutboxState.SENT and sent.sent_at == T0 + timedelta(seconds=1)
    assert node.mark_sent(item_id, T0 + timedelta(seconds=9)) == sent
    with pytest.raises(NotFoundError):
        node.mark_sent(9999, T0)


def test_reroute_falls_back_to_mail_with_the_same_payload(node: NodeStore) -> None:
    item_id = _queue(node, "doc", priority=2)
    node.due(T0)
    node.mark_failed(item_id, "hub unreachable", None)
    moved = node.reroute(item_id, Channel.MAIL, T0 + timedelta(minutes=1))
    old = node.outbox_item(item_id)
    assert old is not None and old.state is OutboxState.FALLEN_BACK
    assert (
        moved.channel,
        moved.state,
        moved.rerouted_from,
        moved.payload,
        moved.priority,
        moved.attempts,
    ) == (
        Channel.MAIL,
        OutboxState.PENDING,
        item_id,
        b"doc",
        2,
        0,
    )
    assert [i.id for i in node.due(T0 + timedelta(minutes=1))] == [moved.id]
    paper = node.reroute(moved.id, Channel.PAPER, T0 + timedelta(minutes=2))
    assert paper.state is OutboxState.PAPER
    with pytest.raises(ConflictError):
        node.reroute(item_id, Channel.MAIL, T0)  # already fallen back


def test_a_sent_document_is_followed_up_on_paper_and_stays_sent(node: NodeStore) -> None:
    item_id = _queue(node, "doc", priority=1)
    node.due(T0)
    node.mark_sent(item_id, T0)
    paper = node.follow_up_on_paper(item_id, T0 + timedelta(days=1))
    sent = node.outbox_item(item_id)
    assert sent is not None and sent.state is OutboxState.SENT and sent.sent_at == T0
    assert (paper.channel, paper.state, paper.rerouted_from, paper.payload, paper.priority) == (
        Channel.PAPER,
        OutboxState.PAPER,
        item_id,
        b"doc",
        1,
    )
    assert node.due(T0 + timedelta(days=2)) == []


def test_only_a_sent_document_can_be_followed_up_on_paper(node: NodeStore) -> None:
    pending = _queue(node, "pending")
    with pytest.raises(ConflictError, match="is pending and cannot be followed up on paper"):
        node.follow_up_on_paper(pending, T0)
    status = node.enqueue("doc", LAO_CAI, Channel.AXIS, b"01", at=T0, kind=PayloadKind.STATUS).id
    node.due(T0)
    node.mark_sent(status, T0)
    with pytest.raises(ConflictError, match="is a status message"):
        node.follow_up_on_paper(status, T0)
    with pytest.raises(NotFoundError):
        node.follow_up_on_paper(9999, T0)


def test_paper_items_are_never_due(node: NodeStore) -> None:
    item = node.enqueue("secret", LAO_CAI, "paper", b"", at=T0)
    assert item.state is OutboxState.PAPER
    assert node.due(T0 + timedelta(days=1)) == []


def test_recover_after_close_puts_in_flight_items_back(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as store:
        for name in ("a", "b"):
            _queue(store, name)
        store.due(T0)  # handed to a transport… and the process stops
    with NodeStore(db_path, VPCP) as store:
        assert store.due(T0) == []
        assert store.recover() == 2
        assert [(i.document_id, i.attempts) for i in store.due(T0)] == [("a", 2), ("b", 2)]


def test_a_killed_process_loses_nothing_it_committed(db_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from docexchange.store import Channel, NodeStore
        from tests.store.factories import at
        store = NodeStore(Path({str(db_path)!r}), {VPCP!r})
        store.enqueue("doc-1", {LAO_CAI!r}, Channel.AXIS, b"signed-1", at=at(2019, 3, 12, 9))
        store.enqueue("doc-2", {NGHE_AN!r}, Channel.MAIL, b"signed-2", at=at(2019, 3, 12, 9), priority=1)
        store.due(at(2019, 3, 12, 9), limit=1)
        os._exit(0)  # no close, no checkpoint: a crash right after the claim
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[2])
    with NodeStore(db_path, VPCP) as store:
        assert store.recover() == 1
        due = store.due(T0)
        assert [(i.document_id, i.payload, i.attempts) for i in due] == [
            ("doc-2", b"signed-2", 2),
            ("doc-1", b"signed-1", 1),
        ]


def test_other_agencies_items_are_invisible(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as vpcp, NodeStore(db_path, LAO_CAI) as lao_cai:
        item_id = _queue(vpcp, "doc")
        assert lao_cai.due(T0) == [] and lao_cai.outbox_item(item_id) is None
        with pytest.raises(NotFoundError):
            lao_cai.mark_sent(item_id, T0)
        assert lao_cai.recover() == 0


def test_status_messages_queue_like_documents(node: NodeStore) -> None:
    item = node.enqueue("doc", LAO_CAI, Channel.AXIS, b"status-03", at=T0, kind=PayloadKind.STATUS)
    node.mark_sent(item.id, T0)  # sent directly, without going through due()
    assert node.list_outbox(document_id="doc", state=OutboxState.SENT)[0].kind is PayloadKind.STATUS
