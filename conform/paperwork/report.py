"""report.html: the cut, the cues, the changes and the loudness on one self-contained page."""

from __future__ import annotations

import csv
import io
from html import escape

from conform.cues.placed import StemCue
from edl.cut import Cut
from edl.timecode import format_timecode

__all__ = ["report_html"]

_STATUS_COLOUR = {
    "unchanged": "#8a8f98", "moved": "#3b82c4", "changed": "#e08a1e", "removed": "#c43b3b",
    "": "#2a9d8f",
}  # fmt: skip
_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;font-variant-numeric:tabular-nums}th{background:#f2f2f2}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;color:#fff;border-radius:3px}
svg text{font-size:10px;fill:#fff}
"""


def _extent(cue: StemCue) -> tuple[int, int]:
    """Where a cue is drawn: its parts now and, ghosted, where it was."""
    olds = [p.old_start for p in cue.parts if p.old_start is not None]
    ends = [p.old_end for p in cue.parts if p.old_end is not None]
    return min([cue.start, *olds]), max([cue.end, *ends])


def _lanes(cues: list[StemCue]) -> dict[str, int]:
    """A row per cue such that no two cues (nor their ghosts) overlap in a row."""
    ends: list[int] = []
    lanes = {}
    for cue in sorted(cues, key=lambda c: _extent(c)[0]):
        start, end = _extent(cue)
        for lane, lane_end in enumerate(ends):
            if lane_end <= start:
                ends[lane] = end
                lanes[cue.number] = lane
                break
        else:
            ends.append(end)
            lanes[cue.number] = len(ends) - 1
    return lanes


def _strip(cut: Cut, cues: list[StemCue]) -> str:
    """An SVG: shots as a strip, cues as bars by status, old positions ghosted."""
    points = [cut.record_start or 0, cut.record_end or 1]
    for cue in cues:
        points += [cue.start, cue.end]
        points += [p.old_start for p in cue.parts if p.old_start is not None]
        points += [p.old_end for p in cue.parts if p.old_end is not None]
    lo, hi = min(points), max(points)
    width = 1000
    scale = width / max(hi - lo, 1)
    x = lambda frame: (frame - lo) * scale  # noqa: E731
    lanes = _lanes(cues)
    height = 40 + 26 * (max(lanes.values(), default=0) + 1)
    out = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'xmlns="http://www.w3.org/2000/svg">']  # fmt: skip
    for n, event in enumerate(cut.events):
        fill = "#555" if n % 2 else "#777"
        wide = max(event.duration * scale, 0.5)
        out.append(
            f'<rect x="{x(event.record_in):.1f}" y="4" width="{wide:.1f}"'
            f' height="22" fill="{fill}"><title>{escape(event.name)} '
            f"{format_timecode(event.record_in, cut.rate)}</title></rect>"
        )
    for cue in cues:
        y = 36 + 26 * lanes[cue.number]
        colour = _STATUS_COLOUR.get(cue.status, "#2a9d8f")
        olds = [p for p in cue.parts if p.old_start is not None and p.old_end is not None]
        if olds and cue.status in ("moved", "changed"):
            old_lo, old_hi = min(p.old_start for p in olds), max(p.old_end for p in olds)  # type: ignore[type-var]
            out.append(f'<rect x="{x(old_lo):.1f}" y="{y}" width="{(old_hi - old_lo) * scale:.1f}" '
                       f'height="20" fill="none" stroke="{colour}" stroke-dasharray="4 3">'
                       f"<title>{escape(cue.number)} before</title></rect>")  # fmt: skip
        for part in cue.parts:
            wide = (part.end - part.start) * scale
            out.append(
                f'<rect x="{x(part.start):.1f}" y="{y}" width="{wide:.1f}" '
                f'height="20" fill="{colour}" opacity="0.9"><title>{escape(cue.number)} '
                f"{escape(cue.title)} part {part.index}: {format_timecode(part.start, cut.rate)} - "
                f"{format_timecode(part.end, cut.rate)}</title></rect>"
            )
        out.append(f'<text x="{x(cue.start) + 3:.1f}" y="{y + 14}">{escape(cue.number)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def report_html(
    title: str,
    cut: Cut,
    cues: list[StemCue],
    loudness: list[dict[str, object]],
    changes_csv: str = "",
) -> str:
    tc = cut.timecode
    legend = "".join(
        f'<span style="background:{c}">{s or "spotted"}</span>' for s, c in _STATUS_COLOUR.items()
    )
    cue_rows = [[c.number, c.title, c.status or "spotted", tc(c.start), tc(c.end), len(c.parts)]
                for c in sorted(cues, key=lambda c: c.start)]  # fmt: skip
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Music handoff: {escape(title)}</h1>",
        f"<p>{escape(str(cut.rate))} · record {tc(cut.record_start or 0)} - "
        f"{tc(cut.record_end or 0)} · {len(cut.events)} shots · {len(cues)} cues</p>",
        f'<div class="legend">{legend}</div>',
        _strip(cut, cues),
        "<h2>Cues</h2>",
        _table(["cue", "title", "status", "start", "end", "parts"], cue_rows),
    ]
    if changes_csv.strip():
        rows = list(csv.reader(io.StringIO(changes_csv)))
        changed = [r for r in rows[1:] if r and r[0] != "same"]
        parts += ["<h2>Picture changes</h2>", _table(rows[0], changed)]
    parts += [
        "<h2>Loudness</h2>",
        _table(
            ["kind", "name", "integrated LUFS", "true peak dBTP", "note"],
            [
                [r["kind"], r["name"], r["integrated_lufs"], r["true_peak_dbtp"], r["note"]]
                for r in loudness
            ],
        ),  # fmt: skip
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
