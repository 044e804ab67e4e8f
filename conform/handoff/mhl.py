"""An ASC MHL (v2.0) history for the package, made with the ``ascmhl`` package itself.

A receiving facility checks a delivery with its own tools: ``ascmhl create PACKAGE``
verifies every file against the history (and seals a new generation), and any other ASC
MHL tool reads ``ascmhl/``. Files are hashed with xxh64, the format ASC MHL tools use by
default (MD5 is in MANIFEST.md5 already). The history records when and on which host it
was made, as ASC MHL requires; it is the one part of a package that differs between two
otherwise byte-identical builds.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from edl.errors import MconformError

__all__ = ["seal", "MHL_FOLDER"]

MHL_FOLDER = "ascmhl"


def seal(folder: Path, comment: str = "") -> None:
    """Write the first ASC MHL generation of ``folder`` (every file, xxh64)."""
    from ascmhl.commands import create_for_folder_subcommand

    quiet = io.StringIO()
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            create_for_folder_subcommand(
                str(folder), False, False, ["xxh64"], False, None, None, None, None, None,
                comment or None, [], None,
            )  # fmt: skip
    except SystemExit as stop:  # click reports failures by exiting
        if stop.code:
            said = quiet.getvalue().strip()[-200:]
            raise MconformError(f"ASC MHL: {said}", path=folder) from None
    except Exception as err:  # noqa: BLE001 - the library's failure, in one line
        raise MconformError(f"ASC MHL: {err}", path=folder) from None
