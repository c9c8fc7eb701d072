"""Document numbers, notations and DocumentIds under Decree 30/2020/NĐ-CP (DOMAIN.md §4).

- Numbers run per agency per calendar year from 01 (zero-padded below 10); secret documents have
  their own series.
- The notation (ký hiệu) is ``<type abbreviation>-<issuer>``; legal-normative documents put the
  year first (``28/2018/QĐ-TTg``); a công văn has no type abbreviation: ``<issuer>-<drafting unit>``.
- DocumentId (edXML practice): ``<sender id>,<yyyy/mm/dd>,<số/ký hiệu>``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from docexchange.edxml.model import Code, DocumentType


@dataclass(frozen=True)
class DocumentKind:
    code: int  # DocumentType/Type
    name: str  # Vietnamese name (TypeName)
    abbreviation: str  # "" for công văn
    always_legal_normative: bool = False


# A selection of Decree 30 Appendix III abbreviations plus the legal-normative forms the
# scenarios use. DocumentType/Type is 1 for a công văn as in the real files (DOMAIN.md §5); the
# other numbers are this project's own, since no authoritative code list is public: TypeName
# carries the meaning, and readers go by it first (routing.model.type_abbreviation_of).
DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(1, "Công văn", ""),
    DocumentKind(2, "Nghị quyết", "NQ"),
    DocumentKind(3, "Quyết định", "QĐ"),
    DocumentKind(4, "Chỉ thị", "CT"),
    DocumentKind(5, "Thông báo", "TB"),
    DocumentKind(6, "Hướng dẫn", "HD"),
    DocumentKind(7, "Kế hoạch", "KH"),
    DocumentKind(8, "Báo cáo", "BC"),
    DocumentKind(9, "Tờ trình", "TTr"),
    DocumentKind(10, "Công điện", "CĐ"),
    DocumentKind(11, "Giấy mời", "GM"),
    DocumentKind(12, "Chương trình", "CTr"),
    DocumentKind(13, "Biên bản", "BB"),
    DocumentKind(14, "Nghị định", "NĐ", always_legal_normative=True),
    DocumentKind(15, "Thông tư", "TT", always_legal_normative=True),
)

TYPE_DETAIL = 0
"""DocumentType/TypeDetail as the real files write it (its code list is not public either)."""


class Series(StrEnum):
    NORMAL = "normal"
    SECRET = "secret"


def _fold(text: str) -> str:
    """Upper-case ASCII folding so ``QD``, ``qđ`` and ``QĐ`` name the same type."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_BY_KEY: dict[str, DocumentKind] = {}
for _kind in DOCUMENT_KINDS:
    _BY_KEY[_fold(_kind.abbreviation or "CV")] = _kind
    _BY_KEY[_fold(_kind.name)] = _kind


def document_kind(code: str) -> DocumentKind:
    """Look up a type by abbreviation (``QĐ``/``QD``), ``CV`` for công văn, or Vietnamese name."""
    try:
        return _BY_KEY[_fold(code.strip())]
    except KeyError:
        known = ", ".join(k.abbreviation or "CV" for k in DOCUMENT_KINDS)
        raise ValueError(f"unknown document type {code!r}; known: {known}") from None


def kind_by_code(code: int) -> DocumentKind | None:
    """The kind a DocumentType/Type number stands for here (1 công văn), or None."""
    for kind in DOCUMENT_KINDS:
        if kind.code == code:
            return kind
    return None


def document_type(kind: DocumentKind) -> DocumentType:
    """A document's DocumentType. Whether it is legal-normative shows in its notation
    (``28/2018/QĐ-TTg``: the year first), not here."""
    return DocumentType(kind.code, TYPE_DETAIL, kind.name)


def is_legal_normative_notation(notation: str) -> bool:
    """A legal-normative notation starts with its year: ``2018/QĐ-TTg``."""
    year, slash, _ = notation.partition("/")
    return bool(slash) and len(year) == 4 and year.isdigit()


def make_code(
    number: int,
    year: int,
    kind: DocumentKind,
    issuer: str,
    *,
    drafting_unit: str = "",
    legal_normative: bool = False,
) -> Code:
    """Số và ký hiệu for a document, e.g. ``05/TB-VPCP``, ``28/2018/QĐ-TTg``, ``7816/VPCP-TTĐT``."""
    if number < 1:
        raise ValueError("document numbers start at 01")
    if not issuer:
        raise ValueError("the issuing agency's abbreviation is required")
    if kind.abbreviation:
        notation = f"{kind.abbreviation}-{issuer}"
    else:
        notation = f"{issuer}-{drafting_unit}" if drafting_unit else issuer
    if legal_normative or kind.always_legal_normative:
        if not kind.abbreviation:
            raise ValueError("a công văn cannot be a legal-normative document")
        notation = f"{year}/{notation}"
    return Code(f"{number:02d}", notation)


def make_document_id(sender_id: str, promulgation_date: date, code: Code) -> str:
    return f"{sender_id},{promulgation_date:%Y/%m/%d},{code.text}"


def split_document_id(document_id: str) -> tuple[str, date, str]:
    """The (sender id, promulgation date, số/ký hiệu) of a DocumentId; ValueError if malformed."""
    parts = document_id.split(",", 2)
    if len(parts) != 3:
        raise ValueError(f"DocumentId {document_id!r} is not '<sender>,<yyyy/mm/dd>,<số/ký hiệu>'")
    sender, day, code = parts
    year, month, dom = (int(x) for x in day.split("/"))
    return sender, date(year, month, dom), code


class DocumentNumberer:
    """Per-agency, per-year, per-series counters (Decree 30: numbers restart each 1 January).

    Pure state; a node persists it (``snapshot``/``restore``) in its store.
    """

    def __init__(self) -> None:
        self._last: dict[tuple[str, int, Series], int] = {}

    def next(self, agency_id: str, year: int, series: Series = Series.NORMAL) -> int:
        key = (agency_id, year, series)
        value = self._last.get(key, 0) + 1
        self._last[key] = value
        return value

    def advance(self, agency_id: str, year: int, series: Series, count: int) -> int:
        """Take ``count`` numbers at once (the last one is returned): ``count`` calls of :meth:`next`."""
        key = (agency_id, year, series)
        value = self._last.get(key, 0) + count
        self._last[key] = value
        return value

    def snapshot(self) -> dict[str, int]:
        return {f"{a}|{y}|{s.value}": n for (a, y, s), n in sorted(self._last.items())}

    @classmethod
    def restore(cls, snapshot: dict[str, int]) -> DocumentNumberer:
        numberer = cls()
        for key, value in snapshot.items():
            agency, year, series = key.split("|")
            numberer._last[(agency, int(year), Series(series))] = value
        return numberer
