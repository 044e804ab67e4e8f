"""Cue lists (spotting lists) as DESIGN.md specifies them: read, check, keep every column."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from edl.errors import CutError
from edl.rate import Rate
from edl.timecode import parse_timecode

__all__ = ["SyncPoint", "Cue", "CueList", "CueError", "read_cues", "parse_sync", "parse_length"]


class CueError(CutError):
    """Bad input in a cue list (same one-line form as every other input error)."""


@dataclass(frozen=True)
class SyncPoint:
    """A record frame in the cue that must stay on a picture hit, with an optional name."""

    frame: int
    name: str = ""


@dataclass(frozen=True)
class Cue:
    """One cue: its number, title, record range ``[start, end)`` and its other columns."""

    number: str
    start: int
    end: int
    title: str = ""
    sync: tuple[SyncPoint, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    line: int | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class CueList:
    """Cues in file order, the header as written, and notes about the file."""

    cues: tuple[Cue, ...]
    header: tuple[str, ...]
    path: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """Input columns other than cue/start/end/duration, in input order (title, sync too)."""
        placed = ("cue", "start", "end", "duration")
        return tuple(h for h in self.header if h.strip().lower() not in placed)


_SECONDS_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*s$")


def parse_length(text: str, rate: Rate) -> int:
    """A duration: ``hh:mm:ss:ff`` counted without drop, ``123f`` frames or ``12.5s``."""
    text = text.strip()
    if text.endswith("f") and text[:-1].isdigit():
        return int(text[:-1])
    seconds = _SECONDS_RE.match(text)
    if seconds:
        return round(Fraction(seconds.group(1)) * rate.fps)
    return parse_timecode(text.replace(";", ":"), rate.with_drop(False))


_SYNC_RE = re.compile(
    r"\s*(?:([^=;]+?)\s*=\s*)?(\d{1,2}[:;.]\d{2}[:;.]\d{2}[:;.,]\d{2,3})\s*(?:;|$)"
)


def parse_sync(text: str, rate: Rate) -> tuple[SyncPoint, ...]:
    """``name=01:00:10:00; 01:00:12:05`` -> sync points (names optional).

    Items are separated by `;`, which drop-frame timecodes also use before the frames, so
    items are found by their timecode rather than by splitting.
    """
    points = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _SYNC_RE.match(text, position)
        if not match:
            raise CutError(
                f"cannot read sync point {text[position:].strip()!r}",
                hint="write name=hh:mm:ss:ff, separated by ';'",
            )
        name, tc = match.group(1) or "", match.group(2)
        points.append(SyncPoint(parse_timecode(tc, rate), name.strip()))
        position = match.end()
    return tuple(points)


def read_cues(path: str | Path, rate: Rate) -> CueList:
    """Read a cue list CSV; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    except OSError as err:
        raise CueError(f"cannot read: {err.strerror}", path=path) from None
    try:
        return parse_cues(text, rate, str(path))
    except CutError as err:
        raise CueError(err.cause, path=path, line=err.line, hint=err.hint) from None


def parse_cues(text: str, rate: Rate, where: str = "") -> CueList:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise CueError("the cue list is empty", hint="the first row must name the columns")
    header = tuple(h.strip() for h in rows[0])
    lower = [h.lower() for h in header]
    for required in ("cue", "start"):
        if required not in lower:
            raise CueError(f"no '{required}' column", line=1, hint="see the cue list format")
    if "end" not in lower and "duration" not in lower:
        raise CueError("no 'end' or 'duration' column", line=1, hint="give one of them")
    cues: list[Cue] = []
    seen: dict[str, int] = {}
    line = 1
    for row in rows[1:]:
        line += 1
        if not any(cell.strip() for cell in row):
            continue
        values = {lower[i]: row[i].strip() if i < len(row) else "" for i in range(len(header))}
        cue = _cue(values, dict(zip(header, (c.strip() for c in row), strict=False)), rate, line)
        if cue.number in seen:
            raise CueError(
                f"cue {cue.number} appears twice (first on line {seen[cue.number]})",
                line=line,
                hint="cue numbers must be unique; add a suffix such as 1M1A",
            )
        seen[cue.number] = line
        cues.append(cue)
    return CueList(tuple(cues), header, where)


def _cue(values: dict[str, str], columns: dict[str, str], rate: Rate, line: int) -> Cue:
    number = values.get("cue", "")
    if not number:
        raise CueError("a cue has no number", line=line)
    try:
        start = parse_timecode(values["start"], rate)
        if values.get("end"):
            end = parse_timecode(values["end"], rate)
        elif values.get("duration"):
            end = start + parse_length(values["duration"], rate)
        else:
            raise CueError(f"cue {number} has neither end nor duration", line=line)
        sync = parse_sync(values.get("sync", ""), rate)
    except CutError as err:
        raise CueError(f"cue {number}: {err.cause}", line=line, hint=err.hint) from None
    if end <= start:
        raise CueError(
            f"cue {number} ends ({values.get('end') or values.get('duration')}) "
            f"before it starts ({values['start']})",
            line=line,
            hint="end is exclusive and must come after start",
        )
    return Cue(number, start, end, values.get("title", ""), sync, columns, line)
