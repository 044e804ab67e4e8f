"""Writing outputs safely: a temporary name renamed into place, and staged output folders.

The one atomic-write helper of the project. A killed run leaves at worst a hidden
``.NAME.*.part`` file or a staging folder, which the next run into the same place removes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from edl.errors import OutputExists

__all__ = ["OutputExists", "OutputDir", "atomic_path", "atomic_write_text", "default_mode"]


def default_mode(directory: bool = False) -> int:
    """The permissions a plain ``open()`` would give (mkstemp's 0600 is too strict)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


@contextmanager
def atomic_path(path: str | Path, *, force: bool = True) -> Iterator[Path]:
    """``with atomic_path(p) as tmp:`` write ``tmp``; it is renamed to ``p`` on success.

    On any error (or a kill) the temporary file is removed or left as a hidden ``.part``.
    With ``force=False`` an existing ``path`` is refused before anything is written.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` through a temporary name."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


def atomic_write_bytes(path: str | Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary name."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_bytes(data)


class OutputDir:
    """``with OutputDir(target, force) as out: out.write_text("a.csv", text)``.

    Files are written into a hidden staging folder beside the target and moved into place
    only when every one of them is complete. On success the staging folder becomes
    ``target`` (or, with ``force``, its files replace those of the same name in
    ``target``); on any error it is removed.
    """

    def __init__(self, target: str | Path, force: bool = False) -> None:
        self.target = Path(target)
        self.force = force
        if self.target.exists() and not self.target.is_dir():
            raise OutputExists("exists and is not a folder", path=self.target)
        if self.target.is_dir() and any(self.target.iterdir()) and not force:
            raise OutputExists(
                "output folder already exists",
                path=self.target,
                hint="use --force to replace its files",
            )
        self.staging: Path | None = None

    def __enter__(self) -> OutputDir:
        parent = self.target.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=parent))
        os.chmod(self.staging, default_mode(directory=True))
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` while the run is in progress."""
        if self.staging is None:
            raise RuntimeError("use OutputDir as a context manager")
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write_text(self, name: str, text: str) -> Path:
        path = self.path(name)
        path.write_text(text, encoding="utf-8", newline="")
        return self.target / name

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.staging is None:
            return
        try:
            if kind is None:
                self._commit()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _commit(self) -> None:
        assert self.staging is not None
        if not self.target.exists():
            os.replace(self.staging, self.target)
            return
        for source in sorted(self.staging.rglob("*")):
            if source.is_file():
                destination = self.target / source.relative_to(self.staging)
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, destination)
