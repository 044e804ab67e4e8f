"""What the terminal shows: consoles, progress bars and the tables of cuts, changes, cues and
tracks, shared by the commands (`conform.cli`) and the demo's narration (`conform.demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from edl.timecode import format_duration

if TYPE_CHECKING:  # annotations only: the catalog (sqlite3) and the bars load when used
    from rich.progress import Progress, TaskID

    from conform.cues.reconform import ConformedCue
    from edl.changes import ChangeList
    from edl.cut import Cut, Event
    from temp_library.catalog import Catalog, Track
    from temp_library.scan import ScanReport


KIND_STYLE = {
    "same": "dim",
    "shifted": "cyan",
    "moved": "magenta",
    "inserted": "green",
    "deleted": "red",
    "replaced": "yellow",
    "retimed": "yellow",
    "speed": "yellow",
    "lifted": "red",
}


STATUS_STYLE = {"unchanged": "dim", "moved": "cyan", "changed": "bold yellow", "removed": "red"}


def figure(value: float | None, unit: str = "") -> str:
    return "" if value is None else f"{value:.1f}{unit}"


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


def changes_table(changes: ChangeList, *, every: bool = False) -> Table:
    old_tc, new_tc = changes.old.timecode, changes.new.timecode
    table = Table(title="Picture changes (new-cut order)", title_justify="left")
    for name in ("kind", "old in", "old out", "new in", "new out", "frames", "reel", "clip", ""):
        table.add_column(name, no_wrap=name not in ("clip", "reel", ""))
    for s in changes.segments:
        if s.kind in ("same", "shifted") and not every:  # shifts are summed up in the totals
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
            s.clip if s.old_clip in ("", s.clip) or gone else f"{s.old_clip} -> {s.clip}",
            s.detail if s.kind not in ("shifted", "moved") else f"{s.offset:+d} frames",
        )
    return table


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


def tracks_table(tracks: list[Track]) -> Table:
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
            figure(t.integrated_lufs),
            figure(t.true_peak_dbtp),
            t.tags,
        )
    return table


def _console(stderr: bool = False) -> Console:
    """A console; tables of timecodes need more than 80 columns when piped to a file."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=160)
    return console


out = _console()


err = _console(stderr=True)


def progress_bar() -> Progress:
    """A bar on stderr that disappears when done (stdout stays clean for pipes)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
        transient=True,
    )  # fmt: skip


def print_totals(changes: ChangeList) -> None:
    totals = changes.totals()
    rate = changes.new.rate
    counts = ", ".join(f"{n} {k}" for k, n in changes.counts().items() if n)
    old_start, new_start = changes.old.record_start, changes.new.record_start
    if old_start is not None and new_start is not None and old_start != new_start:
        out.print(
            f"[bold]Record start[/]: {changes.old.timecode(old_start)} -> "
            f"{changes.new.timecode(new_start)} ({new_start - old_start:+d} frames); shots are "
            "matched by picture (give --old-start/--new-start to line the reels up yourself)"
        )
    out.print(
        f"[bold]Totals[/]: {counts}\n"
        f"frames added [green]{totals['added']}[/], removed [red]{totals['removed']}[/]; "
        f"reel length {format_duration(totals['old_length'], rate)} -> "
        f"{format_duration(totals['new_length'], rate)} "
        f"({totals['new_length'] - totals['old_length']:+d} frames)"
    )


def print_conform_summary(conformed: list[ConformedCue], changes: ChangeList, where: Path) -> None:
    counts = dict.fromkeys(("unchanged", "moved", "changed", "removed"), 0)
    for item in conformed:
        counts[item.status] += 1
    out.print(cues_table(conformed, changes))
    out.print(
        "[bold]Cues[/]: "
        + ", ".join(f"[{STATUS_STYLE[k]}]{n} {k}[/]" for k, n in counts.items())
        + f"\nwrote {where}/cues.csv, cues.otio, changes.csv, changes.edl, changes.json"
    )


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
