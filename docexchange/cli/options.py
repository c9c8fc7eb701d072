"""Option values the commands share, read with a refusal that names the option."""

from __future__ import annotations

from datetime import date

from docexchange.errors import DocexchangeError, ReasonCode


def parse_date(text: str | None, option: str) -> date | None:
    """``YYYY-MM-DD`` (None stays None); INVALID_ARGUMENT naming ``option`` otherwise."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"{option}: {text!r} is not a date (YYYY-MM-DD)"
        ) from None
