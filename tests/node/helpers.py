"""Shared pieces of the node tests: the simulated start time, drafts, receipts."""

from __future__ import annotations

from datetime import datetime

from docexchange.clock import VIETNAM_TZ
from docexchange.node.agency import Draft
from docexchange.node.network import LoopbackNetwork
from docexchange.routing import Capabilities, CapabilityTable
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID

START = datetime(2018, 12, 20, 8, 0, tzinfo=VIETNAM_TZ)
DA_NANG_MAIL_ONLY = CapabilityTable({DA_NANG_ID: Capabilities(axis=False, mail=True, certificate=True)})


def draft(*recipients: str, **overrides: object) -> Draft:
    fields: dict[str, object] = {
        "recipients": recipients or (LAO_CAI_ID, DA_NANG_ID),
        "type_code": "CV",
        "subject": "Về việc gửi, nhận văn bản điện tử",
        "drafting_unit": "TTĐT",
    }
    fields.update(overrides)
    return Draft(**fields)  # type: ignore[arg-type]


def receipt(net: LoopbackNetwork, document_id: str) -> dict[str, str]:
    entry = net.nodes[VPCP_ID].store.outgoing(document_id)
    assert entry is not None
    return {r.recipient: r.status_code.wire for r in entry.receipt}
