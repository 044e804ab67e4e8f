"""The cue sheet as an XLSX workbook laid out like the societies' templates.

Sheet "Production": the header (title, AKA, episode, production number, company, contact,
air/release date, programme length, total music). Sheet "Cue Sheet": the ASCAP/BMI
(RapidCue) standard layout, one line per use with its first interested party, then one line
per further party (role, name, society, IPI/CAE, share); the total and the warnings below.
Text goes in as typed strings, so nothing a user wrote can become a formula. Written with
XlsxWriter in memory; its zip entries carry a fixed 1980 date and we fix the document's
creation date, so the same sheet gives the same bytes.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime

from conform.paperwork.cuesheet import CueSheet, clock, production_rows
from conform.paperwork.parties import format_share
from edl.timecode import format_timecode

__all__ = ["cue_sheet_xlsx", "CUE_COLUMNS"]

CUE_COLUMNS = ("Seq #", "Cue #", "Cue Title", "Usage", "Timing In", "Timing Out", "Duration",
               "Role", "Name", "Society", "IPI/CAE #", "Share %", "Notes")  # fmt: skip
_WIDTHS = (6, 8, 28, 7, 12, 12, 9, 6, 26, 10, 14, 8, 40)


def _created() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else a fixed date: same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else 315532800  # 1980-01-01, like the zip dates
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def cue_sheet_xlsx(sheet: CueSheet) -> bytes:
    """The workbook's bytes: Production and Cue Sheet sheets."""
    import xlsxwriter  # lazy: only the cue sheet needs it

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}  # fmt: skip
    book = xlsxwriter.Workbook(buffer, options)
    title = sheet.production.title
    book.set_properties({"title": f"Cue sheet: {title}", "created": _created(),
                         "comments": "made by mconform"})  # fmt: skip
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
    share = book.add_format({"num_format": "0.00"})
    production = book.add_worksheet("Production")
    production.set_column(0, 0, 22)
    production.set_column(1, 1, 40)
    production.write_string(0, 0, "Cue Sheet: Production", bold)
    for row, (name, value) in enumerate(production_rows(sheet), start=2):
        production.write_string(row, 0, name, bold)
        if value:
            production.write_string(row, 1, value)
    cues = book.add_worksheet("Cue Sheet")
    for column, width in enumerate(_WIDTHS):
        cues.set_column(column, column, width)
    cues.write_string(0, 0, f"Cue Sheet: {title}", bold)
    for column, name in enumerate(CUE_COLUMNS):
        cues.write_string(2, column, name, head)
    cues.freeze_panes(3, 0)
    cues.repeat_rows(2)
    row = 3
    tc = lambda f: format_timecode(f, sheet.rate)  # noqa: E731
    for use in sheet.uses:
        cues.write_number(row, 0, use.sequence)
        for column, text in enumerate(
            (use.cue, use.title, use.usage, tc(use.start), tc(use.end), clock(use.seconds)),
            start=1,
        ):
            if text:
                cues.write_string(row, column, text)
        if use.flags:
            cues.write_string(row, 12, "; ".join(use.flags))
        for party in use.parties or ():
            for column, text in enumerate((party.role, party.name, party.society, party.ipi),
                                          start=7):  # fmt: skip
                if text:
                    cues.write_string(row, column, text)
            if party.share is not None:
                cues.write_number(row, 11, float(format_share(party.share)), share)
            row += 1
        if not use.parties:
            row += 1
    row += 1
    cues.write_string(row, 5, "Total Music", bold)
    cues.write_string(row, 6, clock(sheet.music_seconds), bold)
    if sheet.warnings:
        row += 2
        cues.write_string(row, 0, "Warnings", bold)
        for warning in sheet.warnings:
            row += 1
            cues.write_string(row, 0, warning)
    cues.set_landscape()
    cues.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
