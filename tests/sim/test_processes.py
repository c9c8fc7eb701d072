"""``run --processes N``: the nodes in worker processes and the axis in one more give the report of a
single-process run byte for byte — with the axis killed (SIGKILL) and restarted during an outage,
and with every fault that the workers must ask the coordinator about — and a worker that dies ends
the run with its name, not a hang."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.clock import VIETNAM_TZ, SharedClock
from docexchange.errors import DocexchangeError
from docexchange.metrics import build_report
from docexchange.report import Report
from docexchange.sim.processes import ProcessCluster, WorkerError, shared_cell, spread
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import (
    CertificateRevoked,
    CertificateRole,
    DuplicateStorm,
    ForgedDocuments,
    MailOutage,
    ReceiptsLost,
    Scenario,
    TamperedDocuments,
    TransportChoice,
    Window,
)
from docexchange.sim.scenario_loader import load_scenario

FAULTS = Path(__file__).resolve().parents[2] / "simulations" / "faults.toml"
EDUCATION, JUSTICE = "000.00.00.G03", "000.00.00.G15"


def _run(runner: SimulationRunner) -> Report:
    async def go() -> Report:
        result = await runner.run()
        try:
            return build_report(result)
        finally:
            result.close()

    return asyncio.run(go())


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_worker_processes_give_the_same_report_with_the_axis_killed_and_restarted(tmp_path: Path) -> None:
    """1–3 July of faults.toml: Lào Cai down and cut off from the axis, then the axis out for 90
    minutes — in the process run, killed with SIGKILL and started again on its store."""
    scenario = load_scenario(FAULTS)
    until = date(2019, 7, 3)
    single = _run(SimulationRunner(scenario, tmp_path / "single", until=until, scale=0.15))
    runner = SimulationRunner(scenario, tmp_path / "processes", until=until, scale=0.15, processes=3)
    spread_run = _run(runner)

    assert spread_run.to_json() == single.to_json()
    outage = next(f for f in spread_run.faults if f.kind == "axis-outage")
    assert outage.retries > 0 and spread_run.reconciliation.reconciles
    cluster = runner.cluster
    assert isinstance(cluster, ProcessCluster)
    # the axis that served the first days was killed; another process took over its store
    assert len(cluster.axis_pids) == 2 and cluster.axis_pids[0] != cluster.axis_pids[1]
    assert cluster.killed == [cluster.axis_pids[0]] and _gone(cluster.axis_pids[0])
    # three node workers, every one of them stopped at the end
    assert len(cluster.nodes) == 3
    assert all(link.process.exitcode == 0 for link in cluster.nodes)
    for folder in ("single", "processes"):
        audited = audit(tmp_path / folder)
        assert audited.offenders == [] and audited.deliveries == single.totals.deliveries


def _at(hour: int) -> datetime:
    return datetime(2019, 7, 1, hour, tzinfo=VIETNAM_TZ)


def _one_day() -> Scenario:
    morning, afternoon = Window(_at(0), _at(12)), Window(_at(12), _at(0) + timedelta(days=1))
    faults = (
        TamperedDocuments(morning, count=3),
        ReceiptsLost(afternoon, rate=0.3),
        DuplicateStorm(Window(_at(0), afternoon.end), rate=0.3, copies=2),
        ForgedDocuments(afternoon, count=2, agency=EDUCATION),
        CertificateRevoked(JUSTICE, CertificateRole.PERSON, _at(8), notice=timedelta(hours=6)),
        MailOutage(Window(_at(14), _at(15))),
    )
    return dataclasses.replace(load_scenario(FAULTS), faults=faults)


def test_faults_decided_by_the_coordinator_hit_the_same_documents_from_worker_processes(
    tmp_path: Path,
) -> None:
    """Tampering, lost receipts, a duplicate storm, forgeries, a revocation learnt late and a mail outage on
    one day: the workers ask the coordinator what the wire does and what to re-send or forge."""
    scenario = _one_day()
    until = date(2019, 7, 1)
    single = _run(SimulationRunner(scenario, tmp_path / "single", until=until, scale=0.6))
    spread_run = _run(SimulationRunner(scenario, tmp_path / "processes", until=until, scale=0.6, processes=2))

    assert spread_run.to_json() == single.to_json()
    costs = {f.kind: f for f in spread_run.faults}
    assert costs["tampered"].affected >= 3
    assert 1 <= costs["forged"].refusals == costs["forged"].affected <= 2  # every forgery refused
    assert costs["duplicate-storm"].affected > 0 and spread_run.exchange.duplicates > 0
    assert costs["certificate-revoked"].refusals > 0
    refusals = {c.key for c in spread_run.exchange.refusals}
    assert {"digest-mismatch", "untrusted-chain", "cert-revoked"} <= refusals
    assert spread_run.reconciliation.reconciles


def test_a_worker_that_dies_ends_the_run_with_its_name(tmp_path: Path) -> None:
    scenario = load_scenario(FAULTS)
    runner = SimulationRunner(scenario, tmp_path, until=date(2019, 7, 2), scale=0.15, processes=2)

    def kill_on_the_second_day(day: date, count: int) -> None:
        if day == date(2019, 7, 2):
            assert isinstance(runner.cluster, ProcessCluster)
            victim = runner.cluster.nodes[1].process.pid
            assert victim is not None
            os.kill(victim, 9)

    runner.progress = kill_on_the_second_day
    with pytest.raises(WorkerError, match=r"worker process nodes-2 died \(exit code -9\)"):
        asyncio.run(runner.run())
    cluster = runner.cluster
    assert isinstance(cluster, ProcessCluster)
    # everything else was stopped, nothing left running
    assert cluster.axis is not None and not cluster.axis.process.is_alive()
    assert not any(link.process.is_alive() for link in cluster.nodes)


def test_a_worker_that_died_after_its_last_call_fails_the_run_when_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its nodes may have lost what they had not stored: the run does not end as if all were well."""

    async def die_instead_of_sweeping(self: SimulationRunner) -> None:
        assert isinstance(self.cluster, ProcessCluster)
        victim = self.cluster.nodes[0].process.pid
        assert victim is not None
        os.kill(victim, 9)

    monkeypatch.setattr(SimulationRunner, "_final_sweep", die_instead_of_sweeping)
    runner = SimulationRunner(load_scenario(FAULTS), tmp_path, until=date(2019, 7, 1), scale=0.1, processes=2)
    with pytest.raises(WorkerError, match=r"^worker process nodes-1 died \(exit code -9\)$"):
        asyncio.run(runner.run())
    cluster = runner.cluster
    assert isinstance(cluster, ProcessCluster)
    assert not any(link.process.is_alive() for link in [*cluster.nodes, cluster.axis] if link is not None)


def test_processes_need_the_loopback_transport(tmp_path: Path) -> None:
    memory = dataclasses.replace(load_scenario(FAULTS), transport=TransportChoice.MEMORY)
    with pytest.raises(DocexchangeError) as refused:
        SimulationRunner(memory, tmp_path, processes=2)
    assert refused.value.code.value == "invalid-argument"
    assert refused.value.message == (
        "--processes needs the loopback transport: the memory transport carries messages by calls "
        "inside one process"
    )
    with pytest.raises(DocexchangeError, match=r"--processes 0: must be 1 or more"):
        SimulationRunner(load_scenario(FAULTS), tmp_path, processes=0)


def test_agencies_are_dealt_over_the_processes_in_turn() -> None:
    ids = [f"a{i}" for i in range(7)]
    assert spread(ids, 3) == [("a0", "a3", "a6"), ("a1", "a4"), ("a2", "a5")]
    assert spread(ids, 50) == [(i,) for i in ids]  # at most one process per agency


def test_the_shared_clock_keeps_every_microsecond() -> None:
    at = datetime(2019, 7, 1, 9, 59, 59, 999_999, tzinfo=VIETNAM_TZ)
    cell = shared_cell()
    writer, reader = SharedClock(cell, at), SharedClock(cell)
    assert reader.now() == at and reader.now().utcoffset() == timedelta(hours=7)
    writer.advance(timedelta(microseconds=1))
    assert reader.now() == datetime(2019, 7, 1, 10, tzinfo=VIETNAM_TZ)
