"""``docexchange audit DIR``: prove from a run's stores that nothing was lost or doubled.

DIR is a run folder (``--out DIR`` of ``docexchange run``), its ``work`` folder, or a folder of
stores (``docexchange serve --state DIR``). Exit 0 when every invariant holds; 1 with the offenders
listed when one does not; 2 when DIR holds no stores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from docexchange.audit import AuditError, AuditResult, audit
from docexchange.errors import DocexchangeError, ReasonCode


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "audit",
        help="prove from a run's stores that every sent document was delivered, refused or sent on paper",
    )
    parser.add_argument(
        "dir", metavar="DIR", help="a run folder (--out DIR), its work/ folder, or a folder of stores"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"{folder}: no such folder")
    try:
        result = audit(folder)
    except AuditError as exc:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, str(exc)) from None
    if args.json:
        sys.stdout.write(json.dumps(_as_json(result), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    else:
        _print(result, Console())
    return 0 if result.sound else 1


def _as_json(result: AuditResult) -> dict[str, Any]:
    return {
        "folder": str(result.folder),
        "agencies": result.agencies,
        "documents": result.documents,
        "deliveries": result.deliveries,
        "settled": dict(sorted(result.settled.items())),
        "registered": result.registered,
        "statuses": result.statuses,
        "axis_packages": dict(sorted(result.packages.items())),
        "sound": result.sound,
        "offenders": [
            {
                "check": o.check,
                "agency": o.agency,
                "document_id": o.document_id,
                "counterpart": o.counterpart,
                "detail": o.detail,
            }
            for o in result.offenders
        ],
    }


def _print(result: AuditResult, console: Console) -> None:
    table = Table(title=f"Đối soát (audit) — {result.folder}", show_header=True)
    table.add_column("Mục (item)")
    table.add_column("Giá trị (value)", justify="right")
    table.add_row("Cơ quan (agency stores)", str(result.agencies))
    table.add_row("Văn bản đi (documents sent)", str(result.documents))
    table.add_row("Lượt gửi (deliveries)", str(result.deliveries))
    for how, count in sorted(result.settled.items()):
        table.add_row(f"  {how}", str(count))
    table.add_row("Đăng ký đến (registered)", str(result.registered))
    table.add_row("Trạng thái (statuses logged)", str(result.statuses))
    for state, count in sorted(result.packages.items()):
        table.add_row(f"Trục: gói {state} (axis packages)", str(count))
    table.add_row("Vi phạm (offenders)", str(len(result.offenders)))
    console.print(table)
    if result.sound:
        console.print(
            f"Khớp (sound): all {result.deliveries} deliveries settled; no incoming number used twice; "
            "nothing registered twice; every status sequence legal."
        )
        return
    offenders = Table(title="Vi phạm (offenders)", show_header=True)
    for column in ("check", "agency", "document", "counterpart", "detail"):
        offenders.add_column(column)
    for o in result.offenders:
        offenders.add_row(o.check, o.agency, o.document_id, o.counterpart, o.detail)
    console.print(offenders)
