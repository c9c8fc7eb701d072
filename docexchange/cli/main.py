"""Entry point for the ``docexchange`` console script and ``python -m docexchange``.

Each command module exposes ``register(subparsers)``; its handler returns an exit code.
Exit codes: 0 success, 1 a verdict against the input (e.g. an invalid signature),
2 an error in the arguments or files. Errors never surface as tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from docexchange.errors import DocexchangeError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


COMMANDS = (
    "agencies", "audit", "certs", "compare", "demo", "messages", "report", "route", "run", "sensitivity",
    "serve", "status", "sweep", "walk",
)  # fmt: skip
"""The modules of ``docexchange.cli`` that register subcommands (imported when the parser is built)."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="docexchange", description="Secure electronic document exchange simulator.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"docexchange.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except DocexchangeError as exc:
        print(f"docexchange: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``… | head``): nothing more to say to it
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush is quiet too
        return 1
    except OSError as exc:
        print(f"docexchange: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
