"""`mconform duck`: music stems that make room for dialogue, per stem and per phrase, measured."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import ForceOption, RateOption, app, fail, load_cut
from conform.terminal import err, out
from edl.files import OutputDir


@app.command("duck")
def duck(
    cues_path: Annotated[
        Path, typer.Argument(metavar="CUES", help="Cue list or conformed cues.csv, with stems")
    ],
    cut_path: Annotated[Path, typer.Option("--cut", help="The cut the cues play on")],
    dialogue: Annotated[
        Path,
        typer.Option(
            "--dialogue",
            help="Dialogue stem or guide track (BWF time-stamped, "
            "or starting at the cut's record start)",
        ),  # fmt: skip
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")],
    layout: Annotated[str, typer.Option("--stems-layout", help="cue or reel clips")] = "cue",
    reel: Annotated[str, typer.Option("--reel", help="Reel name for reel stems")] = "R1",
    rate: RateOption = "auto",
    sample_rate: Annotated[int, typer.Option("--sample-rate")] = 48000,
    target: Annotated[
        float, typer.Option("--target", help="Speech-band index each phrase should reach, 0-1")
    ] = 0.75,
    max_cut: Annotated[float, typer.Option("--max-cut", help="Deepest band cut, dB")] = 15.0,
    max_duck: Annotated[float, typer.Option("--max-duck", help="Deepest stem duck, dB")] = 12.0,
    preroll: Annotated[float, typer.Option("--preroll", help="Ramp-in before speech, ms")] = 250,
    postroll: Annotated[float, typer.Option("--postroll", help="Ramp-out after it, ms")] = 400,
    render: Annotated[
        bool, typer.Option("--render", help="Also write the placed stems and pre-ducked copies")
    ] = False,
    no_stoi: Annotated[bool, typer.Option("--no-stoi", help="Skip STOI/ESTOI (faster)")] = False,
    handles: Annotated[int, typer.Option("--handles", help="Frames before/after each cue")] = 0,
    title: Annotated[str, typer.Option("--title", help="Production title")] = "",
    force: ForceOption = False,
) -> None:
    """Find speech, give each masking stem a band cut or a duck, write automation, measure."""
    from dataclasses import replace

    from conform.cues.placed import read_stem_cues
    from conform.duck.run import DuckSettings, duck_music
    from conform.duck.speech import SpeechSettings
    from conform.duck.treatment import TreatSettings
    from conform.handoff.stems import RenderSettings

    if layout not in ("cue", "reel"):
        fail(f"--stems-layout {layout!r}: use cue or reel")
    if not 0 < target <= 1:
        fail(f"--target {target}: give an index between 0 and 1, e.g. 0.75")
    for name, value, most in (
        ("--max-cut", max_cut, 60),
        ("--max-duck", max_duck, 60),
        ("--preroll", preroll, 10_000),
        ("--postroll", postroll, 10_000),
    ):
        if not 0 <= value <= most:  # NaN and infinity fail too
            fail(f"{name} {value:g}: give an amount from 0 to {most}")
    if not 8000 <= sample_rate <= 384_000:
        fail(f"--sample-rate {sample_rate}: give the project rate in Hz, e.g. 48000")
    if not 0 <= handles <= 10_000:
        fail(f"--handles {handles}: give 0 to 10000 frames before and after each cue")
    output = OutputDir(out_dir, force)
    cut = load_cut(cut_path, rate)
    cues = read_stem_cues(cues_path, cut.rate, sample_rate)
    if not cues:
        fail(f"{cues_path}: no cue with a place in the cut")
    speech = replace(SpeechSettings(), preroll_ms=preroll, postroll_ms=postroll)
    settings = DuckSettings(
        RenderSettings(sample_rate, handles=handles), layout, reel, speech,
        TreatSettings(target=target, max_cut_db=max_cut, max_duck_db=max_duck),
        preducked=render, stems=render, stoi=not no_stoi, title=title or cut.title,
    )  # fmt: skip
    with output:
        result = duck_music(cues, cut, dialogue, settings, output)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    treated = sum(1 for r in result.phrases for t in r.treatments if t.kind != "none")
    out.print(f"{len(result.phrases)} phrases over music, {len(result.unscored)} without; "
              f"{treated} stem treatments")  # fmt: skip
    for f in result.figures:
        stoi = f"STOI {f.stoi:.3f}, ESTOI {f.estoi:.3f}, " if f.stoi is not None else ""
        out.print(f"  {f.name:15} {stoi}index {f.index:.3f}, music -{f.loudness_drop_lu:.2f} LU, "
                  f"outside the speech band {f.outside_change_db:.2f} dB")  # fmt: skip
    folders = sorted({f.split("/")[0] + "/" for f in result.files if "/" in f})
    files = [f for f in result.files if "/" not in f]
    out.print(f"wrote {output.target}: {', '.join(files + folders)}")
