"""Avid marker lists: the tab-separated text Media Composer exports from its Markers window.

Each line is ``name, timecode, track, colour, comment`` (newer versions add a duration in
frames), tab-separated, no header. The comment is what an editor typed for the hit; the
name is usually the user who placed the marker, so a hit is named by its comment and
falls back on the name. Written here, not with a library: none reads this format.
"""

from __future__ import annotations

from pathlib import Path

from edl.cmx3600 import decode
from edl.cut import Hit
from edl.errors import CutError
from edl.rate import Rate
from edl.timecode import TIMECODE_RE, parse_timecode

__all__ = [
    "is_avid_marker_file",
    "looks_like_avid_markers",
    "parse_avid_markers",
    "read_avid_markers",
]

_COLOURS = {
    "red", "green", "blue", "cyan", "magenta", "yellow", "black", "white",
}  # fmt: skip


def looks_like_avid_markers(text: str) -> bool:
    """Whether text is an Avid marker list (tabs, a timecode in the second field)."""
    for line in text.splitlines():
        if line.strip():
            fields = line.split("\t")
            return len(fields) >= 4 and bool(TIMECODE_RE.match(fields[1].strip()))
    return False


def is_avid_marker_file(path: str | Path) -> bool:
    """Whether a file on disk reads as an Avid marker list (False when it cannot be read)."""
    try:
        data = Path(path).read_bytes()[:65536]
    except OSError:
        return False
    return looks_like_avid_markers(decode(data)[0])


def parse_avid_markers(text: str, rate: Rate, path: str | Path | None = None) -> tuple[Hit, ...]:
    """Hits from the text of a marker list, in time order; bad lines are errors with line."""
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) < 2 or not TIMECODE_RE.match(fields[1]):
            raise CutError(
                "not a marker line: expected name, timecode, track, colour, comment (tabs)",
                path=path,
                line=number,
                hint="export the list from Media Composer's Markers window as text",
            )
        try:
            frame = parse_timecode(fields[1], rate)
        except CutError as err:
            raise err.located(path, number) from None
        colour = fields[3].upper() if len(fields) > 3 and fields[3].lower() in _COLOURS else ""
        comment = fields[4] if len(fields) > 4 else ""
        hits.append(Hit(frame=frame, name=comment or fields[0], colour=colour, line=number))
    if not hits:
        raise CutError("no markers in the file", path=path)
    return tuple(sorted(hits, key=lambda h: h.frame))


def read_avid_markers(path: str | Path, rate: Rate) -> tuple[Hit, ...]:
    """Read a marker list from disk (UTF-8, UTF-16 with a BOM, or Latin-1)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CutError(f"cannot read: {err.strerror}", path=path) from None
    text, _ = decode(data)
    return parse_avid_markers(text, rate, path)
