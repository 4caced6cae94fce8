"""Charts of a load test: calls/s and latency (p50, p99) per second over the run.

:func:`svg_chart` draws a :class:`~ocpp_trio.sim.load.LoadReport`'s timeline as one SVG image
(two panels sharing the time axis: calls settled per second with the open connections, and
the p50/p99 latency of the calls answered in each second); :func:`html_chart` wraps it with the
report's text in a self-contained HTML page (inline SVG, no script, no external asset);
:func:`write_chart` picks the format from the file name (``.html``/``.htm`` or ``.svg``).
PNG is not offered: rasterising needs a plotting library the toolkit does not depend on (open
the SVG or HTML in a browser and save it as an image).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from .load import LoadReport

__all__ = ["html_chart", "svg_chart", "write_chart"]

WIDTH, PANEL, LEFT, RIGHT, TOP, GAP = 900, 220, 70, 70, 40, 60
COLOURS = {"calls": "#1f77b4", "connected": "#999999", "p50": "#2ca02c", "p99": "#d62728"}


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (1 when nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def _polyline(xs: Sequence[float], ys: Sequence[float], colour: str, dash: str = "") -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<polyline fill="none" stroke="{colour}" stroke-width="1.5"{extra} '
            f'points="{points}"/>')


def _panel(top: float, times: Sequence[int], series: list[tuple[str, Sequence[float], str, str]],
           *, title: str, unit: str, right: tuple[str, Sequence[float], str] | None,
           t_max: float) -> list[str]:
    """One panel: ``series`` (label, values, colour, dash) on the left axis, ``right`` (label,
    values, colour) on its own right axis."""
    inner = WIDTH - LEFT - RIGHT
    out = [f'<text x="{LEFT}" y="{top - 12}" font-size="14" font-weight="bold">'
           f"{html.escape(title)}</text>",
           f'<rect x="{LEFT}" y="{top}" width="{inner}" height="{PANEL}" fill="none" '
           f'stroke="#333"/>']
    y_max = _nice_max(max((v for _, vals, _, _ in series for v in vals), default=0.0))

    def x_of(t: float) -> float:
        return LEFT + inner * t / t_max

    for i in range(5):
        frac = i / 4
        y = top + PANEL * (1 - frac)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + inner}" y2="{y:.1f}" '
                   f'stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                   f"{_fmt(y_max * frac)}</text>")
    out.append(f'<text x="{LEFT - 50}" y="{top + PANEL / 2}" font-size="11" '
               f'transform="rotate(-90 {LEFT - 50} {top + PANEL / 2})" text-anchor="middle">'
               f"{html.escape(unit)}</text>")
    for t in range(0, int(t_max) + 1, max(1, int(_nice_max(t_max / 10)))):
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" y1="{top + PANEL}" x2="{x:.1f}" y2="{top + PANEL + 4}" '
                   f'stroke="#333"/>')
        out.append(f'<text x="{x:.1f}" y="{top + PANEL + 16}" font-size="11" '
                   f'text-anchor="middle">{t}</text>')
    xs = [x_of(t + 0.5) for t in times]
    legend_x = LEFT + 8
    if right is not None:
        label, values, colour = right
        r_max = _nice_max(max(values, default=0.0))
        ys = [top + PANEL * (1 - v / r_max) for v in values]
        if xs:
            out.append(_polyline(xs, ys, colour, "4 3"))
        for i in range(5):
            frac = i / 4
            out.append(f'<text x="{LEFT + inner + 6}" y="{top + PANEL * (1 - frac) + 4:.1f}" '
                       f'font-size="11" fill="{colour}">{_fmt(r_max * frac)}</text>')
        series = [*series, (label, (), colour, "4 3")]
    for label, values, colour, dash in series:
        if values:
            ys = [top + PANEL * (1 - v / y_max) for v in values]
            out.append(_polyline(xs, ys, colour, dash))
        out.append(f'<line x1="{legend_x}" y1="{top + 12}" x2="{legend_x + 18}" y2="{top + 12}" '
                   f'stroke="{colour}" stroke-width="2"'
                   + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        out.append(f'<text x="{legend_x + 22}" y="{top + 16}" font-size="11">'
                   f"{html.escape(label)}</text>")
        legend_x += 30 + 7 * len(label)
    return out


def svg_chart(report: LoadReport) -> str:
    """The report's timeline as a standalone SVG document."""
    timeline = report.timeline
    times = [s.t for s in timeline]
    t_max = float(max(len(timeline), 1))
    height = TOP + 2 * PANEL + GAP + 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">',
             f'<rect width="{WIDTH}" height="{height}" fill="white"/>']
    parts += _panel(TOP, times, [("calls/s", [s.calls for s in timeline], COLOURS["calls"], ""),
                                 ("errors/s", [s.errors for s in timeline], COLOURS["p99"], "")],
                    title="Throughput", unit="calls settled per second",
                    right=("connections (right axis)", [s.connected for s in timeline],
                           COLOURS["connected"]), t_max=t_max)
    parts += _panel(TOP + PANEL + GAP, times,
                    [("p50", [s.p50 for s in timeline], COLOURS["p50"], ""),
                     ("p99", [s.p99 for s in timeline], COLOURS["p99"], "")],
                    title="Latency per second", unit="ms", right=None, t_max=t_max)
    parts.append(f'<text x="{WIDTH / 2}" y="{height - 8}" font-size="12" text-anchor="middle">'
                 "seconds since the start</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def html_chart(report: LoadReport) -> str:
    """A self-contained HTML page: the chart (inline SVG) and the text report."""
    o = report.options
    title = f"ocpp-toolkit load: {o.stations} stations, OCPP {o.version}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}"
        "</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n{svg_chart(report)}\n"
        f"<pre>{html.escape(report.format())}</pre>\n</body></html>\n")


def write_chart(report: LoadReport, path: str | Path) -> None:
    """Write the chart to ``path``: HTML for ``.html``/``.htm``, SVG for ``.svg``;
    ``ValueError`` for another suffix (PNG included, see the module docstring)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        text = html_chart(report)
    elif suffix == ".svg":
        text = svg_chart(report)
    else:
        raise ValueError(f"chart format {suffix or '(none)'!r} not supported: use .html or .svg "
                         "(PNG would need a plotting library)")
    path.write_text(text, encoding="utf-8")
