"""The agency model: what every other layer knows about an agency.

Loaded from the data files in ``agencies/`` by :mod:`docexchange.registry.loader`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class AgencyKind(StrEnum):
    MINISTRY = "ministry"
    MINISTRY_LEVEL_AGENCY = "ministry-level-agency"
    PROVINCE = "province"
    CENTRAL_CITY = "central-city"
    DEPARTMENT = "department"  # level-2 unit under a ministry (Vụ, Cục, …)
    DISTRICT = "district"  # level-2 unit under a province (UBND quận/huyện)


class Tier(StrEnum):
    """The groups the Government's targets are set for (DOMAIN.md §1)."""

    MINISTRY = "ministry"
    CENTRAL_CITY = "central-city"
    PROVINCE = "province"
    MOUNTAINOUS_REMOTE = "mountainous-remote"


@dataclass(frozen=True)
class Signer:
    """The competent person who signs for an agency (simulated; names are not real office holders)."""

    full_name: str
    position: str  # e.g. "Bộ trưởng", "Chủ tịch"
    competence: str = ""  # signing-authority prefix: TM., Q., KT., TL., TUQ. or empty


@dataclass(frozen=True)
class Agency:
    id: str  # QCVN 102 identifier, e.g. 000.00.00.G22
    name: str  # Vietnamese name with diacritics
    short_name: str  # notation abbreviation used in số/ký hiệu, e.g. VPCP, UBND
    kind: AgencyKind
    tier: Tier
    domain: str  # .gov.vn mail domain, e.g. chinhphu.gov.vn
    signer: Signer
    pilot: bool = False
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive last day
    parent: str | None = None  # level-2 units: the level-1 identifier
    generated: bool = False  # level-2 units generated from a count, not listed
    source: str = ""  # where the identifier comes from
    inferred: bool = False  # True when the identifier is deduced rather than published
    region: str | None = None  # e.g. "Trung du và miền núi phía Bắc", "Tây Nguyên"

    @property
    def mailbox(self) -> str:
        """The records office (văn thư) mailbox on the agency's domain."""
        return f"vanthu@{self.domain}"

    @property
    def level(self) -> int:
        return 1 if self.parent is None else 2

    def active_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)


@dataclass(frozen=True)
class Registry:
    """An immutable set of agencies with lookups by identifier and by mail domain."""

    agencies: tuple[Agency, ...]
    source: str = ""
    description: str = ""
    _by_id: dict[str, Agency] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_domain: dict[str, Agency] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for agency in self.agencies:
            self._by_id[agency.id] = agency
            self._by_domain.setdefault(agency.domain, agency)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id

    def get(self, agency_id: str) -> Agency:
        """The agency with this identifier; KeyError when unknown."""
        return self._by_id[agency_id]

    def find(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)

    def by_domain(self, domain: str) -> Agency | None:
        return self._by_domain.get(domain.lower())

    def active_on(self, day: date) -> list[Agency]:
        return [a for a in self.agencies if a.active_on(day)]

    def children(self, parent_id: str) -> list[Agency]:
        return [a for a in self.agencies if a.parent == parent_id]

    def filtered(self, keep: Iterable[str]) -> Registry:
        wanted = set(keep)
        return Registry(tuple(a for a in self.agencies if a.id in wanted), self.source, self.description)
