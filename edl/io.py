"""Read and write a cut by file name: EDLs ourselves, everything else through OTIO."""

from __future__ import annotations

from pathlib import Path

from edl.cmx3600 import read_edl, write_edl
from edl.cut import Cut
from edl.errors import CutError
from edl.files import atomic_write_text
from edl.rate import Rate

__all__ = [
    "EDL_SUFFIXES",
    "read_cut",
    "write_cut",
    "cut_text",
]

EDL_SUFFIXES = (".edl", ".txt", ".cdl")
"""Read as CMX3600 (Premiere exports EDLs as .txt now and then)."""


def read_cut(path: str | Path, rate: Rate | None = None, lenient: bool = False) -> Cut:
    """A cut from an EDL, an ``.otio`` file or any timeline an OTIO adapter reads.

    ``lenient`` skips EDL events that cannot be read, with a warning naming the line.
    """
    path = Path(path)
    if not path.exists():
        raise CutError("no such file", path=path, hint="check the path")
    if path.is_dir():
        raise CutError("is a folder, not a cut", path=path)
    if path.suffix.lower() in EDL_SUFFIXES:
        return read_edl(path, rate, lenient)
    from edl.otio_io import read_otio  # OTIO loads only for timelines that need it

    return read_otio(path, rate)


def cut_text(cut: Cut, suffix: str) -> str:
    """The cut in the format its file suffix names (``.edl`` or ``.otio``)."""
    suffix = suffix.lower()
    if suffix == ".edl":
        return write_edl(cut)
    if suffix == ".otio":
        from edl.otio_io import write_otio

        return write_otio(cut)
    raise CutError(f"cannot write {suffix or 'a file with no suffix'}", hint="use .edl or .otio")


def write_cut(cut: Cut, path: str | Path, *, force: bool = False) -> Path:
    """Write the cut to ``path`` (format by suffix), atomically, refusing to overwrite."""
    path = Path(path)
    text = cut_text(cut, path.suffix)
    atomic_write_text(path, text, force=force)
    return path
