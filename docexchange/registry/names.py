"""Vietnamese names: the diacritic-free form used for ordering and for inferred mail domains.

QCVN 102 numbers the provinces H01–H63 in alphabetical order *ignoring diacritics* (Đ as D, and
"TP Hồ Chí Minh" as "Ho Chi Minh"): plain ASCII order of the unaccented names. Vietnamese
collation (a < ă < â, d < đ) would give a different order (Cao Bằng H13 instead of the confirmed
H14), so it is deliberately not used here.
"""

from __future__ import annotations

import re
import unicodedata

_PROVINCE_PREFIXES = ("ủy ban nhân dân ", "tỉnh ", "thành phố ", "tp ", "tp. ")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def unaccent(text: str) -> str:
    """``"Đắk Lắk"`` → ``"Dak Lak"``: strip combining marks and map Đ/đ to D/d."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def place_name(name: str) -> str:
    """The place in a province's name: ``"Ủy ban nhân dân tỉnh Lào Cai"`` → ``"Lào Cai"``.

    Leading "Ủy ban nhân dân", "tỉnh", "thành phố" and "TP" are dropped, in that order, case-blind.
    """
    rest = unicodedata.normalize("NFC", name).strip()
    for prefix in _PROVINCE_PREFIXES:
        if rest.lower().startswith(prefix):
            rest = rest[len(prefix) :]
    return rest


def sort_key(name: str) -> str:
    """The key QCVN 102 orders provinces by: the unaccented place name, lower case, words only."""
    return _NON_ALNUM.sub(" ", unaccent(place_name(name)).lower()).strip()


def domain_label(name: str) -> str:
    """``"Bà Rịa – Vũng Tàu"`` → ``"bariavungtau"``: the rule for inferred ``.gov.vn`` domains."""
    return _NON_ALNUM.sub("", unaccent(name).lower())
