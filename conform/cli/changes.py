"""`mconform diff` and `mconform conform`: picture changes and cues through them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import (
    ForceOption,
    LenientOption,
    MatchOption,
    RateOption,
    app,
    load_cut,
)
from conform.terminal import (
    changes_table,
    err,
    out,
    print_conform_summary,
    print_totals,
)
from edl.changes import ChangeList, compare
from edl.changes_io import changes_csv, changes_edl, changes_json, check_not_negative
from edl.cut import shift_cut
from edl.errors import CutError
from edl.files import OutputDir
from edl.timecode import parse_timecode

RICH_ROWS = 150
"""Above this many rows, diff prints plain aligned text rather than a rich table."""


def plain_rows(changes: ChangeList, rows: list) -> str:  # noqa: ANN001 - segments
    """Change rows as aligned text: kind, old in/out, new in/out, frames, reel, clip, what."""
    old_tc, new_tc = changes.old.timecode, changes.new.timecode
    lines = [f"{'kind':<9}{'old in':<13}{'old out':<13}{'new in':<13}{'new out':<13}"
             f"{'frames':>7}  {'reel':<12} {'clip':<24}"]  # fmt: skip
    for s in rows:
        old = ("", "") if s.kind == "inserted" else (old_tc(s.old_start), old_tc(s.old_end))
        new = ("", "") if s.kind == "deleted" else (new_tc(s.new_start), new_tc(s.new_end))
        clip = s.clip if s.old_clip in ("", s.clip) else f"{s.old_clip} -> {s.clip}"
        what = s.detail if s.kind not in ("shifted", "moved") else f"{s.offset:+d} frames"
        lines.append(
            f"{s.kind:<9}{old[0]:<13}{old[1]:<13}{new[0]:<13}{new[1]:<13}{s.frames:>7}  "
            f"{s.reel:<12} {clip:<24} {what}".rstrip()
        )
    return "\n".join(lines) + "\n"


StartOption = Annotated[
    str | None,
    typer.Option(help="Record timecode where this cut's picture starts, overriding the list's."),
]


def load_pair(
    old_path: Path,
    new_path: Path,
    rate: str,
    match: str,
    lenient: bool = False,
    old_start: str | None = None,
    new_start: str | None = None,
) -> ChangeList:
    """Both cuts at the same rate, moved to the record starts given, compared."""
    old = load_cut(old_path, rate, lenient)
    new = load_cut(new_path, rate, lenient)
    for name, text in (("old", old_start), ("new", new_start)):
        if text is None:
            continue
        cut = old if name == "old" else new
        try:
            frame = parse_timecode(text, cut.rate)
        except CutError as error:
            raise CutError(f"--{name}-start: {error.cause}", hint=error.hint) from None
        if name == "old":
            old = shift_cut(old, frame)
        else:
            new = shift_cut(new, frame)
    changes = compare(old, new, match)
    check_not_negative(changes)
    return changes


@app.command("diff")
def diff(
    old_path: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier cut")],
    new_path: Annotated[Path, typer.Argument(metavar="NEW", help="The later cut")],
    rate: RateOption = "auto",
    match: MatchOption = "auto",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write changes.csv and changes.edl here.")
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="List every segment, unchanged and shifted too.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the old -> new time map as JSON.")
    ] = False,
    old_start: StartOption = None,
    new_start: StartOption = None,
    lenient: LenientOption = False,
    force: ForceOption = False,
) -> None:
    """What changed in picture between two versions of a cut: a summary and the changes."""
    output = OutputDir(out_dir, force) if out_dir is not None else None
    changes = load_pair(old_path, new_path, rate, match, lenient, old_start, new_start)
    if as_json:
        sys.stdout.write(changes_json(changes))
    else:
        rows = [s for s in changes.segments if every or s.kind not in ("same", "shifted")]
        if len(rows) <= RICH_ROWS:
            out.print(changes_table(changes, every=every))
        else:  # a rich table of thousands of rows takes seconds; the same columns as text
            sys.stdout.write(plain_rows(changes, rows))
        print_totals(changes)
    if output is not None:
        with output:
            output.write_text("changes.csv", changes_csv(changes))
            output.write_text("changes.edl", changes_edl(changes))
            output.write_text("changes.json", changes_json(changes))
        (err if as_json else out).print(
            f"wrote {output.target / 'changes.csv'}, changes.edl and changes.json"
        )


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
    old_start: StartOption = None,
    new_start: StartOption = None,
    lenient: LenientOption = False,
    force: ForceOption = False,
    fit: Annotated[
        bool, typer.Option("--fit", help="Re-fit each changed cue that needs a music edit.")
    ] = False,
) -> None:
    """Re-conform a cue list from OLD to NEW: cues.csv, cues.otio, changes.csv/.edl/.json."""
    from conform.cues.conformed_io import write_conform_outputs  # OTIO: only when conforming
    from conform.cues.cuelist import read_cues
    from conform.cues.reconform import conform_cues, cues_outside

    output = OutputDir(out_dir, force)
    changes = load_pair(old_path, new_path, rate, match, lenient, old_start, new_start)
    cues = read_cues(cues_path, changes.old.rate)
    for warning in cues_outside(cues.cues, changes):
        err.print(f"[yellow]warning:[/] {cues_path.name}: {warning}", soft_wrap=True)
    conformed = conform_cues(cues.cues, changes)
    with output:
        write_conform_outputs(output, conformed, cues, changes)
        refits = None
        if fit:
            from conform.music.refit import refit_changed_cues  # audio: only when re-fitting

            refits = refit_changed_cues(output, conformed, changes, cues_path)
    print_conform_summary(conformed, changes, output.target)
    if refits is not None:
        for line in refits.lines:
            out.print(line, soft_wrap=True)
        if refits.failed:
            raise typer.Exit(2)
