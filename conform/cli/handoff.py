"""`mconform handoff`, `verify` and `cuesheet`: the mix stage's package."""

from __future__ import annotations

import json
import math
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
    progress_bar,
)
from edl.files import OutputDir


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
    dialogue: Annotated[
        Path | None,
        typer.Option("--dialogue", help="Dialogue stem or guide track: duck/ automation too"),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Render stems and build the mix stage's package: timelines, cue sheet, loudness, report."""
    from conform.cues.placed import read_stem_cues
    from conform.handoff.package import HandoffSettings, build_handoff
    from conform.handoff.stems import CHANNEL_ORDERS, RenderSettings
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
    if not 8000 <= sample_rate <= 768000:
        fail(f"--sample-rate {sample_rate}: use a rate from 8000 to 768000 Hz, e.g. 48000")
    if not math.isfinite(crossfade_ms) or not 0 <= crossfade_ms <= 10000:
        fail(f"--crossfade {crossfade_ms}: use 0 to 10000 ms, e.g. 10")
    if not 0 <= handles <= 100000:
        fail(f"--handles {handles}: use a whole number of frames from 0, e.g. 48")
    if dialogue is not None and multi_mono:
        fail("--dialogue with --multi-mono: not supported yet; run mconform duck on the package")
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

    def duck() -> list[str]:
        """The dialogue duck into duck/ of the package, before the manifest is written."""
        from conform.duck.run import DuckSettings, duck_music

        duck_settings = DuckSettings(
            render=render, layout=layout, reel=reel, two_pop=two_pop, preducked=True
        )
        if dialogue is None:
            return []
        return list(duck_music(cues, cut, dialogue, duck_settings, output, prefix="duck/").warnings)

    with output:
        with progress_bar() as bar:
            task = bar.add_task("rendering cues", total=len(cues))
            result = build_handoff(
                cues, cut, output, settings, changes if changes.is_file() else None,
                progress=lambda done: bar.update(task, completed=done),
                before_manifest=duck if dialogue is not None else None,
            )  # fmt: skip
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    table = Table(title="Stems", title_justify="left")
    for name in ("file", "start", "channels", "LUFS", "dBTP"):
        table.add_column(name)
    figures = {row["name"]: row for row in result.loudness}
    for f in sorted(result.files, key=lambda f: (f.start, f.path)):
        row = figures.get(Path(f.path).stem, {})
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
    from conform.handoff.verify import verify_package

    if not folder.is_dir():
        fail(f"{folder}: no such folder")
    problems = verify_package(folder)
    for problem in problems:
        err.print(f"[bold red]differs:[/] {problem}", soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    count = len(json.loads((folder / "MANIFEST.json").read_text()))
    out.print(f"{folder}: all {count} files match the manifest, and every stem is in every "
              "timeline at its time stamp")  # fmt: skip
