"""`mconform fit`: a cue made exactly a given length, musically, with its hits on picture."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import ForceOption, app, fail
from conform.cues.cuelist import parse_length, read_cues
from conform.terminal import out
from edl.rate import Rate, parse_rate
from edl.timecode import frames_to_samples, parse_timecode


def parse_length_option(text: str, rate: Rate | None, sample_rate: int) -> int:
    """``--length``: a timecode duration at the cut rate, ``95.5s``/``95.5`` seconds or ``Nf``."""
    raw = text.strip()
    try:
        seconds = Fraction(raw[:-1] if raw.endswith("s") else raw)
    except (ValueError, ZeroDivisionError):
        seconds = None
    if seconds is not None:
        if not 0 < seconds <= 86400:
            fail(f"--length {raw}: give a length between 0 and 24 hours")
        return round(seconds * sample_rate)
    if rate is None:
        fail(f"--length {raw}: a timecode length needs --rate (or give seconds, e.g. 95.5s)")
    assert rate is not None  # for the type checker: fail() does not return
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
        Path, typer.Option("--out", help="Output file (a folder for several stems or edits)")
    ],
    rate: Annotated[str, typer.Option("--rate", "-r", help="Rate for timecodes")] = "",
    mode: Annotated[str, typer.Option("--mode", help="trim, cut, extend or auto")] = "auto",
    keep_end: Annotated[
        bool, typer.Option("--keep-end", help="Keep the ending: never trim the tail")
    ] = False,
    stems: Annotated[
        list[Path] | None, typer.Option("--stems", help="More stems of the same cue")
    ] = None,
    crossfade_ms: Annotated[
        float | None,
        typer.Option("--crossfade", help="Join length in ms (default: by material)"),
    ] = None,
    curve: Annotated[
        str, typer.Option("--curve", help="auto, equal-power, linear or s-curve")
    ] = "auto",
    hit: Annotated[
        list[str] | None,
        typer.Option("--hit", help="NAME=AUDIO_TIME@PICTURE_TC: land this hit on that frame"),
    ] = None,
    start: Annotated[
        str, typer.Option("--start", help="The cue's record start TC (PICTURE_TC is then record)")
    ] = "",
    cues_path: Annotated[
        Path | None, typer.Option("--cues", help="Cue list whose sync points to keep")
    ] = None,
    cue_number: Annotated[str, typer.Option("--cue", help="The cue in --cues")] = "",
    alternatives: Annotated[
        int, typer.Option("--alternatives", help="Write the N best distinct edits")
    ] = 1,
    force: ForceOption = False,
) -> None:
    """Make a cue exactly a given length: whole bars out or repeated, joins on the beat."""
    from conform.music.cue_audio import check_stems, output_names, read_mix, write_fitted
    from conform.music.fit import plan_fits  # numpy: only when fitting
    from conform.music.hits import parse_hit, sync_hits
    from temp_library.audio.fades import CURVES

    if crossfade_ms is not None and not (0 <= crossfade_ms <= 60_000):
        fail(f"--crossfade {crossfade_ms:g}: give a join length in ms from 0 to 60000")
    if curve != "auto" and curve not in CURVES:
        fail(f"--curve {curve!r}: use auto, {', '.join(CURVES)}")
    files = check_stems([*audio_paths, *(stems or [])])
    sample_rate = files[0].sample_rate
    cut_rate = parse_rate(rate) if rate else None
    target = parse_length_option(length, cut_rate, sample_rate)
    start_frames = None
    if start:
        if cut_rate is None:
            fail("--start needs --rate")
        assert cut_rate is not None
        start_frames = parse_timecode(start, cut_rate)
    hits = [parse_hit(spec, cut_rate, sample_rate, start_frames) for spec in hit or []]
    if cues_path is not None:
        if cut_rate is None or not cue_number:
            fail("--cues needs --cue NUMBER and --rate")
        assert cut_rate is not None
        cue = next((c for c in read_cues(cues_path, cut_rate).cues if c.number == cue_number), None)
        if cue is None:
            fail(f"{cues_path}: no cue {cue_number!r}")
        assert cue is not None
        hits.extend(sync_hits(cue, cut_rate, sample_rate))
    if alternatives > 1 and out_path.suffix.lower() in (".wav", ".bwf"):
        fail(f"{out_path}: --alternatives writes a folder per edit; give a folder, not a file")
    if len(files) > 1 and out_path.suffix:
        fail(f"{out_path}: several stems need an output folder, not a file name")
    mix = read_mix(files)
    xfade = None if crossfade_ms is None else round(crossfade_ms * sample_rate / 1000)
    plans = plan_fits(
        mix, sample_rate, target, mode, keep_end=keep_end, crossfade_samples=xfade,
        curve=curve, hits=tuple(hits), alternatives=alternatives,
    )  # fmt: skip
    del mix
    names = output_names(files)
    report = []
    for rank, plan in enumerate(plans, start=1):
        folder = out_path / str(rank) if alternatives > 1 else out_path
        single = len(files) == 1 and alternatives == 1 and not out_path.is_dir()
        targets = [out_path] if single else [
            folder / name for name in names
        ]  # fmt: skip
        note = f"fit to {target} samples by mconform ({plan.mode})"
        write_fitted(plan, files, targets, note, force)
        heading = f"edit {rank} (score {plan.cost:.2f})" if alternatives > 1 else ""
        if heading:
            out.print(heading)
            report.append(heading)
        for line in plan.describe():
            out.print(line)
            report.append(line)
        out.print(f"wrote {', '.join(str(p) for p in targets)}")
    if alternatives > 1:
        from edl.files import atomic_write_text

        atomic_write_text(out_path / "alternatives.txt", "\n".join(report) + "\n", force=force)
        if len(plans) < alternatives:
            out.print(f"only {len(plans)} distinct edits found")
