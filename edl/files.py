"""Writing outputs safely: a temporary name renamed into place, and staged output folders.

The one atomic-write helper of the project. A killed run leaves at worst a hidden
``.NAME.*.part`` file, or a staging folder ``.NAME.mconform-staging.*`` beside the output
folder, which the next run into the same place recognises by its name and removes (it
holds the output's lock, so no live run can own it).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from glob import escape as glob_escape
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


STAGING = ".mconform-staging."
LOCK = ".mconform-lock"


class OutputDir:
    """``with OutputDir(target, force) as out: out.write_text("a.csv", text)``.

    Files are written into a hidden staging folder beside the target and moved into place
    only when every one of them is complete. On success the staging folder becomes
    ``target`` (or, with ``force``, its files replace those of the same name in
    ``target``); on any error it is removed.

    For the whole run the target is locked (``flock`` on a hidden ``.NAME.mconform-lock``
    beside it, removed at the end): a second run into the same target fails at once with
    one line. Under the lock, staging folders that killed runs left are removed, and the
    target is checked again just before the final rename.
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
        self._lock = self._take_lock(parent / f".{self.target.name}{LOCK}")
        try:
            for debris in parent.glob(f".{glob_escape(self.target.name)}{STAGING}*"):
                shutil.rmtree(debris, ignore_errors=True)  # a killed run's; we hold the lock
            self._check()
            prefix = f".{self.target.name}{STAGING}"
            self._outer = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
            os.chmod(self._outer, default_mode(directory=True))
            # inside, a folder of the target's own name: tools that name records after the
            # folder (ASC MHL) see the real name
            self.staging = self._outer / self.target.name
            self.staging.mkdir(mode=default_mode(directory=True))
        except BaseException:
            self._release()
            raise
        return self

    def _take_lock(self, path: Path) -> tuple[int, Path]:
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, default_mode())
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise OutputExists(
                    "another run is writing this output folder now", path=self.target,
                    hint="wait for it to finish, or choose another --out",
                ) from None  # fmt: skip
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file that its holder removed meanwhile
                return fd, path
            os.close(fd)

    def _release(self) -> None:
        fd, path = self._lock
        path.unlink(missing_ok=True)
        os.close(fd)

    def _check(self) -> None:
        if self.target.exists() and not self.target.is_dir():
            raise OutputExists("exists and is not a folder", path=self.target)
        if self.target.is_dir() and any(self.target.iterdir()) and not self.force:
            raise OutputExists(
                "output folder already exists",
                path=self.target,
                hint="use --force to replace its files",
            )

    def path(self, name: str) -> Path:
        """Where to write ``name`` while the run is in progress."""
        if self.staging is None:
            raise RuntimeError("use OutputDir as a context manager")
        path = self.staging / name
        if ".." in Path(name).parts or Path(name).is_absolute() or "\n" in name:
            raise OutputExists(f"refusing to write {name!r}: it would leave the output folder",
                               path=self.target)  # fmt: skip
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
            shutil.rmtree(self._outer, ignore_errors=True)
            self._release()

    def _commit(self) -> None:
        assert self.staging is not None
        self._check()  # again: something else may have made it meanwhile
        if not self.target.exists():
            try:
                os.rename(self.staging, self.target)
            except OSError as err:
                raise OutputExists(f"cannot move the finished output into place: {err.strerror}",
                                   path=self.target) from None  # fmt: skip
            return
        for source in sorted(self.staging.rglob("*")):
            if source.is_file():
                destination = self.target / source.relative_to(self.staging)
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, destination)
