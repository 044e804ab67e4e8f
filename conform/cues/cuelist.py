"""The one cue-list reader: a spotting list or a conformed cue list, as DESIGN.md specifies.

Two stages, like pycmx: `read_table` turns the file into rows with their line numbers
(decoding, CSV, limits), then `spotting_cues` / `conformed_parts` turn rows into checked
objects. `conform`, `sync`, `handoff` and `cuesheet` all read through here, so every
command accepts the same files and refuses the same mistakes with the same one-line error.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path

from edl.errors import CutError
from edl.rate import Rate
from edl.timecode import split_timecode, timecode_to_frames

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "SyncPoint",
    "Cue",
    "CueList",
    "CueError",
    "PartRow",
    "Row",
    "Table",
    "read_table",
    "parse_table",
    "spotting_cues",
    "conformed_parts",
    "read_cues",
    "parse_cues",
    "parse_sync",
    "parse_length",
    "parse_stems",
    "rebase_paths",
    "read_timecode",
    "shown",
]

MAX_BYTES = 64 * 1024 * 1024
"""A cue list over 64 MiB is refused: a feature's list is a few hundred rows (~50 KiB)."""
MAX_ROWS = 10_000
"""At most 10 000 rows: a feature has a few hundred cues, a whole series a few thousand.

Reading is linear (10 000 rows in well under a second); the limit keeps a runaway or
hostile list (a million rows) from costing minutes and gigabytes downstream.
"""


class CueError(CutError):
    """Bad input in a cue list or hits file (same one-line form as every other input error)."""


def shown(text: str, limit: int = 40) -> str:
    """Input quoted in a message, cut to ``limit`` characters so the error stays one line."""
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


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


@dataclass(frozen=True)
class Row:
    """One non-blank CSV record: the line it starts on and its cells (stripped, one a column)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A CSV file as rows with line numbers; column names are case-insensitive."""

    path: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str = "utf-8"

    @cached_property
    def lower(self) -> tuple[str, ...]:
        return tuple(h.lower() for h in self.header)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.lower)}

    def has(self, name: str) -> bool:
        return name in self._index

    def value(self, row: Row, name: str) -> str:
        """The cell of column ``name`` (lower case), or "" when there is no such column."""
        index = self._index.get(name)
        return "" if index is None else row.cells[index]

    def values(self, row: Row) -> dict[str, str]:
        """Lower-case column name -> cell."""
        return dict(zip(self.lower, row.cells, strict=True))

    def columns(self, row: Row) -> dict[str, str]:
        """Column name as written -> cell."""
        return dict(zip(self.header, row.cells, strict=True))

    def error(self, cause: str, line: int | None = None, hint: str | None = None) -> CueError:
        return CueError(cause, path=self.path or None, line=line, hint=hint)

    @property
    def warnings(self) -> tuple[str, ...]:
        if self.encoding in ("utf-8", "utf-16"):
            return ()
        return (f"read as {self.encoding} (not UTF-8), as Excel writes CSV on Windows",)


def _decode(path: Path, what: str) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 or UTF-16 (BOM), else Windows-1252 (Excel)."""
    if path.is_dir():
        raise CueError(f"is a folder, not a {what}", path=path, hint="give the CSV file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CueError(
                f"is {size / 2**20:.0f} MiB; a {what} is at most {MAX_BYTES // 2**20} MiB",
                path=path,
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise CueError("no such file", path=path, hint=f"check the path of the {what}") from None
    except OSError as err:
        raise CueError(f"cannot read: {err.strerror or err}", path=path) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CueError("is not valid UTF-16 text", path=path) from None
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                text, encoding = data.decode("latin-1"), "Latin-1"
    if "\x00" in text:
        raise CueError(f"is not a text file (it holds NUL bytes), not a {what}", path=path)
    return text, encoding


def read_table(path: str | Path, what: str = "cue list") -> Table:
    """Stage one: decode, split into CSV records with their first line, refuse the absurd."""
    text, encoding = _decode(Path(path), what)
    return parse_table(text, str(path), what, encoding)


def parse_table(
    text: str, path: str = "", what: str = "cue list", encoding: str = "utf-8"
) -> Table:
    """CSV text -> rows with the line each starts on (blank rows skipped)."""
    reader = csv.reader(_lines(text))
    header: tuple[str, ...] | None = None
    rows: list[Row] = []
    line = 1
    try:
        for record in reader:
            first, line = line, reader.line_num + 1
            cells = tuple(cell.strip() for cell in record)
            if header is None:
                if not any(cells):
                    continue  # blank lines before the header
                header = _header(cells, str(path), first)
                continue
            if not any(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CueError(
                    f"has more than {MAX_ROWS} rows, the most a {what} may have",
                    path=path or None,
                    line=first,
                    hint="split it into reels",
                )
            if len(cells) > len(header):
                if any(cells[len(header) :]):
                    raise CueError(
                        f"the row has {len(cells)} cells but the header names {len(header)} "
                        "columns",
                        path=path or None,
                        line=first,
                        hint="quote cells that hold commas",
                    )
                cells = cells[: len(header)]
            elif len(cells) < len(header):
                cells = cells + ("",) * (len(header) - len(cells))
            rows.append(Row(first, cells))
    except csv.Error as err:
        cause = str(err)
        if "field limit" in cause:
            cause = f"a cell is over {csv.field_size_limit() // 1024} KiB, the most a cell may hold"
        raise CueError(f"not CSV: {cause}", path=path or None, line=line) from None
    if header is None:
        raise CueError(
            f"the {what} is empty", path=path or None, hint="the first row names the columns"
        )
    return Table(str(path), header, tuple(rows), encoding)


def _lines(text: str) -> Iterator[str]:
    """The text's lines, ends kept, one at a time (a StringIO would copy it at 4 bytes a
    character); a file with only old Mac line ends (CR) is split on those."""
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _header(cells: tuple[str, ...], path: str, line: int) -> tuple[str, ...]:
    seen: set[str] = set()
    for cell in cells:
        if cell and cell.lower() in seen:
            raise CueError(f"column {shown(cell)} appears twice", path=path or None, line=line)
        seen.add(cell.lower())
    return cells


_FRAMES_RE = re.compile(r"([0-9]{1,9})\s*f", re.ASCII)  # up to 999 999 999 frames
_SECONDS_RE = re.compile(r"([0-9]{1,7}(?:\.[0-9]{1,9})?)\s*s", re.ASCII)


def parse_length(text: str, rate: Rate) -> int:
    """A duration: ``hh:mm:ss:ff`` counted without drop, ``123f`` frames or ``12.5s``."""
    text = text.strip()
    frames = _FRAMES_RE.fullmatch(text)
    if frames:
        return int(frames.group(1))
    seconds = _SECONDS_RE.fullmatch(text)
    if seconds:
        return round(Fraction(seconds.group(1)) * rate.fps)
    try:
        h, m, s, f, _ = split_timecode(text)
    except CutError:
        raise CutError(
            f"{shown(text)} is not a length", hint="write hh:mm:ss:ff, 123f or 12.5s"
        ) from None
    return timecode_to_frames(h, m, s, f, rate.with_drop(False), text)


def read_timecode(text: str, rate: Rate) -> int:
    """A record timecode at the cut's rate; ``;`` drop-frame labels are honoured, not misread.

    Under a non-drop 29.97 or 59.94 cut, ``01:00:00;00`` names the frame that drop-frame
    counting gives it (frames since midnight are the same in both counts). At any other
    rate drop frame does not exist, so such a timecode is refused.
    """
    try:
        h, m, s, f, drop = split_timecode(text)
    except CutError:
        raise CutError(f"{shown(text)} is not a timecode", hint="write hh:mm:ss:ff") from None
    if drop and not rate.drop:
        if rate.timecode_base not in (30, 60) or rate.fps.denominator == 1:
            raise CutError(
                f"timecode {shown(text)} is drop frame (';'), which does not exist at "
                f"{rate.label()}",
                hint="write it with ':' or give the cut's true rate",
            )
        rate = rate.with_drop(True)
    return timecode_to_frames(h, m, s, f, rate, text)


_SYNC_RE = re.compile(
    r"\s*(?:([^=;]+?)\s*=\s*)?([0-9]{1,2}[:;.][0-9]{2}[:;.][0-9]{2}[:;.,][0-9]{2,3})\s*(?:;|$)",
    re.ASCII,
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
                f"cannot read sync point {shown(text[position:])}",
                hint="write name=hh:mm:ss:ff, separated by ';'",
            )
        name, tc = match.group(1) or "", match.group(2)
        points.append(SyncPoint(read_timecode(tc, rate), name.strip()))
        position = match.end()
    return tuple(points)


def parse_stems(stems: str, file: str) -> dict[str, str]:
    """``name=path; name=path`` (or one ``file``, named ``mix``) -> stem name -> path as written."""
    result: dict[str, str] = {}
    for item in stems.split(";"):
        if not item.strip():
            continue
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise CutError(f"stem {shown(item.strip())} needs a name and a path: name=path")
        if name.strip() in result:
            raise CutError(f"stem {shown(name.strip())} is named twice")
        result[name.strip()] = path.strip()
    if not result and file.strip():
        result["mix"] = file.strip()
    return result


def rebase_paths(column: str, value: str, source: Path, target: Path) -> str:
    """A `file` or `stems` cell relative to ``source`` rewritten relative to ``target``.

    Paths in a cue list are relative to the CSV; a list written elsewhere (``OUT/cues.csv``)
    must point at the same files. Absolute paths stay as they are.
    """

    def move(path: str) -> str:
        if not path or Path(path).is_absolute():
            return path
        return Path(os.path.relpath(source.absolute() / path, target.absolute())).as_posix()

    kind = column.strip().lower()
    if kind == "file":
        return move(value.strip())
    if kind == "stems" and value.strip():
        try:
            stems = parse_stems(value, "")
        except CutError:
            return value  # the reader of the new list reports it, with its line
        return "; ".join(f"{name}={move(path)}" for name, path in stems.items())
    return value


def _range(table: Table, row: Row, rate: Rate, start_col: str, end_col: str) -> tuple[int, int]:
    """``[start, end)`` of a row from a start timecode and an end timecode or a duration."""
    start_text = table.value(row, start_col)
    if not start_text:
        raise CutError(f"has no {start_col}")
    start = read_timecode(start_text, rate)
    end_text = table.value(row, end_col)
    if end_text:
        end = read_timecode(end_text, rate)
        said = end_text
    elif end_col == "end" and table.value(row, "duration"):
        said = table.value(row, "duration")
        end = start + parse_length(said, rate)
    else:
        raise CutError(
            f"has neither {end_col} nor duration" if end_col == "end" else f"no {end_col}"
        )
    if end <= start:
        raise CutError(
            f"ends ({said}) before or where it starts ({start_text})",
            hint="end is exclusive and must come after start",
        )
    if end - start > 24 * 3600 * rate.fps:
        raise CutError("is longer than 24 hours, the longest cue there can be")
    return start, end


def _sync_inside(points: tuple[SyncPoint, ...], start: int, end: int, rate: Rate) -> None:
    """Refuse a sync point outside ``[start, end)``: it could never land in the cue's audio."""
    from edl.timecode import format_timecode

    for point in points:
        if not start <= point.frame < end:
            tc = lambda f: format_timecode(f, rate)  # noqa: E731
            raise CutError(
                f"sync point {shown(point.name or 'sync', 20)} at {tc(point.frame)} is outside "
                f"the cue ({tc(start)} to {tc(end)})",
                hint="a sync point must fall within the cue; fix its timecode or the cue's range",
            )


def _number(table: Table, row: Row) -> str:
    number = table.value(row, "cue")
    if not number:
        raise table.error("a row has no cue number", row.line, "fill in the cue column")
    if len(number) > 64:
        raise table.error(f"cue number {shown(number)} is over 64 characters", row.line)
    return number


def spotting_cues(table: Table, rate: Rate) -> CueList:
    """Stage two for a spotting list: one checked `Cue` per row, numbers unique."""
    for required in ("cue", "start"):
        if not table.has(required):
            hint = "this is a conformed list; give the spotting list" if table.has(
                "new_start"
            ) else "see the cue list format in docs/formats.md"  # fmt: skip
            raise table.error(f"no '{required}' column", 1, hint)
    if not table.has("end") and not table.has("duration"):
        raise table.error("no 'end' or 'duration' column", 1, "give one of them")
    cues: list[Cue] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        number = _number(table, row)
        try:
            start, end = _range(table, row, rate, "start", "end")
            sync = parse_sync(table.value(row, "sync"), rate)
            _sync_inside(sync, start, end, rate)
        except CutError as err:
            raise table.error(f"cue {shown(number, 20)}: {err.cause}", row.line, err.hint) from None
        if number in seen:
            raise table.error(
                f"cue {shown(number, 20)} appears twice (first on line {seen[number]})",
                row.line,
                "cue numbers must be unique; add a suffix such as 1M1A",
            )
        seen[number] = row.line
        cue = Cue(number, start, end, table.value(row, "title"), sync, table.columns(row), row.line)
        cues.append(cue)
    return CueList(tuple(cues), table.header, table.path, table.warnings)


@dataclass(frozen=True)
class PartRow:
    """One row of a conformed cue list: a part of a cue, old and new record ranges.

    ``new_start``/``new_end`` are None for a part whose picture is gone; ``offset`` is where
    the part starts in the cue's audio (frames).
    """

    cue: str
    part: int
    status: str
    old_start: int
    old_end: int
    new_start: int | None
    new_end: int | None
    offset: int
    sync: tuple[SyncPoint, ...]
    columns: dict[str, str]
    line: int


CONFORMED_REQUIRED = ("cue", "old_start", "old_end", "new_start", "new_end")


def conformed_parts(table: Table, rate: Rate) -> tuple[PartRow, ...]:
    """Stage two for a conformed cue list (`mconform conform`'s cues.csv): checked parts."""
    for required in CONFORMED_REQUIRED:
        if not table.has(required):
            raise table.error(f"no '{required}' column", 1, "a conformed list comes from conform")
    parts: list[PartRow] = []
    seen: dict[tuple[str, int], int] = {}
    for row in table.rows:
        number = _number(table, row)
        try:
            part_text = table.value(row, "part") or "1"
            if not re.fullmatch(r"[0-9]{1,6}", part_text, re.ASCII) or int(part_text) < 1:
                raise CutError(
                    f"part {shown(part_text, 20)} is not a part number", hint="write 1, 2, 3 ..."
                )
            part = int(part_text)
            old_start, old_end = _range(table, row, rate, "old_start", "old_end")
            new_start = new_end = None
            sync: tuple[SyncPoint, ...] = ()
            if table.value(row, "new_start") or table.value(row, "new_end"):
                new_start, new_end = _range(table, row, rate, "new_start", "new_end")
                sync = parse_sync(table.value(row, "sync"), rate)
                _sync_inside(sync, new_start, new_end, rate)
            offset = parse_length(table.value(row, "offset") or "0f", rate)
        except CutError as err:
            raise table.error(f"cue {shown(number, 20)}: {err.cause}", row.line, err.hint) from None
        if (number, part) in seen:
            raise table.error(
                f"cue {shown(number, 20)} part {part} appears twice (first on line "
                f"{seen[number, part]})",
                row.line,
            )
        seen[number, part] = row.line
        status = table.value(row, "status")
        parts.append(
            PartRow(
                number,
                part,
                status,
                old_start,
                old_end,
                new_start,
                new_end,
                offset,
                sync,
                table.columns(row),
                row.line,
            )  # fmt: skip
        )
    return tuple(parts)


def read_cues(path: str | Path, rate: Rate) -> CueList:
    """Read a spotting list; errors name the file and line."""
    return spotting_cues(read_table(path), rate)


def parse_cues(text: str, rate: Rate, where: str = "") -> CueList:
    """A spotting list from text (tests, generated lists): the same checks as `read_cues`."""
    return spotting_cues(parse_table(text, where), rate)
