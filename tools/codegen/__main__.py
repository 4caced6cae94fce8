"""Regenerate the message model: ``python -m tools.codegen [--spec DIR] [--check]``.

Reads the OCPP specification data (default ``../shared/ocpp-spec`` beside the project, or
``$OCPP_SPEC_DIR``) and writes ``ocpp_sansio/<version>/`` and ``docs/generated/``. With
``--check`` nothing is written: the command exits 1 and names every file that would change.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .build import build_all
from .emit import emit_package
from .overlays import describe
from .report import render

ROOT = Path(__file__).resolve().parents[2]


def outputs(spec: Path) -> dict[Path, str]:
    models, v16_wsdl = build_all(spec)
    files: dict[Path, str] = {}
    for model in models:
        for name, text in emit_package(model).items():
            files[ROOT / "ocpp_sansio" / model.key / name] = text
    v16 = next(m for m in models if m.key == "v16")
    files[ROOT / "docs" / "generated" / "v16-wsdl-vs-json.md"] = render(v16, v16_wsdl)
    files[ROOT / "docs" / "generated" / "overlays.md"] = describe()
    return files


def main(argv: list[str] | None = None) -> int:
    default = os.environ.get("OCPP_SPEC_DIR") or str(ROOT.parent / "shared" / "ocpp-spec")
    parser = argparse.ArgumentParser(prog="python -m tools.codegen", description=__doc__)
    parser.add_argument("--spec", default=default, help="specification data folder")
    parser.add_argument("--check", action="store_true", help="only report differences")
    args = parser.parse_args(argv)
    files = outputs(Path(args.spec))
    stale = [p for p, text in files.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    # Version packages are wholly generated; docs/generated also holds other generators' files.
    generated_dirs = {p.parent for p in files if p.parent.parent.name == "ocpp_sansio"}
    extra = [p for d in generated_dirs if d.exists() for p in d.iterdir()
             if p.is_file() and p not in files and p.suffix in (".py", ".json", ".md")]
    if args.check:
        for p in stale + extra:
            print(f"out of date: {p.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    for p in extra:
        p.unlink()
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(files[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
