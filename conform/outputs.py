"""Writing an output folder so that a killed run leaves nothing half-written.

Files are written into a hidden staging folder beside the target and moved into place
only when every one of them is complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from edl.io import default_mode

__all__ = ["OutputExists", "OutputDir"]


class OutputExists(Exception):
    """The output folder already holds files and --force was not given."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: output folder already exists; use --force to replace its files")
        self.path = path


class OutputDir:
    """``with OutputDir(target, force) as out: out.write_text("a.csv", text)``.

    On success the staging folder becomes ``target`` (or, with ``force``, its files replace
    those of the same name in ``target``); on any error it is removed.
    """

    def __init__(self, target: str | Path, force: bool = False) -> None:
        self.target = Path(target)
        self.force = force
        if self.target.exists() and not self.target.is_dir():
            raise OutputExists(self.target)
        if self.target.is_dir() and any(self.target.iterdir()) and not force:
            raise OutputExists(self.target)
        self.staging: Path | None = None

    def __enter__(self) -> OutputDir:
        parent = self.target.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=parent))
        os.chmod(self.staging, default_mode(directory=True))
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` while the run is in progress."""
        assert self.staging is not None, "use OutputDir as a context manager"
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
        assert self.staging is not None
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
