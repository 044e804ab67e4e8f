"""Spreadsheet-safe CSV cells: text from user data never starts a formula (OWASP CSV injection).

Rule: a cell that holds text taken from the user's files (cue numbers, titles, names, clip
and file names, notes) and begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a single quote in front, as OWASP's "CSV Injection" page recommends and
spreadsheet-safe exporters do; Excel, LibreOffice and Google Sheets then show it as text.
Figures we compute ourselves (timecodes, frame counts, seconds, dB, shares we parsed into
numbers, such as ``-3.2``) are data, not user text, and are written as they are: quoting
them would corrupt the numbers a mix stage reads.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: object) -> str:
    """A user-derived text cell that a spreadsheet will show as text, never run."""
    value = "" if text is None else str(text)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_row(row: Iterable[object], text_columns: Iterable[int]) -> list[object]:
    """``row`` with the cells at ``text_columns`` (user text) made safe; figures untouched."""
    cells = list(row)
    for index in text_columns:
        if index < len(cells):
            cells[index] = safe_cell(cells[index])
    return cells
