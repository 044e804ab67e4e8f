"""The `mconform` command line: the only module that knows about the terminal.

Library code raises `edl.CutError` (and friends); here they become one-line messages on
stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
import opentimelineio as otio
import typer
from rich.console import Console
from rich.table import Table

from conform.audio import AudioError, Bext, read_audio, write_audio
from conform.conformed_io import conformed_csv, music_timeline
from conform.cuelist import CueList, parse_length, read_cues
from conform.fit import FitError, apply_plan, plan_fit
from conform.outputs import OutputDir, OutputExists
from conform.reconform import ConformedCue, conform_cues, cues_outside
from conform.sync import (
    parse_tolerance,
    read_hits,
    read_sync_rows,
    report_csv,
    sync_rows,
    synced_csv,
)
from conform.sync import status as sync_status
from edl.changes import ChangeList, compare
from edl.changes_io import changes_csv, changes_edl
from edl.cut import Cut, Event, cut_to_dict
from edl.errors import CutError
from edl.io import read_cut, write_cut
from edl.rate import Rate, parse_rate
from edl.timecode import format_duration, frames_to_samples

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
        mix, first.sample_rate, target, mode, keep_end=keep_end,
        crossfade_samples=round(crossfade_ms * first.sample_rate / 1000), curve=curve,
    )  # fmt: skip
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
            path, audio.with_samples(apply_plan(audio.samples, plan)),
            bext=Bext(**{**bext.__dict__, "description": note[:256]}), ixml=audio.ixml, force=True,
        )  # fmt: skip
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


def sample_dir() -> Path:
    """The bundled sample project (ships inside the installed package)."""
    return Path(str(resources.files("mconform_samples")))


DEMO_MARK = ".mconform-demo"


@app.command("demo")
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the demo writes")] = Path(
        "mconform-demo"
    ),
) -> None:
    """Run the tool on the bundled sample reel: read both cuts, diff them, conform the cues."""
    samples = sample_dir()
    rate = "23.976"
    ours = (out_dir / DEMO_MARK).exists()  # a previous demo's folder may be replaced
    output = OutputDir(out_dir, force=ours)
    out.rule("[bold]mconform demo[/]: sample reel 1 of 'Lighthouse'")
    out.print(f"Sample project: {samples}\n")
    out.rule("1. The locked cut, version 1")
    print_cut(load_cut(samples / "reel1_v1.edl", rate), "reel1_v1.edl")
    out.rule("2. Picture changes from v1 to v2")
    changes = load_pair(samples / "reel1_v1.edl", samples / "reel1_v2.edl", rate, "auto")
    out.print(changes_table(changes))
    print_totals(changes)
    out.rule("3. Re-conform of the cue list")
    cues = read_cues(samples / "cues.csv", changes.old.rate)
    conformed = conform_cues(cues.cues, changes)
    with output:
        write_conform_outputs(output, conformed, cues, changes)
        output.write_text(DEMO_MARK, "written by mconform demo; may be replaced by the next one\n")
    print_conform_summary(conformed, changes, output.target)


def main() -> None:
    """Entry point: run the app, turning the project's errors into one line and exit 2."""
    try:
        app()
    except CutError as error:
        err.print(f"[bold red]mconform: error:[/] {error}", soft_wrap=True)
        sys.exit(2)
    except (OutputExists, AudioError, FitError) as error:
        err.print(f"[bold red]mconform: error:[/] {error}", soft_wrap=True)
        sys.exit(2)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        err.print(f"[bold red]mconform: error:[/] {where}{error.strerror or error}", soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
