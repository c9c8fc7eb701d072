"""Small registry files written into tmp_path, for the refusal tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HEADER = '[registry]\ndescription = "test registry"\n'


class Raw:
    """A value written into TOML verbatim (dates, inline tables, deliberately broken text)."""

    def __init__(self, text: str) -> None:
        self.text = text


def ministry(**overrides: Any) -> dict[str, Any]:
    """A valid level-1 entry for Bộ Tài chính; ``key=None`` drops a key."""
    entry: dict[str, Any] = {
        "id": "000.00.00.G12",
        "name": "Bộ Tài chính",
        "short_name": "BTC",
        "kind": "ministry",
        "tier": "ministry",
        "domain": "mof.gov.vn",
        "source": "test",
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


def province(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "000.00.00.H38",
        "name": "Ủy ban nhân dân tỉnh Lào Cai",
        "short_name": "UBND",
        "kind": "province",
        "tier": "mountainous-remote",
        "domain": "laocai.gov.vn",
        "source": "test",
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


def _value(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def registry_text(*entries: dict[str, Any], header: str = HEADER) -> str:
    parts = [header]
    for entry in entries:
        parts.append("\n[[agency]]\n" + "".join(f"{k} = {_value(v)}\n" for k, v in entry.items()))
    return "".join(parts)


def write_registry(
    tmp_path: Path, *entries: dict[str, Any], header: str = HEADER, name: str = "test.toml"
) -> Path:
    path = tmp_path / name
    path.write_text(registry_text(*entries, header=header), encoding="utf-8")
    return path


def agency_line(path: Path, n: int) -> int:
    """The line of the n-th (1-based) [[agency]] header in a written file."""
    lines = [
        i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text == "[[agency]]"
    ]
    return lines[n - 1]
