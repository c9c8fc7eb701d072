"""``docexchange agencies``: list the agencies of a registry file as a table or as JSON.

    docexchange agencies [--registry FILE] [--on DATE] [--level2] [--json]

``--registry`` takes a path, or the year of a shipped file (``2008``, ``2025``) as a shorthand.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.registry import Agency, RegistryFile, default_registry_path, read_registry_file
from docexchange.registry.loader import AGENCIES_DIR

COLUMNS = ("ID", "NAME", "KIND", "TIER", "DOMAIN", "PILOT", "VALID", "MARKS")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "agencies",
        help="list the agencies of a registry file",
        description="List the agencies of a registry file (QCVN 102 identifiers, tiers, mail domains).",
    )
    parser.add_argument(
        "--registry",
        metavar="FILE",
        help="registry TOML file, or the year of a shipped one (2008, 2025); "
        f"default {default_registry_path().name}",
    )
    parser.add_argument(
        "--on", metavar="DATE", type=parse_day, help="only agencies active on DATE (YYYY-MM-DD)"
    )
    parser.add_argument("--level2", action="store_true", help="include the generated level-2 units")
    parser.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    parser.set_defaults(handler=run)


def parse_day(text: str) -> date:
    """argparse type for ``--on``: an ISO date, refused with a one-line message otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def resolve_registry(value: str | None) -> Path:
    """The file ``--registry`` names: a path, or ``agencies/government-<value>.toml`` when that exists."""
    if value is None:
        return default_registry_path()
    path = Path(value)
    shipped = AGENCIES_DIR / f"government-{value}.toml"
    if not path.exists() and path.parent == Path(".") and shipped.is_file():
        return shipped
    return path


def run(args: argparse.Namespace) -> int:
    day = args.on
    if isinstance(day, str):  # a Namespace built by hand rather than by the parser
        try:
            day = parse_day(day)
        except argparse.ArgumentTypeError as exc:
            raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--on: {exc}") from None
    file = read_registry_file(resolve_registry(args.registry))
    agencies = [a for a in file.agencies(include_level2=args.level2) if day is None or a.active_on(day)]
    out = sys.stdout
    if args.json:
        out.write(json.dumps([agency_json(a, file) for a in agencies], ensure_ascii=False, indent=2) + "\n")
        return 0
    out.write(format_table(agencies, file))
    scope = f", active on {day.isoformat()}" if day is not None else ""
    out.write(f"{len(agencies)} agencies from {file.path}{scope}\n")
    return 0


def format_table(agencies: Sequence[Agency], file: RegistryFile) -> str:
    """An aligned plain-text table (names are NFC, so one code point is one column)."""
    rows = [COLUMNS] + [_row(a, file) for a in agencies]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines) + "\n"


def _row(agency: Agency, file: RegistryFile) -> tuple[str, ...]:
    return (
        agency.id,
        agency.name,
        agency.kind.value,
        agency.tier.value,
        agency.domain,
        "pilot" if agency.pilot else "-",
        _validity(agency),
        ",".join(marks(agency, file)) or "-",
    )


def marks(agency: Agency, file: RegistryFile) -> list[str]:
    """What is not published fact: an inferred identifier, a generated unit, an inferred domain."""
    result = []
    if agency.inferred:
        result.append("inferred")
    if agency.generated:
        result.append("generated")
    if _domain_inferred(agency, file):
        result.append("domain-inferred")
    return result


def _domain_inferred(agency: Agency, file: RegistryFile) -> bool:
    entry = file.entry(agency.parent or agency.id)  # generated units live under the parent's domain
    return entry is not None and entry.domain_inferred


def _validity(agency: Agency) -> str:
    start = agency.valid_from.isoformat() if agency.valid_from else ""
    end = agency.valid_to.isoformat() if agency.valid_to else ""
    return f"{start}..{end}"


def agency_json(agency: Agency, file: RegistryFile) -> dict[str, Any]:
    entry = file.entry(agency.id)
    return {
        "id": agency.id,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind.value,
        "tier": agency.tier.value,
        "level": agency.level,
        "parent": agency.parent,
        "domain": agency.domain,
        "domain_inferred": _domain_inferred(agency, file),
        "mailbox": agency.mailbox,
        "pilot": agency.pilot,
        "valid_from": agency.valid_from.isoformat() if agency.valid_from else None,
        "valid_to": agency.valid_to.isoformat() if agency.valid_to else None,
        "region": agency.region,
        "source": agency.source,
        "inferred": agency.inferred,
        "generated": agency.generated,
        "absorbed": list(entry.absorbed) if entry is not None else [],
        "signer": {
            "full_name": agency.signer.full_name,
            "position": agency.signer.position,
            "competence": agency.signer.competence,
        },
    }
