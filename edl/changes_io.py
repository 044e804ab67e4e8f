"""A change list as DESIGN.md's `changes.csv` and as a change EDL."""

from __future__ import annotations

import csv
import io

from edl.changes import ChangeList, Segment
from edl.timecode import format_timecode

__all__ = ["CHANGE_COLUMNS", "changes_csv", "changes_edl"]

CHANGE_COLUMNS = ("kind", "old_start", "old_end", "new_start", "new_end", "frames", "reel", "clip")


def changes_csv(changes: ChangeList) -> str:
    """One row per segment in new-cut order; timecodes at the cut's rate."""
    rate = changes.new.rate
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CHANGE_COLUMNS)
    for s in changes.segments:
        writer.writerow(
            [
                s.kind,
                format_timecode(s.old_start, rate),
                format_timecode(s.old_end, rate),
                format_timecode(s.new_start, rate),
                format_timecode(s.new_end, rate),
                s.frames,
                s.reel,
                s.clip,
            ]
        )
    return buffer.getvalue()


def describe(segment: Segment) -> str:
    """A change in a few words: 'shot inserted, 72 frames'."""
    words = segment.detail or segment.kind
    if segment.kind == "moved":
        words = f"moved {segment.offset:+d} frames"
    elif segment.kind == "shifted":
        words = f"shifted {segment.offset:+d} frames"
    return f"{words}, {segment.frames} frames"


def changes_edl(changes: ChangeList) -> str:
    """Every segment that is not `same`, as CMX3600 events at their new record times.

    Deletions are zero-length events where the picture closed up; each event carries
    `* CHANGE:` and the old record range as comments, so an editor can load it as markers.
    """
    rate = changes.new.rate
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    title = changes.new.title or "changes"
    lines = [
        f"TITLE: CHANGES {title}"[:70],
        "FCM: DROP FRAME" if rate.drop else "FCM: NON-DROP FRAME",
    ]
    number = 0
    for s in changes.segments:
        if s.kind == "same":
            continue
        number += 1
        reel = (s.reel or "AX").replace(" ", "_")
        source_out = s.new_frames if s.kind != "deleted" else 0
        lines.append(
            f"{number:03d}  {reel:<8} V     C        {tc(0)} {tc(source_out)} "
            f"{tc(s.new_start)} {tc(s.new_end)}"
        )
        if s.clip:
            lines.append(f"* FROM CLIP NAME:  {s.clip}")
        lines.append(f"* CHANGE: {s.kind.upper()} {describe(s)}")
        if s.kind != "inserted":
            lines.append(f"* OLD RECORD: {tc(s.old_start)} {tc(s.old_end)}")
    return "\r\n".join(lines) + "\r\n"
