"""Reading registry files from ``agencies/`` into a :class:`Registry`.

Pure: reads the one file it is given, no network, no clock. Any defect fails the whole file with a
:class:`RegistryError` naming the file, the entry (position, identifier and line) and the reason,
because a registry that silently skips an agency would misroute documents later.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from docexchange.errors import RegistryError
from docexchange.registry.generation import generate_level2
from docexchange.registry.model import Agency, Registry
from docexchange.registry.schema import EntryProblem, RegistryEntry, RegistryHeader, parse_entry, parse_header

AGENCIES_DIR = Path(__file__).resolve().parents[2] / "agencies"
DEFAULT_REGISTRY = "government-2008.toml"
_TOP_LEVEL_KEYS = ("registry", "agency")
_AGENCY_TABLE = re.compile(r"^\s*\[\[\s*agency\s*\]\]\s*(?:#.*)?$")


@dataclass(frozen=True)
class RegistryFile:
    """A checked registry file: its header and its level-1 entries, in file order."""

    path: Path
    header: RegistryHeader
    entries: tuple[RegistryEntry, ...]

    @cached_property
    def _by_id(self) -> dict[str, RegistryEntry]:
        return {e.agency.id: e for e in self.entries}

    def entry(self, agency_id: str) -> RegistryEntry | None:
        """The level-1 entry with this identifier, or None."""
        return self._by_id.get(agency_id)

    def agencies(self, *, include_level2: bool = False) -> tuple[Agency, ...]:
        """Level-1 agencies in file order, each followed by its generated level-2 units if asked."""
        result: list[Agency] = []
        for entry in self.entries:
            result.append(entry.agency)
            if include_level2:
                result.extend(generate_level2(entry.agency, entry.level2_count))
        return tuple(result)

    def to_registry(self, *, include_level2: bool = False) -> Registry:
        return Registry(
            self.agencies(include_level2=include_level2),
            source=str(self.path),
            description=self.header.description,
        )


def default_registry_path() -> Path:
    """The 2008 Government registry shipped in ``<repo>/agencies``."""
    return AGENCIES_DIR / DEFAULT_REGISTRY


def registry_paths() -> tuple[Path, ...]:
    """Every registry file shipped in ``<repo>/agencies``, sorted by name."""
    return tuple(sorted(AGENCIES_DIR.glob("*.toml")))


def load_registry(path: Path | str | None = None, *, include_level2: bool = False) -> Registry:
    """Load a registry file (the 2008 one by default); RegistryError when it is malformed."""
    return read_registry_file(path).to_registry(include_level2=include_level2)


def read_registry_file(path: Path | str | None = None) -> RegistryFile:
    """Read and check a registry file, keeping the file-only facts (level-2 counts, absorptions)."""
    file = Path(path) if path is not None else default_registry_path()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{file}: cannot read registry file: {exc}") from exc
    return parse_registry_text(text, file)


def parse_registry_text(text: str, file: Path) -> RegistryFile:
    """Check the TOML text of a registry file; ``file`` is used in messages and kept as the source."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{file}: TOML syntax error: {exc}") from exc

    unknown = sorted(set(data) - set(_TOP_LEVEL_KEYS))
    if unknown:
        raise RegistryError(
            f"{file}: unknown key {unknown[0]!r} at top level (expected [registry] and [[agency]])"
        )
    if "registry" not in data:
        raise RegistryError(f"{file}: missing field 'registry' (the [registry] header table)")
    try:
        header = parse_header(data["registry"])
    except EntryProblem as exc:
        raise RegistryError(f"{file}: [registry]: {exc}") from None

    tables = data.get("agency")
    if not isinstance(tables, list) or not tables:
        raise RegistryError(f"{file}: no agencies: expected at least one [[agency]] table")
    header_lines = _agency_table_lines(text)
    entries = tuple(_entry(file, text, header_lines, tables, i) for i in range(len(tables)))
    _check_unique(file, entries)
    return RegistryFile(path=file, header=header, entries=entries)


def _entry(file: Path, text: str, header_lines: list[int], tables: list[Any], i: int) -> RegistryEntry:
    table = tables[i]
    agency_id = table.get("id") if isinstance(table, dict) else None
    line = header_lines[i] if len(header_lines) == len(tables) else _line_of(text, agency_id)
    try:
        return parse_entry(table, index=i + 1, line=line)
    except EntryProblem as exc:
        raise RegistryError(f"{file}: {_where(i + 1, agency_id, line)}: {exc}") from None


def _check_unique(file: Path, entries: tuple[RegistryEntry, ...]) -> None:
    """Identifiers, mail domains and absorptions must each appear once in a file."""
    seen_ids: dict[str, RegistryEntry] = {}
    seen_domains: dict[str, RegistryEntry] = {}
    absorbed_by: dict[str, RegistryEntry] = {}
    for entry in entries:
        agency = entry.agency
        where = f"{file}: {_where(entry.index, agency.id, entry.line)}"
        first = seen_ids.setdefault(agency.id, entry)
        if first is not entry:
            raise RegistryError(f"{where}: duplicate identifier {agency.id} (first at {_at(first)})")
        first = seen_domains.setdefault(agency.domain, entry)
        if first is not entry:
            raise RegistryError(f"{where}: duplicate domain {agency.domain} (first at {_at(first)})")
        for absorbed_id in entry.absorbed:
            if absorbed_id == agency.id:
                raise RegistryError(f"{where}: an agency cannot absorb itself ({absorbed_id})")
            first = absorbed_by.setdefault(absorbed_id, entry)
            if first is not entry:
                raise RegistryError(f"{where}: {absorbed_id} is already absorbed by {first.agency.id}")


def _where(index: int, agency_id: object, line: int | None) -> str:
    label = agency_id if isinstance(agency_id, str) and agency_id else "no id"
    return f"entry {index} ({label}" + (f", line {line})" if line is not None else ")")


def _at(entry: RegistryEntry) -> str:
    return f"entry {entry.index}" + (f", line {entry.line}" if entry.line is not None else "")


def _agency_table_lines(text: str) -> list[int]:
    """1-based line numbers of the ``[[agency]]`` headers (a cheap scan, not a TOML parser)."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if _AGENCY_TABLE.match(line)]


def _line_of(text: str, agency_id: object) -> int | None:
    """The first line quoting ``agency_id``: a fallback when tables are not written as [[agency]]."""
    if not isinstance(agency_id, str) or not agency_id:
        return None
    needle = f'"{agency_id}"'
    for n, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return n
    return None
