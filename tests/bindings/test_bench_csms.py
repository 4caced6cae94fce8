"""Smoke test of ``benchmarks/bench_csms.py`` (a tiny ``--quick`` run of our asyncio CSMS)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAVE_NODE = shutil.which("node") is not None and (
    ROOT / "tests" / "interop" / "node" / "node_modules" / "ws"
).is_dir()


@pytest.mark.skipif(not HAVE_NODE, reason="run `npm ci --prefix tests/interop/node`")
def test_quick_run(tmp_path: Path) -> None:
    out = tmp_path / "csms.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_csms", "--quick", "--servers", "ours-asyncio",
         "--n", "1,10", "--seconds", "0.3", "--idle", "10", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CSMS heartbeat: calls/s" in done.stdout
    results = json.loads(out.read_text())
    for key in ("ours-asyncio|heartbeat|10", "ours-asyncio|metervalues|1"):
        assert results["load"][key]["rate"] > 0
        assert results["load"][key]["errors"] == 0
        assert results["load"][key]["cpu_us_per_call"] > 0
    assert results["rss"]["ours-asyncio|False"]["stations"] == 10
