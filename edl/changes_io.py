"""A change list as DESIGN.md's `changes.csv`, as `changes.json` (the old -> new time map)
and as a change EDL."""

from __future__ import annotations

import csv
import io
import json

from edl.changes import PROPORTIONAL, ChangeList, Segment
from edl.errors import CutError
from edl.timecode import format_timecode

__all__ = ["CHANGE_COLUMNS", "changes_csv", "changes_edl", "changes_json", "check_not_negative"]


def check_not_negative(changes: ChangeList) -> None:
    """Refuse a change list that would put picture before 00:00:00:00 (no negative timecode)."""
    for cut, which in ((changes.old, "old"), (changes.new, "new")):
        if cut.record_start is not None and cut.record_start < 0:
            raise CutError(
                f"the {which} cut would start before 00:00:00:00",
                path=cut.source or None,
                hint="give a later --old-start/--new-start",
            )


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


def changes_json(changes: ChangeList) -> str:
    """The old -> new time map for other tools: every segment with kind, ranges and speeds.

    Ranges are half-open record frames at ``rate`` (timecodes follow from them); ``map``
    says how a frame inside moves: ``offset`` (new = old + offset) or ``proportional`` (by
    position in the slot). One segment a line, so that 30 000 shots stay quick to write
    and easy to diff.
    """
    rate = changes.new.rate
    rows = []
    for s in changes.segments:
        proportional = s.kind in PROPORTIONAL and s.old_frames != s.new_frames
        row = {
            "kind": s.kind,
            "detail": s.detail,
            "old": {"start": s.old_start, "end": s.old_end, "reel": s.old_reel,
                    "clip": s.old_clip, "source": s.old_source, "speed": _ratio(s.old_speed)},
            "new": {"start": s.new_start, "end": s.new_end, "reel": s.reel, "clip": s.clip,
                    "source": s.new_source, "speed": _ratio(s.new_speed)},
            "map": None if s.kind in ("deleted", "inserted")
            else ("proportional" if proportional else "offset"),
            "offset": s.offset,
            "tags": list(s.tags),
        }  # fmt: skip
        rows.append(json.dumps(row, ensure_ascii=False))
    tc = lambda cut, f: None if f is None else format_timecode(f, cut.rate)  # noqa: E731
    head = {
        "rate": {"fps": f"{rate.fps.numerator}/{rate.fps.denominator}", "drop_frame": rate.drop},
        "old": {"title": changes.old.title, "source": changes.old.source,
                "record_start": changes.old.record_start, "record_end": changes.old.record_end,
                "record_start_tc": tc(changes.old, changes.old.record_start)},
        "new": {"title": changes.new.title, "source": changes.new.source,
                "record_start": changes.new.record_start, "record_end": changes.new.record_end,
                "record_start_tc": tc(changes.new, changes.new.record_start)},
        "match": changes.key,
        "head_offset": changes.head_offset,
        "tail_offset": changes.tail_offset,
        "counts": changes.counts(),
        "totals": changes.totals(),
    }  # fmt: skip
    text = json.dumps(head, ensure_ascii=False)[:-1]
    return text + ', "segments": [\n' + ",\n".join(rows) + "\n]}\n"


def _ratio(value) -> str:  # noqa: ANN001 - a Fraction or an int
    if isinstance(value, int):
        return str(value)
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


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
        gone = s.kind == "deleted"
        reel = ((s.old_reel if gone else s.reel) or "AX").replace(" ", "_")
        source = s.old_source if gone else s.new_source
        source_in = max(source or 0, 0)
        source_out = source_in + (0 if gone else s.new_frames)
        lines.append(
            f"{number:03d}  {reel:<8} V     C        {tc(source_in)} {tc(source_out)} "
            f"{tc(s.new_start)} {tc(s.new_end)}"
        )
        clip = s.old_clip if gone else s.clip
        if clip:
            lines.append(f"* FROM CLIP NAME:  {clip}")
        if s.old_name and s.old_name != s.name and s.kind in ("replaced", "lifted", "speed"):
            lines.append(f"* OLD CLIP: {s.old_name}")
        lines.append(f"* CHANGE: {s.kind.upper()} {describe(s)}")
        if s.kind != "inserted":
            lines.append(f"* OLD RECORD: {tc(s.old_start)} {tc(s.old_end)}")
    return "\r\n".join(lines) + "\r\n"
