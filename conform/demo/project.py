"""The sample project's whole job, step by step, as data for the CLI to narrate.

Each step is an ordinary call into the library; nothing here is special to the demo but
the choice of files and of which cues to fit.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from conform.cues.cuelist import SyncPoint
from conform.cues.reconform import ConformedCue
from conform.music.fit import FitPlan, apply_plan, plan_fit
from edl.changes import ChangeList
from edl.rate import Rate
from edl.timecode import format_timecode, frames_to_samples, parse_timecode, samples_to_frames
from temp_library.audio.bwf import Bext, read_audio, write_audio

__all__ = [
    "Project",
    "sample_dir",
    "prepare_project",
    "fit_changed_cues",
    "FittedCue",
    "final_cue_list",
]

SAMPLE_RATE = 48000
MAX_GAP_FRAMES = 240  # parts further apart than this are separate music edits, not one fit


def sample_dir() -> Path:
    """The bundled sample project (ships inside the installed package)."""
    return Path(str(resources.files("mconform_samples")))


@dataclass(frozen=True)
class Project:
    folder: Path
    v1: Path
    v2: Path
    cues: Path  # the cue list with stems
    temp: Path  # the temp library folder


def prepare_project(folder: Path, sample_rate: int = SAMPLE_RATE) -> Project:
    """Copy the sample cuts and cue list into ``folder`` and synthesise their audio once."""
    from edl.rate import parse_rate
    from mconform_samples.make_audio import cue_rows, make_cue_stems, make_temp_library

    samples = sample_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("reel1_v1.edl", "reel1_v2.edl", "reel1_v1.otio", "reel1_v2.otio"):
        shutil.copyfile(samples / name, folder / name)
    rate = parse_rate("23.976")
    rows = cue_rows()
    lengths = {
        row["cue"]: frames_to_samples(parse_timecode(row["end"], rate), rate, sample_rate)
        - frames_to_samples(parse_timecode(row["start"], rate), rate, sample_rate)
        for row in rows
    }
    stems = make_cue_stems(folder / "audio", lengths, sample_rate)
    header = list(rows[0])
    header.insert(header.index("sync") + 1, "stems")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row["stems"] = ";".join(
            f"{name}=audio/{path.name}" for name, path in stems[row["cue"]].items()
        )
        writer.writerow(row)
    (folder / "cues.csv").write_text(buffer.getvalue(), encoding="utf-8")
    make_temp_library(folder / "temp", sample_rate)
    return Project(folder, folder / "reel1_v1.edl", folder / "reel1_v2.edl",
                   folder / "cues.csv", folder / "temp")  # fmt: skip


@dataclass(frozen=True)
class FittedCue:
    cue: str
    plan: FitPlan
    new_start: int
    new_end: int
    stems: dict[str, Path]
    sync: tuple[SyncPoint, ...] = ()
    old_start: int = 0
    old_end: int = 0


def _through_plan(sample: int, plan: FitPlan) -> int | None:
    """Where a sample of the cue's audio lands after the fit (None if it was cut out)."""
    if plan.mode == "trim":
        if plan.trim_from == "head":
            sample -= plan.source_length - plan.target
        return sample if 0 <= sample < plan.target else None
    for join in plan.joins:
        if sample < join.at:
            continue
        if join.to > join.at:  # cut: what lies between is gone
            if sample < join.to:
                return None
            sample -= join.to - join.at
        else:  # extend: the hit plays first before the jump; keep that one
            pass
    return sample


def _fits_in_one(item: ConformedCue) -> bool:
    live = [p for p in item.parts if p.new_start is not None and p.new_end is not None]
    if item.status != "changed" or len(live) < 2:
        return False
    return all(
        0 <= b.new_start - a.new_end <= MAX_GAP_FRAMES  # type: ignore[operator]
        for a, b in zip(live, live[1:], strict=False)
    )


def fit_changed_cues(
    conformed: list[ConformedCue],
    changes: ChangeList,
    cues_csv: Path,
    folder: Path,
    sample_rate: int = SAMPLE_RATE,
) -> list[FittedCue]:
    """Re-cut changed cues whose surviving parts sit together to the new scene length."""
    from conform.cues.placed import read_stem_cues

    SAMPLE_RATE = sample_rate  # noqa: N806 - the project's rate
    rate = changes.new.rate
    stems_of = {c.number: c.stems for c in read_stem_cues(cues_csv, changes.old.rate)}
    fitted = []
    for item in conformed:
        if not _fits_in_one(item):
            continue
        start, end = item.new_start, item.new_end
        assert start is not None and end is not None
        target = frames_to_samples(end, rate, SAMPLE_RATE) - frames_to_samples(
            start, rate, SAMPLE_RATE
        )
        audio = {name: read_audio(path) for name, path in stems_of[item.cue.number].items()}
        mix = sum(a.samples for a in audio.values())
        origin = frames_to_samples(item.cue.start, changes.old.rate, SAMPLE_RATE)
        hits = tuple(
            frames_to_samples(p.frame, changes.old.rate, SAMPLE_RATE) - origin
            for p in item.cue.sync
        )
        plan = plan_fit(mix, SAMPLE_RATE, target, "auto", keep_end=True, keep=hits)
        outputs = {}
        for name, source in audio.items():
            path = folder / f"{item.cue.number}_{name}_fit.wav"
            note = f"{item.cue.number} {name} fit to {format_timecode(end - start, rate)}"
            write_audio(path, source.with_samples(apply_plan(source.samples, plan)),
                        bext=Bext(description=note), force=True)  # fmt: skip
            outputs[name] = path
        sync = []
        for point in item.cue.sync:
            offset = frames_to_samples(point.frame, changes.old.rate, SAMPLE_RATE) - origin
            landed = _through_plan(offset, plan)
            if landed is not None:
                at = frames_to_samples(start, rate, SAMPLE_RATE) + landed
                sync.append(SyncPoint(samples_to_frames(at, rate, SAMPLE_RATE), point.name))
        fitted.append(FittedCue(item.cue.number, plan, start, end, outputs, tuple(sync),
                                item.cue.start, item.cue.end))  # fmt: skip
    return fitted


def final_cue_list(conformed_csv: str, fitted: list[FittedCue], rate: Rate, base: Path) -> str:
    """The conformed list with each fitted cue as one part playing its fitted stems.

    Stem paths become absolute (they were relative to the cue list in ``base``).
    """
    rows = list(csv.DictReader(io.StringIO(conformed_csv)))
    header = list(rows[0]) if rows else []
    by_cue = {f.cue: f for f in fitted}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    done = set()
    for row in rows:
        fit = by_cue.get(row["cue"])
        pairs = _stem_pairs(row.get("stems", ""))
        row["stems"] = ";".join(f"{name}={(base / path).resolve()}" for name, path in pairs)
        if fit is None:
            writer.writerow(row)
            continue
        if row["cue"] in done:
            continue
        done.add(row["cue"])
        how = fit.plan.describe()
        row.update(
            part="1",
            old_start=format_timecode(fit.old_start, rate),
            old_end=format_timecode(fit.old_end, rate),
            new_start=format_timecode(fit.new_start, rate),
            new_end=format_timecode(fit.new_end, rate),
            offset="00:00:00:00",
            note="fit to the new scene: " + (how[1] if len(how) > 1 else how[0]),
            stems=";".join(f"{name}={path.resolve()}" for name, path in fit.stems.items()),
        )
        if "sync" in row:
            row["sync"] = "; ".join(
                f"{p.name}={format_timecode(p.frame, rate)}"
                if p.name
                else format_timecode(p.frame, rate)
                for p in fit.sync
            )
        writer.writerow(row)
    return buffer.getvalue()


def _stem_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in text.split(";"):
        name, sep, path = item.partition("=")
        if sep:
            pairs.append((name.strip(), path.strip()))
    return pairs
