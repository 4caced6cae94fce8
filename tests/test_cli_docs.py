"""``docs/cli.md`` shows the current ``--help`` of every ``ocpp-toolkit`` subcommand.

On Python 3.11 (the version CI runs) the page must equal what ``python -m tools.cli_docs``
writes; argparse lays help out slightly differently on later versions, so there every option
of every subcommand must at least appear on the page.
"""

import argparse
import sys

from ocpp_trio.cli import build_parser
from tools import cli_docs


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
