"""Running a :class:`SimulationRunner` to the end in a test: its delivery results and report."""

from __future__ import annotations

import asyncio

from docexchange.metrics import DeliveryResult, build_report, collect
from docexchange.report import Report
from docexchange.sim.runner import SimulationRunner


def run_to_end(runner: SimulationRunner) -> tuple[list[DeliveryResult], Report]:
    """Run the protocol engine, read every delivery back from the stores, build the report."""

    async def go() -> tuple[list[DeliveryResult], Report]:
        result = await runner.run()
        try:
            results = collect(result)
            return results, build_report(result, results)
        finally:
            result.close()

    return asyncio.run(go())
