"""The installed package carries everything it needs at run time (not only the .py files).

CI installs the project in editable mode, which hides missing package data; this builds the
wheel a user's `pip install .` would install and checks its contents.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_package_data(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("ocpp_toolkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for version in ("v15", "v16", "v201", "v21"):
        assert f"ocpp_sansio/{version}/schemas.json" in names
    for package in ("ocpp_sansio", "ocpp_trio", "ocpp_asyncio"):
        assert f"{package}/py.typed" in names
    assert any(n.endswith("entry_points.txt") for n in names)
