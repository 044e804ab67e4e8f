"""`mconform cuesheet`: the performing-rights cue sheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from conform.cli.common import (
    ForceOption,
    RateOption,
    app,
    load_cut,
)
from conform.terminal import (
    err,
    out,
)
from edl.files import atomic_write_text


@app.command("cuesheet")
def cuesheet(
    cues_path: Annotated[Path, typer.Argument(metavar="CUES")],
    cut_path: Annotated[Path, typer.Option("--cut", help="The final cut")],
    out_path: Annotated[Path, typer.Option("--out", help="cuesheet.csv")],
    title: Annotated[str, typer.Option("--title", help="Production title")] = "",
    rate: RateOption = "auto",
    force: ForceOption = False,
) -> None:
    """The performing-rights cue sheet: cues in order of use, durations, rights, flags."""
    from conform.cues.placed import read_stem_cues
    from conform.paperwork.cuesheet import cue_sheet, cue_sheet_csv

    cut = load_cut(cut_path, rate)
    cues = read_stem_cues(cues_path, cut.rate)
    rows = cue_sheet(cues)
    text, warnings = cue_sheet_csv(rows, cut, title or cut.title)
    atomic_write_text(out_path, text, force=force)
    table = Table(title=f"Cue sheet: {title or cut.title}", title_justify="left")
    for name in ("seq", "cue", "title", "composers", "usage", "in", "out", "duration"):
        table.add_column(name)
    for line in list(csv.reader(io.StringIO(text)))[5:]:
        table.add_row(*line[:5], line[7], line[8], line[9], line[10])
    out.print(table)
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    out.print(f"wrote {out_path}")
