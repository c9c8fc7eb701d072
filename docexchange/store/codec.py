"""How Python values are written to SQLite text columns and read back.

Instants are stored as ISO 8601 text with the offset, always converted to Vietnam time and always
with microseconds (``2019-03-12T08:00:00.000000+07:00``). One offset and one width make the text
sort in time order, so ``ORDER BY`` and ``<=`` on these columns compare instants, not strings
that merely look alike. Naive datetimes are refused: the stores never guess a zone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from docexchange.clock import VIETNAM_TZ


def encode_time(value: datetime) -> str:
    """Aware datetime → fixed-width ISO 8601 text in Vietnam time; ValueError if naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"store times must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(VIETNAM_TZ).isoformat(timespec="microseconds")


def encode_optional_time(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def decode_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(VIETNAM_TZ)


def decode_optional_time(text: str | None) -> datetime | None:
    return None if text is None else decode_time(text)


def encode_date(value: date) -> str:
    if isinstance(value, datetime):
        raise ValueError("a calendar date is expected here, not a datetime")
    return value.isoformat()


def decode_date(text: str) -> date:
    return date.fromisoformat(text)


def encode_names(values: Sequence[str]) -> str:
    """A list of identifiers as JSON text (order kept, non-ASCII kept readable)."""
    if isinstance(values, str):
        raise ValueError("expected a sequence of identifiers, got a single string")
    return json.dumps(list(values), ensure_ascii=False)


def decode_names(text: str) -> tuple[str, ...]:
    values = json.loads(text)
    return tuple(str(v) for v in values)
