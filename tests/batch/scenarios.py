"""The small scenarios of the batch tests, and runs of them made the plain way (``docexchange run``
with ``--seed``), which the batch commands are checked against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docexchange.cli.main import main

HERE = Path(__file__).parent
SMALL = HERE / "scenarios" / "small-2008.toml"
"""plan-2008 cut to Nov–Dec 2008 at about 1/200 of its volume: a replication in about a second."""


def plain_run(tmp: Path, scenario: Path, seed: int, *extra: str) -> dict[str, Any]:
    """report.json of ``docexchange run SCENARIO --seed SEED`` (plan engine unless ``extra`` says)."""
    out = tmp / f"plain-{scenario.stem}-{seed}"
    engine = [] if "--engine" in extra else ["--engine", "plan"]
    code = main(["run", str(scenario), "--seed", str(seed), "--out", str(out), "--json", *engine, *extra])
    assert code == 0
    data: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return data


def measured(report: dict[str, Any]) -> dict[str, float]:
    return {t["name"]: t["measured"] for t in report["targets"]}


def edited(tmp: Path, old: str, new: str, name: str = "edited.toml") -> Path:
    """SMALL with ``old`` replaced by ``new`` everywhere (it must occur), its relative paths kept."""
    text = SMALL.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace("../../../", f"{SMALL.parents[3].as_posix()}/").replace(old, new)
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path
