"""The `mconform` command line: the only module that knows about the terminal.

Library code raises `edl.CutError` (and friends); here they become one-line messages on
stderr and exit code 2.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import opentimelineio as otio
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from conform.cues.conformed_io import conformed_csv, music_timeline
from conform.cues.cuelist import CueList, parse_length, read_cues
from conform.cues.reconform import ConformedCue, conform_cues, cues_outside
from conform.cues.sync import (
    parse_tolerance,
    read_hits,
    read_sync_rows,
    report_csv,
    sync_rows,
    synced_csv,
)
from conform.cues.sync import status as sync_status
from conform.music.fit import FitError, apply_plan, plan_fit
from edl.changes import ChangeList, compare
from edl.changes_io import changes_csv, changes_edl
from edl.cut import Cut, Event, cut_to_dict
from edl.errors import CutError
from edl.files import OutputDir, OutputExists, atomic_write_text
from edl.io import read_cut, write_cut
from edl.rate import Rate, parse_rate
from edl.timecode import format_duration, frames_to_samples
from temp_library.audio.bwf import AudioError, Bext, read_audio, write_audio
from temp_library.catalog import Catalog, CatalogError, Track

if TYPE_CHECKING:
    from temp_library.scan import ScanReport

__all__ = ["app", "main"]

app = typer.Typer(
    name="mconform",
    help="Conform, sync, fit and hand off film music.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cut_app = typer.Typer(help="Read, show and convert locked cuts (EDL, OTIO).", no_args_is_help=True)
app.add_typer(cut_app, name="cut")


def _console(stderr: bool = False) -> Console:
    """A console; tables of timecodes need more than 80 columns when piped to a file."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=160)
    return console


out = _console()
err = _console(stderr=True)

RateOption = Annotated[
    str,
    typer.Option(
        "--rate",
        "-r",
        help="Frame rate of the cut: 23.976, 24, 25, 29.97, 29.97df, 30, 47.952, 48, 50, "
        "59.94, 60, a fraction such as 24000/1001, or auto (the lowest standard rate that fits).",
    ),
]


def fail(message: str) -> None:
    """Print a one-line error and exit with code 2."""
    err.print(f"[bold red]mconform: error:[/] {message}", soft_wrap=True)
    raise typer.Exit(2)


def rate_option(text: str) -> Rate | None:
    """``auto`` -> None (the reader picks), else an exact rate."""
    if text.strip().lower() == "auto":
        return None
    return parse_rate(text)


def load_cut(path: Path, rate_text: str) -> Cut:
    """Read a cut, noting on stderr when the rate was chosen automatically."""
    cut = read_cut(path, rate_option(rate_text))
    for warning in cut.warnings:
        err.print(f"[yellow]note:[/] {path.name}: {warning}", soft_wrap=True)
    return cut


def _transition_text(event: Event) -> str:
    t = event.transition
    if t.is_cut:
        return "cut"
    return f"{t.kind} {t.frames}f"


def cut_table(cut: Cut, title: str, *, audio: bool = False) -> Table:
    """The picture events (or audio events) of a cut as a table."""
    tc = cut.timecode
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, justify in (
        ("#", "right"),
        ("reel", "left"),
        ("clip", "left"),
        ("ch" if audio else "transition", "left"),
        ("source in", "left"),
        ("source out", "left"),
        ("record in", "left"),
        ("record out", "left"),
        ("length", "right"),
    ):
        wraps = name in ("clip", "reel")
        table.add_column(name, justify=justify, no_wrap=not wraps, min_width=8 if wraps else None)
    for event in cut.audio_events if audio else cut.events:
        speed = ""
        if event.speed is not None:
            speed = " freeze" if event.speed.freeze else f" {float(event.speed.source_fps):g}fps"
        table.add_row(
            event.number,
            event.reel,
            (event.clip_name or "") + speed,
            event.channels if audio else _transition_text(event),
            "" if event.source_in is None else tc(event.source_in),
            "" if event.source_out is None else tc(event.source_out),
            tc(event.record_in),
            tc(event.record_out),
            format_duration(event.duration, cut.rate),
        )
    return table


def hits_table(cut: Cut) -> Table:
    table = Table(title="Picture hits (locators)", title_justify="left", header_style="bold")
    table.add_column("timecode", no_wrap=True)
    table.add_column("colour")
    table.add_column("name")
    for hit in cut.hits:
        table.add_row(cut.timecode(hit.frame), hit.colour, hit.name)
    return table


def print_cut(cut: Cut, name: str, *, audio: bool = False) -> None:
    """A cut as a person reads it: summary line, events, hits."""
    start = "-" if cut.record_start is None else cut.timecode(cut.record_start)
    end = "-" if cut.record_end is None else cut.timecode(cut.record_end)
    out.print(
        f"[bold]{name}[/]  {cut.title or ''}\n"
        f"rate {cut.rate}  ·  record {start} - {end}  ·  length "
        f"{format_duration(cut.length, cut.rate)}  ·  {len(cut.events)} picture events, "
        f"{len(cut.audio_events)} audio events, {len(cut.hits)} hits"
    )
    if cut.events:
        out.print(cut_table(cut, "Picture"))
    if audio and cut.audio_events:
        out.print(cut_table(cut, "Audio", audio=True))
    elif cut.audio_events:
        out.print(f"({len(cut.audio_events)} audio events not shown; add --audio to list them)")
    if cut.hits:
        out.print(hits_table(cut))


@cut_app.command("show")
def cut_show(
    cut_path: Annotated[Path, typer.Argument(metavar="CUT", help="EDL, .otio or FCP XML")],
    rate: RateOption = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines.")] = False,
    audio: Annotated[bool, typer.Option("--audio", help="List audio events too.")] = False,
) -> None:
    """Show a cut: its events, source and record times, transitions and picture hits."""
    cut = load_cut(cut_path, rate)
    if as_json:
        sys.stdout.write(json.dumps(cut_to_dict(cut), indent=2) + "\n")
        return
    print_cut(cut, cut_path.name, audio=audio)


@cut_app.command("convert")
def cut_convert(
    cut_path: Annotated[Path, typer.Argument(metavar="CUT", help="EDL, .otio or FCP XML")],
    out_path: Annotated[Path, typer.Argument(metavar="OUT", help="Output: .edl or .otio")],
    rate: RateOption = "auto",
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
) -> None:
    """Convert a cut between EDL and OTIO (by the output's suffix)."""
    if out_path.resolve() == cut_path.resolve():
        fail(f"{out_path}: output is the input; choose another name")
    cut = load_cut(cut_path, rate)
    write_cut(cut, out_path, force=force)
    out.print(
        f"wrote {out_path} ({len(cut.events)} picture events, {len(cut.audio_events)} audio "
        f"events, {len(cut.hits)} hits at {cut.rate})"
    )


MatchOption = Annotated[
    str,
    typer.Option(
        "--match",
        help="Source identity for matching shots: auto (reel, or clip name where the reel is "
        "AX), reel, clip, file or reel+clip.",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]

KIND_STYLE = {
    "same": "dim",
    "shifted": "cyan",
    "moved": "magenta",
    "inserted": "green",
    "deleted": "red",
    "replaced": "yellow",
    "retimed": "yellow",
}
STATUS_STYLE = {"unchanged": "dim", "moved": "cyan", "changed": "bold yellow", "removed": "red"}


def load_pair(old_path: Path, new_path: Path, rate: str, match: str) -> ChangeList:
    """Both cuts at the same rate, compared."""
    old = load_cut(old_path, rate)
    new = load_cut(new_path, rate)
    return compare(old, new, match)


def changes_table(changes: ChangeList, *, every: bool = False) -> Table:
    old_tc, new_tc = changes.old.timecode, changes.new.timecode
    table = Table(title="Picture changes (new-cut order)", title_justify="left")
    for name in ("kind", "old in", "old out", "new in", "new out", "frames", "reel", "clip", ""):
        table.add_column(name, no_wrap=name not in ("clip", "reel", ""))
    for s in changes.segments:
        if s.kind == "same" and not every:
            continue
        style = KIND_STYLE[s.kind]
        gone = s.kind == "deleted"
        table.add_row(
            f"[{style}]{s.kind}[/]",
            "" if s.kind == "inserted" else old_tc(s.old_start),
            "" if s.kind == "inserted" else old_tc(s.old_end),
            "" if gone else new_tc(s.new_start),
            "" if gone else new_tc(s.new_end),
            str(s.frames),
            s.reel,
            s.clip,
            s.detail if s.kind not in ("shifted", "moved") else f"{s.offset:+d} frames",
        )
    return table


def print_totals(changes: ChangeList) -> None:
    totals = changes.totals()
    rate = changes.new.rate
    counts = ", ".join(f"{n} {k}" for k, n in changes.counts().items() if n)
    out.print(
        f"[bold]Totals[/]: {counts}\n"
        f"frames added [green]{totals['added']}[/], removed [red]{totals['removed']}[/]; "
        f"reel length {format_duration(totals['old_length'], rate)} -> "
        f"{format_duration(totals['new_length'], rate)} "
        f"({totals['new_length'] - totals['old_length']:+d} frames)"
    )


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


def cues_table(conformed: list[ConformedCue], changes: ChangeList, limit: int = 40) -> Table:
    """Changed cues first; at most ``limit`` rows (the CSV has them all)."""
    old_tc, new_tc = changes.old.timecode, changes.new.timecode
    table = Table(title="Cues (changed first)", title_justify="left")
    for name in ("cue", "title", "status", "old start", "new start", "parts", "notes"):
        table.add_column(name, no_wrap=name in ("old start", "new start", "status"))
    order = {status: i for i, status in enumerate(("changed", "removed", "moved", "unchanged"))}
    ranked = sorted(conformed, key=lambda c: (order[c.status], c.cue.start))
    for item in ranked[:limit]:
        start = item.new_start
        table.add_row(
            item.cue.number,
            item.cue.title,
            f"[{STATUS_STYLE[item.status]}]{item.status}[/]",
            old_tc(item.cue.start),
            "" if start is None else new_tc(start),
            str(len(item.parts)),
            "; ".join(item.notes),
        )
    if len(ranked) > limit:
        table.caption = f"{len(ranked) - limit} more cues in cues.csv"
    return table


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
    print_conform_summary(conformed, changes, output.target)


def write_conform_outputs(
    output: OutputDir, conformed: list[ConformedCue], cues: CueList, changes: ChangeList
) -> None:
    output.write_text("cues.csv", conformed_csv(conformed, cues, changes.old, changes.new))
    timeline = music_timeline(conformed, changes.new, cues)
    output.write_text("cues.otio", otio.adapters.write_to_string(timeline, "otio_json"))
    output.write_text("changes.csv", changes_csv(changes))
    output.write_text("changes.edl", changes_edl(changes))


def print_conform_summary(conformed: list[ConformedCue], changes: ChangeList, where: Path) -> None:
    counts = dict.fromkeys(("unchanged", "moved", "changed", "removed"), 0)
    for item in conformed:
        counts[item.status] += 1
    out.print(cues_table(conformed, changes))
    out.print(
        "[bold]Cues[/]: "
        + ", ".join(f"[{STATUS_STYLE[k]}]{n} {k}[/]" for k, n in counts.items())
        + f"\nwrote {where}/cues.csv, cues.otio, changes.csv, changes.edl"
    )


def parse_length_option(text: str, rate: Rate | None, sample_rate: int) -> int:
    """``--length``: a timecode duration at the cut rate, ``95.5s``/``95.5`` seconds or ``Nf``."""
    raw = text.strip()
    try:
        seconds = Fraction(raw[:-1] if raw.endswith("s") else raw)
        return round(seconds * sample_rate)
    except (ValueError, ZeroDivisionError):
        pass
    if rate is None:
        fail(f"--length {raw}: a timecode length needs --rate (or give seconds, e.g. 95.5s)")
    assert rate is not None
    frames = parse_length(raw, rate)
    return frames_to_samples(frames, rate, sample_rate)


@app.command("fit")
def fit(
    audio_paths: Annotated[
        list[Path], typer.Argument(metavar="AUDIO...", help="The cue, or all stems of one cue")
    ],
    length: Annotated[
        str, typer.Option("--length", help="Target: timecode duration at --rate, or seconds")
    ],
    out_path: Annotated[
        Path, typer.Option("--out", help="Output file (a folder when several stems)")
    ],
    rate: Annotated[str, typer.Option("--rate", "-r", help="Rate for a timecode length")] = "",
    mode: Annotated[str, typer.Option("--mode", help="trim, cut, extend or auto")] = "auto",
    keep_end: Annotated[
        bool, typer.Option("--keep-end", help="Keep the ending: cut rather than trim the tail")
    ] = False,
    stems: Annotated[
        list[Path] | None, typer.Option("--stems", help="More stems of the same cue")
    ] = None,
    crossfade_ms: Annotated[float, typer.Option("--crossfade", help="Join length in ms")] = 20.0,
    curve: Annotated[
        str, typer.Option("--curve", help="auto, equal-power, linear or s-curve")
    ] = "auto",
    force: ForceOption = False,
) -> None:
    """Make a cue exactly a given length: trim, cut a section out, or extend by repeating."""
    files = [*audio_paths, *(stems or [])]
    cue = [read_audio(path) for path in files]
    first = cue[0]
    for other in cue[1:]:
        if other.sample_rate != first.sample_rate:
            fail(
                f"{other.path}: {other.sample_rate} Hz, but {first.path} is {first.sample_rate} Hz"
            )
        if other.frames != first.frames:
            fail(f"{other.path}: {other.frames} samples, but {first.path} has {first.frames}")
    cut_rate = parse_rate(rate) if rate else None
    target = parse_length_option(length, cut_rate, first.sample_rate)
    mix = first.samples if len(cue) == 1 else _sum_stems([a.samples for a in cue])
    plan = plan_fit(
        mix,
        first.sample_rate,
        target,
        mode,
        keep_end=keep_end,
        crossfade_samples=round(crossfade_ms * first.sample_rate / 1000),
        curve=curve,
    )
    if len(cue) == 1:
        targets = [out_path]
    else:
        if out_path.suffix:
            fail(f"{out_path}: several stems need an output folder, not a file name")
        targets = [out_path / Path(a.path).with_suffix(".wav").name for a in cue]
    for path in targets:
        if path.exists() and not force:
            fail(f"{path}: already exists; use --force to replace it")
    for audio, path in zip(cue, targets, strict=True):
        bext = audio.bext or Bext()
        note = f"fit to {target} samples by mconform ({plan.mode})"
        write_audio(
            path,
            audio.with_samples(apply_plan(audio.samples, plan)),
            bext=Bext(**{**bext.__dict__, "description": note[:256]}),
            ixml=audio.ixml,
            force=True,
        )
    for line in plan.describe():
        out.print(line)
    out.print(f"wrote {', '.join(str(p) for p in targets)}")


def _sum_stems(stems: list[np.ndarray]) -> np.ndarray:
    channels = max(s.shape[1] for s in stems)
    mix = np.zeros((stems[0].shape[0], channels), dtype=np.float32)
    for s in stems:
        mix[:, : s.shape[1]] += s
    return mix


@app.command("sync")
def sync(
    cues_path: Annotated[
        Path, typer.Argument(metavar="CUES", help="Cue list or conformed cues.csv")
    ],
    cut_path: Annotated[Path, typer.Option("--cut", help="The cut whose locators are the hits")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")],
    hits_path: Annotated[
        Path | None, typer.Option("--hits", help="Extra hits: CSV with name, tc[, cue]")
    ] = None,
    tolerance_text: Annotated[
        str, typer.Option("--tolerance", help="Nearest-hit reach: 2f, 80ms or 0.5s")
    ] = "2f",
    rate: RateOption = "auto",
    sample_rate: Annotated[int, typer.Option("--sample-rate", help="Project rate")] = 48000,
    force: ForceOption = False,
) -> None:
    """Move cues so their sync points land on picture hits; report drift before and after."""
    output = OutputDir(out_dir, force)
    cut = load_cut(cut_path, rate)
    tolerance = parse_tolerance(tolerance_text, cut.rate)
    header, rows = read_sync_rows(cues_path, cut.rate)
    extra = read_hits(hits_path, cut.rate) if hits_path else []
    matches = sync_rows(rows, cut, extra, tolerance)
    with output:
        output.write_text("cues.csv", synced_csv(header, rows, matches, cut.rate))
        output.write_text("sync.csv", report_csv(matches, cut.rate, tolerance, sample_rate))
    table = Table(title="Sync points", title_justify="left")
    for name in ("cue", "sync", "at", "hit", "drift before", "after", "new start", "status"):
        table.add_column(name, no_wrap=name != "hit")
    ms = lambda f: f"{f:+d}f ({float(f * 1000 / cut.rate.fps):+.0f} ms)"  # noqa: E731
    for m in matches:
        table.add_row(
            m.row.cue + (f".{m.row.part}" if m.row.part else ""),
            m.point.name,
            cut.timecode(m.point.frame),
            f"{m.hit.name} ({m.how})" if m.hit else "[red]none[/]",
            "" if m.drift_before is None else ms(m.drift_before),
            "" if m.drift_after is None else ms(m.drift_after),
            cut.timecode(m.row.start + m.shift),
            sync_status(m, tolerance),
        )
    out.print(table)
    out.print(f"wrote {output.target}/cues.csv and sync.csv")


temp_app = typer.Typer(
    help="The temp library: catalog, loudness, normalisation, licence and usage.",
    no_args_is_help=True,
)
app.add_typer(temp_app, name="temp")
DbOption = Annotated[Path, typer.Option("--db", help="Catalog file (SQLite)")]
DEFAULT_DB = Path("temp_library.sqlite")


def _check_catalog(db: Path, licence: str | None = None) -> None:
    """Fail clearly on a missing catalog or an unknown licence status."""
    from temp_library.catalog import LICENCES

    if licence and licence not in LICENCES:
        fail(f"unknown licence status {licence!r}; use one of {', '.join(LICENCES)}")
    if not db.exists():
        fail(f"{db}: no catalog here; run 'mconform temp add DIR' first or give --db")


def _figure(value: float | None, unit: str = "") -> str:
    return "" if value is None else f"{value:.1f}{unit}"


def progress_bar() -> Progress:
    """A bar on stderr that disappears when done (stdout stays clean for pipes)."""
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
        transient=True,
    )  # fmt: skip


def scan_with_progress(catalog: Catalog, folders: list[Path], workers: int | None) -> ScanReport:
    """Scan into the catalog with a bar per stage (hashing, measuring)."""
    from temp_library.scan import scan  # scipy: loaded only when measuring

    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        return scan(catalog, folders, workers=workers, progress=tick)


@temp_app.command("add")
def temp_add(
    folders: Annotated[list[Path], typer.Argument(metavar="DIR...", help="Folders or files")],
    db: DbOption = DEFAULT_DB,
    workers: Annotated[int, typer.Option("--workers", help="Processes (default: all cores)")] = 0,
) -> None:
    """Catalog every audio file under the folders (skips known files; resumes after a kill)."""
    from temp_library.catalog import Catalog

    for folder in folders:
        if not folder.exists():
            fail(f"{folder}: no such folder or file")
    with Catalog(db) as catalog:
        report = scan_with_progress(catalog, folders, workers or None)
    for track in report.added:
        out.print(
            f"added #{track.id} {track.name}  {_figure(track.integrated_lufs, ' LUFS')}  "
            f"{_figure(track.true_peak_dbtp, ' dBTP')}"
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


def _tracks_table(tracks: list[Track]) -> Table:
    table = Table(title="Temp library", title_justify="left")
    for name in ("id", "file", "title", "artist", "licence", "length", "LUFS", "dBTP", "tags"):
        table.add_column(name, no_wrap=name in ("id", "licence", "LUFS", "dBTP", "length"))
    style = {"temp-only": "red", "unknown": "yellow", "cleared": "green", "licensed": "green"}
    for t in tracks:
        table.add_row(
            str(t.id),
            t.name,
            t.title,
            t.artist,
            f"[{style.get(t.licence, '')}]{t.licence}[/]",
            f"{t.duration_s:.1f}s",
            _figure(t.integrated_lufs),
            _figure(t.true_peak_dbtp),
            t.tags,
        )
    return table


@temp_app.command("list")
def temp_list(
    db: DbOption = DEFAULT_DB,
    licence: Annotated[str | None, typer.Option("--licence", help="Only this status")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text in any field")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
) -> None:
    """List catalogued tracks with their loudness and licence status."""
    from temp_library.catalog import Catalog

    _check_catalog(db, licence)
    with Catalog(db) as catalog:
        tracks = catalog.tracks(licence, search)
    if as_json:
        sys.stdout.write(json.dumps([t.as_dict() for t in tracks], indent=2) + "\n")
        return
    out.print(_tracks_table(tracks))


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
    from temp_library.catalog import Catalog, CatalogError

    _check_catalog(db, licence)
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
    from temp_library.scan import find_audio, measure_file

    results, failed = [], []
    for path in find_audio(files) if any(f.is_dir() for f in files) else files:
        try:
            loudness, _ = measure_file(path, layout)
        except (AudioError, OSError) as error:
            failed.append(f"{path}: {getattr(error, 'cause', error)}")
            continue
        results.append({"path": str(path), **loudness.as_dict()})
    if as_json:
        rows = [{k: r[k] for k in MEASURE_FIELDS} for r in results]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    else:
        table = Table(title="Loudness", title_justify="left")
        for name in ("file", "LUFS", "LRA", "dBTP", "peak dBFS", "max M", "max S", "length", ""):
            table.add_column(name)
        for r in results:
            table.add_row(
                Path(str(r["path"])).name,
                _figure(r["integrated_lufs"]),
                _figure(r["loudness_range_lu"]),
                _figure(r["true_peak_dbtp"]),
                _figure(r["sample_peak_dbfs"]),
                _figure(r["max_momentary_lufs"]),
                _figure(r["max_short_term_lufs"]),
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
) -> None:
    """Write loudness-matched copies of every track (originals untouched) and a report."""
    from temp_library.catalog import Catalog
    from temp_library.normalize import FORMATS, normalize_catalog

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    _check_catalog(db)
    with Catalog(db) as catalog:
        rows = normalize_catalog(
            catalog,
            out_dir,
            target=target,
            ceiling=true_peak,
            sample_rate=sample_rate,
            subtype=FORMATS[fmt],
            limit=limit,
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
            _figure(r.before_lufs),
            _figure(r.before_true_peak_dbtp),
            _figure(r.gain_db, " dB"),
            _figure(r.after_lufs),
            _figure(r.after_true_peak_dbtp),
            f"{r.limiter_reduction_db:.1f} dB" if r.limiter_reduction_db else "",
            f"[{style[r.status]}]{r.status}[/]",
            r.reason,
        )
    out.print(table)
    report = [r.as_dict() for r in rows]
    columns = list(report[0]) if report else []
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report)
    atomic_write_text(out_dir / "loudness_report.csv", buffer.getvalue(), force=True)
    atomic_write_text(
        out_dir / "loudness_report.json", json.dumps(report, indent=2) + "\n", force=True
    )
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
    from temp_library.catalog import Catalog
    from temp_library.usage import RISKY, find_usage, is_locked

    _check_catalog(db)
    cut = load_cut(cut_path, rate)
    with Catalog(db) as catalog:
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


@app.command("handoff")
def handoff(
    cues_path: Annotated[
        Path, typer.Argument(metavar="CUES", help="Cue list or conformed cues.csv")
    ],
    cut_path: Annotated[Path, typer.Option("--cut", help="The (new) cut")],
    out_dir: Annotated[Path, typer.Option("--out", help="Package folder")],
    reel: Annotated[str, typer.Option("--reel", help="Reel name for reel stems")] = "R1",
    layout: Annotated[str, typer.Option("--stems-layout", help="cue or reel")] = "cue",
    rate: RateOption = "auto",
    sample_rate: Annotated[int, typer.Option("--sample-rate")] = 48000,
    bit_depth: Annotated[str, typer.Option("--bit-depth", help="24, 16 or 32f")] = "24",
    crossfade_ms: Annotated[float, typer.Option("--crossfade", help="Join length, ms")] = 10.0,
    curve: Annotated[str, typer.Option("--curve", help="equal-power, linear, s-curve")] = (
        "equal-power"
    ),
    handles: Annotated[int, typer.Option("--handles", help="Frames before/after each cue")] = 0,
    multi_mono: Annotated[bool, typer.Option("--multi-mono", help="One file per channel")] = False,
    channel_order: Annotated[str, typer.Option("--channel-order", help="smpte or film")] = "smpte",
    two_pop: Annotated[bool, typer.Option("--two-pop", help="2-pop on reel stems")] = False,
    title: Annotated[str, typer.Option("--title", help="Production title")] = "",
    force: ForceOption = False,
) -> None:
    """Render stems and build the mix stage's package: timelines, cue sheet, loudness, report."""
    from conform.handoff.package import HandoffSettings, build_handoff
    from conform.handoff.stems import CHANNEL_ORDERS, RenderSettings, read_stem_cues
    from temp_library.audio.fades import CURVES

    subtypes = {"24": "PCM_24", "16": "PCM_16", "32f": "FLOAT"}
    choices = [
        (layout, ("cue", "reel"), "--stems-layout"),
        (bit_depth, tuple(subtypes), "--bit-depth"),
        (curve, CURVES, "--curve"),
        (channel_order, tuple(CHANNEL_ORDERS), "--channel-order"),
    ]
    for value, allowed, option in choices:
        if value not in allowed:
            fail(f"{option} {value!r}: use one of {', '.join(allowed)}")
    output = OutputDir(out_dir, force)
    cut = load_cut(cut_path, rate)
    cues = read_stem_cues(cues_path, cut.rate, sample_rate)
    if not cues:
        fail(f"{cues_path}: no cue with a place in the cut")
    render = RenderSettings(sample_rate, subtypes[bit_depth], crossfade_ms, curve, handles)
    settings = HandoffSettings(
        render, layout, multi_mono, channel_order, two_pop, reel, title=title or cut.title
    )
    changes = cues_path.parent / "changes.csv"
    with output:
        with progress_bar() as bar:
            task = bar.add_task("rendering cues", total=len(cues))
            result = build_handoff(
                cues, cut, output, settings, changes if changes.is_file() else None,
                progress=lambda done: bar.update(task, completed=done),
            )  # fmt: skip
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    table = Table(title="Stems", title_justify="left")
    for name in ("file", "start", "channels", "LUFS", "dBTP"):
        table.add_column(name)
    figures = {row["name"]: row for row in result.loudness}
    for f in sorted(result.files, key=lambda f: (f.start, f.path)):
        row = figures.get(Path(f.path).stem.split(".")[0], {})
        lufs, peak = row.get("integrated_lufs", ""), row.get("true_peak_dbtp", "")
        table.add_row(f.path, cut.timecode(f.start), str(f.channels), str(lufs), str(peak))
    out.print(table)
    out.print(
        f"wrote {output.target}: {len(result.files)} stem files, timeline/, cuesheet.csv, "
        "loudness.csv, report.html, README.txt, MANIFEST.md5"
    )


@app.command("verify")
def verify(folder: Annotated[Path, typer.Argument(metavar="DIR")]) -> None:
    """Re-check a handoff package: checksums, sizes, and every stem's time stamp and length."""
    from conform.handoff.package import verify_package

    if not folder.is_dir():
        fail(f"{folder}: no such folder")
    problems = verify_package(folder)
    for problem in problems:
        err.print(f"[bold red]differs:[/] {problem}", soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    count = len(json.loads((folder / "MANIFEST.json").read_text()))
    out.print(f"{folder}: all {count} files match the manifest and the timeline")


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
    from conform.handoff.stems import read_stem_cues
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


DEMO_MARK = ".mconform-demo"


@app.command("demo")
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the demo writes")] = Path(
        "mconform-demo"
    ),
) -> None:
    """The whole job on the bundled sample reel, from two locked cuts to a verified handoff."""
    import time

    from conform.demo.project.project import final_cue_list, fit_changed_cues, prepare_project
    from conform.handoff.package import HandoffSettings, build_handoff, verify_package
    from conform.handoff.stems import read_stem_cues
    from temp_library.catalog import Catalog
    from temp_library.normalize import normalize_catalog
    from temp_library.usage import RISKY, find_usage, is_locked

    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / DEMO_MARK).exists():
        fail(f"{out_dir}: folder exists and was not made by the demo; choose --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DEMO_MARK).write_text("made by mconform demo; the next demo run replaces it\n")
    began = time.perf_counter()
    summary: list[tuple[str, str]] = []

    def step(number: int, title: str, story: str) -> None:
        out.rule(f"[bold]{number}. {title}[/]")
        out.print(f"[dim]{story}[/]")

    step(
        1,
        "The sample project",
        "A 4½-minute reel at 23.976: locked cut v1, a re-cut v2, nine "
        "cues with stems, and a temp library. Its audio is synthesised once and cached.",
    )
    with out.status("synthesising audio (first run only)..."):
        project = prepare_project(out_dir / "project")
    out.print(f"project in {project.folder}")
    rate = "23.976"
    old = load_cut(project.v1, rate)
    new = load_cut(project.v2, rate)
    for name, cut in (("v1", old), ("v2", new)):
        out.print(
            f"{name}: {cut.title}, {len(cut.events)} shots, {len(cut.hits)} hits, "
            f"{format_duration(cut.length, cut.rate)} at {cut.rate}"
        )
    summary.append(("cuts read", f"v1 {len(old.events)} shots, v2 {len(new.events)} shots"))

    step(
        2,
        "What changed in picture",
        "Shots are matched by reel and source frames, not by "
        "list position, so one insertion does not make everything after it a change.",
    )
    changes = compare(old, new)
    out.print(changes_table(changes))
    print_totals(changes)
    counts = changes.counts()
    summary.append(
        ("picture changes", ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "same"))
    )

    step(
        3,
        "Re-conform of the cues",
        "Every cue moves with its picture; cues that straddle a "
        "change are split into parts, each with its offset into the cue's audio.",
    )
    cues = read_cues(project.cues, old.rate)
    conformed = conform_cues(cues.cues, changes)
    with OutputDir(out_dir / "conform", force=True) as output:
        write_conform_outputs(output, conformed, cues, changes)
    print_conform_summary(conformed, changes, out_dir / "conform")
    statuses = {s: sum(1 for c in conformed if c.status == s) for s in STATUS_STYLE}
    summary.append(("cues conformed", ", ".join(f"{n} {s}" for s, n in statuses.items() if n)))

    step(
        4,
        "Fit the cues that no longer fit their scenes",
        "Changed cues whose surviving "
        "parts sit together are re-cut to the new scene length on beats, stems alike.",
    )
    fitted = fit_changed_cues(conformed, changes, project.cues, project.folder / "fitted")
    for item in fitted:
        out.print(f"[bold]{item.cue}[/]: " + "; ".join(item.plan.describe()))
    final = final_cue_list(
        (out_dir / "conform" / "cues.csv").read_text(), fitted, new.rate, project.folder
    )
    with OutputDir(out_dir / "final", force=True) as output:
        output.write_text("cues.csv", final)
        output.write_text("changes.csv", changes_csv(changes))
    summary.append(("cues fitted", ", ".join(f.cue for f in fitted) or "none"))

    step(
        5,
        "Re-sync to picture hits",
        "Each cue's sync points are checked against the new "
        "cut's locators; a hit that moved relative to its cue shows as drift.",
    )
    header, rows = read_sync_rows(out_dir / "final" / "cues.csv", new.rate)
    matches = sync_rows(rows, new)
    with OutputDir(out_dir / "sync", force=True) as output:
        output.write_text("cues.csv", synced_csv(header, rows, matches, new.rate))
        output.write_text("sync.csv", report_csv(matches, new.rate, 2, 48000))
        output.write_text("changes.csv", changes_csv(changes))
    on_hit = sum(1 for m in matches if m.drift_after == 0)
    out.print(
        f"{len(matches)} sync points: {on_hit} on their hits after sync; "
        f"{sum(1 for m in matches if m.hit is None)} without a hit"
    )
    summary.append(("sync points", f"{on_hit} of {len(matches)} on their hits"))

    step(
        6,
        "The temp library",
        "Placeholder tracks are catalogued, measured to EBU R 128 and "
        "loudness-matched to -24 LUFS as copies; licence status is checked against the cut.",
    )
    with Catalog(out_dir / "temp_library.sqlite") as catalog:
        report = scan_with_progress(catalog, [project.temp], None)
        for track in catalog.tracks():
            licence = {
                "TEMP_Harbour_Theme.mp3": "temp-only",
                "TEMP_Door_Hit.wav": "cleared",
                "TEMP_Brakes_Sting.wav": "licensed",
            }.get(track.name)
            if licence and track.licence != licence:
                catalog.update(track.id, licence=licence)
        tracks = catalog.tracks()
        out.print(_tracks_table(tracks))
        normalized = normalize_catalog(catalog, out_dir / "normalized", target=-24, ceiling=-2)
        uses = find_usage(catalog, old)
    missed = [r for r in normalized if r.status == "missed target"]
    out.print(
        f"normalised {len(normalized)} copies to -24 LUFS in {out_dir / 'normalized'}; "
        f"{len(missed)} stopped at the -2 dBTP ceiling"
    )
    if is_locked(old):
        for use in (u for u in uses if u.track.licence in RISKY):
            err.print(
                f"[yellow]warning:[/] {use.track.name} is {use.track.licence} but plays in "
                f"the locked cut at {old.timecode(use.event.record_in)}"
            )
    summary.append(
        (
            "temp library",
            f"{len(tracks)} tracks ({len(report.added)} new), "
            f"{len([u for u in uses if u.track.licence in RISKY])} uncleared in the cut",
        )
    )

    step(
        7,
        "The handoff package",
        "Stems are rendered to their places in the new cut as "
        "time-stamped BWF, with the music timeline (OTIO, EDL, AAF), cue sheet, loudness, "
        "a report and a checksum manifest, then verified.",
    )
    stem_cues = read_stem_cues(out_dir / "sync" / "cues.csv", new.rate)
    package = out_dir / "handoff"
    if package.exists():
        shutil.rmtree(package)  # the demo's own previous package
    with OutputDir(package) as output, progress_bar() as bar:
        task = bar.add_task("rendering cues", total=len(stem_cues))
        result = build_handoff(
            stem_cues,
            new,
            output,
            HandoffSettings(title="Lighthouse R1"),
            out_dir / "sync" / "changes.csv",
            progress=lambda done: bar.update(task, completed=done),
        )
    problems = verify_package(package)
    out.print(
        f"{len(result.files)} stem files; verify: "
        + ("all files match" if not problems else f"{len(problems)} differences")
    )
    summary.append(
        ("handoff", f"{len(result.files)} stems, verified" if not problems else "verify failed")
    )

    table = Table(title="mconform demo: summary", title_justify="left")
    table.add_column("step")
    table.add_column("result")
    for name, value in summary:
        table.add_row(name, value)
    out.print(table)
    out.print(f"finished in {time.perf_counter() - began:.1f} s; open {package / 'report.html'}")
    if problems:
        raise typer.Exit(1)


def main() -> None:
    """Entry point: run the app, turning the project's errors into one line and exit 2."""
    try:
        app()
    except CutError as error:
        err.print(f"[bold red]mconform: error:[/] {error}", soft_wrap=True)
        sys.exit(2)
    except (OutputExists, AudioError, FitError, CatalogError, sqlite3.Error) as error:
        err.print(f"[bold red]mconform: error:[/] {error}", soft_wrap=True)
        sys.exit(2)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        err.print(f"[bold red]mconform: error:[/] {where}{error.strerror or error}", soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
