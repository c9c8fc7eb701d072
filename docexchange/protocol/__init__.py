"""The exchange as state machines: pure, no I/O, no asyncio, no clock reads.

>>> document = DocumentRecord.sent("000.00.00.G22,2018/09/20,7816/VPCP-TTĐT", "000.00.00.G22",
...                                ["000.00.00.H38"], at)
>>> document.receive_status("000.00.00.H38", StatusCode.ACCEPTED, at).state
<DeliveryState.ACCEPTED: 'accepted'>

The transition table is :mod:`docexchange.protocol.transitions`; its docstring states the rules.
"""

from docexchange.protocol.duplicates import (
    DeliveryKey,
    DuplicateWindow,
    RegisterKey,
    delivery_key,
    register_key,
)
from docexchange.protocol.exchange import (
    DocumentRecord,
    ReceivedDocument,
    RecipientRecord,
    unknown_document,
)
from docexchange.protocol.retry import DHX_DELAYS, Attempts, RetrySchedule
from docexchange.protocol.transitions import (
    SENT_BY,
    TABLE,
    TERMINAL_STATES,
    DeliveryState,
    Effect,
    IllegalTransition,
    Party,
    ProtocolReason,
    Transition,
    advance,
    sender_of,
)

__all__ = [
    "DHX_DELAYS",
    "SENT_BY",
    "TABLE",
    "TERMINAL_STATES",
    "Attempts",
    "DeliveryKey",
    "DeliveryState",
    "DocumentRecord",
    "DuplicateWindow",
    "Effect",
    "IllegalTransition",
    "Party",
    "ProtocolReason",
    "ReceivedDocument",
    "RecipientRecord",
    "RegisterKey",
    "RetrySchedule",
    "Transition",
    "advance",
    "delivery_key",
    "register_key",
    "sender_of",
    "unknown_document",
]
