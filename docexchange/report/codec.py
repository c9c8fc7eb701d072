"""Generic strict JSON for the report's frozen dataclasses, driven by their type hints.

:class:`Record` is the base of every report dataclass. On construction it rounds floats (to
:data:`DECIMALS`), turns lists into tuples and strings into enums, sorts :class:`Count` tables and
refuses values of the wrong type; then it runs the class's own ``_check``. :func:`encode` turns a
record into JSON-ready values (with its ``DERIVED`` properties); :func:`decode` reads them back,
refusing unknown, missing and mistyped fields and derived values that do not match, with a
message naming the field (``shares.by_year[0].legal``).
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from docexchange.errors import DocexchangeError, ReasonCode

DECIMALS = 4
"""Decimals kept for shares (fractions), hours and other floats."""


class ReportError(DocexchangeError):
    """A report cannot be built, read or written; the message names the file and the field."""

    def __init__(self, message: str, code: ReasonCode = ReasonCode.SCHEMA_INVALID) -> None:
        super().__init__(code, message)


def round_value(value: float, decimals: int = DECIMALS) -> float:
    """Round as the report does; ``-0.0`` becomes ``0.0``; NaN and infinities are refused."""
    if not math.isfinite(value):
        raise ReportError(f"{value!r} is not a finite number")
    return round(float(value), decimals) + 0.0


# --------------------------------------------------------------------------------------------
# Records


class Record:
    """Base of the report's dataclasses: float rounding, count normalising and invariant checks."""

    DERIVED: ClassVar[tuple[str, ...]] = ()
    """Properties written to JSON beside the fields and checked on reading."""

    SIGNED: ClassVar[tuple[str, ...]] = ()
    """Integer fields that may be negative (all others are counts)."""

    OMITTED: ClassVar[tuple[str, ...]] = ()
    """Optional fields left out of JSON when None (and read as None when absent), so that adding
    one leaves the files of runs without it byte for byte as they were."""

    def __post_init__(self) -> None:
        for name, tp in _hints(type(self)).items():
            value = getattr(self, name)
            normalised = _normalise(value, tp, name, DECIMALS, signed=name in self.SIGNED)
            if normalised is not value:
                object.__setattr__(self, name, normalised)
        self._check()

    def _check(self) -> None:
        """Raise :class:`ReportError` when the values contradict each other."""


def _normalise(value: Any, tp: Any, name: str, decimals: int, signed: bool = False) -> Any:
    """Round floats, turn lists into tuples and strings into enums, sort counts; refuse wrong types."""
    inner = _optional_inner(tp)
    if inner is not None:
        return None if value is None else _normalise(value, inner, name, decimals, signed)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ReportError(f"{name}: expected a number, got {value!r}")
        return round_value(value, decimals)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ReportError(f"{name}: expected an integer, got {value!r}")
        if value < 0 and not signed:
            raise ReportError(f"{name}: must not be negative, got {value}")
        return value
    if isinstance(tp, type) and issubclass(tp, StrEnum) and not isinstance(value, tp):
        try:
            return tp(value)
        except ValueError:
            raise ReportError(f"{name}: {value!r} is not one of {', '.join(m.value for m in tp)}") from None
    if get_origin(tp) is tuple:
        item_tp = get_args(tp)[0]
        if item_tp is Count and isinstance(value, Mapping):
            value = counts(value)
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise ReportError(f"{name}: expected a sequence, got {type(value).__name__}")
        items = tuple(_normalise(v, item_tp, f"{name}[{i}]", decimals) for i, v in enumerate(value))
        if item_tp is Count:
            items = tuple(sorted(items, key=lambda c: c.key))
            keys = [c.key for c in items]
            if len(set(keys)) != len(keys):
                raise ReportError(f"{name}: a key appears twice")
        return items
    expected = {str: "a string", bool: "true or false", date: "a date", datetime: "a datetime"}.get(tp)
    if expected is not None and (type(value) is not tp if tp in (date, bool) else not isinstance(value, tp)):
        raise ReportError(f"{name}: expected {expected}, got {value!r}")
    if isinstance(tp, type) and issubclass(tp, Record) and not isinstance(value, tp):
        raise ReportError(f"{name}: expected a {tp.__name__}, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Count(Record):
    """One ``key: count`` entry of a table of counts (refusals by reason code)."""

    key: str
    count: int


def counts(mapping: Mapping[str, int]) -> tuple[Count, ...]:
    """``{"cert-revoked": 2}`` as report counts, sorted by key."""
    return tuple(Count(k, v) for k, v in sorted(mapping.items()))


# --------------------------------------------------------------------------------------------
# Generic encoding and strict decoding, driven by the dataclasses' type hints


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The dataclass fields of ``cls`` and their types, in declaration order."""
    hints = _HINTS.get(cls)
    if hints is None:
        resolved = get_type_hints(cls)
        hints = _HINTS[cls] = {f.name: resolved[f.name] for f in fields(cls)}
    return hints


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None``, else None."""
    if get_origin(tp) in (types.UnionType, Union):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return args[0]
    return None


def encode(value: Any, tp: Any) -> Any:
    inner = _optional_inner(tp)
    if inner is not None:
        return None if value is None else encode(value, inner)
    if isinstance(tp, type) and issubclass(tp, Record):
        out = {
            name: encode(getattr(value, name), hint)
            for name, hint in _hints(tp).items()
            if not (name in tp.OMITTED and getattr(value, name) is None)
        }
        for name in tp.DERIVED:
            out[name] = encode_plain(getattr(value, name))
        return out
    if get_origin(tp) is tuple:
        item_tp = get_args(tp)[0]
        if item_tp is Count:
            return {c.key: c.count for c in value}
        return [encode(v, item_tp) for v in value]
    return encode_plain(value)


def encode_plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _fail(source: str, path: str, message: str) -> ReportError:
    return ReportError(f"{source}: {path or 'top level'}: {message}")


def decode(data: Any, tp: Any, path: str, source: str) -> Any:
    inner = _optional_inner(tp)
    if inner is not None:
        return None if data is None else decode(data, inner, path, source)
    if isinstance(tp, type) and issubclass(tp, Record):
        return _decode_record(data, tp, path, source)
    origin = get_origin(tp)
    if origin is tuple:
        item_tp = get_args(tp)[0]
        if item_tp is Count:
            return _decode_counts(data, path, source)
        if not isinstance(data, list):
            raise _fail(source, path, f"expected a list, got {describe(data)}")
        return tuple(decode(v, item_tp, f"{path}[{i}]", source) for i, v in enumerate(data))
    if origin is Literal:
        if data not in get_args(tp):
            choices = ", ".join(repr(a) for a in get_args(tp))
            raise _fail(source, path, f"expected one of {choices}, got {describe(data)}")
        return data
    if tp is bool:
        if not isinstance(data, bool):
            raise _fail(source, path, f"expected true or false, got {describe(data)}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _fail(source, path, f"expected an integer, got {describe(data)}")
        return data
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise _fail(source, path, f"expected a number, got {describe(data)}")
        return float(data)
    if tp is str:
        if not isinstance(data, str):
            raise _fail(source, path, f"expected a string, got {describe(data)}")
        return data
    if tp is date:
        return _decode_date(data, path, source)
    if tp is datetime:
        return _decode_datetime(data, path, source)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        try:
            return tp(data)
        except ValueError:
            choices = ", ".join(repr(m.value) for m in tp)
            raise _fail(source, path, f"expected one of {choices}, got {describe(data)}") from None
    raise AssertionError(f"no decoder for {tp!r}")  # pragma: no cover - a schema bug


def _decode_record(data: Any, cls: type[Record], path: str, source: str) -> Record:
    if not isinstance(data, dict):
        raise _fail(source, path, f"expected an object, got {describe(data)}")
    hints = _hints(cls)
    expected = set(hints) | set(cls.DERIVED)
    unknown = sorted(set(data) - expected)
    if unknown:
        raise _fail(source, path, f"unknown field {_names(unknown)} (expected {_names(sorted(expected))})")
    missing = sorted(expected - set(data) - set(cls.OMITTED))
    if missing:
        raise _fail(source, path, f"missing field {_names(missing)}")
    values = {
        name: decode(data[name], hint, _join(path, name), source) if name in data else None
        for name, hint in hints.items()
    }
    try:
        record = cls(**values)
    except ReportError as exc:
        raise _fail(source, path, exc.message) from None
    for name in cls.DERIVED:
        computed = encode_plain(getattr(record, name))
        given = data[name]
        if computed != given or isinstance(computed, bool) != isinstance(given, bool):
            raise _fail(
                source,
                _join(path, name),
                f"is {json.dumps(given)} but the other fields give {json.dumps(computed)}",
            )
    return record


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _decode_counts(data: Any, path: str, source: str) -> tuple[Count, ...]:
    if not isinstance(data, dict):
        raise _fail(source, path, f"expected an object of counts, got {describe(data)}")
    result: dict[str, int] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(source, _join(path, key), f"expected a count (integer ≥ 0), got {describe(value)}")
        result[key] = value
    return counts(result)


def _decode_date(data: Any, path: str, source: str) -> date:
    if isinstance(data, str):
        try:
            value = date.fromisoformat(data)
        except ValueError:
            value = None
        if value is not None and value.isoformat() == data:
            return value
    raise _fail(source, path, f"expected a date YYYY-MM-DD, got {describe(data)}")


def _decode_datetime(data: Any, path: str, source: str) -> datetime:
    if isinstance(data, str):
        try:
            value = datetime.fromisoformat(data)
        except ValueError:
            value = None
        if value is not None and value.tzinfo is not None and value.isoformat() == data:
            return value
    raise _fail(
        source,
        path,
        f"expected an ISO 8601 time with offset (2019-03-12T08:00:00+07:00), got {describe(data)}",
    )
