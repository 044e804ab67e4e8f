"""Cues placed on a cut with their stem files: what rendering, the cue sheet and the report read.

Reads a spotting list (one part per cue) or a conformed cue list (a row per part).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conform.cues.cuelist import (
    Cue,
    Row,
    Table,
    conformed_parts,
    parse_stems,
    read_table,
    shown,
    spotting_cues,
)
from edl.errors import CutError
from edl.rate import Rate
from edl.timecode import frames_to_samples

__all__ = ["Placement", "StemCue", "read_stem_cues"]


@dataclass(frozen=True)
class Placement:
    """One part of a cue in the cut: record frames ``[start, end)``, audio from ``offset``.

    ``offset_samples`` is exact (from the part's old record position when known).
    """

    index: int
    start: int
    end: int
    offset_samples: int
    old_start: int | None = None
    old_end: int | None = None


@dataclass(frozen=True)
class StemCue:
    """A cue to render: its parts in the cut and its stem files (name -> path)."""

    number: str
    title: str
    status: str
    parts: tuple[Placement, ...]
    stems: dict[str, Path]
    columns: dict[str, str] = field(default_factory=dict)
    line: int | None = None

    @property
    def start(self) -> int:
        return min(p.start for p in self.parts)

    @property
    def end(self) -> int:
        return max(p.end for p in self.parts)


def _stems(table: Table, row: Row, base: Path) -> dict[str, Path]:
    stems = parse_stems(table.value(row, "stems"), table.value(row, "file"))
    return {name: base / path for name, path in stems.items()}


def read_stem_cues(path: str | Path, rate: Rate, sample_rate: int = 48000) -> list[StemCue]:
    """Cues with their stems from a spotting list or a conformed cue list (the one reader)."""
    path = Path(path)
    table = read_table(path)
    base = path.parent
    fts = lambda frame: frames_to_samples(frame, rate, sample_rate)  # noqa: E731
    if not table.has("new_start"):
        return [_spotted(cue, table, base) for cue in spotting_cues(table, rate).cues]
    first: dict[str, tuple[Row, dict[str, Path], str]] = {}
    placements: dict[str, list[Placement]] = {}
    syncs: dict[str, list[str]] = {}  # every part's sync points: a later part may hold them
    rows = {row.line: row for row in table.rows}
    for part in conformed_parts(table, rate):
        sync = next((v for k, v in table.columns(rows[part.line]).items() if k.lower() == "sync"),
                    "").strip()  # fmt: skip
        if sync and sync not in syncs.setdefault(part.cue, []):
            syncs[part.cue].append(sync)
        if part.cue not in first:
            row = rows[part.line]
            try:
                stems = _stems(table, row, base)
            except CutError as err:
                raise table.error(f"cue {shown(part.cue, 20)}: {err.cause}", part.line) from None
            first[part.cue] = (row, stems, part.status)
            placements[part.cue] = []
        if part.new_start is not None and part.new_end is not None:
            offset = fts(part.old_start) - fts(part.old_start - part.offset)
            placements[part.cue].append(
                Placement(
                    part.part, part.new_start, part.new_end, offset, part.old_start, part.old_end
                )  # fmt: skip
            )
    return [
        StemCue(
            number,
            table.value(row, "title"),
            status,
            tuple(placements[number]),
            stems,
            _with_sync(table.columns(row), syncs.get(number, [])),
            row.line,
        )  # fmt: skip
        for number, (row, stems, status) in first.items()
        if placements[number]
    ]


def _spotted(cue: Cue, table: Table, base: Path) -> StemCue:
    lower = {k.lower(): v for k, v in cue.columns.items()}
    try:
        stems = parse_stems(lower.get("stems", ""), lower.get("file", ""))
    except CutError as err:
        raise table.error(f"cue {shown(cue.number, 20)}: {err.cause}", cue.line) from None
    placement = Placement(1, cue.start, cue.end, 0)
    return StemCue(cue.number, cue.title, lower.get("status", ""), (placement,),
                   {name: base / p for name, p in stems.items()}, cue.columns,
                   cue.line)  # fmt: skip


def _with_sync(columns: dict[str, str], syncs: list[str]) -> dict[str, str]:
    """The first part's columns with the sync points of all the cue's parts (``; ``-joined)."""
    if not syncs:
        return columns
    key = next((k for k in columns if k.lower() == "sync"), "sync")
    return {**columns, key: "; ".join(syncs)}
