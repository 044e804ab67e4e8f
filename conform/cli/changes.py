"""`mconform diff` and `mconform conform`: picture changes and cues through them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import (
    ForceOption,
    MatchOption,
    RateOption,
    app,
    load_cut,
)
from conform.cues.conformed_io import write_conform_outputs
from conform.cues.cuelist import read_cues
from conform.cues.reconform import conform_cues, cues_outside
from conform.music.refit import refit_changed_cues
from conform.terminal import (
    changes_table,
    err,
    out,
    print_conform_summary,
    print_totals,
)
from edl.changes import ChangeList, compare
from edl.changes_io import changes_csv, changes_edl
from edl.files import OutputDir


def load_pair(old_path: Path, new_path: Path, rate: str, match: str) -> ChangeList:
    """Both cuts at the same rate, compared."""
    old = load_cut(old_path, rate)
    new = load_cut(new_path, rate)
    return compare(old, new, match)


@app.command("diff")
def diff(
    old_path: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier cut")],
    new_path: Annotated[Path, typer.Argument(metavar="NEW", help="The later cut")],
    rate: RateOption = "auto",
    match: MatchOption = "auto",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write changes.csv and changes.edl here.")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="List unchanged shots too.")] = False,
    force: ForceOption = False,
) -> None:
    """What changed in picture between two versions of a cut."""
    output = OutputDir(out_dir, force) if out_dir is not None else None
    changes = load_pair(old_path, new_path, rate, match)
    out.print(changes_table(changes, every=every))
    print_totals(changes)
    if output is not None:
        with output:
            output.write_text("changes.csv", changes_csv(changes))
            output.write_text("changes.edl", changes_edl(changes))
        out.print(f"wrote {output.target / 'changes.csv'} and changes.edl")


@app.command("conform")
def conform(
    old_path: Annotated[
        Path, typer.Argument(metavar="OLD", help="The cut the cues were spotted to")
    ],
    new_path: Annotated[Path, typer.Argument(metavar="NEW", help="The changed cut")],
    cues_path: Annotated[Path, typer.Option("--cues", help="Cue list CSV (DESIGN.md format)")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")],
    rate: RateOption = "auto",
    match: MatchOption = "auto",
    force: ForceOption = False,
    fit: Annotated[
        bool, typer.Option("--fit", help="Re-fit each changed cue that needs a music edit.")
    ] = False,
) -> None:
    """Re-conform a cue list from OLD to NEW: cues.csv, cues.otio, changes.csv, changes.edl."""
    output = OutputDir(out_dir, force)
    changes = load_pair(old_path, new_path, rate, match)
    cues = read_cues(cues_path, changes.old.rate)
    for warning in cues_outside(cues.cues, changes):
        err.print(f"[yellow]warning:[/] {cues_path.name}: {warning}", soft_wrap=True)
    conformed = conform_cues(cues.cues, changes)
    with output:
        write_conform_outputs(output, conformed, cues, changes)
        refits = refit_changed_cues(output, conformed, changes, cues_path) if fit else None
    print_conform_summary(conformed, changes, output.target)
    if refits is not None:
        for line in refits.lines:
            out.print(line, soft_wrap=True)
        if refits.failed:
            raise typer.Exit(2)
