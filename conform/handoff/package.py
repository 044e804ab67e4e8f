"""The handoff package for the re-recording mixer, and its verification.

DIR/stems/       the rendered stems (BWF, time-stamped to their record timecode)
DIR/timeline/    music.otio, one EDL per stem track, music.aaf (files linked)
DIR/cuesheet.csv, loudness.csv, changes.csv (when made from a conform)
DIR/report.html, README.txt, MANIFEST.md5, MANIFEST.json
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import opentimelineio as otio
import soundfile as sf

from conform.handoff.stems import (
    RenderSettings,
    StemCue,
    channel_labels,
    file_title,
    load_stems,
    render_cue,
    render_reel,
    reorder_channels,
)
from conform.handoff.timeline import StemFile, stem_edls, timeline_otio, write_aaf
from conform.paperwork.cuesheet import Production, cue_sheet, cue_sheet_files
from conform.paperwork.report import report_html
from edl.cut import Cut
from edl.files import OutputDir
from edl.timecode import format_timecode, frames_to_samples
from temp_library.audio.bwf import Audio, Bext, IXml, parse_bext, read_chunks, write_audio
from temp_library.audio.loudness import LoudnessMeter

__all__ = ["HandoffSettings", "Handoff", "build_handoff", "verify_package", "MANIFEST"]

MANIFEST = ("MANIFEST.md5", "MANIFEST.json")


@dataclass(frozen=True)
class HandoffSettings:
    render: RenderSettings = field(default_factory=RenderSettings)
    layout: str = "cue"  # "cue" or "reel"
    multi_mono: bool = False
    channel_order: str = "smpte"
    two_pop: bool = False
    reel: str = "R1"
    project: str = ""
    title: str = ""


@dataclass
class Handoff:
    files: list[StemFile] = field(default_factory=list)
    loudness: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _write_stem(
    out: OutputDir,
    name: str,
    samples: np.ndarray,
    start: int,
    end: int,
    cue: str,
    stem: str,
    cut: Cut,
    settings: HandoffSettings,
    handoff: Handoff,
) -> None:
    sr = settings.render.sample_rate
    reference = frames_to_samples(start, cut.rate, sr)
    samples = reorder_channels(samples, settings.channel_order)
    flag = "DF" if cut.rate.drop else "NDF"
    rate_text = f"{cut.rate.fps.numerator}/{cut.rate.fps.denominator}"
    pieces = [(name, stem, samples)]
    if settings.multi_mono and samples.shape[1] > 1:
        labels = channel_labels(samples.shape[1], settings.channel_order)
        pieces = [(f"{name}.{label}", f"{stem}.{label}", samples[:, k : k + 1])
                  for k, label in enumerate(labels)]  # fmt: skip
    for file_name, track, data in pieces:
        relative = f"stems/{file_name}.wav"
        description = f"{cue} {stem}".strip() + f" @ {format_timecode(start, cut.rate)}"
        write_audio(
            out.path(relative), Audio(data, sr, settings.render.subtype),
            bext=Bext(description=description, originator_reference=cue, time_reference=reference),
            ixml=IXml(settings.project or settings.title, cue, track, rate_text, flag), force=True,
        )  # fmt: skip
        handoff.files.append(StemFile(relative, track, cue, start, end, data.shape[0],
                                      data.shape[1]))  # fmt: skip


def _loudness_row(kind: str, name: str, samples: np.ndarray, sr: int) -> dict[str, object]:
    figures = LoudnessMeter(sr).measure(samples)
    return {"kind": kind, "name": name, "integrated_lufs": _round(figures.integrated_lufs),
            "true_peak_dbtp": _round(figures.true_peak_dbtp), "note": figures.note}  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def build_handoff(
    cues: list[StemCue],
    cut: Cut,
    out: OutputDir,
    settings: HandoffSettings,
    changes_csv: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Handoff:
    """Render stems, write timelines, cue sheet, loudness, report, README and manifest.

    ``progress`` is told how many cues are rendered so far.
    """
    tick = progress or (lambda done: None)
    handoff = Handoff()
    sr = settings.render.sample_rate
    rate = cut.rate
    title = settings.title or cut.title or "music"
    if settings.layout == "cue":
        for done, cue in enumerate(cues, start=1):
            audio = load_stems(cue, settings.render)
            first, rendered = render_cue(cue, audio, rate, settings.render)
            start, end = cue.start - settings.render.handles, cue.end + settings.render.handles
            base = f"{cue.number}_{file_title(cue.title)}" if cue.title else cue.number
            for stem, samples in rendered.items():
                name = f"{base}_{file_title(stem)}"
                _write_stem(out, name, samples, start, end, cue.number, file_title(stem), cut,
                            settings, handoff)  # fmt: skip
                handoff.loudness.append(_loudness_row("stem", name, samples, sr))
            mix = sum(rendered.values())
            handoff.loudness.append(_loudness_row("cue", cue.number, mix, sr))
            tick(done)
    else:
        ffoa = cut.record_start if cut.record_start is not None else min(c.start for c in cues)
        head = 3 * rate.timecode_base if settings.two_pop else 0
        first_frame = ffoa - head
        last_frame = max([c.end for c in cues] + [cut.record_end or ffoa])
        pop = ffoa - 2 * rate.timecode_base if settings.two_pop else None
        _, buffers = render_reel(cues, rate, settings.render, first_frame, last_frame,
                                 two_pop_frame=pop)  # fmt: skip
        for stem, samples in buffers.items():
            name = f"{settings.reel}_{file_title(stem)}"
            _write_stem(out, name, samples, first_frame, last_frame, "", file_title(stem), cut,
                        settings, handoff)  # fmt: skip
            handoff.loudness.append(_loudness_row("stem", name, samples, sr))
        for done, cue in enumerate(cues, start=1):
            audio = load_stems(cue, settings.render)
            _, rendered = render_cue(cue, audio, rate, settings.render)
            handoff.loudness.append(_loudness_row("cue", cue.number, sum(rendered.values()), sr))
            tick(done)
    _write_timelines(out, handoff, cut, title, settings)
    sheet = cue_sheet(cues, cut, Production(title=title))
    handoff.warnings += sheet.warnings
    for name, data in cue_sheet_files(sheet).items():
        out.path(name).write_bytes(data)
    out.write_text("loudness.csv", _csv(handoff.loudness))
    changes_text = changes_csv.read_text(encoding="utf-8") if changes_csv else ""
    if changes_csv:
        out.write_text("changes.csv", changes_text)
    stems = [(f.path, f.start, f.channels) for f in handoff.files]
    out.write_text("report.html", report_html(title, cut, cues, handoff.loudness, changes_text,
                                              warnings=handoff.warnings, stems=stems))  # fmt: skip
    out.write_text("README.txt", _readme(title, cut, cues, handoff, settings))
    _write_manifest(out)
    return handoff


def _write_timelines(
    out: OutputDir, handoff: Handoff, cut: Cut, title: str, settings: HandoffSettings
) -> None:
    timeline = timeline_otio(handoff.files, cut, title)
    out.write_text("timeline/music.otio", otio.adapters.write_to_string(timeline, "otio_json"))
    for stem, text in stem_edls(handoff.files, cut, title).items():
        out.write_text(f"timeline/{stem}.edl", text)
    bits = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32}[settings.render.subtype]
    write_aaf(out.path("timeline/music.aaf"), handoff.files, out.path("."), cut.rate, title,
              settings.render.sample_rate, bits)  # fmt: skip


def _csv(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def _readme(
    title: str, cut: Cut, cues: list[StemCue], handoff: Handoff, settings: HandoffSettings
) -> str:
    rate = cut.rate
    order = " ".join(channel_labels(6, settings.channel_order))
    lines = [
        f"MUSIC HANDOFF: {title}",
        "",
        f"Picture rate: {rate} ({'drop' if rate.drop else 'non-drop'} frame timecode)",
        f"Audio: {settings.render.sample_rate} Hz, "
        f"{ {'PCM_24': '24-bit', 'PCM_16': '16-bit', 'FLOAT': '32-bit float'}.get(settings.render.subtype, settings.render.subtype) } BWF",  # noqa: E501
        f"Layout: {'one file per cue and stem' if settings.layout == 'cue' else 'one continuous file per stem for the reel'}",  # noqa: E501
        f"5.1 channel order: {order} ({settings.channel_order})"
        + ("; multi-mono files end .L .R ..." if settings.multi_mono else ""),
        "",
        "Every file carries a BWF time stamp: spot to original time stamp (Pro Tools: Spot ->",
        "Original Time Stamp) and it lands on its record timecode.",
        "",
        "stems/      the stems",
        "timeline/   music.otio, music.aaf (linked to stems/), one EDL per stem track",
        "cuesheet.csv   cue sheet (performing rights): one row per use; .production.csv and",
        "               .xlsx beside it (production header, the societies' layout)",
        "loudness.csv   integrated loudness and true peak per stem and per cue",
        "changes.csv    picture changes the music was conformed to (when present)",
        "report.html    the cut, the cues, changes and loudness on one page",
        "MANIFEST.md5   checksums: md5sum -c MANIFEST.md5",
        "",
        "Files and start timecodes:",
    ]
    for f in sorted(handoff.files, key=lambda f: (f.start, f.path)):
        lines.append(f"  {format_timecode(f.start, rate)}  {f.path}  ({f.channels} ch)")
    if handoff.warnings:
        lines += ["", "Warnings:"] + [f"  {w}" for w in handoff.warnings]
    return "\n".join(lines) + "\n"


def _digest(path: Path) -> str:
    digest = hashlib.md5()  # noqa: S324 - md5sum -c is what a mix stage checks with
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(out: OutputDir) -> None:
    root = out.path(".")
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative in MANIFEST:
            continue
        entries.append({"path": relative, "md5": _digest(path), "size": path.stat().st_size})
    out.write_text("MANIFEST.md5", "".join(f"{e['md5']}  {e['path']}\n" for e in entries))
    out.write_text("MANIFEST.json", json.dumps(entries, indent=2) + "\n")


def verify_package(folder: str | Path) -> list[str]:
    """Every difference from the manifest and the timeline; an empty list when all is well."""
    folder = Path(folder)
    problems: list[str] = []
    manifest = folder / "MANIFEST.json"
    if not manifest.is_file():
        return [f"{manifest}: no manifest; is this a handoff folder?"]
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    listed = {e["path"] for e in entries}
    for entry in entries:
        path = folder / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["size"]:
            problems.append(
                f"{entry['path']}: size {path.stat().st_size}, manifest {entry['size']}"
            )
        elif _digest(path) != entry["md5"]:
            problems.append(f"{entry['path']}: checksum differs from the manifest")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative not in listed and relative not in MANIFEST:
            problems.append(f"{relative}: not in the manifest")
    timeline_path = folder / "timeline" / "music.otio"
    if timeline_path.is_file():
        problems += _check_stems_against_timeline(folder, timeline_path)
    return problems


def _check_stems_against_timeline(folder: Path, timeline_path: Path) -> list[str]:
    problems = []
    timeline = otio.adapters.read_from_file(str(timeline_path))
    start = timeline.global_start_time
    for track in timeline.tracks:
        for clip in track.find_clips():
            url = clip.media_reference.target_url
            path = (timeline_path.parent / url).resolve()
            meta = clip.metadata.get("mconform", {})
            if not path.is_file():
                problems.append(f"{url}: in the timeline but missing")
                continue
            placed = clip.range_in_parent().start_time + start
            chunks = read_chunks(path)
            if "bext" not in chunks:
                problems.append(f"{url}: no bext time stamp")
                continue
            reference = parse_bext(chunks["bext"]).time_reference
            info = sf.info(str(path))
            expected = round(placed.value * info.samplerate / placed.rate)
            if abs(reference - expected) > 1:
                problems.append(f"{url}: time stamp {reference} samples, timeline {expected}")
            if "samples" in meta and info.frames != meta["samples"]:
                problems.append(f"{url}: {info.frames} samples, timeline {meta['samples']}")
    return problems
