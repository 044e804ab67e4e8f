"""`mconform fit`: a cue made exactly a given length, musically."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import (
    ForceOption,
    app,
    fail,
)
from conform.cues.cuelist import parse_length
from conform.music.fit import apply_plan, mix_stems, plan_fit
from conform.terminal import (
    out,
)
from edl.rate import Rate, parse_rate
from edl.timecode import frames_to_samples
from temp_library.audio.bwf import Bext, read_audio, write_audio


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
    mix = first.samples if len(cue) == 1 else mix_stems([a.samples for a in cue])
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
