"""Reading routing rules and agency capabilities from TOML (formats: ``simulations/rules/README.md``).

The only I/O of the routing layer: each loader reads the one file it is given. Any defect — an
unknown key, a wrong type, an impossible value — fails the whole file with a :class:`RulesFileError`
naming the file, the key and the reason, because a rule silently ignored would route documents
wrongly without anyone noticing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.registry.identifiers import validate_identifier
from docexchange.routing.model import Capabilities, CapabilityTable, Channel
from docexchange.routing.rules import (
    DEFAULT_GOVERNMENT_RECIPIENTS,
    DEFAULT_PREFERENCE,
    DEFAULT_RETRY_DELAYS,
    RoutingRules,
    canonical_type,
)

_ROUTING_KEYS = (
    "preference",
    "retry_seconds",
    "government_recipients",
    "paper_types",
    "recipient_certificate",
    "recipient_mail_use",
)
_CAPABILITY_KEYS = ("axis", "mail", "certificate")


class RulesFileError(DocexchangeError):
    """A routing rules or capabilities file cannot be used; the message names the file and the key."""

    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(ReasonCode.INVALID_RULES, where + reason)
        self.file = str(file)
        self.key = key
        self.reason = reason


class _Problem(Exception):
    """A defect found at ``key``; turned into a RulesFileError once the file name is known."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def load_rules(path: Path | str) -> RoutingRules:
    """Read a routing rules file; RulesFileError when it is unreadable or malformed."""
    return parse_rules(_read(path), path)


def parse_rules(text: str, file: Path | str = "<rules>") -> RoutingRules:
    """Check the TOML text of a rules file; ``file`` names it in messages."""
    data = _toml(text, file)
    try:
        return _rules(data)
    except _Problem as problem:
        raise RulesFileError(file, problem.key, problem.reason) from None


def load_capabilities(path: Path | str) -> CapabilityTable:
    """Read an agency capabilities file; RulesFileError when it is unreadable or malformed."""
    return parse_capabilities(_read(path), path)


def parse_capabilities(text: str, file: Path | str = "<capabilities>") -> CapabilityTable:
    """Check the TOML text of a capabilities file; ``file`` names it in messages."""
    data = _toml(text, file)
    try:
        return _capability_table(data)
    except _Problem as problem:
        raise RulesFileError(file, problem.key, problem.reason) from None


def _read(path: Path | str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesFileError(path, "", f"cannot read file: {exc}") from exc


def _toml(text: str, file: Path | str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(file, "", f"TOML syntax error: {exc}") from exc


# ── rules ────────────────────────────────────────────────────────────────────────────────


def _rules(data: dict[str, Any]) -> RoutingRules:
    _only_keys(data, ("routing",), "", "expected only a [routing] table")
    if "routing" not in data:
        raise _Problem("routing", "missing: a rules file holds a [routing] table")
    routing = _table(data["routing"], "routing")
    _only_keys(routing, _ROUTING_KEYS, "routing", f"expected {', '.join(_ROUTING_KEYS)}")
    return RoutingRules(
        preference=_preference(routing.get("preference")),
        retry_delays=_retry_delays(routing.get("retry_seconds")),
        government_recipients=_identifiers(
            routing.get("government_recipients"), "routing.government_recipients"
        ),
        paper_types=_paper_types(routing.get("paper_types")),
        recipient_certificate=_flag(
            routing.get("recipient_certificate", False), "routing.recipient_certificate"
        ),
        recipient_mail_use=_flag(routing.get("recipient_mail_use", True), "routing.recipient_mail_use"),
    )


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise _Problem(key, f"must be true or false, not {type(value).__name__}")
    return value


def _preference(value: object) -> tuple[Channel, ...]:
    key = "routing.preference"
    if value is None:
        return DEFAULT_PREFERENCE
    names = _strings(value, key)
    if not names:
        raise _Problem(key, "lists no channel (give at least one of 'axis', 'mail')")
    channels: list[Channel] = []
    for i, name in enumerate(names):
        if name == Channel.PAPER:
            raise _Problem(f"{key}[{i}]", "'paper' is always the last resort and is not listed")
        try:
            channel = Channel(name)
        except ValueError:
            raise _Problem(f"{key}[{i}]", f"unknown channel {name!r} (expected 'axis' or 'mail')") from None
        if channel in channels:
            raise _Problem(f"{key}[{i}]", f"channel {name!r} is listed twice")
        channels.append(channel)
    return tuple(channels)


def _retry_delays(value: object) -> tuple[timedelta, ...]:
    key = "routing.retry_seconds"
    if value is None:
        return DEFAULT_RETRY_DELAYS
    if not isinstance(value, list):
        raise _Problem(key, f"must be a list of seconds, not {_type(value)}")
    delays: list[timedelta] = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise _Problem(f"{key}[{i}]", f"must be a number of seconds, not {_type(item)}")
        if item != item or item in (float("inf"), float("-inf")):
            raise _Problem(f"{key}[{i}]", f"must be a finite number of seconds, got {item}")
        if item <= 0:
            raise _Problem(f"{key}[{i}]", f"must be a positive number of seconds, got {item}")
        delays.append(timedelta(seconds=item))
    return tuple(delays)


def _identifiers(value: object, key: str) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_GOVERNMENT_RECIPIENTS
    ids = _strings(value, key)
    for i, agency_id in enumerate(ids):
        _identifier(agency_id, f"{key}[{i}]")
    return tuple(ids)


def _paper_types(value: object) -> dict[str, frozenset[str]]:
    key = "routing.paper_types"
    if value is None:
        return {}
    table = _table(value, key)
    result: dict[str, frozenset[str]] = {}
    for sender, types in table.items():
        sender_key = f'{key}."{sender}"'
        _identifier(sender, sender_key)
        abbreviations: set[str] = set()
        for i, name in enumerate(_strings(types, sender_key)):
            try:
                abbreviations.add(canonical_type(name))
            except ValueError as exc:
                raise _Problem(f"{sender_key}[{i}]", str(exc)) from None
        result[sender] = frozenset(abbreviations)
    return result


# ── capabilities ─────────────────────────────────────────────────────────────────────────


def _capability_table(data: dict[str, Any]) -> CapabilityTable:
    _only_keys(data, ("default", "capabilities"), "", 'expected [default] and [capabilities."<id>"] tables')
    default = (
        _capabilities(data["default"], "default", Capabilities()) if "default" in data else Capabilities()
    )
    entries: dict[str, Capabilities] = {}
    for agency_id, value in _table(data.get("capabilities", {}), "capabilities").items():
        key = f'capabilities."{agency_id}"'
        _identifier(agency_id, key)
        entries[agency_id] = _capabilities(value, key, default)
    return CapabilityTable(entries, default)


def _capabilities(value: object, key: str, base: Capabilities) -> Capabilities:
    """A capabilities table; a key left out keeps its value from ``base`` (the [default] table)."""
    table = _table(value, key)
    _only_keys(table, _CAPABILITY_KEYS, key, f"expected {', '.join(_CAPABILITY_KEYS)}")
    flags = {name: getattr(base, name) for name in _CAPABILITY_KEYS}
    for name, flag in table.items():
        if not isinstance(flag, bool):
            raise _Problem(f"{key}.{name}", f"must be true or false, not {_type(flag)}")
        flags[name] = flag
    return Capabilities(**flags)


# ── shared checks ────────────────────────────────────────────────────────────────────────


def _only_keys(table: Mapping[str, object], allowed: tuple[str, ...], where: str, hint: str) -> None:
    for name in table:
        if name not in allowed:
            key = f"{where}.{name}" if where else name
            raise _Problem(key, f"unknown key ({hint})")


def _table(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Problem(key, f"must be a table, not {_type(value)}")
    return value


def _strings(value: object, key: str) -> list[str]:
    if not isinstance(value, list):
        raise _Problem(key, f"must be a list of strings, not {_type(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _Problem(f"{key}[{i}]", f"must be a string, not {_type(item)}")
    return value


def _identifier(text: str, key: str) -> None:
    try:
        validate_identifier(text)
    except ValueError as exc:
        raise _Problem(key, f"malformed agency identifier: {exc}") from None


def _type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list"}
    return names.get(type(value), "a table" if isinstance(value, dict) else type(value).__name__)
