"""The benchmark runner: module discovery, timing, text tables and JSON results.

A benchmark module ``benchmarks/bench_<name>.py`` defines ``benchmarks() -> list[Bench]``. Each
:class:`Bench` is one cell of a table: ``table`` names the table, ``row`` the row (e.g. a
payload), ``column`` the implementation (e.g. ``"ocpp-toolkit"``, ``"ocpp (PyPI)"``,
``"floor"``) and ``fn`` the zero-argument callable timed. ``fn=None`` declares a column that
cannot run here (an optional package is missing): the cell prints ``n/a``.

Timing (all with :func:`time.perf_counter_ns`, garbage collector enabled):

1. per row, each column is warmed up (at least ``warmup_s`` seconds and ``warmup_calls``
   calls), which also estimates its cost and fixes the calls per batch so that one batch
   lasts about ``batch_s``;
2. then ``batches`` batches are timed per column, interleaved: batch 1 of every column, batch 2
   of every column, ... (the column order rotates each round), so that drifts of the machine
   hit all columns of a row alike;
3. a cell's value is the median over its batches of the batch time per call, in µs.

Tables print one row per ``row`` and one column per ``column`` in order of first appearance;
the first column is the reference. For every other column a ratio column follows: the other
column's time over the reference's (``ocpp/ours = 14.2x``: ours is 14.2 times faster), or, for
a *floor* column (a lower bound of the work; by default a column whose name starts with
``floor``), the reference's time over the floor's (``ours/floor = 1.7x``).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import importlib.metadata
import json
import math
import os
import pkgutil
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

__all__ = [
    "FULL", "QUICK", "Bench", "Cell", "Settings", "Table", "available", "format_table", "load",
    "main", "run_table", "tables_of",
]

_PREFIX = "bench_"
_REFERENCE = "ocpp-toolkit"
# Distributions whose versions are printed (and saved) when installed.
_PACKAGES = (
    "ocpp", "jsonschema", "orjson", "fastjsonschema", "attrs", "cattrs", "h11", "wsproto",
    "trio", "lxml", "zeep",
)


@attrs.frozen
class Bench:
    """One cell of a benchmark table.

    ``inner`` is the number of operations one call of ``fn`` performs (the time per call is
    divided by it), for callables that batch work themselves, e.g. many messages per event
    loop run. ``floor`` marks a lower-bound column (ratio printed as reference/floor); by
    default a column whose name starts with ``floor``. ``label`` is the column's short name in
    ratio headers; by default ``ours`` for ``ocpp-toolkit`` and the column name without a
    trailing ``(PyPI)`` otherwise. In a table, the first ``floor``/``label`` given for a column
    wins.
    """

    table: str
    row: str
    column: str
    fn: Callable[[], object] | None
    inner: int = attrs.field(default=1, kw_only=True)
    floor: bool | None = attrs.field(default=None, kw_only=True)
    label: str | None = attrs.field(default=None, kw_only=True)

    @inner.validator
    def _check_inner(self, _: attrs.Attribute[int], value: int) -> None:
        if value < 1:
            raise ValueError(f"inner must be >= 1, not {value}")


@attrs.frozen
class Settings:
    """How long to measure each cell."""

    name: str
    warmup_s: float
    warmup_calls: int
    batch_s: float
    batches: int


FULL = Settings("full", warmup_s=0.2, warmup_calls=20, batch_s=0.002, batches=101)
QUICK = Settings("quick", warmup_s=0.0, warmup_calls=2, batch_s=0.001, batches=3)


@attrs.frozen
class Cell:
    """The measurement of one cell: per-call times of each batch, in nanoseconds."""

    row: str
    column: str
    status: Literal["ok", "n/a", "error"]
    per_call_ns: tuple[float, ...] = ()
    number: int = 0
    inner: int = 1
    error: str | None = None

    @property
    def median_us(self) -> float | None:
        if self.status != "ok" or not self.per_call_ns:
            return None
        return statistics.median(self.per_call_ns) / 1000.0

    @property
    def spread(self) -> float | None:
        """Interquartile range over median of the batches (0.05 = 5 %)."""
        if self.status != "ok" or len(self.per_call_ns) < 2:
            return None
        q1, _, q3 = statistics.quantiles(self.per_call_ns, n=4, method="inclusive")
        return (q3 - q1) / statistics.median(self.per_call_ns)

    def to_json(self) -> dict[str, Any]:
        us = [round(ns / 1000.0, 4) for ns in self.per_call_ns]
        return {
            "row": self.row,
            "column": self.column,
            "status": self.status,
            "median_us": None if self.median_us is None else round(self.median_us, 4),
            "min_us": min(us) if us else None,
            "max_us": max(us) if us else None,
            "spread": None if self.spread is None else round(self.spread, 4),
            "batch_us": us,
            "calls_per_batch": self.number,
            "inner": self.inner,
            "error": self.error,
        }


@attrs.define
class Table:
    """The cells of one table, in order of first appearance, and their measurements."""

    title: str
    rows: list[str] = attrs.field(factory=list)
    columns: list[str] = attrs.field(factory=list)
    benches: dict[tuple[str, str], Bench] = attrs.field(factory=dict)
    labels: dict[str, str] = attrs.field(factory=dict)
    floors: dict[str, bool] = attrs.field(factory=dict)
    cells: dict[tuple[str, str], Cell] = attrs.field(factory=dict)

    def add(self, bench: Bench) -> None:
        if bench.row not in self.rows:
            self.rows.append(bench.row)
        if bench.column not in self.columns:
            self.columns.append(bench.column)
        key = (bench.row, bench.column)
        if key in self.benches:
            raise ValueError(f"table {self.title!r}: two benchmarks for {key}")
        self.benches[key] = bench
        if bench.label is not None:
            self.labels.setdefault(bench.column, bench.label)
        if bench.floor is not None:
            self.floors.setdefault(bench.column, bench.floor)

    def label(self, column: str) -> str:
        if column in self.labels:
            return self.labels[column]
        if column == _REFERENCE:
            return "ours"
        return column.removesuffix("(PyPI)").strip()

    def is_floor(self, column: str) -> bool:
        return self.floors.get(column, column.lower().startswith("floor"))

    def ratios(self) -> list[tuple[str, str]]:
        """``(column, header)`` of each ratio column."""
        if not self.columns:
            return []
        first = self.columns[0]
        out = []
        for column in self.columns[1:]:
            if self.is_floor(column):
                out.append((column, f"{self.label(first)}/{self.label(column)}"))
            else:
                out.append((column, f"{self.label(column)}/{self.label(first)}"))
        return out

    def ratio(self, row: str, column: str) -> float | None:
        """The ratio of ``column`` (see :meth:`ratios`) in ``row``; ``None`` if not measured."""
        ours = self.cells.get((row, self.columns[0]))
        other = self.cells.get((row, column))
        a = None if ours is None else ours.median_us
        b = None if other is None else other.median_us
        if a is None or b is None or a <= 0 or b <= 0:
            return None
        return a / b if self.is_floor(column) else b / a

    def failed(self) -> bool:
        return any(cell.status == "error" for cell in self.cells.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": self.rows,
            "columns": self.columns,
            "cells": [cell.to_json() for cell in self.cells.values()],
            "ratios": [
                {"row": row, "column": column, "header": header, "value": _round(
                    self.ratio(row, column))}
                for row in self.rows for column, header in self.ratios()
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def tables_of(benches: Iterable[Bench]) -> list[Table]:
    """Group benchmarks into tables, in order of first appearance."""
    tables: dict[str, Table] = {}
    for bench in benches:
        if not isinstance(bench, Bench):
            raise TypeError(f"benchmarks() must return Bench objects, got {bench!r}")
        tables.setdefault(bench.table, Table(bench.table)).add(bench)
    return list(tables.values())


# --- timing -------------------------------------------------------------------------------


def _warm_up(fn: Callable[[], object], settings: Settings) -> float:
    """Run ``fn`` for the warm-up; return the estimated nanoseconds per call."""
    clock = time.perf_counter_ns
    deadline_ns = settings.warmup_s * 1e9
    calls = 0
    start = clock()
    while True:
        fn()
        calls += 1
        elapsed = clock() - start
        if calls >= settings.warmup_calls and elapsed >= deadline_ns:
            return max(elapsed / calls, 1.0)


def _batch(fn: Callable[[], object], number: int) -> int:
    """Nanoseconds taken by ``number`` calls of ``fn``."""
    calls = range(number)
    start = time.perf_counter_ns()
    for _ in calls:
        fn()
    return time.perf_counter_ns() - start


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def run_table(
    table: Table, settings: Settings, progress: Callable[[str], None] | None = None
) -> None:
    """Measure every cell of ``table`` (see the module docstring), filling ``table.cells``."""
    for row in table.rows:
        if progress is not None:
            progress(f"{table.title}: {row}")
        gc.collect()
        live: list[tuple[str, Callable[[], object], int, int]] = []
        for column in table.columns:
            bench = table.benches.get((row, column))
            if bench is None or bench.fn is None:
                table.cells[(row, column)] = Cell(row, column, "n/a")
                continue
            try:
                estimate = _warm_up(bench.fn, settings)
            except Exception as exc:
                table.cells[(row, column)] = Cell(row, column, "error", error=_describe(exc))
                traceback.print_exc()
                continue
            number = max(1, math.ceil(settings.batch_s * 1e9 / estimate))
            live.append((column, bench.fn, number, bench.inner))
        samples: dict[str, list[float]] = {column: [] for column, *_ in live}
        failed: dict[str, str] = {}
        for i in range(settings.batches):
            shift = i % len(live) if live else 0
            for column, fn, number, inner in live[shift:] + live[:shift]:
                if column in failed:
                    continue
                try:
                    ns = _batch(fn, number)
                except Exception as exc:
                    failed[column] = _describe(exc)
                    traceback.print_exc()
                    continue
                samples[column].append(ns / (number * inner))
        for column, _, number, inner in live:
            if column in failed:
                cell = Cell(row, column, "error", number=number, inner=inner,
                            error=failed[column])
            else:
                cell = Cell(row, column, "ok", tuple(samples[column]), number, inner)
            table.cells[(row, column)] = cell
    # Keep the cells in table order (row by row, column by column) for printing and JSON.
    table.cells = {
        (row, column): table.cells[(row, column)]
        for row in table.rows for column in table.columns
    }


# --- output ---------------------------------------------------------------------------------


def _fmt_us(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _fmt_ratio(value: float) -> str:
    return f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


def format_table(table: Table, settings: Settings) -> str:
    """The aligned text of a measured table."""
    ratio_columns = table.ratios()
    header = ["", *(f"{c} µs" for c in table.columns), *(h for _, h in ratio_columns)]
    lines: list[list[str]] = []
    for row in table.rows:
        line = [row]
        for column in table.columns:
            cell = table.cells.get((row, column))
            if cell is None or cell.status == "n/a":
                line.append("n/a")
            elif cell.status == "error" or cell.median_us is None:
                line.append("error")
            else:
                line.append(_fmt_us(cell.median_us))
        for column, _ in ratio_columns:
            value = table.ratio(row, column)
            line.append("n/a" if value is None else _fmt_ratio(value))
        lines.append(line)
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    title = (
        f"{table.title} (median µs per call over {settings.batches} batches of "
        f"~{settings.batch_s * 1000:g} ms)"
    )
    out = [title, render(header), render(["-" * w for w in widths])]
    out.extend(render(line) for line in lines)
    spreads = [
        (cell.spread, cell) for cell in table.cells.values() if cell.spread is not None
    ]
    if spreads:
        worst, cell = max(spreads, key=lambda item: item[0])
        out.append(
            f"(largest spread, interquartile range / median: {worst:.1%}, "
            f"{cell.row} / {cell.column})"
        )
    for cell in table.cells.values():
        if cell.status == "error":
            out.append(f"error in {cell.row} / {cell.column}: {cell.error}")
    return "\n".join(out)


def _versions() -> dict[str, str]:
    found = {}
    for name in _PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def _machine() -> dict[str, Any]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpus": os.cpu_count(),
        "packages": _versions(),
    }


# --- command line ---------------------------------------------------------------------------


def available() -> list[str]:
    """Names of the benchmark modules (``bench_<name>.py`` next to this file)."""
    here = str(Path(__file__).resolve().parent)
    return sorted(
        m.name.removeprefix(_PREFIX)
        for m in pkgutil.iter_modules([here])
        if m.name.startswith(_PREFIX)
    )


def load(name: str) -> list[Bench]:
    """Import ``bench_<name>`` and return its benchmarks."""
    package = __package__ or "benchmarks"
    module = importlib.import_module(f"{package}.{_PREFIX}{name}")
    factory = getattr(module, "benchmarks", None)
    if not callable(factory):
        raise TypeError(f"{module.__name__} has no benchmarks() function")
    benches: list[Bench] = list(factory())
    return benches


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmark modules (benchmarks/bench_*.py) and print their tables.",
    )
    parser.add_argument(
        "modules", nargs="*", metavar="module",
        help="run only these modules (the name after bench_, e.g. model); default: all",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="a short, noisy run (a smoke test: checks that everything runs)",
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also save the results here")
    parser.add_argument("--list", action="store_true", help="list the modules and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (1 if a module or a cell failed)."""
    parser = _parser()
    args = parser.parse_args(argv)
    names = available()
    if args.list:
        print("\n".join(names))
        return 0
    wanted = [m.removeprefix(_PREFIX) for m in args.modules] or names
    unknown = [m for m in wanted if m not in names]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; available: {', '.join(names)}")
    settings = QUICK if args.quick else FULL
    machine = _machine()
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    print(
        f"{machine['python']} on {machine['platform']} ({machine['cpus']} CPUs); "
        f"{settings.name} run"
    )
    print(f"packages: {packages}\n", flush=True)
    progress = (lambda text: print(f"  ... {text}", file=sys.stderr, flush=True)) if (
        sys.stderr.isatty()
    ) else None
    failed = False
    results: list[dict[str, Any]] = []
    for name in wanted:
        try:
            tables = tables_of(load(name))
        except Exception:
            traceback.print_exc()
            print(f"benchmarks: module {name} failed to load", file=sys.stderr)
            failed = True
            continue
        for table in tables:
            run_table(table, settings, progress)
            print(format_table(table, settings), end="\n\n", flush=True)
            failed = failed or table.failed()
            results.append({"module": name, **table.to_json()})
    if args.json is not None:
        document = {
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "settings": attrs.asdict(settings),
            "machine": machine,
            "tables": results,
        }
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 1 if failed else 0
