"""The ``ocpp-toolkit`` simulator subcommands: ``csms``, ``station`` and ``load``.

``add_commands(subparsers)`` registers them on the CLI's subparsers; each parser's ``func``
(``args -> exit status``) runs the command under trio until interrupted or done. Each
subcommand lives in its own module (``cli_csms``, ``cli_station``, ``cli_load``); this one
holds what they share: the message-log options and the unwrapping of exception groups.
"""

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from .log import MessageLog

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 9000


@contextlib.contextmanager
def open_log(args: argparse.Namespace) -> Iterator[MessageLog]:
    """The message log the arguments ask for (human on stdout unless ``--quiet``)."""
    human: TextIO | None = None if args.quiet else sys.stdout
    if args.jsonl is None:
        yield MessageLog(human)
    elif args.jsonl == "-":
        yield MessageLog(None if human is sys.stdout else human, sys.stdout)
    else:
        with open(args.jsonl, "a", encoding="utf-8") as out:
            yield MessageLog(human, out)


def leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]
    return [exc]


def add_log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jsonl", metavar="FILE",
                        help="also write every message as a JSON line to FILE ('-': stdout, "
                             "replacing the human-readable log)")
    parser.add_argument("--quiet", action="store_true", help="no human-readable message log")


def add_commands(subparsers: Any) -> None:
    """Register the simulator subcommands on ``subparsers`` (from ``add_subparsers()``)."""
    from . import cli_csms, cli_load, cli_station  # noqa: PLC0415

    cli_csms.add_command(subparsers)
    cli_station.add_command(subparsers)
    cli_load.add_command(subparsers)
