"""The status log: every status sent or received, once."""

from __future__ import annotations

from docexchange.edxml.model import StatusCode
from docexchange.errors import ReasonCode
from docexchange.store import Direction, NodeStore
from tests.store.factories import LAO_CAI, at


def test_every_status_is_logged_once_in_time_order(node: NodeStore) -> None:
    doc = "000.00.00.G22,2019/03/12,01/TB-VPCP"
    node.log_status(doc, LAO_CAI, Direction.IN, StatusCode.ACCEPTED, at(2019, 3, 12, 11))
    first, created = node.log_status(doc, LAO_CAI, "in", 1, at(2019, 3, 12, 10))
    again, created_again = node.log_status(
        doc, LAO_CAI, Direction.IN, StatusCode.ARRIVED, at(2019, 3, 12, 10)
    )
    assert created and not created_again and again == first
    log = node.status_log(doc)
    assert [(e.status_code, e.direction) for e in log] == [
        (StatusCode.ARRIVED, Direction.IN),
        (StatusCode.ACCEPTED, Direction.IN),
    ]


def test_a_refusal_keeps_its_reason(node: NodeStore) -> None:
    entry, _ = node.log_status(
        "doc",
        LAO_CAI,
        Direction.OUT,
        StatusCode.REFUSED,
        at(2019, 3, 12, 10),
        reason_code=ReasonCode.CERT_REVOKED,
        description="Chứng thư số của cơ quan gửi đã bị thu hồi",
    )
    assert (entry.reason_code, entry.description) == (
        "cert-revoked",
        "Chứng thư số của cơ quan gửi đã bị thu hồi",
    )
    assert node.status_log() == [entry]
