"""``--vary KEY=V1,V2,…``: a key path into a scenario (or its routing rules) and the values to give it.

A key path names a value the way the scenario's error messages do: dotted TOML keys, a quoted key
where it is not a bare word, ``[i]`` for the i-th item of a list (from 0)::

    delays.paper_days                    adoption.ministry[1].mail_use
    workload.types."QĐ"                  adoption.province[1].date
    routing.retry_seconds                (the routing rules file: its only table is [routing])

Values are TOML values, separated by commas outside brackets and quotes: ``0.5,0.6``,
``2019-03-12,2019-06-01``, ``[30,120],[60,600,1200]``; a bare word that is not TOML is read as a
string (``interpolation=step,linear``). A value must have the type the scenario already has at that
path (a number where a number is); everything else is judged by the scenario's own loader when the
varied scenario is checked, before any run starts.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from docexchange.errors import DocexchangeError, ReasonCode

Step = str | int
"""A table key, or a list index."""

_STEP = re.compile(r'(?:(?P<bare>[A-Za-z0-9_-]+)|"(?P<quoted>[^"\\]*)")(?P<indices>(?:\[[0-9]+\])*)')
_INDEX = re.compile(r"\[([0-9]+)\]")


class VaryError(DocexchangeError):
    """A ``--vary`` that cannot be used; the message names it."""

    def __init__(self, message: str) -> None:
        super().__init__(ReasonCode.INVALID_ARGUMENT, message)


@dataclass(frozen=True)
class KeyPath:
    """A parsed key path; ``text`` is how the user wrote it (and how outputs name the column)."""

    text: str
    steps: tuple[Step, ...]

    @property
    def in_rules(self) -> bool:
        """Whether it names a routing rule (the scenario's rules file) rather than the scenario."""
        return self.steps[0] == "routing"

    @classmethod
    def parse(cls, text: str) -> KeyPath:
        steps: list[Step] = []
        rest = text
        while True:
            match = _STEP.match(rest)
            if match is None or (match.group("bare") is None and match.group("quoted") is None):
                raise VaryError(f'--vary {text}: not a key path (dotted keys, "quoted" keys, [index])')
            steps.append(match.group("bare") if match.group("bare") is not None else match.group("quoted"))
            steps.extend(int(i) for i in _INDEX.findall(match.group("indices")))
            rest = rest[match.end() :]
            if not rest:
                return cls(text, tuple(steps))
            if not rest.startswith("."):
                raise VaryError(f"--vary {text}: not a key path (unexpected {rest[0]!r})")
            rest = rest[1:]


@dataclass(frozen=True)
class Vary:
    """One ``--vary``: a key path and the values it takes, in the order given."""

    path: KeyPath
    values: tuple[Any, ...]
    texts: tuple[str, ...]
    """The values as written (the labels of a sweep's rows)."""

    @classmethod
    def parse(cls, spec: str) -> Vary:
        key, sep, listed = spec.partition("=")
        if not sep or not key.strip():
            raise VaryError(f"--vary {spec}: expected KEY=V1,V2,… (e.g. delays.paper_days=1,2,3)")
        path = KeyPath.parse(key.strip())
        if path.steps[0] == "scenario" and path.steps[1:] in (("registry",), ("routing_rules",), ("seed",)):
            raise VaryError(f"--vary {path.text}: {_FIXED[str(path.steps[1])]}")
        texts = tuple(part.strip() for part in split_values(listed))
        if not texts or any(not t for t in texts):
            raise VaryError(f"--vary {spec}: give one or more values, separated by commas")
        values = tuple(parse_value(t) for t in texts)
        keys = [(type(v).__name__ if not isinstance(v, int | float) or isinstance(v, bool) else "n", v)
                for v in values]  # fmt: skip
        if any(keys.count(k) > 1 for k in keys):
            raise VaryError(f"--vary {spec}: a value is listed twice")
        return cls(path, values, texts)


_FIXED = {
    "registry": "the files a scenario names travel with it as they are; to use another, write a scenario that names it",
    "routing_rules": "the files a scenario names travel with it as they are; vary routing.… keys, or write a "
    "scenario that names other rules",
    "seed": "replications set the seed; use --seed for the first one",
}


def split_values(text: str) -> list[str]:
    """``text`` split at the commas that are outside brackets, braces and quotes."""
    parts: list[str] = []
    depth = 0
    quote = ""
    current: list[str] = []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_value(text: str) -> Any:
    """A TOML value; a bare word that is not one is a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        if re.fullmatch(r"[^\s\"'\[\]{}=,]+", text):
            return text
        raise VaryError(f"--vary: {text!r} is not a value (a TOML number, date, string or list)") from None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a table"


def assign(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    """Set ``path`` in the TOML ``data`` (tables on the way are created; list items must exist) to
    ``value``, refusing a value whose type differs from the one already there."""
    node: Any = data
    for depth, step in enumerate(path.steps[:-1]):
        here = _where(path, depth)
        nxt = path.steps[depth + 1]
        if isinstance(step, int):
            node = _item(node, step, path, depth)
            continue
        if not isinstance(node, dict):
            raise VaryError(f"--vary {path.text}: {here} is {_kind(node)}, not a table")
        if step not in node:
            node[step] = [] if isinstance(nxt, int) else {}
        node = node[step]
    last = path.steps[-1]
    if isinstance(last, int):
        old = _item(node, last, path, len(path.steps) - 1)
        node[last] = _checked(old, value, path)
        return
    if not isinstance(node, dict):
        raise VaryError(
            f"--vary {path.text}: {_where(path, len(path.steps) - 2)} is {_kind(node)}, not a table"
        )
    if last in node:
        node[last] = _checked(node[last], value, path)
    else:
        node[last] = value  # a key the file leaves to its default: the loader judges it


def _item(node: Any, index: int, path: KeyPath, depth: int) -> Any:
    if not isinstance(node, list):
        raise VaryError(f"--vary {path.text}: {_where(path, depth - 1)} is {_kind(node)}, not a list")
    if index >= len(node):
        raise VaryError(f"--vary {path.text}: {_where(path, depth - 1)} has {len(node)} items (index from 0)")
    return node[index]


def _checked(old: Any, new: Any, path: KeyPath) -> Any:
    numbers = (int, float)
    same = (
        (isinstance(old, numbers) and not isinstance(old, bool) and isinstance(new, numbers))
        and not isinstance(new, bool)
    ) or _kind(old) == _kind(new)
    if not same:
        raise VaryError(f"--vary {path.text}: {new!r} is {_kind(new)}; the scenario has {_kind(old)} there")
    return new


def _where(path: KeyPath, depth: int) -> str:
    """The path's first ``depth + 1`` steps, written as a key path."""
    text = ""
    for step in path.steps[: depth + 1]:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            name = step if re.fullmatch(r"[A-Za-z0-9_-]+", step) else f'"{step}"'
            text += f".{name}" if text else name
    return text
