"""The one error type the `edl` package raises for bad input."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CutError"]


class CutError(ValueError):
    """Bad input in a cut, a rate or a timecode.

    Formats as one line: ``file:line: cause; what to do``. ``path`` and ``line`` are
    optional so that the same error serves for a rate typed on the command line.
    """

    def __init__(
        self,
        cause: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.cause = cause
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def located(self, path: str | Path | None = None, line: int | None = None) -> CutError:
        """A copy with the file and line filled in where they were not known yet."""
        return CutError(
            self.cause,
            path=self.path if self.path is not None else path,
            line=self.line if self.line is not None else line,
            hint=self.hint,
        )

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        text = where + self.cause
        if self.hint:
            text += f"; {self.hint}"
        return text
