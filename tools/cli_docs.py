"""Write ``docs/cli.md``: the ``--help`` of ``ocpp-toolkit`` and of each subcommand.

``python -m tools.cli_docs`` rewrites the page; ``--check`` exits 1 if it is out of date
(``tests/test_cli_docs.py`` runs the check, so the page always matches the installed CLI).
Help is rendered 100 columns wide so the page does not depend on the terminal.
"""

import argparse
import os
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

COMMANDS = (
    ("demo", "the embedded CSMS and a simulated station run a full charging session on 1.6-J, "
             "2.0.1-J, 1.5-S and 1.6-S", "the README's first command"),
    ("csms", "a CSMS simulator: OCPP-J and OCPP-S stations of every version on one port, "
             "scenario files, HTTP control API", "[Simulators](simulators.md)"),
    ("station", "one or many simulated stations against a CSMS: any version and transport, "
                "built-in scenarios and scenario files", "[Simulators](simulators.md)"),
    ("load", "thousands of stations: ramp-up, live progress, latency percentiles per action, "
             "errors by code, chart", "[Load-testing tutorial](tutorials/load-testing.md)"),
)

INTRO = "\n".join([
    "# Command line: `ocpp-toolkit`",
    "",
    "`pip install ocpp-toolkit` installs the `ocpp-toolkit` command. Its subcommands:",
    "",
    "| subcommand | what it does | more |",
    "|---|---|---|",
    *(f"| `{name}` | {what} | {more} |" for name, what, more in COMMANDS),
    "",
    "Below is each command's `--help`, generated from the parser by `python -m tools.cli_docs`",
    "(a test fails when this page and the command disagree).",
    "",
])


def render() -> str:
    os.environ["COLUMNS"] = "100"
    from ocpp_trio.cli import build_parser  # noqa: PLC0415 (after COLUMNS is set)

    parser = build_parser()
    parts = [INTRO, "## `ocpp-toolkit --help`\n", "```text", parser.format_help().rstrip(), "```\n"]
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        parts += [f"## `ocpp-toolkit {name} --help`\n", "```text", sub.format_help().rstrip(),
                  "```\n"]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(prog="python -m tools.cli_docs")
    args.add_argument("--check", action="store_true", help="fail if docs/cli.md is stale")
    check = args.parse_args(argv).check
    text = render()
    if check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run python -m tools.cli_docs", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
