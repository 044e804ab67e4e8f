"""The performing-rights cue sheet: what music plays, for how long, and who owns it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from conform.cues.placed import StemCue
from edl.cut import Cut
from edl.rate import Rate
from edl.timecode import format_timecode

__all__ = ["SheetRow", "cue_sheet", "cue_sheet_csv", "RIGHTS"]

RIGHTS = ("composer", "publisher", "pro", "share")


@dataclass(frozen=True)
class SheetRow:
    sequence: int
    cue: str
    title: str
    composers: str
    publishers: str
    pro: str
    shares: str
    usage: str
    start: int
    end: int
    frames: int  # time the music plays in the cut (parts summed, overlaps counted once)
    missing: tuple[str, ...]


def _played(cue: StemCue) -> int:
    """Frames during which any part of the cue plays (overlapping parts counted once)."""
    total, reach = 0, None
    for part in sorted(cue.parts, key=lambda p: p.start):
        if reach is None or part.start >= reach:
            total += part.end - part.start
            reach = part.end
        elif part.end > reach:
            total += part.end - reach
            reach = part.end
    return total


def cue_sheet(cues: list[StemCue]) -> list[SheetRow]:
    """Rows in order of first use, each with what rights data is missing."""
    rows = []
    for sequence, cue in enumerate(sorted(cues, key=lambda c: (c.start, c.number)), start=1):
        col = {k.lower(): v for k, v in cue.columns.items()}
        missing = tuple(field for field in RIGHTS if not col.get(field, "").strip())
        rows.append(
            SheetRow(
                sequence, cue.number, cue.title, col.get("composer", ""), col.get("publisher", ""),
                col.get("pro", ""), col.get("share", ""), col.get("usage", ""), cue.start, cue.end,
                _played(cue), missing,
            )
        )  # fmt: skip
    return rows


def _clock(frames: int, rate: Rate) -> str:
    """Frames as h:mm:ss rounded to the nearest second (cue sheets count seconds)."""
    seconds = round(frames / rate.fps)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def cue_sheet_csv(rows: list[SheetRow], cut: Cut, title: str) -> tuple[str, list[str]]:
    """The sheet as CSV (header lines for production, then the cues), and its warnings."""
    rate = cut.rate
    music = sum(r.frames for r in rows)
    warnings = [f"cue {r.cue}: missing {', '.join(r.missing)}" for r in rows if r.missing]
    if music > cut.length:
        warnings.append(
            f"total music time {_clock(music, rate)} is longer than the programme "
            f"{_clock(cut.length, rate)} (overlapping cues?)"
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["production", title])
    writer.writerow(["programme length", _clock(cut.length, rate)])
    writer.writerow(["total music", _clock(music, rate)])
    writer.writerow([])
    writer.writerow(["seq", "cue", "title", "composers", "publishers", "pro", "shares", "usage",
                     "in", "out", "duration", "flags"])  # fmt: skip
    for r in rows:
        writer.writerow([
            r.sequence, r.cue, r.title, r.composers, r.publishers, r.pro, r.shares, r.usage,
            format_timecode(r.start, rate), format_timecode(r.end, rate), _clock(r.frames, rate),
            "missing " + ", ".join(r.missing) if r.missing else "",
        ])  # fmt: skip
    return buffer.getvalue(), warnings
