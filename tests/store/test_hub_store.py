"""The hub queue: durable on accept, duplicates answered not stored, at-least-once until acknowledged."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from docexchange.edxml.model import StatusCode
from docexchange.store import (
    ConflictError,
    HubStore,
    NewPackage,
    NotFoundError,
    PackageState,
    PayloadKind,
    package_id_for,
)
from tests.store.factories import LAO_CAI, NGHE_AN, VPCP, at

DOC = "000.00.00.G22,2019/03/12,05/TB-VPCP"
T0 = at(2019, 3, 12, 9)


def document(recipient: str = LAO_CAI, data: bytes = b"<edXMLEnvelope/>") -> NewPackage:
    return NewPackage(PayloadKind.DOCUMENT, DOC, VPCP, recipient, data, T0)


def status(code: StatusCode) -> NewPackage:
    return NewPackage(
        PayloadKind.STATUS, DOC, LAO_CAI, VPCP, f"status {code.wire}".encode(), T0, status_code=code
    )


def test_a_retried_upload_is_answered_as_a_duplicate_and_stored_once(hub: HubStore) -> None:
    first, duplicate = hub.accept(document())
    again, duplicate_again = hub.accept(document(data=b"<edXMLEnvelope/> resent"))
    assert (duplicate, duplicate_again) == (False, True)
    assert again.package_id == first.package_id and again.sha256 == first.sha256
    assert again.duplicate_uploads == 1
    assert len(hub.inbox(LAO_CAI)) == 1


@pytest.mark.parametrize("state", ["done", "fail"])
def test_other_bytes_after_the_recipient_finished_are_queued_again_the_same_bytes_are_not(
    hub: HubStore, state: str
) -> None:
    """A copy altered on the way was refused; the sender's genuine re-send must reach the recipient."""
    row, _ = hub.accept(document(data=b"<edXMLEnvelope>altered</edXMLEnvelope>"))
    hub.mark_delivered(row.package_id, LAO_CAI, at(2019, 3, 12, 9, 1))
    hub.acknowledge(row.package_id, LAO_CAI, state, "digest-mismatch", at(2019, 3, 12, 9, 2))
    assert hub.accept(document(data=b"<edXMLEnvelope>altered</edXMLEnvelope>"))[1] is True
    genuine, duplicate = hub.accept(document(data=b"<edXMLEnvelope>genuine</edXMLEnvelope>"))
    assert duplicate is False and genuine.package_id == row.package_id
    assert (genuine.state, genuine.ack_reason) == (PackageState.QUEUED, "")
    assert [p.sha256 for p in hub.inbox(LAO_CAI)] == [genuine.sha256] != [row.sha256]
    assert hub.duplicate_uploads() == 1


def test_each_recipient_gets_its_own_package(hub: HubStore) -> None:
    to_lao_cai, _ = hub.accept(document(LAO_CAI))
    to_nghe_an, duplicate = hub.accept(document(NGHE_AN))
    assert not duplicate and to_lao_cai.package_id != to_nghe_an.package_id


def test_distinct_statuses_of_one_document_are_distinct_packages(hub: HubStore) -> None:
    ids = {hub.accept(status(code))[0].package_id for code in (StatusCode.ARRIVED, StatusCode.ACCEPTED)}
    assert len(ids) == 2
    assert hub.accept(status(StatusCode.ARRIVED))[1] is True
    assert [p.status_code for p in hub.inbox(VPCP)] == [StatusCode.ARRIVED, StatusCode.ACCEPTED]


def test_package_ids_are_deterministic_and_computable_by_the_sender(hub: HubStore) -> None:
    row, _ = hub.accept(status(StatusCode.ACCEPTED))
    assert row.package_id == package_id_for("status", DOC, LAO_CAI, VPCP, 3)
    assert len(row.package_id) == 32
    with pytest.raises(ValueError, match="needs its status code"):
        package_id_for(PayloadKind.STATUS, DOC, LAO_CAI, VPCP)
    with pytest.raises(ValueError, match="has no status code"):
        package_id_for(PayloadKind.DOCUMENT, DOC, VPCP, LAO_CAI, StatusCode.ARRIVED)


def test_a_package_stays_in_the_inbox_until_acknowledged(hub: HubStore) -> None:
    row, _ = hub.accept(document())
    pid = row.package_id
    delivered = hub.mark_delivered(pid, LAO_CAI, at(2019, 3, 12, 9, 1))
    assert delivered is not None and (delivered.state, delivered.deliveries) == (PackageState.DELIVERED, 1)
    assert [p.package_id for p in hub.inbox(LAO_CAI)] == [pid]  # downloaded, not acknowledged
    processing = hub.acknowledge(pid, LAO_CAI, "processing", "", at(2019, 3, 12, 9, 2))
    assert processing is not None and processing.state is PackageState.PROCESSING
    assert [p.package_id for p in hub.inbox(LAO_CAI)] == [pid]
    done = hub.acknowledge(pid, LAO_CAI, PackageState.DONE, "", at(2019, 3, 12, 9, 3))
    assert done is not None and done.acknowledged_at == at(2019, 3, 12, 9, 3)
    assert hub.inbox(LAO_CAI) == []
    assert [p.package_id for p in hub.inbox(LAO_CAI, states=[PackageState.DONE])] == [pid]


def test_nothing_comes_back_after_done(hub: HubStore) -> None:
    pid = hub.accept(document())[0].package_id
    hub.acknowledge(pid, LAO_CAI, "done", "", T0)
    row, duplicate = hub.accept(document())  # the sender never heard back and retries
    assert duplicate and row.state is PackageState.DONE
    after = hub.mark_delivered(pid, LAO_CAI, T0)
    assert after is not None and (after.state, after.deliveries) == (PackageState.DONE, 0)
    assert hub.inbox(LAO_CAI) == []
    assert hub.acknowledge(pid, LAO_CAI, "done", "", T0) == after
    with pytest.raises(ConflictError, match="already acknowledged done"):
        hub.acknowledge(pid, LAO_CAI, "fail", "late", T0)


def test_a_failure_acknowledgement_keeps_its_reason(hub: HubStore) -> None:
    pid = hub.accept(document())[0].package_id
    failed = hub.acknowledge(pid, LAO_CAI, "fail", "signature-layout", T0)
    assert failed is not None and (failed.state, failed.ack_reason) == (PackageState.FAIL, "signature-layout")
    with pytest.raises(ValueError):
        hub.acknowledge(pid, LAO_CAI, "queued", "", T0)


def test_only_the_recipient_may_fetch_or_acknowledge(hub: HubStore) -> None:
    pid = hub.accept(document(data=b"noi dung"))[0].package_id
    assert hub.get(pid, NGHE_AN) is None
    assert hub.get("0" * 32, LAO_CAI) is None
    assert hub.mark_delivered(pid, NGHE_AN, T0) is None
    assert hub.acknowledge(pid, NGHE_AN, "done", "", T0) is None
    fetched = hub.get(pid, LAO_CAI)
    assert fetched is not None and fetched.data == b"noi dung" and fetched.row.size == 8
    assert hub.inbox(NGHE_AN) == []


def test_urgent_packages_head_the_inbox(hub: HubStore) -> None:
    hub.accept(document(data=b"first"))
    urgent = NewPackage(PayloadKind.DOCUMENT, "urgent", VPCP, LAO_CAI, b"hoa toc", T0, priority=3)
    hub.accept(urgent)
    assert [p.document_id for p in hub.inbox(LAO_CAI)] == ["urgent", DOC]


def test_hops_are_recorded_beside_the_package(hub: HubStore) -> None:
    pid = hub.accept(document())[0].package_id
    hub.add_hop(pid, "000.00.00.G22", T0)
    hub.add_hop(pid, "trục-liên-thông", at(2019, 3, 12, 9, 0, 1), hub_signature=b"sig")
    assert [(h.seq, h.organ_id, h.hub_signature) for h in hub.hops(pid)] == [
        (1, "000.00.00.G22", None),
        (2, "trục-liên-thông", b"sig"),
    ]
    with pytest.raises(NotFoundError):
        hub.add_hop("f" * 32, "x", T0)


def test_reopening_gives_back_every_package_in_its_state(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    with HubStore(path) as hub:
        a = hub.accept(document(LAO_CAI))[0].package_id
        b = hub.accept(document(NGHE_AN))[0].package_id
        hub.mark_delivered(a, LAO_CAI, T0)
        hub.acknowledge(b, NGHE_AN, "done", "", T0)
        hub.add_hop(a, "hub", T0)
    with HubStore(path) as hub:
        assert [(p.package_id, p.state) for p in hub.inbox(LAO_CAI)] == [(a, PackageState.DELIVERED)]
        assert hub.inbox(NGHE_AN) == []
        assert hub.accept(document(NGHE_AN))[1] is True
        assert len(hub.hops(a)) == 1


def test_an_accepted_package_survives_the_hub_being_killed(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from docexchange.store import HubStore, NewPackage, PayloadKind
        from tests.store.factories import at
        hub = HubStore(Path({str(path)!r}))
        row, _ = hub.accept(NewPackage(PayloadKind.DOCUMENT, "doc", "a", "b", b"bytes", at(2019, 3, 12)))
        print(row.package_id, flush=True)  # "tell the sender"
        os._exit(0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    with HubStore(path) as hub:
        fetched = hub.get(done.stdout.strip(), "b")
        assert fetched is not None and fetched.data == b"bytes"
