"""Sync to picture hits: move each cue so that its musical hit lands on its picture hit.

Works on any cue list with a `sync` column: a spotting list (start/end) or a conformed
list (new_start/new_end, one row per part), so that a conform can be checked against the
new cut's locators: a hit that moved relative to the cue shows up as drift.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from conform.cues.cuelist import (
    SyncPoint,
    conformed_parts,
    read_table,
    read_timecode,
    shown,
    spotting_cues,
)
from edl.cut import Cut, Hit
from edl.errors import CutError
from edl.markers import is_avid_marker_file, read_avid_markers
from edl.rate import Rate
from edl.timecode import format_timecode, frames_to_samples

__all__ = [
    "SyncRow",
    "SyncMatch",
    "read_hits",
    "read_sync_rows",
    "sync_rows",
    "parse_tolerance",
    "synced_csv",
    "report_csv",
]


@dataclass(frozen=True)
class SyncRow:
    """A row of a cue list that has sync points: a cue, or one part of a conformed cue."""

    cue: str
    part: str
    start: int
    end: int | None
    sync: tuple[SyncPoint, ...]
    values: dict[str, str]
    line: int


@dataclass(frozen=True)
class SyncMatch:
    """One sync point, the hit it belongs on, and how far off it was before and after."""

    row: SyncRow
    point: SyncPoint
    hit: Hit | None
    how: str  # "named", "hits file", "nearest" or "" when no hit was found
    shift: int  # frames the row moves by (the same for every point of the row)

    @property
    def drift_before(self) -> int | None:
        return None if self.hit is None else self.hit.frame - self.point.frame

    @property
    def drift_after(self) -> int | None:
        return None if self.hit is None else self.hit.frame - (self.point.frame + self.shift)


_START = ("start", "new_start")
_END = ("end", "new_end")


def parse_tolerance(text: str, rate: Rate) -> int:
    """``2f`` (frames), ``80ms`` or ``0.5s`` -> whole frames (rounded up)."""
    raw = text.strip().lower()
    match = re.fullmatch(r"([0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(f|fr|frames?|ms|s)?", raw, re.ASCII)
    if not match:
        raise CutError(f"tolerance {shown(text)} is not a length", hint="write 2f, 80ms or 0.5s")
    value, unit = Fraction(match.group(1)), match.group(2) or "f"
    if unit.startswith("f"):
        return int(value)
    seconds = value / 1000 if unit == "ms" else value
    return int(-(-seconds * rate.fps // 1))


def read_hits(path: str | Path, rate: Rate) -> list[tuple[Hit, str]]:
    """A hits CSV (`name, tc`, optional `cue`), or an Avid marker list: hits and their cues."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() != ".csv" and is_avid_marker_file(path):
        return [(hit, "") for hit in read_avid_markers(path, rate)]  # Media Composer's export
    table = read_table(path, "hits file")
    if not table.has("tc"):
        raise table.error("no 'tc' column", 1, "columns are name, tc, cue")
    hits = []
    for row in table.rows:
        try:
            frame = read_timecode(table.value(row, "tc"), rate)
        except CutError as err:
            raise table.error(err.cause, row.line, err.hint) from None
        hit = Hit(frame, table.value(row, "name"), "", row.line)
        hits.append((hit, table.value(row, "cue")))
    return hits


def read_sync_rows(path: str | Path, rate: Rate) -> tuple[list[str], list[SyncRow]]:
    """The header and every row of a spotting list or a conformed cue list (the one reader)."""
    table = read_table(path)
    if table.has("new_start"):
        has_part = table.has("part")
        rows = [
            SyncRow(
                p.cue,
                str(p.part) if has_part else "",
                -1 if p.new_start is None else p.new_start,
                p.new_end,
                p.sync,
                p.columns,
                p.line,
            )  # fmt: skip
            for p in conformed_parts(table, rate)
        ]
    else:
        cues = spotting_cues(table, rate).cues
        rows = [SyncRow(c.number, "", c.start, c.end, c.sync, c.columns, c.line) for c in cues]
    return list(table.header), rows


def _named(cue: str, hits: list[Hit], point: SyncPoint) -> Hit | None:
    """A locator named for the cue (`2M3`, `2M3 door slam`), the sync point's name first."""
    own = [h for h in hits if h.name.split() and h.name.split()[0].upper() == cue.upper()]
    if point.name:
        for hit in own:
            if point.name.lower() in hit.name.lower():
                return hit
    if len(own) == 1 and not point.name:
        return own[0]
    return None


def sync_rows(
    rows: list[SyncRow],
    cut: Cut,
    extra_hits: list[tuple[Hit, str]] | None = None,
    tolerance: int = 2,
) -> list[SyncMatch]:
    """For every sync point, its hit and the shift that puts the row's first hit on it."""
    locators = list(cut.hits)
    extra_hits = extra_hits or []
    matches: list[SyncMatch] = []
    for row in rows:
        found: list[tuple[SyncPoint, Hit | None, str]] = []
        for point in row.sync:
            hit, how = None, ""
            listed = [h for h, cue in extra_hits if cue.upper() == row.cue.upper()]
            if listed:
                named = [h for h in listed if point.name and point.name.lower() in h.name.lower()]
                hit, how = (named or listed)[0], "hits file"
            if hit is None:
                hit = _named(row.cue, locators + [h for h, _ in extra_hits], point)
                how = "named" if hit else ""
            if hit is None:
                near = [
                    h for h in locators + [h for h, _ in extra_hits]
                    if abs(h.frame - point.frame) <= tolerance
                ]  # fmt: skip
                if near:
                    hit, how = min(near, key=lambda h: abs(h.frame - point.frame)), "nearest"
            found.append((point, hit, how))
        shift = next((h.frame - p.frame for p, h, _ in found if h is not None), 0)
        matches.extend(SyncMatch(row, p, h, how, shift) for p, h, how in found)
    return matches


def _shifts(rows: list[SyncRow], matches: list[SyncMatch]) -> dict[int, int]:
    return {m.row.line: m.shift for m in matches}


def synced_csv(header: list[str], rows: list[SyncRow], matches: list[SyncMatch], rate: Rate) -> str:
    """The same cue list with each row moved so that its first hit is on picture."""
    shifts = _shifts(rows, matches)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    for row in rows:
        shift = shifts.get(row.line, 0)
        values = dict(row.values)
        for column in header:
            low = column.lower()
            if shift and low in (*_START, *_END) and values[column]:
                values[column] = tc(read_timecode(values[column], rate) + shift)
            elif shift and low == "sync" and values[column]:
                values[column] = "; ".join(
                    f"{p.name}={tc(p.frame + shift)}" if p.name else tc(p.frame + shift)
                    for p in row.sync
                )
        writer.writerow([values[c] for c in header])
    return buffer.getvalue()


REPORT_COLUMNS = (
    "cue", "part", "sync", "sync_tc", "hit", "hit_tc", "matched_by", "drift_before_frames",
    "drift_before_ms", "drift_after_frames", "new_start", "new_start_sample", "status",
)  # fmt: skip


def status(match: SyncMatch, tolerance: int) -> str:
    if match.hit is None:
        return "no hit"
    if match.drift_before == 0:
        return "in sync"
    if match.drift_after == 0:
        return "moved to hit"
    after = match.drift_after or 0
    return "within tolerance" if abs(after) <= tolerance else "off hit"


def report_csv(matches: list[SyncMatch], rate: Rate, tolerance: int, sample_rate: int) -> str:
    """One row per sync point: hit, drift before and after (frames, ms), new start."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    for m in matches:
        new_start = m.row.start + m.shift
        before = m.drift_before
        writer.writerow(
            [
                m.row.cue, m.row.part, m.point.name, tc(m.point.frame),
                m.hit.name if m.hit else "", tc(m.hit.frame) if m.hit else "", m.how,
                "" if before is None else before,
                "" if before is None else f"{float(before * 1000 / rate.fps):.1f}",
                "" if m.drift_after is None else m.drift_after,
                tc(new_start), frames_to_samples(new_start, rate, sample_rate),
                status(m, tolerance),
            ]
        )  # fmt: skip
    return buffer.getvalue()
