"""Every malformed registry file is refused, naming the file, the entry and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from docexchange.errors import ReasonCode, RegistryError
from docexchange.registry import Signer, load_registry

from .helpers import Raw, agency_line, ministry, province, write_registry


def _refused(path: Path) -> str:
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert caught.value.code is ReasonCode.INVALID_REGISTRY
    message = caught.value.message
    assert str(path) in message
    return message


def test_a_valid_small_file_loads(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), province(valid_from=Raw("2004-01-01"), level2_count=3))
    registry = load_registry(path)
    assert [a.id for a in registry] == ["000.00.00.G12", "000.00.00.H38"]
    assert len(load_registry(path, include_level2=True)) == 5
    assert registry.description == "test registry"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"id": "000.00.00.G1"}, "malformed identifier: '000.00.00.G1' has 12 characters"),
        ({"id": "G12"}, "malformed identifier"),
        ({"id": "000.00.00.g12"}, "malformed identifier"),
        ({"id": "000.00.05.G12"}, "is not level 1"),
        ({"kind": "ministy"}, "unknown kind 'ministy'"),
        ({"tier": "mountain"}, "unknown tier 'mountain'"),
        ({"kind": "province", "tier": "province"}, "kind 'province' does not fit letter G"),
        ({"tier": "province"}, "tier 'province' does not fit kind 'ministry'"),
        ({"valid_from": "2008-02-30"}, "bad date in 'valid_from'"),
        ({"valid_to": "31/07/2008"}, "bad date in 'valid_to'"),
        ({"valid_to": 2008}, "bad date in 'valid_to'"),
        ({"valid_from": Raw("2008-08-01T00:00:00")}, "has a time of day"),
        ({"valid_from": Raw("2008-08-01"), "valid_to": Raw("2008-07-31")}, "valid_to before valid_from"),
        ({"domain": None}, "missing field 'domain'"),
        ({"id": None}, "missing field 'id'"),
        ({"source": None}, "missing field 'source'"),
        ({"valid_until": Raw("2008-07-31")}, "unknown key 'valid_until'"),
        ({"domain": "mof.gov.com"}, "bad domain 'mof.gov.com'"),
        ({"domain": "MOF.gov.vn"}, "bad domain"),
        ({"name": ""}, "field 'name' is empty"),
        ({"name": 12}, "field 'name' must be a string"),
        ({"pilot": "yes"}, "field 'pilot' must be true or false"),
        ({"level2_count": 100}, "field 'level2_count' must be an integer from 0 to 99"),
        ({"level2_count": -1}, "level2_count"),
        ({"signer": Raw('{ full_name = "Trần Văn A" }')}, "missing field 'position' in signer"),
        ({"signer": Raw('{ full_name = "A", position = "B", seal = "x" }')}, "unknown key 'seal' in signer"),
        ({"signer": Raw('{ full_name = "A", position = "B", competence = "XX." }')}, "competence 'XX.'"),
        ({"absorbed": ["000.00.00.H6"]}, "malformed identifier in 'absorbed'"),
        ({"absorbed": ["000.00.00.G05", "000.00.00.G05"]}, "lists an identifier twice"),
        ({"absorbed": ["000.00.00.G12"]}, "cannot absorb itself"),
    ],
)
def test_refuses_a_bad_entry_naming_it(tmp_path: Path, overrides: dict[str, Any], reason: str) -> None:
    path = write_registry(tmp_path, province(), ministry(**overrides))
    message = _refused(path)
    assert reason in message
    assert "entry 2 (" in message
    assert f"line {agency_line(path, 2)})" in message


def test_the_message_names_the_entry_identifier(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(kind="agency"))
    message = _refused(path)
    assert message.startswith(f"{path}: entry 1 (000.00.00.G12, line {agency_line(path, 1)}): unknown kind")


def test_refuses_a_duplicate_identifier(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), province(), ministry(domain="other.gov.vn"))
    message = _refused(path)
    assert (
        f"entry 3 (000.00.00.G12, line {agency_line(path, 3)}): duplicate identifier 000.00.00.G12" in message
    )
    assert f"first at entry 1, line {agency_line(path, 1)}" in message


def test_refuses_a_duplicate_domain(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), ministry(id="000.00.00.G05"))
    assert "duplicate domain mof.gov.vn" in _refused(path)


def test_refuses_a_unit_absorbed_twice(tmp_path: Path) -> None:
    path = write_registry(
        tmp_path,
        ministry(absorbed=["000.00.00.G05"]),
        ministry(id="000.00.00.G06", domain="most.gov.vn", absorbed=["000.00.00.G05"]),
    )
    assert "000.00.00.G05 is already absorbed by 000.00.00.G12" in _refused(path)


def test_refuses_a_toml_syntax_error_with_its_line(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(name=Raw('"Bộ Tài chính')))
    message = _refused(path)
    assert "TOML syntax error" in message
    assert "line " in message


def test_refuses_an_unknown_top_level_key(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), header='[registry]\ndescription = "x"\n[agencies]\n')
    assert "unknown key 'agencies' at top level" in _refused(path)


def test_refuses_an_unknown_header_key(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), header='[registry]\ndescription = "x"\nsource = "y"\n')
    assert "[registry]: unknown key 'source'" in _refused(path)


def test_refuses_a_header_without_description(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), header='[registry]\nsources = ["y"]\n')
    assert "missing field 'description' in [registry]" in _refused(path)


def test_refuses_a_file_without_header(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(), header="")
    assert "missing field 'registry'" in _refused(path)


def test_refuses_a_file_without_agencies(tmp_path: Path) -> None:
    path = write_registry(tmp_path)
    assert "no agencies" in _refused(path)


def test_refuses_a_missing_file(tmp_path: Path) -> None:
    assert "cannot read registry file" in _refused(tmp_path / "absent.toml")


def test_line_is_found_by_identifier_when_tables_are_inline(tmp_path: Path) -> None:
    path = tmp_path / "inline.toml"
    path.write_text(
        "agency = [\n"
        '  { id = "000.00.00.G12", name = "Bộ Tài chính", short_name = "BTC", kind = "ministry",'
        ' tier = "ministry", domain = "mof.gov.vn", source = "t" },\n'
        '  { id = "000.00.00.G05", name = "Bộ X", short_name = "BX", kind = "minister",'
        ' tier = "ministry", domain = "mpi.gov.vn", source = "t" },\n]\n\n[registry]\ndescription = "x"\n',
        encoding="utf-8",
    )
    assert "entry 2 (000.00.00.G05, line 3): unknown kind 'minister'" in _refused(path)


def test_explicit_signer_is_used(tmp_path: Path) -> None:
    signer = Raw('{ full_name = "Trần Văn Mô Phỏng", position = "Quyền Bộ trưởng", competence = "Q." }')
    registry = load_registry(write_registry(tmp_path, ministry(signer=signer)))
    assert registry.get("000.00.00.G12").signer == Signer("Trần Văn Mô Phỏng", "Quyền Bộ trưởng", "Q.")


def test_dates_may_be_toml_dates_or_iso_strings(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(valid_from=Raw("2007-07-31"), valid_to="2025-02-28"))
    agency = load_registry(path).get("000.00.00.G12")
    assert (agency.valid_from is not None, str(agency.valid_to)) == (True, "2025-02-28")


def test_names_are_normalised_to_nfc(tmp_path: Path) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Bộ Tài chính")
    agency = load_registry(write_registry(tmp_path, ministry(name=decomposed))).get("000.00.00.G12")
    assert agency.name == "Bộ Tài chính"
