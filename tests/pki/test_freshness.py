"""A served process's revocation feed: refreshed on a schedule, failing closed when it goes stale."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.errors import PkiError, ReasonCode, VerificationError
from docexchange.pki import CertRole, PathValidator, PkiStore
from docexchange.pki.freshness import FreshnessPolicy, FreshRevocationSource, RevocationFeed, RevocationStale
from tests.pki.conftest import HANOI, NOW, VPCP, validator_for

REVOKED_AT = datetime(2019, 6, 1, 8, 0, tzinfo=VIETNAM_TZ)
POLICY = FreshnessPolicy(refresh_seconds=1.0, max_age_seconds=10.0)


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingStore:
    """Wraps a store to count how often the revocation list is read."""

    def __init__(self, store: PkiStore) -> None:
        self.store = store
        self.reads = 0

    @property
    def revocations_path(self) -> Path:
        return self.store.revocations_path

    def reload_revocations(self) -> None:
        self.reads += 1
        self.store.reload_revocations()


def _validate_org(validator: PathValidator, store: PkiStore) -> None:
    credential = store.organisation(VPCP.id)
    validator.validate(credential.cert, credential.chain, NOW, CertRole.ORGANISATION)


def test_a_revocation_by_another_process_is_seen_at_the_next_refresh(store: PkiStore) -> None:
    running = PkiStore.open(store.directory)  # the served process's own view of the folder
    clock = FakeMonotonic()
    feed = RevocationFeed(running, POLICY, monotonic=clock)
    validator = validator_for(running)
    _validate_org(validator, running)

    store.revoke(VPCP.id, CertRole.ORGANISATION, at=REVOKED_AT)  # `certs revoke`, another process
    assert running.revocations == ()  # not seen until the feed refreshes
    clock.now += 1.0
    assert feed.refresh() is True
    assert [r.serial_number for r in running.revocations] == [
        running.organisation(VPCP.id).cert.serial_number
    ]
    with pytest.raises(VerificationError) as caught:
        _validate_org(validator, running)
    assert caught.value.code is ReasonCode.CERT_REVOKED


def test_an_unchanged_list_is_not_read_again(store: PkiStore) -> None:
    counting = CountingStore(store)
    feed = RevocationFeed(counting, POLICY, monotonic=FakeMonotonic())
    assert counting.reads == 1  # once when the feed starts
    for _ in range(5):
        assert feed.refresh() is True
    assert counting.reads == 1
    PkiStore.open(store.directory).revoke(HANOI.id, at=REVOKED_AT)
    assert feed.refresh() is True
    assert feed.refresh() is True
    assert counting.reads == 2


def test_stale_status_fails_closed_with_revocation_unknown(
    store: PkiStore, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeMonotonic()
    feed = RevocationFeed(store, POLICY, monotonic=clock)
    store.revocations_path.write_text("{ not json", encoding="utf-8")  # a torn or corrupted list
    clock.now += 3.0
    with caplog.at_level(logging.WARNING, logger="docexchange.revocation"):
        assert feed.refresh() is False
        assert feed.failure is not None and "unreadable revocation list" in feed.failure
        feed.check()  # 3 s old: the last good read still holds
        assert not feed.stale
        clock.now += 8.0  # 11 s since the last good read, more than the 10 s allowed
        assert feed.stale
        with pytest.raises(RevocationStale) as caught:
            feed.check()
        assert caught.value.code is ReasonCode.REVOCATION_UNKNOWN
        assert "last refreshed 11.0 s ago, more than the 10 s allowed" in str(caught.value)
        assert "unreadable revocation list" in str(caught.value)
        with pytest.raises(RevocationStale):
            feed.check()
        assert feed.refresh() is False
    failing = [r for r in caplog.records if r.getMessage().startswith("failing closed")]
    assert len(failing) == 1 and failing[0].levelno == logging.ERROR  # said once, not per message
    assert sum("could not be refreshed" in r.getMessage() for r in caplog.records) == 1


def test_the_switch_to_failing_closed_is_logged_by_the_refresh_itself(
    store: PkiStore, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeMonotonic()
    feed = RevocationFeed(store, POLICY, monotonic=clock)
    store.revocations_path.unlink()
    clock.now += 20.0
    with caplog.at_level(logging.WARNING, logger="docexchange.revocation"):
        assert feed.refresh() is False  # no verification asked: the log still says it at once
    assert feed.failure is not None and "is missing" in feed.failure
    assert [r.getMessage()[:14] for r in caplog.records if r.levelno == logging.ERROR] == ["failing closed"]


def test_verification_resumes_when_the_list_can_be_read_again(
    store: PkiStore, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeMonotonic()
    feed = RevocationFeed(store, POLICY, monotonic=clock)
    good = store.revocations_path.read_bytes()
    store.revocations_path.write_text("[]", encoding="utf-8")
    clock.now += 30.0
    assert feed.refresh() is False and feed.stale
    store.revocations_path.write_bytes(good)
    with caplog.at_level(logging.WARNING, logger="docexchange.revocation"):
        assert feed.refresh() is True
    assert not feed.stale and feed.failure is None and feed.age == 0.0
    feed.check()
    assert any("verification resumes" in r.getMessage() for r in caplog.records)


def test_the_fresh_source_asks_the_feed_before_answering(store: PkiStore) -> None:
    clock = FakeMonotonic()
    feed = RevocationFeed(store, POLICY, monotonic=clock)
    source = FreshRevocationSource(store.revocation_source(_Now()), feed)
    validator = PathValidator(store.root, source)
    _validate_org(validator, store)  # fresh: validates
    clock.now += 11.0
    with pytest.raises(RevocationStale) as caught:
        _validate_org(validator, store)
    assert caught.value.code is ReasonCode.REVOCATION_UNKNOWN


class _Now:
    def now(self) -> datetime:
        return NOW


@pytest.mark.parametrize(
    ("refresh", "max_age", "message"),
    [
        (0.0, 10.0, "the revocation refresh must be a positive number of seconds"),
        (-1.0, 10.0, "the revocation refresh must be a positive number of seconds"),
        (float("nan"), 10.0, "the revocation refresh must be a positive number of seconds"),
        (1.0, float("inf"), "the revocation max age must be a positive number of seconds"),
        (5.0, 2.0, "the revocation max age must be at least the refresh interval"),
    ],
)
def test_policy_refuses_meaningless_windows(refresh: float, max_age: float, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        FreshnessPolicy(refresh_seconds=refresh, max_age_seconds=max_age)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "content",
    [
        '{"format": "docexchange-pki/1", "revocations": [1]}',  # an item that is not an object
        '{"format": "docexchange-pki/1", "revocations": [{"serial": "zz"}]}',  # a record missing fields
        "[" * 100_000,  # deeper than the JSON parser goes
        '{"revocations": 5}',
    ],
    ids=["not-an-object", "missing-fields", "too-deep", "not-a-list"],
)
def test_any_unreadable_content_is_a_failed_refresh_never_a_crash(store: PkiStore, content: str) -> None:
    clock = FakeMonotonic()
    feed = RevocationFeed(store, POLICY, monotonic=clock)
    good = store.revocations_path.read_bytes()
    store.revocations_path.write_text(content, encoding="utf-8")
    clock.now += 1.0
    assert feed.refresh() is False
    assert feed.failure is not None
    store.revocations_path.write_bytes(good)  # restored: the next refresh recovers
    assert feed.refresh() is True and feed.failure is None


def test_an_in_place_edit_that_restores_the_modification_time_is_still_seen(store: PkiStore) -> None:
    running = PkiStore.open(store.directory)
    feed = RevocationFeed(running, POLICY, monotonic=FakeMonotonic())
    path = store.revocations_path
    before = path.stat()
    other = PkiStore.open(store.directory)
    other.revoke(VPCP.id, CertRole.ORGANISATION, at=REVOKED_AT)
    revoked = path.read_bytes()
    path.write_bytes(revoked)  # the same content written in place, then the times put back
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert feed.refresh() is True
    assert len(running.revocations) == 1


def test_a_revocation_written_before_the_feed_starts_is_not_missed(store: PkiStore) -> None:
    running = PkiStore.open(store.directory)  # the process opens its store …
    PkiStore.open(store.directory).revoke(VPCP.id, CertRole.ORGANISATION, at=REVOKED_AT)  # … a revoke …
    RevocationFeed(running, POLICY, monotonic=FakeMonotonic())  # … then starts its feed
    assert len(running.revocations) == 1


def test_a_list_that_disappears_is_a_failure_not_an_empty_list(store: PkiStore) -> None:
    store.revoke(HANOI.id, at=REVOKED_AT)
    feed = RevocationFeed(store, POLICY, monotonic=FakeMonotonic())
    store.revocations_path.unlink()
    assert feed.refresh() is False
    with pytest.raises(PkiError) as caught:
        store.reload_revocations()
    assert caught.value.code is ReasonCode.PKI_MISSING
    assert len(store.revocations) == 2  # the records read last stay in force
