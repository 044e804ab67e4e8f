"""`mconform temp ...`: the temp library commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from conform.cli.common import (
    DEFAULT_DB,
    DbOption,
    RateOption,
    fail,
    load_cut,
    temp_app,
)
from conform.terminal import (
    err,
    figure,
    out,
    progress_bar,
    tracks_table,
)
from edl.errors import MconformError

SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address (tcp://host:8786): run on that cluster, not locally",
    ),
]
WorkersOption = Annotated[
    int,
    typer.Option("--workers", help="Local processes (default: all cores)", min=0, max=4096),
]


def _check_catalog(db: Path, licence: str | None = None) -> None:
    """Fail clearly on a missing catalog or an unknown licence status."""
    from temp_library.catalog import LICENCES

    if licence and licence not in LICENCES:
        fail(f"unknown licence status {licence!r}; use one of {', '.join(LICENCES)}")
    if not db.exists():
        fail(f"{db}: no catalog here; run 'mconform temp add DIR' first or give --db")


@temp_app.command("add")
def temp_add(
    folders: Annotated[list[Path], typer.Argument(metavar="DIR...", help="Folders or files")],
    db: DbOption = DEFAULT_DB,
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
) -> None:
    """Catalog every audio file under the folders (skips known files; resumes after a kill)."""
    from temp_library.scan import scan  # scipy: loaded only when measuring

    for folder in folders:
        if not folder.exists():
            fail(f"{folder}: no such folder or file")
    from temp_library.catalog import Catalog  # sqlite3: when used

    with Catalog(db) as catalog, progress_bar() as bar:
        tasks: dict[str, object] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        report = scan(catalog, folders, workers=workers or None, scheduler=scheduler,
                      progress=tick)  # fmt: skip
    for track in report.added:
        out.print(
            f"added #{track.id} {track.name}  {figure(track.integrated_lufs, ' LUFS')}  "
            f"{figure(track.true_peak_dbtp, ' dBTP')}"
        )
    for old, track in report.moved:
        out.print(f"moved #{track.id} {old} -> {track.path}")
    for path, original in report.duplicates:
        out.print(f"[yellow]duplicate[/] {path} (same content as {original})")
    out.print(
        f"{len(report.added)} added, {report.skipped} already known, {len(report.moved)} moved, "
        f"{len(report.duplicates)} duplicates, {len(report.failed)} failed; catalog {db}"
    )
    if report.failed:
        for path, why in report.failed:
            err.print(f"[bold red]mconform: error:[/] {path}: {why}", soft_wrap=True)
        raise typer.Exit(2)


@temp_app.command("list")
def temp_list(
    db: DbOption = DEFAULT_DB,
    licence: Annotated[str | None, typer.Option("--licence", help="Only this status")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text in any field")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
) -> None:
    """List catalogued tracks with their loudness and licence status."""

    _check_catalog(db, licence)
    from temp_library.catalog import Catalog  # sqlite3: when used

    with Catalog(db, write=False) as catalog:
        tracks = catalog.tracks(licence, search)
    if as_json:
        sys.stdout.write(json.dumps([t.as_dict() for t in tracks], indent=2) + "\n")
        return
    out.print(tracks_table(tracks))


@temp_app.command("set")
def temp_set(
    track_id: Annotated[int, typer.Argument(metavar="ID")],
    db: DbOption = DEFAULT_DB,
    licence: Annotated[
        str | None, typer.Option("--licence", help="temp-only, cleared, licensed or unknown")
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="Add a tag (repeatable)")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Replace the note")] = None,
) -> None:
    """Set a track's licence status, add tags or write a note."""

    _check_catalog(db, licence)
    from temp_library.catalog import Catalog, CatalogError  # sqlite3: when used

    with Catalog(db) as catalog:
        try:
            track = catalog.get(track_id)
        except CatalogError as error:
            fail(str(error))
        changes: dict[str, object] = {}
        if licence:
            changes["licence"] = licence
        if tags:
            known = [t for t in track.tags.split(",") if t]
            changes["tags"] = ",".join(dict.fromkeys(known + [t.strip() for t in tags]))
        if note is not None:
            changes["notes"] = note
        if changes:
            track = catalog.update(track_id, **changes)
    out.print(
        f"#{track.id} {track.name}: {track.licence}; tags {track.tags or '-'}; "
        f"note {track.notes or '-'}"
    )


@temp_app.command("measure")
def temp_measure(
    files: Annotated[list[Path], typer.Argument(metavar="FILES...")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
    layout: Annotated[str, typer.Option("--layout", help="5.1 order: smpte or film")] = "smpte",
) -> None:
    """Loudness of any files: integrated, LRA, true peak, sample peak, max M and S."""
    from temp_library.audio.loudness import MEASURE_FIELDS
    from temp_library.measure import find_audio, measure_file

    results, failed = [], []
    paths = find_audio(files) if any(f.is_dir() for f in files) else files
    if not paths:
        where = ", ".join(str(f) for f in files)
        fail(f"{where}: no audio files here; give audio files or a folder that holds some")
    for path in paths:
        try:
            loudness, _ = measure_file(path, layout, threads=os.cpu_count() or 1)
        except MconformError as error:
            failed.append(str(error.located(path)))
            continue
        except OSError as error:
            failed.append(f"{path}: {error.strerror or error}")
            continue
        results.append({"path": str(path), **loudness.as_dict()})
    if as_json:
        rows = [{k: r[k] for k in MEASURE_FIELDS} for r in results]
        sys.stdout.write(json.dumps(rows, indent=2, allow_nan=False) + "\n")
    else:
        table = Table(title="Loudness", title_justify="left")
        for name in ("file", "LUFS", "LRA", "dBTP", "peak dBFS", "max M", "max S", "length", ""):
            table.add_column(name)
        for r in results:
            table.add_row(
                Path(str(r["path"])).name,
                figure(r["integrated_lufs"]),
                figure(r["loudness_range_lu"]),
                figure(r["true_peak_dbtp"]),
                figure(r["sample_peak_dbfs"]),
                figure(r["max_momentary_lufs"]),
                figure(r["max_short_term_lufs"]),
                f"{r['duration_s']:.2f}s",
                str(r["note"]),
            )
        if results:
            out.print(table)
    for line in failed:
        err.print(f"[bold red]mconform: error:[/] {line}", soft_wrap=True)
    if failed:
        raise typer.Exit(2)


@temp_app.command("normalize")
def temp_normalize(
    db: DbOption = DEFAULT_DB,
    target: Annotated[float, typer.Option("--target", help="Integrated LUFS")] = -24.0,
    true_peak: Annotated[float, typer.Option("--true-peak", help="Ceiling, dBTP")] = -2.0,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the copies")] = Path(
        "normalized"
    ),
    fmt: Annotated[str, typer.Option("--format", help="wav24, wav16 or wav32f")] = "wav24",
    sample_rate: Annotated[int, typer.Option("--sample-rate", help="Project rate")] = 48000,
    limit: Annotated[
        bool, typer.Option("--limit", help="Limit true peak instead of stopping the gain")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace files already in --out")] = False,
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
) -> None:
    """Write loudness-matched copies of every track (originals untouched) and a report."""
    from temp_library.normalize import FORMATS, normalize_catalog, write_report

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not -70 <= target <= 0:  # NaN fails too: a NaN target would write NaN gains
        fail(f"--target {target:g}: give an integrated loudness from -70 to 0 LUFS")
    if not -60 <= true_peak <= 0:  # a NaN or positive ceiling would let the copies clip
        fail(f"--true-peak {true_peak:g}: give a ceiling from -60 to 0 dBTP")
    _check_catalog(db)
    from temp_library.catalog import Catalog  # sqlite3: when used

    with Catalog(db) as catalog:
        rows = normalize_catalog(
            catalog,
            out_dir,
            target=target,
            ceiling=true_peak,
            sample_rate=sample_rate,
            subtype=FORMATS[fmt],
            limit=limit,
            force=force,
            workers=workers or None,
            scheduler=scheduler,
        )
    table = Table(
        title=f"Loudness report: target {target:+.1f} LUFS, ceiling {true_peak:+.1f} dBTP",
        title_justify="left",
    )
    for name in (
        "id",
        "file",
        "before",
        "TP before",
        "gain",
        "after",
        "TP after",
        "limiter",
        "status",
        "why",
    ):
        table.add_column(name)
    style = {"on target": "green", "unchanged": "dim", "missed target": "yellow", "failed": "red"}
    for r in rows:
        table.add_row(
            str(r.id),
            r.file,
            figure(r.before_lufs),
            figure(r.before_true_peak_dbtp),
            figure(r.gain_db, " dB"),
            figure(r.after_lufs),
            figure(r.after_true_peak_dbtp),
            f"{r.limiter_reduction_db:.1f} dB" if r.limiter_reduction_db else "",
            f"[{style[r.status]}]{r.status}[/]",
            r.reason,
        )
    out.print(table)
    try:
        write_report(out_dir, rows, force=force)
    except MconformError as error:
        fail(str(error))
    out.print(f"wrote {out_dir}/loudness_report.csv and .json")
    if any(r.status == "failed" for r in rows):
        raise typer.Exit(2)


@temp_app.command("usage")
def temp_usage(
    cut_path: Annotated[Path, typer.Argument(metavar="CUT")],
    db: DbOption = DEFAULT_DB,
    rate: RateOption = "auto",
    locked: Annotated[
        bool | None, typer.Option("--locked/--not-locked", help="Default: from the cut's title")
    ] = None,
) -> None:
    """Which catalogued tracks a cut plays, and licence warnings for a locked cut."""
    from temp_library.usage import RISKY, find_usage, is_locked

    _check_catalog(db)
    cut = load_cut(cut_path, rate)
    from temp_library.catalog import Catalog  # sqlite3: when used

    with Catalog(db, write=False) as catalog:
        uses = find_usage(catalog, cut)
    is_lock = is_locked(cut) if locked is None else locked
    table = Table(
        title=f"Temp tracks in {cut_path.name}" + (" (locked)" if is_lock else ""),
        title_justify="left",
    )
    for name in ("id", "track", "licence", "event", "record in", "record out", "matched by"):
        table.add_column(name)
    for use in uses:
        table.add_row(
            str(use.track.id),
            use.track.name,
            use.track.licence,
            use.event.number,
            cut.timecode(use.event.record_in),
            cut.timecode(use.event.record_out),
            use.matched_by,
        )
    out.print(table)
    risky = [u for u in uses if u.track.licence in RISKY]
    if is_lock:
        for use in risky:
            err.print(
                f"[yellow]warning:[/] {cut_path.name}: #{use.track.id} {use.track.name} is "
                f"{use.track.licence} but plays in the locked cut at "
                f"{cut.timecode(use.event.record_in)}; clear it or replace it",
                soft_wrap=True,
            )
    out.print(
        f"{len(uses)} uses of {len({u.track.id for u in uses})} tracks; {len(risky)} not cleared"
    )
