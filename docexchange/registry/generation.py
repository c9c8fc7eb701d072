"""Level-2 units generated from a count: departments under ministries, districts under provinces.

The data files do not list the hundreds of Vụ/Cục and district People's Committees; each level-1
entry gives ``level2_count`` and this module makes that many simulated units, numbered 01…NN in the
level-2 group of the identifier (``000.00.01.G12`` …). Their names say they are simulated
("Vụ số 05 thuộc Bộ Tài chính"), and they inherit tier, region and validity from their parent.
"""

from __future__ import annotations

from dataclasses import replace

from docexchange.registry.identifiers import child_identifier, level_of
from docexchange.registry.model import Agency, AgencyKind
from docexchange.registry.signers import default_signer

_PROVINCIAL = (AgencyKind.PROVINCE, AgencyKind.CENTRAL_CITY)
_PEOPLES_COMMITTEE = "Ủy ban nhân dân "


def generate_level2(parent: Agency, count: int) -> tuple[Agency, ...]:
    """``count`` simulated level-2 units under the level-1 agency ``parent``, in identifier order."""
    if level_of(parent.id) != 1:
        raise ValueError(f"{parent.id} is not a level-1 agency")
    if count < 0:
        raise ValueError(f"level-2 count must not be negative: {count}")
    return tuple(_unit(parent, number) for number in range(1, count + 1))


def _unit(parent: Agency, number: int) -> Agency:
    unit_id = child_identifier(parent.id, number)
    if parent.kind in _PROVINCIAL:
        kind = AgencyKind.DISTRICT
        # Centrally-run cities are divided into quận (urban districts), provinces into huyện.
        word = "quận" if parent.kind is AgencyKind.CENTRAL_CITY else "huyện"
        owner = parent.name.removeprefix(_PEOPLES_COMMITTEE)
        name = f"Ủy ban nhân dân {word} số {number:02d} thuộc {owner}"
        short_name = "UBND"
        label = f"{'quan' if word == 'quận' else 'huyen'}{number:02d}"
    else:
        kind = AgencyKind.DEPARTMENT
        name = f"Vụ số {number:02d} thuộc {parent.name}"
        short_name = f"V{number:02d}"
        label = f"vu{number:02d}"
    return replace(
        parent,
        id=unit_id,
        name=name,
        short_name=short_name,
        kind=kind,
        domain=f"{label}.{parent.domain}",
        signer=default_signer(unit_id, kind, short_name),
        pilot=False,
        parent=parent.id,
        generated=True,
        source=f"generated from level2_count of {parent.id} (simulated unit)",
        inferred=False,
    )
