"""Where a simulated day's time goes: cProfile of one ``docexchange run``, the nodes' receive work
run inline (the profiler sees only the thread it runs in).

Run: ``.venv/bin/python bench/profile_day.py [RUN ARGUMENTS …]``; default arguments:
``simulations/national-2025.toml --until 2025-07-01 --scale 0.3 --transport memory
--out build/bench/profile-day --json``. Prints the 40 most expensive functions (cumulative) and
writes the raw profile to ``build/bench/profile-day.prof``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import cProfile
import io
import pstats
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docexchange.node.agency as agency  # noqa: E402
from docexchange.cli.main import main as docexchange  # noqa: E402

DEFAULT = [
    "run", str(ROOT / "simulations" / "national-2025.toml"), "--until", "2025-07-01", "--scale", "0.3",
    "--transport", "memory", "--out", str(ROOT / "build" / "bench" / "profile-day"), "--json",
]  # fmt: skip


class InlineExecutor(concurrent.futures.Executor):
    """Runs each job at once in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def main() -> int:
    arguments = sys.argv[1:] or DEFAULT
    agency.ThreadPoolExecutor = lambda *a, **k: InlineExecutor()  # type: ignore[assignment,misc]
    profile = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        profile.enable()
        code = docexchange(arguments)
        profile.disable()
    out = ROOT / "build" / "bench" / "profile-day.prof"
    out.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(out)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    print(f"run exit code {code}; profile written to {out}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
