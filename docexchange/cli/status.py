"""``docexchange status --answer DOC --code NN --from ID [--description TEXT] [--at TIME] -o FILE``.

Writes the status message that answers the document DOC (unsigned: ``docexchange sign`` signs it
as its From agency, ``verify`` checks it). Who may send which code is the protocol's rule
(``docexchange.protocol.SENT_BY``): 13 (recall or update request) comes from the document's sender,
every other code (01–06, 15, 16) from a recipient named in its To. A refusal exits 2 with a
sentence: a file that is not a document, a code that is not a status code, a From the rule does not
allow.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from docexchange.cli.messages import instant, write_atomic
from docexchange.edxml import build_status, parse_message, parse_xml, read_document, to_bytes, validate
from docexchange.edxml.model import (
    DocumentMessage,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
)
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.protocol import SENT_BY, Party

DESCRIPTIONS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REFUSED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận, vào sổ văn bản đến",
    StatusCode.ASSIGNED: "Đã phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.COMPLETED: "Đã hoàn thành",
    StatusCode.RECALL_REQUEST: "Đề nghị thu hồi hoặc cập nhật văn bản",
    StatusCode.RECALL_AGREED: "Đồng ý thu hồi hoặc cập nhật",
    StatusCode.RECALL_REFUSED: "Từ chối thu hồi hoặc cập nhật",
}
"""The description written when ``--description`` is not given."""


def register(sub: Any) -> None:
    parser = sub.add_parser("status", help="write the status message answering a document (then `sign` it)")
    parser.add_argument("--answer", required=True, metavar="DOC", help="the edXML document answered")
    parser.add_argument(
        "--code",
        required=True,
        metavar="NN",
        help="01 arrived, 02 refused, 03 accepted, 04 assigned, 05 processing, 06 completed, "
        "13 recall/update request (from the sender), 15 agreed, 16 refused",
    )
    parser.add_argument("--from", dest="sender", required=True, metavar="ID", help="the agency that answers")
    parser.add_argument("--description", metavar="TEXT", help="the status's text (a refusal's reason for 02)")
    parser.add_argument("--department", default="Văn thư", metavar="TEXT", help="StaffInfo/Department")
    parser.add_argument("--at", metavar="ISO8601", help="the status's timestamp (default: now)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    parser.set_defaults(handler=run)


def status_code(text: str) -> StatusCode:
    """``"03"`` or ``"3"`` as a status code; INVALID_ARGUMENT otherwise."""
    known = ", ".join(c.wire for c in StatusCode)
    if not text.strip().isdigit():
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--code {text}: not a status code ({known})")
    try:
        return StatusCode(int(text))
    except ValueError:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"--code {text}: not a status code ({known})"
        ) from None


def answering(document: DocumentMessage, code: StatusCode, sender: str) -> Organization:
    """The organisation that may send ``code`` about ``document`` as ``sender``, as the document
    names it; a sentence naming who may, otherwise."""
    if SENT_BY[code] is Party.SENDER:
        if sender != document.from_.organ_id:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--from {sender}: status {code.wire} is sent by the document's sender "
                f"({document.from_.organ_id}), not by a recipient",
            )
        return document.from_
    for organization in document.to:
        if organization.organ_id == sender:
            return organization
    raise DocexchangeError(
        ReasonCode.INVALID_ARGUMENT,
        f"--from {sender}: status {code.wire} is sent by a recipient of the document "
        f"({', '.join(document.recipient_ids)}); {sender} is not one",
    )


def run(args: argparse.Namespace) -> int:
    code = status_code(args.code)
    data = Path(args.answer).read_bytes()
    root, kind = parse_message(data)
    if kind is not MessageKind.DOCUMENT:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"{args.answer}: a status message; --answer takes a document"
        )
    document = read_document(root)
    organization = answering(document, code, args.sender.strip())
    status = StatusMessage(
        response_for=ResponseFor(
            document.from_.organ_id,
            document.code.text,
            document.promulgation_date,
            document.document_id,
        ),
        from_=organization,
        status_code=code,
        description=args.description if args.description is not None else DESCRIPTIONS[code],
        timestamp=instant(args.at),
        staff_info=StaffInfo(department=args.department),
    )
    out = to_bytes(build_status(status))
    validate(parse_xml(out), strict=True)  # exactly the schema of what this version writes
    write_atomic(Path(args.output), out)
    print(f"{args.output}: status {code.wire} from {organization.organ_id} for {document.document_id}")
    return 0
