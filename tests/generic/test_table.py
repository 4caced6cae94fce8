"""The committed mapping table is what the code generates today."""

from pathlib import Path

from ocpp_sansio.generic import table

ROOT = Path(__file__).resolve().parents[2]


def test_mapping_table_is_up_to_date() -> None:
    committed = (ROOT / table.DEFAULT_OUTPUT).read_text()
    assert committed == table.build(), "run: python -m ocpp_sansio.generic.table"


def test_check_mode(tmp_path: Path) -> None:
    target = tmp_path / "mapping.md"
    assert table.main(["--output", str(target), "--check"]) == 1
    assert table.main(["--output", str(target)]) == 0
    assert table.main(["--output", str(target), "--check"]) == 0
