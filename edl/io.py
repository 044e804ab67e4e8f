"""Read and write a cut by file name: EDLs ourselves, everything else through OTIO."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from edl.cmx3600 import read_edl, write_edl
from edl.cut import Cut
from edl.errors import CutError
from edl.otio_io import read_otio, write_otio
from edl.rate import Rate

__all__ = [
    "EDL_SUFFIXES",
    "read_cut",
    "write_cut",
    "cut_text",
    "atomic_write_text",
    "default_mode",
]

EDL_SUFFIXES = (".edl", ".txt", ".cdl")
"""Read as CMX3600 (Premiere exports EDLs as .txt now and then)."""


def read_cut(path: str | Path, rate: Rate | None = None) -> Cut:
    """A cut from an EDL, an ``.otio`` file or any timeline an OTIO adapter reads."""
    path = Path(path)
    if not path.exists():
        raise CutError("no such file", path=path, hint="check the path")
    if path.is_dir():
        raise CutError("is a folder, not a cut", path=path)
    if path.suffix.lower() in EDL_SUFFIXES:
        return read_edl(path, rate)
    return read_otio(path, rate)


def cut_text(cut: Cut, suffix: str) -> str:
    """The cut in the format its file suffix names (``.edl`` or ``.otio``)."""
    suffix = suffix.lower()
    if suffix == ".edl":
        return write_edl(cut)
    if suffix == ".otio":
        return write_otio(cut)
    raise CutError(f"cannot write {suffix or 'a file with no suffix'}", hint="use .edl or .otio")


def write_cut(cut: Cut, path: str | Path, *, force: bool = False) -> Path:
    """Write the cut to ``path`` (format by suffix), atomically, refusing to overwrite."""
    path = Path(path)
    text = cut_text(cut, path.suffix)
    atomic_write_text(path, text, force=force)
    return path


def default_mode(directory: bool = False) -> int:
    """The permissions a plain ``open()`` would give (mkstemp's 0600 is too strict)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def atomic_write_text(path: Path, text: str, *, force: bool = False) -> None:
    """Write to a temporary name beside ``path`` and rename into place."""
    if path.exists() and not force:
        raise CutError("already exists", path=path, hint="use --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
