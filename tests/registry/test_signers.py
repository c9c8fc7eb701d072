"""Simulated signers are stable across runs and never taken from the data of real office holders."""

from __future__ import annotations

import os
import subprocess
import sys

from docexchange.registry import AgencyKind, load_registry, simulated_name
from docexchange.registry.signers import default_signer


def test_the_same_identifier_always_gets_the_same_name() -> None:
    assert simulated_name("000.00.00.G22") == simulated_name("000.00.00.G22")


def test_names_do_not_depend_on_pythons_hash_seed() -> None:
    code = "from docexchange.registry import simulated_name; print(simulated_name('000.00.00.H38'))"
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout.strip())
    assert outputs == {simulated_name("000.00.00.H38")}


def test_names_have_family_middle_and_given_parts_and_vary() -> None:
    names = [a.signer.full_name for a in load_registry()]
    assert all(len(n.split()) == 3 for n in names)
    assert len(set(names)) > len(names) * 0.9


def test_default_signer_of_a_province_signs_for_the_committee() -> None:
    signer = default_signer("000.00.00.H38", AgencyKind.PROVINCE, "UBND")
    assert (signer.position, signer.competence) == ("Chủ tịch", "TM.")
    assert signer.full_name == simulated_name("000.00.00.H38")
