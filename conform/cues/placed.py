"""Cues placed on a cut with their stem files: what rendering, the cue sheet and the report read.

Reads a spotting list (one part per cue) or a conformed cue list (a row per part).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from conform.cues.cuelist import CueError, parse_length
from edl.errors import CutError
from edl.rate import Rate
from edl.timecode import frames_to_samples, parse_timecode

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


def _stems(text: str, file: str, base: Path) -> dict[str, Path]:
    stems: dict[str, Path] = {}
    for item in text.split(";"):
        if not item.strip():
            continue
        name, sep, path = item.partition("=")
        if not sep:
            raise CutError(f"stem {item.strip()!r} needs a name: name=path")
        stems[name.strip()] = base / path.strip()
    if not stems and file.strip():
        stems["mix"] = base / file.strip()
    return stems


def read_stem_cues(path: str | Path, rate: Rate, sample_rate: int = 48000) -> list[StemCue]:
    """Cues with their stems from a spotting list or a conformed cue list."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise CueError(f"cannot read: {err.strerror}", path=path) from None
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise CueError("the cue list is empty", path=path)
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    conformed = "new_start" in lower
    cues: dict[str, StemCue] = {}
    tc = lambda text: parse_timecode(text, rate)  # noqa: E731
    fts = lambda frame: frames_to_samples(frame, rate, sample_rate)  # noqa: E731
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        values = {lower[i]: (row[i].strip() if i < len(row) else "") for i in range(len(header))}
        columns = {header[i]: values[lower[i]] for i in range(len(header))}
        number = values.get("cue", "")
        try:
            if conformed:
                if not values.get("new_start"):
                    part = None  # no longer in the cut
                else:
                    old_start, new_start = tc(values["old_start"]), tc(values["new_start"])
                    first_old = old_start - parse_length(values.get("offset") or "0f", rate)
                    offset = fts(old_start) - fts(first_old)
                    index = int(values.get("part") or 1)
                    part = Placement(index, new_start, tc(values["new_end"]), offset,
                                     old_start, tc(values["old_end"]))  # fmt: skip
            else:
                start = tc(values["start"])
                end = tc(values["end"]) if values.get("end") else start + parse_length(
                    values["duration"], rate)  # fmt: skip
                part = Placement(1, start, end, 0)
            stems = _stems(values.get("stems", ""), values.get("file", ""), path.parent)
        except (CutError, KeyError) as err:
            cause = err.cause if isinstance(err, CutError) else f"missing column {err}"
            raise CueError(f"cue {number}: {cause}", path=path, line=line) from None
        known = cues.get(number)
        parts = (known.parts if known else ()) + ((part,) if part else ())
        cues[number] = StemCue(number, values.get("title", ""), values.get("status", ""),
                               parts, known.stems if known else stems, columns, line)  # fmt: skip
    return [cue for cue in cues.values() if cue.parts]
