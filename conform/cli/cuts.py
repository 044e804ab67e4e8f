"""`mconform cut show` and `mconform cut convert`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import (
    LenientOption,
    RateOption,
    cut_app,
    fail,
    load_cut,
)
from conform.terminal import (
    cut_table,
    hits_table,
    out,
)
from edl.cut import Cut, cut_to_dict
from edl.io import write_cut
from edl.timecode import format_duration

RICH_ROWS = 150
"""Above this many events, a cut is listed as plain aligned text rather than a rich table."""


def plain_events(cut: Cut, events: tuple, title: str) -> str:  # noqa: ANN001 - events
    """Events as aligned text: number, reel, clip, transition, source and record times."""
    tc = cut.timecode
    lines = [title, f"{'#':>6}  {'reel':<16} {'clip':<24} {'transition':<12}{'source in':<13}"
                    f"{'source out':<13}{'record in':<13}{'record out':<13}"]  # fmt: skip
    for e in events:
        t = e.transition
        src_in = "" if e.source_in is None else tc(e.source_in)
        src_out = "" if e.source_out is None else tc(e.source_out)
        how = "cut" if t.is_cut else f"{t.kind} {t.frames}f"
        lines.append(
            f"{e.number:>6}  {e.reel:<16} {e.clip_name or '':<24} {how:<12}{src_in:<13}"
            f"{src_out:<13}{tc(e.record_in):<13}{tc(e.record_out):<13}".rstrip()
        )
    return "\n".join(lines) + "\n"


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
    for events, title, is_audio in (
        (cut.events, "Picture", False),
        (cut.audio_events, "Audio", True),
    ):
        if not events or (is_audio and not audio):
            continue
        if len(events) <= RICH_ROWS:
            out.print(cut_table(cut, title, audio=is_audio))
        else:  # 100 000 rows of rich table take minutes; the same columns as text
            sys.stdout.write(plain_events(cut, events, title))
    if cut.audio_events and not audio:
        out.print(f"({len(cut.audio_events)} audio events not shown; add --audio to list them)")
    if cut.hits:
        out.print(hits_table(cut))


@cut_app.command("show")
def cut_show(
    cut_path: Annotated[Path, typer.Argument(metavar="CUT", help="EDL, .otio or FCP XML")],
    rate: RateOption = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines.")] = False,
    audio: Annotated[bool, typer.Option("--audio", help="List audio events too.")] = False,
    lenient: LenientOption = False,
) -> None:
    """Show a cut: its events, source and record times, transitions and picture hits."""
    cut = load_cut(cut_path, rate, lenient)
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
    lenient: LenientOption = False,
) -> None:
    """Convert a cut between EDL and OTIO (by the output's suffix)."""
    if out_path.resolve() == cut_path.resolve():
        fail(f"{out_path}: output is the input; choose another name")
    cut = load_cut(cut_path, rate, lenient)
    write_cut(cut, out_path, force=force)
    out.print(
        f"wrote {out_path} ({len(cut.events)} picture events, {len(cut.audio_events)} audio "
        f"events, {len(cut.hits)} hits at {cut.rate})"
    )
