"""``docs/cli.md`` shows the current ``--help`` of every ``ocpp-toolkit`` subcommand, and
every ``ocpp-toolkit`` command line shown in a ```sh block of the docs or the README is one
the command accepts (it is parsed, not run: some start servers or 10,000 stations).

On Python 3.11 (the version CI runs) the page must equal what ``python -m tools.cli_docs``
writes; argparse lays help out slightly differently on later versions, so there every option
of every subcommand must at least appear on the page.
"""

import argparse
import shlex
import sys
from pathlib import Path

import pytest
from test_docs import fenced_blocks

from ocpp_trio.cli import build_parser
from tools import cli_docs

ROOT = Path(__file__).resolve().parents[1]


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for block in fenced_blocks(page.read_text(encoding="utf-8")):
            if block.language not in ("sh", "bash", "console"):
                continue
            for line in block.source.replace("\\\n", " ").splitlines():
                for part in line.split("&&"):
                    words = shlex.split(part, comments=True)
                    if words and words[0].endswith("ocpp-toolkit"):
                        found.append((f"{page.relative_to(ROOT)}", part.strip()))
    return found


COMMAND_LINES = _command_lines()


def test_docs_show_command_lines() -> None:
    assert len(COMMAND_LINES) >= 5


@pytest.mark.parametrize(("page", "line"), COMMAND_LINES)
def test_documented_command_line_parses(page: str, line: str) -> None:
    words = shlex.split(line, comments=True)
    build_parser().parse_args(words[1:])  # SystemExit (a failed test) when it is refused


def test_page_is_current() -> None:
    page = cli_docs.PAGE.read_text(encoding="utf-8")
    if sys.version_info[:2] == (3, 11):
        assert page == cli_docs.render(), "run: python -m tools.cli_docs"
        return
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        assert f"ocpp-toolkit {name} --help" in page
        for action in sub._actions:
            for option in action.option_strings:
                assert option in page, (name, option)
