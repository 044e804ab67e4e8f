"""The handoff package for the re-recording mixer.

DIR/stems/       the rendered stems (BWF, time-stamped to their record timecode)
DIR/timeline/    music.otio, one EDL per track lane, music.aaf (files linked)
DIR/cuesheet.csv, loudness.csv, changes.csv (when made from a conform)
DIR/report.html, README.txt, MANIFEST.md5, MANIFEST.json
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import opentimelineio as otio

from conform.cues.cuelist import parse_sync
from conform.cues.placed import StemCue
from conform.handoff.metering import BlockMeter
from conform.handoff.mhl import seal
from conform.handoff.names import NameBook, safe_name, title_name
from conform.handoff.stems import (
    ReelMixer,
    RenderSettings,
    channel_labels,
    load_stems,
    render_cue,
    reorder_channels,
    stem_channels,
)
from conform.handoff.timeline import VERSION, Marker, StemFile, stem_edls, timeline_otio, write_aaf
from conform.handoff.verify import MANIFEST, file_md5, verify_package
from conform.paperwork.cuesheet import Production, cue_sheet, cue_sheet_files
from conform.paperwork.report import report_html
from edl.csvsafe import safe_cell
from edl.cut import Cut
from edl.errors import MconformError
from edl.files import OutputDir
from edl.rate import Rate
from edl.timecode import format_timecode, frames_to_samples
from temp_library.audio.bwf import SUBTYPES, Audio, Bext, IXml, WavWriter, write_audio
from temp_library.audio.loudness import Loudness, LoudnessMeter

__all__ = [
    "HandoffSettings",
    "Handoff",
    "build_handoff",
    "verify_package",
    "MANIFEST",
    "build_time",
]  # verify_package: re-exported, it lives in verify.py


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


def build_time() -> dt.datetime:
    """When the package was made: ``SOURCE_DATE_EPOCH`` (reproducible builds) or now, UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise MconformError(f"SOURCE_DATE_EPOCH={epoch!r} is not a time",
                                hint="give whole seconds since 1970") from None  # fmt: skip
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class _Target:
    """One file to write from a stem: its channels (after reordering) and names."""

    relative: str
    track: str
    columns: tuple[int, ...]
    labels: tuple[str, ...]


def _targets(name: str, stem: str, channels: int, settings: HandoffSettings) -> list[_Target]:
    labels = channel_labels(channels, settings.channel_order)
    if settings.multi_mono and channels > 1:
        return [_Target(f"stems/{name}.{label}.wav", f"{stem}.{label}", (k,), (label,))
                for k, label in enumerate(labels)]  # fmt: skip
    return [_Target(f"stems/{name}.wav", stem, tuple(range(channels)), labels)]


class _Stamp:
    """The BWF metadata every file of the package shares, and what differs per file."""

    def __init__(self, cut: Cut, settings: HandoffSettings, when: dt.datetime) -> None:
        self.cut, self.settings, self.when = cut, settings, when
        self.bits = SUBTYPES[settings.render.subtype]

    def bext(
        self, target: _Target, cue: str, frame: int, first: int, figures: Loudness | None
    ) -> Bext:
        sr, rate = self.settings.render.sample_rate, self.cut.rate
        mode = {1: "mono", 2: "stereo"}.get(len(target.columns))
        fmt = "FLOAT" if self.settings.render.subtype == "FLOAT" else "PCM"
        history = f"A={fmt},F={sr},W={self.bits}," + (f"M={mode}," if mode else "")
        history += f"T=mconform {VERSION}\r\n"
        digest = hashlib.sha1(f"{target.relative}\x1f{first}\x1f{self.when}".encode()).hexdigest()
        what = f"{cue} {target.track}".strip()
        return Bext(
            description=f"{what} @ {format_timecode(frame, rate)}",
            originator="mconform",
            originator_reference=f"MCF{digest[:29].upper()}",
            origination_date=self.when.strftime("%Y-%m-%d"),
            origination_time=self.when.strftime("%H:%M:%S"),
            time_reference=first,
            coding_history=history,
            loudness_value=figures.integrated_lufs if figures else None,
            loudness_range=figures.loudness_range_lu if figures else None,
            max_true_peak=figures.true_peak_dbtp if figures else None,
            max_momentary=figures.max_momentary_lufs if figures else None,
            max_short_term=figures.max_short_term_lufs if figures else None,
        )

    def ixml(self, target: _Target, cue: str, first: int) -> IXml:
        rate = self.cut.rate
        return IXml(
            self.settings.project or self.settings.title, cue, target.track,
            f"{rate.fps.numerator}/{rate.fps.denominator}", "DF" if rate.drop else "NDF",
            samples_since_midnight=first, sample_rate=self.settings.render.sample_rate,
            bit_depth=self.bits, tracks=target.labels,
        )  # fmt: skip


def _loudness_row(
    kind: str, name: str, cue: str, figures: Loudness | None, note: str = ""
) -> dict[str, object]:
    f = figures
    return {
        "kind": kind, "name": safe_cell(name), "cue": safe_cell(cue),
        "integrated_lufs": _round(f.integrated_lufs if f else None),
        "loudness_range_lu": _round(f.loudness_range_lu if f else None),
        "true_peak_dbtp": _round(f.true_peak_dbtp if f else None),
        "max_momentary_lufs": _round(f.max_momentary_lufs if f else None),
        "max_short_term_lufs": _round(f.max_short_term_lufs if f else None),
        "note": safe_cell(note or (f.note if f else "")),
    }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _cue_mix(rendered: dict[str, np.ndarray]) -> tuple[np.ndarray | None, str]:
    """The cue's stems summed; mono stems go to every channel; other layouts can't be summed."""
    widths = {s.shape[1] for s in rendered.values()}
    wide = widths - {1}
    if len(wide) > 1:
        return (
            None,
            f"stems of {', '.join(f'{w} ch' for w in sorted(widths))}: no one mix to measure",
        )
    width = max(widths)
    mix = np.zeros((next(iter(rendered.values())).shape[0], width), np.float32)
    for samples in rendered.values():
        mix += samples
    return mix, ""


def _pop(rate: Rate, sr: int, frame: int, origin: int, channels: int) -> tuple[int, np.ndarray]:
    """One frame of 1 kHz at -20 dBFS at ``frame``: (first sample from ``origin``, samples)."""
    at = frames_to_samples(frame, rate, sr)
    length = frames_to_samples(frame + 1, rate, sr) - at
    tone = (0.1 * np.sin(2 * np.pi * 1000 * np.arange(length) / sr)).astype(np.float32)
    return at - origin, np.repeat(tone[:, None], channels, axis=1)


def _check_midnight(first: int, what: str) -> None:
    if first < 0:
        raise MconformError(
            f"{what} would start before 00:00:00:00, which a BWF time stamp cannot hold",
            hint="use fewer --handles, drop --two-pop, or place the cut later",
        )


def build_handoff(
    cues: list[StemCue],
    cut: Cut,
    out: OutputDir,
    settings: HandoffSettings,
    changes_csv: Path | None = None,
    progress: Callable[[int], None] | None = None,
    before_manifest: Callable[[], list[str]] | None = None,
) -> Handoff:
    """Render stems, write timelines, cue sheet, loudness, report, README and manifest.

    ``progress`` is told how many cues are rendered so far. ``before_manifest`` writes more
    files into ``out`` (the dialogue duck, from the command line, which sits above this
    package) so that the manifest covers them; it returns warnings.
    """
    tick = progress or (lambda done: None)
    handoff = Handoff()
    when = build_time()
    stamp = _Stamp(cut, settings, when)
    title = settings.title or cut.title or "music"
    stem_names = _stem_names(cues)
    if settings.layout == "cue":
        _cue_layout(cues, cut, out, settings, stamp, stem_names, handoff, tick)
    else:
        _reel_layout(cues, cut, out, settings, stamp, stem_names, handoff, tick)
    _write_timelines(out, handoff, cut, cues, title, settings, when)
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
    if before_manifest is not None:
        handoff.warnings += before_manifest()
    _write_manifest(out, when)
    seal(out.path("."), f"mconform {VERSION} handoff of {title}")
    return handoff


def _stem_names(cues: list[StemCue]) -> dict[str, str]:
    """Each stem name (as in the cue list) to its safe file-name part, unique ignoring case."""
    book, names = NameBook(), {}
    for cue in cues:
        for stem in cue.stems:
            if stem not in names:
                names[stem] = book.claim(title_name(stem) or safe_name(stem, "stem"))
    return names


def _cue_layout(
    cues: list[StemCue], cut: Cut, out: OutputDir, settings: HandoffSettings, stamp: _Stamp,
    stem_names: dict[str, str], handoff: Handoff, tick: Callable[[int], None],
) -> None:  # fmt: skip
    rate, sr, base = cut.rate, settings.render.sample_rate, cut.rate.timecode_base
    handles = settings.render.handles
    if settings.two_pop and handles >= 2 * base:
        raise MconformError(
            f"--handles {handles} reaches the 2-pop 2 s before each cue",
            hint=f"use fewer than {2 * base} frames of handles with --two-pop",
        )
    book = NameBook()
    for done, cue in enumerate(sorted(cues, key=lambda c: (c.start, c.number)), start=1):
        lead = max(handles, 3 * base) if settings.two_pop else handles
        start, end = cue.start - lead, cue.end + lead
        first = frames_to_samples(start, rate, sr)
        _check_midnight(first, f"cue {cue.number}'s file")
        audio = load_stems(cue, settings.render)
        rendered_first, rendered = render_cue(cue, audio, rate, settings.render)
        del audio
        total = frames_to_samples(end, rate, sr) - first
        if settings.two_pop:
            rendered = {k: _pad(v, rendered_first - first, total) for k, v in rendered.items()}
        mix, note = _cue_mix(rendered)
        cue_figures = LoudnessMeter(sr).measure(mix) if mix is not None else None
        handoff.loudness.append(_loudness_row("cue", cue.number, cue.number, cue_figures, note))
        del mix
        number = safe_name(cue.number, "cue")
        base_name = book.claim(f"{number}_{title_name(cue.title)}" if title_name(cue.title)
                               else number)  # fmt: skip
        for stem, samples in rendered.items():
            samples = reorder_channels(samples, settings.channel_order)
            if settings.two_pop:
                for frame in (cue.start - 2 * base, cue.end - 1 + 2 * base):
                    at, tone = _pop(rate, sr, frame, first, samples.shape[1])
                    samples[at : at + tone.shape[0]] += tone
            for target in _targets(f"{base_name}_{stem_names[stem]}", stem_names[stem],
                                   samples.shape[1], settings):  # fmt: skip
                data = np.ascontiguousarray(samples[:, list(target.columns)])
                layout = settings.channel_order if data.shape[1] == 6 else "smpte"
                figures = LoudnessMeter(sr, layout).measure(data)
                write_audio(
                    out.path(target.relative), Audio(data, sr, settings.render.subtype),
                    bext=stamp.bext(target, cue.number, start, first, figures),
                    ixml=stamp.ixml(target, cue.number, first), force=True,
                )  # fmt: skip
                handoff.loudness.append(_loudness_row("stem", Path(target.relative).stem,
                                                      cue.number, figures))  # fmt: skip
                handoff.files.append(StemFile(target.relative, target.track, cue.number, start,
                                              end, data.shape[0], data.shape[1], first,
                                              target.labels))  # fmt: skip
        tick(done)


def _pad(samples: np.ndarray, at: int, total: int) -> np.ndarray:
    padded = np.zeros((total, samples.shape[1]), np.float32)
    padded[at : at + samples.shape[0]] = samples
    return padded


def _reel_layout(
    cues: list[StemCue], cut: Cut, out: OutputDir, settings: HandoffSettings, stamp: _Stamp,
    stem_names: dict[str, str], handoff: Handoff, tick: Callable[[int], None],
) -> None:  # fmt: skip
    """One file per stem for the whole reel, streamed: each cue is rendered once, mixed
    into every stem's running output, and written and metered block by block."""
    rate, sr, base = cut.rate, settings.render.sample_rate, cut.rate.timecode_base
    ordered = sorted(cues, key=lambda c: (c.start, c.number))
    ffoa = cut.record_start if cut.record_start is not None else ordered[0].start
    early = [c.number for c in ordered if c.start < ffoa]
    if early and settings.two_pop:
        raise MconformError(
            f"cue {early[0]} starts before the reel's first frame of action "
            f"{format_timecode(ffoa, rate)}, where the 2-pop leader is",
            hint="move the cue, or leave out --two-pop (the reel then starts at the cue)",
        )  # fmt: skip
    if early:
        handoff.warnings.append(
            f"cue{'s' if len(early) > 1 else ''} {', '.join(early)} start before the reel's "
            f"first frame of action {format_timecode(ffoa, rate)}: the reel stems start at "
            f"{format_timecode(ordered[0].start, rate)} instead"
        )  # fmt: skip
    start = min(ffoa, ordered[0].start)
    end = max([c.end for c in ordered] + [cut.record_end or start])
    head = 3 * base if settings.two_pop else 0
    first_frame, last_frame = start - head, end + head
    origin = frames_to_samples(first_frame, rate, sr)
    _check_midnight(origin, "the reel")
    total = frames_to_samples(last_frame, rate, sr) - origin
    channels = stem_channels(ordered)
    render = replace(settings.render, handles=0)
    reel = safe_name(settings.reel, "R1")
    writers: list[WavWriter] = []
    mixers: dict[str, ReelMixer] = {}
    meters: list[tuple[_Target, WavWriter, BlockMeter]] = []
    try:
        for stem, width in channels.items():
            tones = ()
            if settings.two_pop:
                tones = tuple(_pop(rate, sr, frame, origin, width)
                              for frame in (ffoa - 2 * base, end - 1 + 2 * base))  # fmt: skip
            outputs = []
            for target in _targets(f"{reel}_{stem_names[stem]}", stem_names[stem], width, settings):
                writer = WavWriter(
                    out.path(target.relative), total, len(target.columns), sr,
                    settings.render.subtype, bext=stamp.bext(target, "", first_frame, origin, None),
                    ixml=stamp.ixml(target, "", origin),
                )  # fmt: skip
                writer.__enter__()
                writers.append(writer)
                layout = settings.channel_order if len(target.columns) == 6 else "smpte"
                meter = BlockMeter(sr, layout)
                meters.append((target, writer, meter))
                outputs.append((list(target.columns), writer, meter))
            mixers[stem] = ReelMixer(origin, total, width, _emitter(outputs, settings), tones)
        for done, cue in enumerate(ordered, start=1):
            audio = load_stems(cue, render)
            first, rendered = render_cue(cue, audio, rate, render)
            del audio
            mix, note = _cue_mix(rendered)
            figures = LoudnessMeter(sr).measure(mix) if mix is not None else None
            handoff.loudness.append(_loudness_row("cue", cue.number, cue.number, figures, note))
            del mix
            for stem, samples in rendered.items():
                mixers[stem].add(first, samples)
            del rendered
            tick(done)
        for mixer in mixers.values():
            mixer.finish()
        for target, writer, meter in meters:
            figures = meter.close()
            writer.bext = stamp.bext(target, "", first_frame, origin, figures)
            writer.__exit__(None, None, None)
            writers.remove(writer)
            handoff.loudness.append(_loudness_row("stem", Path(target.relative).stem, "", figures))
            handoff.files.append(StemFile(target.relative, target.track, "", first_frame,
                                          last_frame, total, len(target.columns), origin,
                                          target.labels))  # fmt: skip
    except BaseException as err:
        for writer in writers:
            writer.__exit__(type(err), err, None)
        raise


def _emitter(
    outputs: list[tuple[list[int], WavWriter, BlockMeter]], settings: HandoffSettings
) -> Callable[[np.ndarray], None]:
    def emit(block: np.ndarray) -> None:
        block = reorder_channels(block, settings.channel_order)
        for columns, writer, meter in outputs:
            part = block if len(columns) == block.shape[1] else block[:, columns]
            writer.write(part)
            meter.feed(part)

    return emit


def _write_timelines(
    out: OutputDir, handoff: Handoff, cut: Cut, cues: list[StemCue], title: str,
    settings: HandoffSettings, when: dt.datetime,
) -> None:  # fmt: skip
    sr = settings.render.sample_rate
    markers = []
    for cue in sorted(cues, key=lambda c: (c.start, c.number)):
        markers.append(Marker(f"{cue.number} {cue.title}".strip(), cue.start, "cue", cue.number))
        sync = next((v for k, v in cue.columns.items() if k.lower() == "sync"), "")
        for point in parse_sync(sync or "", cut.rate):
            if cue.start <= point.frame < cue.end:
                markers.append(Marker(f"{cue.number} {point.name}".strip(), point.frame, "sync",
                                      cue.number))  # fmt: skip
    timeline = timeline_otio(handoff.files, cut, title, sr, markers)
    out.write_text("timeline/music.otio", otio.adapters.write_to_string(timeline, "otio_json"))
    for lane, text in stem_edls(handoff.files, cut, title).items():
        out.write_text(f"timeline/{lane}.edl", text)
    write_aaf(out.path("timeline/music.aaf"), handoff.files, out.path("."), cut.rate, title,
              sr, SUBTYPES[settings.render.subtype], when)  # fmt: skip


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
        "ascmhl/        ASC MHL history (xxh64): check with  ascmhl create .",
        "",
        "Files and start timecodes:",
    ]
    for f in sorted(handoff.files, key=lambda f: (f.start, f.path)):
        lines.append(f"  {format_timecode(f.start, rate)}  {f.path}  ({f.channels} ch)")
    if handoff.warnings:
        lines += ["", "Warnings:"] + [f"  {w}" for w in handoff.warnings]
    return "\n".join(lines) + "\n"


def _write_manifest(out: OutputDir, when: dt.datetime) -> None:
    """MANIFEST.md5 (md5sum -c) and MANIFEST.json: size and MD5 of every other file."""
    root = out.path(".")
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative in MANIFEST:
            continue
        entries.append({"path": relative, "md5": file_md5(path), "size": path.stat().st_size})
    out.write_text("MANIFEST.md5", "".join(f"{e['md5']}  {e['path']}\n" for e in entries))
    out.write_text("MANIFEST.json", json.dumps(entries, indent=2) + "\n")
