"""QCVN 102:2016/BTTTT agency identifiers.

An identifier has 13 characters in 4 dot-separated groups of widths 3.2.2.3, written lowest level
first: ``000.00.00.G12`` is the level-1 agency G12 (Bộ Tài chính), ``000.00.18.G12`` is level-2 unit
18 under it, ``000.07.18.G12`` level-3 unit 7 under that, and so on. The last group is the level-1
code (a capital letter, G for ministries and ministry-level agencies, H for provinces, and two
digits). A group may be non-zero only when every group to its right is non-zero too: a unit has a
parent at every level above it.

The 35-character identifiers allowed since 2022 (Decision 20/2020 codes) are not modelled.
"""

from __future__ import annotations

import re

_SHAPE = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z])(\d{2})$")
MAX_LEVEL = 4


def validate_identifier(text: str) -> None:
    """Raise ValueError saying why ``text`` is not a QCVN 102:2016 agency identifier."""
    if not isinstance(text, str):
        raise ValueError(f"identifier must be a string, not {type(text).__name__}")
    if len(text) != 13:
        raise ValueError(f"{text!r} has {len(text)} characters, a QCVN 102 identifier has 13 (000.00.00.G12)")
    groups = text.split(".")
    if [len(g) for g in groups] != [3, 2, 2, 3]:
        raise ValueError(f"{text!r} is not 4 dot-separated groups of widths 3.2.2.3 (000.00.00.G12)")
    match = _SHAPE.match(text)
    if match is None:
        if not all(g.isdigit() and g.isascii() for g in groups[:3]):
            raise ValueError(f"{text!r}: the first three groups must be digits")
        raise ValueError(f"{text!r}: the last group must be a capital letter and two digits (G12, H38)")
    level4, level3, level2, _letter, number = match.groups()
    if number == "00":
        raise ValueError(f"{text!r}: level-1 number 00 is not assigned (01-99)")
    units = [int(level2), int(level3), int(level4)]
    for deeper, shallower in ((1, 0), (2, 1)):
        if units[deeper] and not units[shallower]:
            raise ValueError(f"{text!r}: a lower-level group is set while a higher-level group is 00")


def is_identifier(text: object) -> bool:
    """True when ``text`` is a syntactically valid identifier."""
    if not isinstance(text, str):
        return False
    try:
        validate_identifier(text)
    except ValueError:
        return False
    return True


def level_of(identifier: str) -> int:
    """1 for ``000.00.00.G12``, 2 for ``000.00.18.G12``, up to 4; ValueError when malformed."""
    validate_identifier(identifier)
    level4, level3, level2, _ = identifier.split(".")
    return 1 + sum(1 for group in (level2, level3, level4) if int(group))


def parent_of(identifier: str) -> str | None:
    """The identifier one level up (None for a level-1 agency); ValueError when malformed."""
    level = level_of(identifier)
    if level == 1:
        return None
    groups = identifier.split(".")
    # Lowest level first: level 2 lives in group index 2, level 3 in 1, level 4 in 0.
    index = 4 - level
    groups[index] = "0" * len(groups[index])
    return ".".join(groups)


def level1_of(identifier: str) -> str:
    """The level-1 agency an identifier belongs to (itself when level 1)."""
    validate_identifier(identifier)
    return "000.00.00." + identifier[-3:]


def letter_of(identifier: str) -> str:
    """The level-1 letter: ``G`` or ``H`` for the agencies this registry lists."""
    validate_identifier(identifier)
    return identifier[-3]


def child_identifier(parent: str, number: int) -> str:
    """The identifier of unit ``number`` (1-99, or 1-999 at level 4) directly under ``parent``."""
    level = level_of(parent)
    if level >= MAX_LEVEL:
        raise ValueError(f"{parent!r} is at level {MAX_LEVEL}; QCVN 102 has no level below it")
    groups = parent.split(".")
    index = 3 - level
    width = len(groups[index])
    if not 1 <= number < 10**width:
        raise ValueError(f"unit number {number} does not fit a {width}-digit group (1-{10**width - 1})")
    groups[index] = f"{number:0{width}d}"
    return ".".join(groups)
