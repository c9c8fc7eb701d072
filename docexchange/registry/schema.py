"""The registry file format: which keys exist, what each must hold, and how entries become agencies.

A file is a ``[registry]`` header table and an ``[[agency]]`` array of tables; the keys are listed
in ``agencies/README.md``. Every check raises :class:`EntryProblem` with the reason only; the
loader adds the file, entry and line. Unknown keys are refused so that a typo (``valid_until``)
cannot silently drop a fact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from docexchange.registry.identifiers import level_of, validate_identifier
from docexchange.registry.model import Agency, AgencyKind, Signer, Tier
from docexchange.registry.signers import default_signer


class EntryProblem(ValueError):
    """Why one table of a registry file is refused (without the location; the loader adds it)."""


HEADER_KEYS = frozenset(
    {"description", "sources", "identifier_rule", "tier_rule", "domain_rule", "level2_rule", "notes"}
)
REQUIRED_KEYS = ("id", "name", "short_name", "kind", "tier", "domain", "source")
OPTIONAL_KEYS = (
    "pilot", "valid_from", "valid_to", "inferred", "domain_inferred", "region",
    "level2_count", "signer", "absorbed", "note",
)  # fmt: skip
ENTRY_KEYS = frozenset(REQUIRED_KEYS + OPTIONAL_KEYS)
SIGNER_KEYS = frozenset({"full_name", "position", "competence"})
COMPETENCES = ("", "TM.", "Q.", "KT.", "TL.", "TUQ.")
MAX_LEVEL2_COUNT = 99  # the level-2 group has two digits

# Which kinds a level-1 letter admits, and which tiers each level-1 kind admits.
_LETTER_KINDS = {
    "G": (AgencyKind.MINISTRY, AgencyKind.MINISTRY_LEVEL_AGENCY),
    "H": (AgencyKind.PROVINCE, AgencyKind.CENTRAL_CITY),
}
_KIND_TIERS = {
    AgencyKind.MINISTRY: (Tier.MINISTRY,),
    AgencyKind.MINISTRY_LEVEL_AGENCY: (Tier.MINISTRY,),
    AgencyKind.CENTRAL_CITY: (Tier.CENTRAL_CITY,),
    AgencyKind.PROVINCE: (Tier.PROVINCE, Tier.MOUNTAINOUS_REMOTE),
}
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+gov\.vn$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_E = TypeVar("_E", AgencyKind, Tier)


@dataclass(frozen=True)
class RegistryHeader:
    """The ``[registry]`` table: what the file describes and the rules behind its inferred data."""

    description: str
    sources: tuple[str, ...] = ()
    identifier_rule: str = ""
    tier_rule: str = ""
    domain_rule: str = ""
    level2_rule: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistryEntry:
    """One ``[[agency]]`` table: the agency plus the facts that only the data file needs."""

    agency: Agency
    index: int  # 1-based position among the file's [[agency]] tables
    line: int | None = None  # line of the table's header in the file, when found
    level2_count: int = 0  # how many level-2 units to generate under it
    domain_inferred: bool = False  # the mail domain follows the naming rule, not a known site
    absorbed: tuple[str, ...] = ()  # identifiers of the units it absorbed (and that were retired)
    note: str = ""


def parse_header(table: object) -> RegistryHeader:
    if not isinstance(table, dict):
        raise EntryProblem("[registry] must be a table")
    _refuse_unknown(table, HEADER_KEYS, "[registry]")
    if "description" not in table:
        raise EntryProblem("missing field 'description' in [registry]")
    return RegistryHeader(
        description=_text(table, "description"),
        sources=_texts(table, "sources"),
        identifier_rule=_text(table, "identifier_rule", required=False),
        tier_rule=_text(table, "tier_rule", required=False),
        domain_rule=_text(table, "domain_rule", required=False),
        level2_rule=_text(table, "level2_rule", required=False),
        notes=_texts(table, "notes"),
    )


def parse_entry(table: object, index: int, line: int | None) -> RegistryEntry:
    """Check one ``[[agency]]`` table and build its entry; EntryProblem says what is wrong."""
    if not isinstance(table, dict):
        raise EntryProblem("an [[agency]] entry must be a table")
    _refuse_unknown(table, ENTRY_KEYS, "agency entry")
    for key in REQUIRED_KEYS:
        if key not in table:
            raise EntryProblem(f"missing field '{key}'")

    agency_id = _text(table, "id")
    try:
        validate_identifier(agency_id)
    except ValueError as exc:
        raise EntryProblem(f"malformed identifier: {exc}") from None
    if level_of(agency_id) != 1:
        raise EntryProblem(
            f"identifier {agency_id} is not level 1 (000.00.00.X99); level-2 units are generated "
            "from level2_count, not listed"
        )
    kind = _enum(table, "kind", AgencyKind)
    tier = _enum(table, "tier", Tier)
    _check_kind(agency_id, kind, tier)
    valid_from = _date(table, "valid_from")
    valid_to = _date(table, "valid_to")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise EntryProblem(f"valid_to before valid_from ({valid_to} < {valid_from})")
    short_name = _text(table, "short_name")
    region = _text(table, "region", required=False) or None
    signer = _signer(table.get("signer")) or default_signer(agency_id, kind, short_name)

    agency = Agency(
        id=agency_id,
        name=_text(table, "name"),
        short_name=short_name,
        kind=kind,
        tier=tier,
        domain=_domain(table),
        signer=signer,
        pilot=_flag(table, "pilot"),
        valid_from=valid_from,
        valid_to=valid_to,
        source=_text(table, "source"),
        inferred=_flag(table, "inferred"),
        region=region,
    )
    return RegistryEntry(
        agency=agency,
        index=index,
        line=line,
        level2_count=_count(table),
        domain_inferred=_flag(table, "domain_inferred"),
        absorbed=_absorbed(table),
        note=_text(table, "note", required=False),
    )


def _refuse_unknown(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise EntryProblem(f"unknown key {unknown[0]!r} in {where} (allowed: {', '.join(sorted(allowed))})")


def _text(table: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = table.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise EntryProblem(f"field '{key}' must be a string, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise EntryProblem(f"field '{key}' is empty")
    return text


def _texts(table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryProblem(f"field '{key}' must be a string or a list of strings")
    return tuple(unicodedata.normalize("NFC", v).strip() for v in value)


def _flag(table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise EntryProblem(f"field '{key}' must be true or false, not {value!r}")
    return value


def _enum(table: dict[str, Any], key: str, enum: type[_E]) -> _E:
    value = table[key]
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise EntryProblem(f"unknown {key} {value!r} (expected one of: {allowed})") from None


def _check_kind(agency_id: str, kind: AgencyKind, tier: Tier) -> None:
    letter = agency_id[-3]
    kinds = _LETTER_KINDS.get(letter)
    if kinds is None:
        raise EntryProblem(f"level-1 letter {letter} is not modelled (G ministries, H provinces)")
    if kind not in kinds:
        expected = " or ".join(k.value for k in kinds)
        raise EntryProblem(f"kind {kind.value!r} does not fit letter {letter} (expected {expected})")
    tiers = _KIND_TIERS[kind]
    if tier not in tiers:
        raise EntryProblem(
            f"tier {tier.value!r} does not fit kind {kind.value!r} "
            f"(expected {' or '.join(t.value for t in tiers)})"
        )


def _date(table: dict[str, Any], key: str) -> date | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        raise EntryProblem(f"bad date in '{key}': {value.isoformat()} has a time of day; give a date")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise EntryProblem(f"bad date in '{key}': {value!r} ({exc})") from None
    raise EntryProblem(f"bad date in '{key}': {value!r} is not a date (YYYY-MM-DD)")


def _domain(table: dict[str, Any]) -> str:
    domain = _text(table, "domain")
    if not _DOMAIN.match(domain):
        raise EntryProblem(f"bad domain {domain!r}: expected lower-case ASCII labels ending in .gov.vn")
    return domain


def _count(table: dict[str, Any]) -> int:
    value = table.get("level2_count", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEVEL2_COUNT:
        raise EntryProblem(
            f"field 'level2_count' must be an integer from 0 to {MAX_LEVEL2_COUNT}, not {value!r}"
        )
    return value


def _signer(value: object) -> Signer | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EntryProblem("field 'signer' must be a table { full_name = ..., position = ... }")
    _refuse_unknown(value, SIGNER_KEYS, "signer")
    for key in ("full_name", "position"):
        if key not in value:
            raise EntryProblem(f"missing field '{key}' in signer")
    competence = _text(value, "competence", required=False)
    if competence not in COMPETENCES:
        raise EntryProblem(
            f"signer competence {competence!r} is not one of {', '.join(COMPETENCES[1:])} or empty"
        )
    return Signer(
        full_name=_text(value, "full_name"), position=_text(value, "position"), competence=competence
    )


def _absorbed(table: dict[str, Any]) -> tuple[str, ...]:
    value = table.get("absorbed", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryProblem("field 'absorbed' must be a list of identifiers")
    for absorbed_id in value:
        try:
            validate_identifier(absorbed_id)
        except ValueError as exc:
            raise EntryProblem(f"malformed identifier in 'absorbed': {exc}") from None
    if len(set(value)) != len(value):
        raise EntryProblem("field 'absorbed' lists an identifier twice")
    return tuple(value)
