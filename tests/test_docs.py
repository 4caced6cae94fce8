"""The documentation site builds cleanly and every Python example in it runs.

- ``test_site_builds``: ``sphinx-build -W -b html docs <tmp>`` (warnings are errors); skipped
  when Sphinx or MyST-Parser is not installed (the ``docs`` extra).
- ``test_page_examples_run``: for each Markdown page under ``docs/``, its ```python blocks run in
  page order in one namespace (a later block may use names from an earlier one), then every
  ``test_*`` function the page defines is called. A block whose info string is
  ``python no-run`` is skipped; the page must say why (it mentions ``no-run`` in its prose).

This is the one place that runs the examples of ``docs/``.
"""

import re
import subprocess
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Pages whose examples are still illustrative fragments (top-level ``await``, names defined
# elsewhere). Strict xfail: once a page's blocks run (or are marked ``no-run`` with a reason),
# its entry here must go.
FRAGMENTS: dict[str, str] = {}

_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")


@attrs.frozen
class Block:
    """One fenced code block of a page: its info string, source and first line number."""

    info: str
    source: str
    line: int

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def runs(self) -> bool:
        return self.language == "python" and "no-run" not in self.info.split()[1:]


def fenced_blocks(text: str) -> Iterator[Block]:
    """The fenced blocks of a Markdown text (CommonMark fences, possibly indented in lists)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if opened is None or ("`" in opened.group(3) and opened.group(2)[0] == "`"):
            i += 1
            continue
        indent, fence, info = len(opened.group(1)), opened.group(2), opened.group(3).strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if (closing is not None and closing.group(2).startswith(fence)
                    and closing.group(2)[0] == fence[0] and not closing.group(3).strip()):
                break
            line = lines[j]
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            j += 1
        yield Block(info, "\n".join(body) + "\n", i + 2)
        i = j + 1


def _prose(text: str) -> str:
    """The text outside fenced blocks."""
    out: list[str] = []
    inside: str | None = None
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if fence is not None and (inside is None or fence.group(2).startswith(inside)):
            inside = None if inside is not None else fence.group(2)
            continue
        if inside is None:
            out.append(line)
    return "\n".join(out)


PAGES = sorted(DOCS.rglob("*.md"))


def _runnable(page: Path) -> list[Block]:
    return [b for b in fenced_blocks(page.read_text(encoding="utf-8")) if b.runs]


def _page_params() -> list[Any]:
    params = []
    for page in PAGES:
        if not _runnable(page):
            continue
        name = page.relative_to(DOCS).as_posix()
        pending = FRAGMENTS.get(name)
        marks = [pytest.mark.xfail(reason=pending, strict=True)] if pending else []
        params.append(pytest.param(page, id=name, marks=marks))
    return params


def test_fence_parser() -> None:
    text = "a\n```python\nx = 1\n```\n- item\n\n  ```python no-run\n  await y\n  ```\n"
    blocks = list(fenced_blocks(text))
    assert [(b.info, b.source, b.line, b.runs) for b in blocks] == [
        ("python", "x = 1\n", 3, True),
        ("python no-run", "await y\n", 8, False),
    ]


def test_there_are_examples_and_the_fragment_list_is_current() -> None:
    runnable = {p.relative_to(DOCS).as_posix() for p in PAGES if _runnable(p)}
    assert "getting-started/implement-csms.md" in runnable
    assert "getting-started/implement-station.md" in runnable
    assert set(FRAGMENTS) <= runnable, set(FRAGMENTS) - runnable


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_no_run_blocks_are_explained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    skipped = [b for b in fenced_blocks(text) if b.language == "python" and not b.runs]
    if skipped:
        assert "no-run" in _prose(text), f"{page}: say why its no-run blocks do not run"


@pytest.mark.parametrize("page", _page_params())
def test_page_examples_run(page: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "docs_" + re.sub(r"\W", "_", page.stem)}
    for block in _runnable(page):
        # pad so tracebacks show the line number of the Markdown file
        source = "\n" * (block.line - 1) + block.source
        exec(compile(source, str(page), "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()


def test_site_builds(tmp_path: Path) -> None:
    for module in ("sphinx", "myst_parser"):
        if find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[docs]')")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "api" / "rpc.html").is_file()
