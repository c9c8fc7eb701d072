"""``docexchange audit``: a settled network is sound; each broken invariant is named, with the
offending agency and document, and the command exits 1 (2 for a folder without stores)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.audit.checks import register_offenders
from docexchange.cli.main import main
from docexchange.edxml import StatusCode
from docexchange.node.network import LoopbackNetwork
from docexchange.routing import Capabilities
from docexchange.store import Direction
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import START, draft

PAPER_ONLY = Capabilities(axis=False, mail=False, certificate=False)


async def _exchange(net: LoopbackNetwork) -> tuple[str, str]:
    """One document to Lào Cai (axis) and Đà Nẵng (mail), one to Lào Cai on paper."""
    vpcp = net.nodes[VPCP_ID]
    electronic = vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID)).document_id
    paper = vpcp.send(draft(LAO_CAI_ID), capabilities={LAO_CAI_ID: PAPER_ONLY}).document_id
    await net.settle()
    return electronic, paper


async def test_a_settled_network_is_sound(
    network: LoopbackNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    await _exchange(network)
    result = audit(network.state)
    assert result.sound and result.offenders == []
    assert (result.agencies, result.documents, result.deliveries) == (3, 2, 3)
    assert dict(result.settled) == {"registered (electronic)": 2, "paper (routed)": 1}
    assert result.registered == 2 and result.packages["done"] >= 1
    assert main(["audit", str(network.state), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["sound"] is True and printed["deliveries"] == 3 and printed["offenders"] == []


async def test_a_delivery_that_vanished_from_the_recipient_is_named(
    network: LoopbackNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    electronic, _ = await _exchange(network)
    with sqlite3.connect(network.state / f"{LAO_CAI_ID}.sqlite") as conn:
        conn.execute("DELETE FROM incoming WHERE document_id = ?", (electronic,))
    result = audit(network.state)
    assert [(o.check, o.agency, o.document_id, o.counterpart) for o in result.offenders] == [
        ("unsettled", VPCP_ID, electronic, LAO_CAI_ID)
    ]
    assert result.offenders[0].detail.startswith("sent by axis at ")
    assert main(["audit", str(network.state)]) == 1
    out = capsys.readouterr().out
    assert "unsettled" in out and LAO_CAI_ID in out


async def test_a_document_still_waiting_in_the_outbox_is_named(network: LoopbackNetwork) -> None:
    later = network.nodes[VPCP_ID].send(draft(LAO_CAI_ID), send_at=START + timedelta(days=1)).document_id
    await network.settle()
    result = audit(network.state)
    assert [(o.check, o.document_id, o.counterpart) for o in result.offenders] == [
        ("still-in-outbox", later, LAO_CAI_ID)
    ]
    assert "pending on axis" in result.offenders[0].detail


async def test_an_illegal_status_sequence_is_named(network: LoopbackNetwork) -> None:
    electronic, _ = await _exchange(network)
    # a refusal logged as applied after Lào Cai had accepted (03): no node would apply it
    network.nodes[VPCP_ID].store.log_status(
        electronic, LAO_CAI_ID, Direction.IN, StatusCode.REFUSED, START + timedelta(hours=1), reason_code=None
    )
    result = audit(network.state)
    assert [(o.check, o.agency, o.document_id) for o in result.offenders] == [
        ("illegal-status-sequence", VPCP_ID, electronic)
    ]
    assert "refused-after-acceptance" in result.offenders[0].detail


async def test_an_incoming_number_given_twice_and_a_document_registered_twice_are_named(
    network: LoopbackNetwork,
) -> None:
    electronic, _ = await _exchange(network)
    entry = network.nodes[LAO_CAI_ID].store.incoming(electronic)
    assert entry is not None
    other = dataclasses.replace(entry, document_id="000.00.00.G22,2018/99")
    found = register_offenders(LAO_CAI_ID, [entry, other, entry])
    assert [(o.check, o.document_id) for o in found] == [
        ("registered-twice", electronic),
        ("incoming-number-reused", ", ".join(sorted([electronic, electronic, other.document_id]))),
    ]
    assert found[1].detail.startswith(
        f"{LAO_CAI_ID} gave incoming number {entry.incoming_number}/{entry.year} to 3"
    )


def test_a_folder_without_stores_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", str(tmp_path)]) == 2
    assert "no stores found" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


async def test_a_paper_copy_does_not_settle_a_signed_document_that_never_arrived(
    network: LoopbackNetwork,
) -> None:
    """Documents to Văn phòng Chính phủ (the Government) go signed and also on paper; the paper is
    a copy: if the signed document is not registered, the delivery is not settled."""
    sent = network.nodes[LAO_CAI_ID].send(draft(VPCP_ID))
    assert sent.decisions[0].paper_copy
    await network.settle()
    assert audit(network.state).offenders == []
    with sqlite3.connect(network.state / f"{VPCP_ID}.sqlite") as conn:
        conn.execute("DELETE FROM incoming WHERE document_id = ?", (sent.document_id,))
    result = audit(network.state)
    assert [(o.check, o.agency, o.counterpart) for o in result.offenders] == [
        ("unsettled", LAO_CAI_ID, VPCP_ID)
    ]


async def test_a_registration_of_bytes_the_issuer_did_not_send_is_named(network: LoopbackNetwork) -> None:
    electronic, _ = await _exchange(network)
    with sqlite3.connect(network.state / f"{LAO_CAI_ID}.sqlite") as conn:
        conn.execute(
            "UPDATE incoming SET signed_message = ? WHERE document_id = ?", (b"<other/>", electronic)
        )
    result = audit(network.state)
    assert [(o.check, o.agency, o.document_id, o.counterpart) for o in result.offenders] == [
        ("registered-other-bytes", LAO_CAI_ID, electronic, VPCP_ID)
    ]


async def test_a_document_recalled_before_it_left_is_settled(network: LoopbackNetwork) -> None:
    vpcp = network.nodes[VPCP_ID]
    sent = vpcp.send(draft(LAO_CAI_ID), send_at=START + timedelta(days=1))
    assert vpcp.recall(sent.document_id, "Gửi nhầm") == []  # nothing left the outbox: nobody asked
    await network.settle()
    result = audit(network.state)
    assert result.offenders == [] and result.settled["recalled"] == 1
