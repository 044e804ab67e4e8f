"""`mconform cuesheet`: the performing-rights cue sheet (CSV, production header, XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from conform.cli.common import (
    ForceOption,
    RateOption,
    app,
    fail,
    load_cut,
)
from conform.terminal import (
    err,
    out,
)


@app.command("cuesheet")
def cuesheet(
    cues_path: Annotated[Path, typer.Argument(metavar="CUES")],
    cut_path: Annotated[Path, typer.Option("--cut", help="The final cut")],
    out_path: Annotated[
        Path, typer.Option("--out", help="cuesheet.csv (.production.csv and .xlsx go beside it)")
    ],
    parties_path: Annotated[
        Path | None,
        typer.Option(
            "--parties", help="Parties CSV: cue, role, name, society, ipi, share"
        ),  # fmt: skip
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Temp library catalog: warn about temp tracks in the cut"),
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Series/film title")] = "",
    aka: Annotated[str, typer.Option("--aka", help="Also known as")] = "",
    episode_title: Annotated[str, typer.Option("--episode-title")] = "",
    episode: Annotated[str, typer.Option("--episode", help="Episode number")] = "",
    production_number: Annotated[str, typer.Option("--production-number")] = "",
    company: Annotated[str, typer.Option("--company", help="Production company")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Contact (name, email, phone)")] = "",
    release_date: Annotated[str, typer.Option("--release-date", help="Air date, YYYY-MM-DD")] = "",
    rate: RateOption = "auto",
    force: ForceOption = False,
) -> None:
    """The performing-rights cue sheet: every use in order, timings, parties and warnings."""
    from dataclasses import replace

    from conform.cues.placed import read_stem_cues
    from conform.paperwork.cuesheet import (
        Production,
        clock,
        cue_sheet,
        cue_sheet_files,
        library_warnings,
        unknown_cues,
    )
    from conform.paperwork.cuesheet import (
        release_date as parse_release_date,
    )
    from conform.paperwork.parties import read_parties
    from edl.errors import MconformError
    from edl.files import OutputExists, atomic_write_bytes

    if out_path.is_dir():  # a folder: cuesheet.csv and its companions go in it
        out_path = out_path / "cuesheet.csv"
    name = out_path.name
    stem = name[: -len(".csv")] if name.lower().endswith(".csv") else name
    cut = load_cut(cut_path, rate)
    cues = read_stem_cues(cues_path, cut.rate)
    parties = read_parties(parties_path) if parties_path else None
    production = Production(title or cut.title, aka, episode_title, episode, production_number,
                            company, contact, parse_release_date(release_date))  # fmt: skip
    try:
        sheet = cue_sheet(cues, cut, production, parties)
    except MconformError as error:
        raise error.located(path=cues_path) from None
    extra = unknown_cues(parties, cues) if parties else []
    if db is not None:
        from temp_library.catalog import Catalog, CatalogError

        if not db.is_file():
            raise CatalogError("no such catalog", path=db, hint="give the temp library's --db")
        with Catalog(db) as catalog:
            extra += library_warnings(catalog, cut)
    if extra:
        sheet = replace(sheet, warnings=(*sheet.warnings, *extra))
    files = cue_sheet_files(sheet, stem)
    targets = {name: out_path.with_name(name) for name in files}
    inputs = [p.resolve() for p in (cues_path, cut_path, parties_path, db) if p is not None]
    for path in targets.values():  # --force replaces old outputs, never the inputs
        if path.resolve() in inputs:
            fail(f"{path}: is one of the inputs; write the cue sheet elsewhere with --out")
    if not force:
        for path in targets.values():
            if path.exists():
                raise OutputExists(path=path)
    for name, data in files.items():
        atomic_write_bytes(targets[name], data, force=True)
    table = Table(title=f"Cue sheet: {production.title}", title_justify="left")
    for name in ("seq", "cue", "title", "usage", "in", "out", "duration", "writers"):
        table.add_column(name)
    for use in sheet.uses:
        writers = ", ".join(p.name for p in use.parties if p.side == "writer")
        cells = (str(use.sequence), use.cue, use.title, use.usage, cut.timecode(use.start),
                 cut.timecode(use.end), clock(use.seconds), writers)  # fmt: skip
        table.add_row(*(escape(c) for c in cells))
    out.print(table)
    out.print(f"total music {clock(sheet.music_seconds)} in {clock(sheet.programme_seconds)}")
    for warning in sheet.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    out.print("wrote " + ", ".join(str(p) for p in targets.values()), markup=False)


def escape(text: str) -> str:
    """User text printed through rich without its [markup] being read."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)
