"""Smoke tests of the benchmark harness and the message-model benchmarks (``--quick`` runs)."""

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    "1.6 BootNotification",
    "1.6 MeterValues, 1 sampled value",
    "1.6 MeterValues, 10 sampled values",
    "1.6 StartTransaction",
    "2.0.1 TransactionEvent (Updated)",
]
TABLES = ["decode + validate + typed objects", "encode + validate"]
HAVE_OCPP = importlib.util.find_spec("ocpp") is not None


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def _table_lines(stdout: str, title: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _check_tables(stdout: str, doc: dict[str, Any], ocpp_expected: bool) -> None:
    for title in TABLES:
        lines = _table_lines(stdout, title)
        header = lines[1]
        for name in ("ocpp-toolkit µs", "ocpp (PyPI) µs", "floor µs", "ocpp/ours", "ours/floor"):
            assert name in header
        for row in ROWS:
            (line,) = [line for line in lines if line.startswith(row)]
            cells = line[len(row):].split()
            assert len(cells) == 5, line
            assert float(cells[0].replace(",", "")) > 0  # ocpp-toolkit
            assert float(cells[2].replace(",", "")) > 0  # floor
            assert cells[4].endswith("x")  # ours/floor
            if ocpp_expected:
                assert float(cells[1].replace(",", "")) > 0
                assert cells[3].endswith("x")
            else:
                assert cells[1] == "n/a"
                assert cells[3] == "n/a"
    assert [t["title"] for t in doc["tables"]] == TABLES
    for table in doc["tables"]:
        assert table["module"] == "model"
        assert table["rows"] == ROWS
        assert table["columns"] == ["ocpp-toolkit", "ocpp (PyPI)", "floor"]
        for cell in table["cells"]:
            if cell["column"] == "ocpp (PyPI)" and not ocpp_expected:
                assert cell["status"] == "n/a"
            else:
                assert cell["status"] == "ok", cell
                assert cell["median_us"] > 0


def test_quick_model_run_prints_both_tables(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    result = _run("--quick", "--json", str(out), "model")
    assert result.returncode == 0, result.stderr
    _check_tables(result.stdout, json.loads(out.read_text()), ocpp_expected=HAVE_OCPP)


def test_ocpp_columns_print_na_without_the_package(tmp_path: Path) -> None:
    # A package named ``ocpp`` that fails to import hides the installed one.
    fake = tmp_path / "ocpp"
    fake.mkdir()
    (fake / "__init__.py").write_text('raise ImportError("ocpp hidden by the test")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    out = tmp_path / "model.json"
    result = _run("--quick", "--json", str(out), "model", env=env)
    assert result.returncode == 0, result.stderr
    _check_tables(result.stdout, json.loads(out.read_text()), ocpp_expected=False)


def test_unknown_module_is_a_usage_error() -> None:
    result = _run("--quick", "no_such_module")
    assert result.returncode == 2
    assert "unknown module" in result.stderr
    assert "model" in result.stderr


def test_list_names_the_model_module() -> None:
    result = _run("--list")
    assert result.returncode == 0
    assert "model" in result.stdout.split()


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("benchmarks._harness")


def test_ratios_labels_na_and_errors(harness: Any) -> None:
    Bench = harness.Bench

    def boom() -> object:
        raise RuntimeError("broken")

    table = harness.tables_of([
        Bench("t", "a", "ocpp-toolkit", lambda: sum(range(50))),
        Bench("t", "a", "ocpp (PyPI)", lambda: sum(range(500))),
        Bench("t", "a", "floor", lambda: None),
        Bench("t", "b", "ocpp-toolkit", lambda: None),
        Bench("t", "b", "ocpp (PyPI)", None),
        Bench("t", "b", "floor", boom),
    ])[0]
    assert table.ratios() == [("ocpp (PyPI)", "ocpp/ours"), ("floor", "ours/floor")]
    harness.run_table(table, harness.QUICK)
    assert table.ratio("a", "ocpp (PyPI)") > 1  # the slower column over ours
    assert table.ratio("a", "floor") > 1  # ours over the faster floor
    assert table.cells[("b", "ocpp (PyPI)")].status == "n/a"
    assert table.cells[("b", "floor")].status == "error"
    assert "RuntimeError: broken" in (table.cells[("b", "floor")].error or "")
    assert table.failed()
    text = harness.format_table(table, harness.QUICK)
    (row_b,) = [line for line in text.splitlines() if line.startswith("b ")]
    assert row_b.split()[2:] == ["n/a", "error", "n/a", "n/a"]
    assert "error in b / floor: RuntimeError: broken" in text


def test_inner_divides_and_labels_override(harness: Any) -> None:
    Bench = harness.Bench
    table = harness.tables_of([
        Bench("t", "r", "ocpp-toolkit", lambda: None, label="mine"),
        Bench("t", "r", "baseline", lambda: [None for _ in range(100)], inner=100, floor=True),
    ])[0]
    assert table.ratios() == [("baseline", "mine/baseline")]
    harness.run_table(table, harness.QUICK)
    cell = table.cells[("r", "baseline")]
    assert cell.status == "ok"
    assert cell.inner == 100
    with pytest.raises(ValueError, match="inner"):
        Bench("t", "r", "c", lambda: None, inner=0)
    with pytest.raises(ValueError, match="two benchmarks"):
        harness.tables_of([Bench("t", "r", "c", None), Bench("t", "r", "c", None)])
