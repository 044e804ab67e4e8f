"""The one error root of the project: every library error a user can cause derives from it.

`MconformError` formats as one line, ``file:line: cause; what to do``, which is what the
command line prints (exit code 2). It lives in the lowest layer (`edl`) so that every
other package can derive from it without importing upwards.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MconformError", "CutError", "OutputExists"]


class MconformError(ValueError):
    """Bad input or an impossible request, told in one line with file, line and hint.

    ``path`` and ``line`` are optional so that the same error serves for a value typed
    on the command line.
    """

    def __init__(
        self,
        cause: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.cause = " ".join(str(cause).split())  # one line, whatever a library said
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def located(self, path: str | Path | None = None, line: int | None = None) -> MconformError:
        """A copy with the file and line filled in where they were not known yet."""
        return type(self)(
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

    def __reduce__(self):  # noqa: ANN204 - errors cross process pools in batches
        return (_rebuild, (type(self), self.cause, self.path, self.line, self.hint))


def _rebuild(
    kind: type[MconformError], cause: str, path: str | None, line: int | None, hint: str | None
) -> MconformError:
    return kind(cause, path=path, line=line, hint=hint)


class CutError(MconformError):
    """Bad input in a cut, a rate or a timecode."""


class OutputExists(MconformError):
    """An output that is already there, and --force was not given."""

    def __init__(
        self,
        cause: str = "already exists",
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = "use --force to replace it",
    ) -> None:
        super().__init__(cause, path=path, line=line, hint=hint)
