"""The RPC benchmark module builds its table and every column does the round it claims
(``benchmarks()`` checks each column's reply once before returning)."""

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAVE_OCPP = importlib.util.find_spec("ocpp") is not None


@pytest.fixture
def bench_rpc(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("benchmarks.bench_rpc")


def test_table_shape_and_columns_run(bench_rpc: Any) -> None:
    benches = bench_rpc.benchmarks()
    assert {b.table for b in benches} == {bench_rpc.TABLE}
    rows = list(dict.fromkeys(b.row for b in benches))
    assert len(rows) == 5 and rows[0] == "1.6 BootNotification"
    columns = list(dict.fromkeys(b.column for b in benches))
    assert columns == ["ocpp-toolkit", "floor", "ocpp (PyPI)", "ocpp (PyPI), sync validation"]
    for bench in benches:
        if bench.column.startswith("ocpp (PyPI)"):
            assert (bench.fn is not None) == HAVE_OCPP
            assert bench.inner == bench_rpc.BATCH
        else:
            assert bench.fn is not None and bench.inner == 1
        if bench.fn is not None:
            bench.fn()
