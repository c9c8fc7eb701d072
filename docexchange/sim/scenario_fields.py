"""Typed readers for the values of a scenario file, each naming the key path it reads.

Every reader takes ``(value, key)`` and returns a checked value or raises :class:`Problem` with the
key (``adoption.province[2].axis``) and the reason; the loader adds the file name. Kept apart from
the loader so that the loader reads as the format, key by key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, TypeVar

from docexchange.clock import as_vietnam_time
from docexchange.registry.identifiers import validate_identifier
from docexchange.routing.rules import canonical_type
from docexchange.sim.scenario import Window

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)
MISSING: Any = object()


class Problem(Exception):
    """A defect at ``key``; the loader turns it into a ScenarioError once the file name is known."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


class Table:
    """A TOML table at ``key``; unknown keys are refused on construction when ``allowed`` is given."""

    def __init__(self, value: object, key: str, allowed: Sequence[str] | None = None) -> None:
        if not isinstance(value, dict):
            raise Problem(key or "<top level>", f"must be a table, not {type_name(value)}")
        self.data: dict[str, Any] = value
        self.key = key
        if allowed is not None:
            self.restrict(allowed, f"expected {', '.join(allowed)}")

    def restrict(self, allowed: Sequence[str], hint: str) -> None:
        for name in self.data:
            if name not in allowed:
                raise Problem(self.sub(name), f"unknown key ({hint})")

    def sub(self, name: str) -> str:
        return child(self.key, name)

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> object:
        return self.data[name]

    def items(self) -> Iterator[tuple[str, object]]:
        return iter(self.data.items())

    def get(self, name: str, default: object) -> object:
        return self.data.get(name, default)

    def need(self, name: str) -> object:
        if name not in self.data:
            raise Problem(self.sub(name), "missing")
        return self.data[name]

    def read(self, name: str, reader: Callable[[object, str], _T], default: _T = MISSING) -> _T:
        """``reader`` applied to the value of ``name``; ``default`` when absent (missing if none given)."""
        if name not in self.data:
            if default is MISSING:
                raise Problem(self.sub(name), "missing")
            return default
        return reader(self.data[name], self.sub(name))


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def child(key: str, name: str) -> str:
    part = name if _BARE_KEY.match(name) else f'"{name}"'
    return f"{key}.{part}" if key else part


def tables(value: object, key: str) -> list[Table]:
    return [Table(item, f"{key}[{i}]") for i, item in enumerate(array(value, key))]


def array(value: object, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise Problem(key, f"must be a list, not {type_name(value)}")
    return value


def array_of(reader: Callable[[object, str], _T]) -> Callable[[object, str], tuple[_T, ...]]:
    def read(value: object, key: str) -> tuple[_T, ...]:
        return tuple(reader(item, f"{key}[{i}]") for i, item in enumerate(array(value, key)))

    return read


def pair(value: object, key: str, reader: Callable[[object, str], _T]) -> tuple[_T, _T]:
    items = array(value, key)
    if len(items) != 2:
        raise Problem(key, f"must be a pair [first, last], not {len(items)} items")
    return reader(items[0], f"{key}[0]"), reader(items[1], f"{key}[1]")


def any_text(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise Problem(key, f"must be a string, not {type_name(value)}")
    return value


def text(value: object, key: str) -> str:
    text = any_text(value, key)
    if not text.strip():
        raise Problem(key, "must not be empty")
    return text


def boolean(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise Problem(key, f"must be true or false, not {type_name(value)}")
    return value


def number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Problem(key, f"must be a number, not {type_name(value)}")
    if not math.isfinite(value):
        raise Problem(key, f"must be a finite number, got {value}")
    return float(value)


def rate(value: object, key: str) -> float:
    """A number ≥ 0: a rate, a weight, a mean duration."""
    result = number(value, key)
    if result < 0:
        raise Problem(key, f"must not be negative, got {value}")
    return result


def share(value: object, key: str) -> float:
    result = number(value, key)
    if not 0.0 <= result <= 1.0:
        raise Problem(key, f"must be a share between 0 and 1, got {value}")
    return result


def integer(value: object, key: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem(key, f"must be an integer, not {type_name(value)}")
    if value < minimum:
        raise Problem(key, f"must be at least {minimum}, got {value}")
    return value


def seed(value: object, key: str) -> int:
    seed = integer(value, key, minimum=0)
    if seed >= 2**63:
        raise Problem(key, "must be below 2**63")
    return seed


def int_range(value: object, key: str, minimum: int) -> tuple[int, int]:
    low, high = pair(value, key, lambda v, k: integer(v, k, minimum=minimum))
    if high < low:
        raise Problem(f"{key}[1]", f"must not be below the first value {low}")
    return low, high


def positive_total(weights: Iterable[float], key: str) -> None:
    if sum(weights) <= 0:
        raise Problem(key, "weights must add up to more than 0")


def choice(enum: type[_E]) -> Callable[[object, str], _E]:
    def read(value: object, key: str) -> _E:
        text = any_text(value, key)
        try:
            return enum(text)
        except ValueError:
            known = ", ".join(repr(member.value) for member in enum)
            raise Problem(key, f"unknown value {text!r} (expected {known})") from None

    return read


def identifier(value: object, key: str) -> str:
    text = any_text(value, key)
    try:
        validate_identifier(text)
    except ValueError as exc:
        raise Problem(key, f"malformed agency identifier: {exc}") from None
    return text


def document_type(value: object, key: str) -> str:
    try:
        return canonical_type(any_text(value, key))
    except ValueError as exc:
        raise Problem(key, str(exc)) from None


def calendar_date(value: object, key: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Problem(key, f"must be a date such as 2019-06-30, not {type_name(value)}")
    return value


def instant(value: object, key: str, *, end_of_day: bool = False) -> datetime:
    """A TOML date-time (local ones are Vietnam time) or a date: its 00:00, or 24:00 as an end."""
    if isinstance(value, datetime):
        return as_vietnam_time(value)
    if isinstance(value, date):
        return Window.days(value, value).end if end_of_day else Window.days(value, value).start
    raise Problem(key, f"must be a date-time such as 2019-07-02T09:00:00 or a date, not {type_name(value)}")


def clock_time(value: object, key: str) -> time:
    """A TOML local time (07:30:00) or a string "07:30"."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise Problem(key, f'must be a time such as 07:30:00 or "07:30", not {type_name(value)}')


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def span(window: Window) -> str:
    return f"{stamp(window.start)} to {stamp(window.end)}"


def type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, datetime):
        return "a date-time"
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        date: "a date",
        time: "a time",
    }
    return names.get(type(value), "a table" if isinstance(value, dict) else type(value).__name__)
