"""The treatments for the mixer: breakpoints as CSV, on the OTIO clips, and as AAF clip gain.

What each format carries: the CSV carries everything (gain and EQ, per stem, in record
frames). OTIO has no automation schema, so every clip carries its automation as
`Effect`s with the breakpoints in metadata (``AudioGainAutomation``: frame in the clip,
dB; ``DynamicEQBand``: centre, Q and the band's gain points), read back by any OTIO
reader. The AAF carries gain only: each clip with a duck is wrapped in an
OperationGroup (OperationDef_MonoAudioGain, ParameterDef_Amplitude as a linear VaryingValue,
control-point times as fractions of the clip), as Media Composer writes clip volume
automation and Pro Tools imports it; AAF has no EQ parameter a DAW reads, so the band cuts
are in the CSV and the OTIO only.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from conform.duck.speech import Phrase
from conform.duck.treatment import Treatment
from conform.handoff.timeline import StemFile
from edl.rate import Rate
from edl.timecode import format_timecode, frames_to_samples

__all__ = ["Breakpoint", "breakpoints", "automation_csv", "annotate_otio", "read_otio_automation",
           "write_gain_aaf", "clip_points"]  # fmt: skip

_AUDIO_GAIN = "9d2ea894-0968-11d3-8a38-0050040ef7d2"  # OperationDef_MonoAudioGain
_AMPLITUDE = "e4962321-2267-11d3-8a4c-0050040ef7d2"  # ParameterDef_Amplitude
_LINEAR = "5b6c85a4-0ede-11d3-80a9-006008143e6f"  # InterpolationDef_Linear


@dataclass(frozen=True)
class Breakpoint:
    """One automation point of one stem: a parameter's value (dB) at a record frame."""

    stem: str
    phrase: int
    parameter: str  # "gain_db" or "eq_gain_db"
    frame: int
    value_db: float
    eq_freq_hz: float = 0.0
    eq_q: float = 0.0


def breakpoints(treated: list[tuple[Treatment, Phrase]]) -> list[Breakpoint]:
    """Four points per treated parameter: 0 dB, depth at speech start, depth at its end, 0 dB."""
    points = []
    for t, p in treated:
        frames = (p.start, p.speech_start, p.speech_end, p.end)
        for parameter, depth, freq, q in (("eq_gain_db", t.eq_gain_db, t.eq_freq_hz, t.eq_q),
                                          ("gain_db", t.gain_db, 0.0, 0.0)):  # fmt: skip
            if depth < 0:
                for frame, value in zip(frames, (0.0, depth, depth, 0.0), strict=True):
                    points.append(Breakpoint(t.stem, p.index, parameter, frame, value, freq, q))
    return sorted(points, key=lambda b: (b.stem, b.parameter, b.frame, b.phrase))


def automation_csv(points: list[Breakpoint], rate: Rate, sample_rate: int,
                   cues_at: dict[tuple[str, int], str]) -> str:  # fmt: skip
    """``automation.csv``: a row per breakpoint (record timecode, frame, sample since midnight).

    ``cues_at`` names the cues sounding on a stem in a phrase: (stem, phrase) -> "1M1;1M2".
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["stem", "cue", "phrase", "parameter", "timecode", "frame", "sample",
                     "value_db", "eq_freq_hz", "eq_q"])  # fmt: skip
    for b in points:
        writer.writerow([b.stem, cues_at.get((b.stem, b.phrase), ""), b.phrase, b.parameter,
                         format_timecode(b.frame, rate), b.frame,
                         frames_to_samples(b.frame, rate, sample_rate), f"{b.value_db:g}",
                         f"{b.eq_freq_hz:g}" if b.eq_freq_hz else "",
                         f"{b.eq_q:g}" if b.eq_q else ""])  # fmt: skip
    return buffer.getvalue()


def clip_points(points: list[tuple[int, float]], start: int, end: int) -> list[tuple[int, float]]:
    """The part of a piecewise-linear curve (frame, dB) inside ``[start, end]``, cut at its ends."""
    if not points:
        return []
    inside = [(f, v) for f, v in points if start <= f <= end]

    def at(frame: int) -> float:
        if frame <= points[0][0]:
            return points[0][1]
        for (f0, v0), (f1, v1) in zip(points, points[1:], strict=False):
            if f0 <= frame <= f1:
                return v0 if f1 == f0 else v0 + (v1 - v0) * (frame - f0) / (f1 - f0)
        return points[-1][1]

    if points[-1][0] < start or points[0][0] > end:
        return []
    if points[0][0] < start:
        inside.insert(0, (start, round(at(start), 3)))
    if points[-1][0] > end:
        inside.append((end, round(at(end), 3)))
    return inside


def _curves(points: list[Breakpoint]) -> dict[str, dict[tuple, list[tuple[int, float]]]]:
    """stem -> {("gain",) or ("eq", phrase, freq, q): [(frame, dB), ...]}."""
    curves: dict[str, dict[tuple, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for b in points:
        key = ("gain",) if b.parameter == "gain_db" else ("eq", b.phrase, b.eq_freq_hz, b.eq_q)
        curves[b.stem][key].append((b.frame, b.value_db))
    return curves


def annotate_otio(timeline: otio.schema.Timeline, points: list[Breakpoint]) -> None:
    """Put each stem's automation on its clips as Effects (frames relative to the clip)."""
    curves = _curves(points)
    for clip in timeline.find_clips():
        meta = clip.metadata.get("mconform", {})
        stem = meta.get("stem", "")
        rng = clip.source_range
        start = round(rng.start_time.value)
        end = start + round(rng.duration.value)
        for key, curve in sorted(curves.get(stem, {}).items(), key=lambda kv: str(kv[0])):
            part = clip_points(curve, start, end)
            if not part or all(v == 0 for _, v in part):
                continue
            rows = [{"frame": f - start, "record_frame": f, "db": v} for f, v in part]
            if key[0] == "gain":
                effect = otio.schema.Effect(name="duck", effect_name="AudioGainAutomation",
                                            metadata={"mconform": {"points": rows}})  # fmt: skip
            else:
                effect = otio.schema.Effect(
                    name=f"dialogue band cut {key[1]}", effect_name="DynamicEQBand",
                    metadata={"mconform": {"phrase": key[1], "freq_hz": key[2], "q": key[3],
                                           "points": rows}},
                )  # fmt: skip
            clip.effects.append(effect)


def read_otio_automation(timeline: otio.schema.Timeline) -> list[Breakpoint]:
    """Breakpoints back from an annotated timeline (record frames), for checks and tools."""
    found = set()
    for clip in timeline.find_clips():
        stem = clip.metadata.get("mconform", {}).get("stem", "")
        for effect in clip.effects:
            data = effect.metadata.get("mconform", {})
            for row in data.get("points", []):
                if effect.effect_name == "AudioGainAutomation":
                    found.add(Breakpoint(stem, 0, "gain_db", int(row["record_frame"]),
                                         float(row["db"])))  # fmt: skip
                elif effect.effect_name == "DynamicEQBand":
                    found.add(Breakpoint(stem, int(data["phrase"]), "eq_gain_db",
                                         int(row["record_frame"]), float(row["db"]),
                                         float(data["freq_hz"]), float(data["q"])))  # fmt: skip
    return sorted(found, key=lambda b: (b.stem, b.parameter, b.frame, b.phrase))


def _wav_metadata(path: Path, f: StemFile, sample_rate: int, bits: int) -> dict[str, object]:
    """What pyaaf2's link needs, in ffprobe's shape, from what we know of the file."""
    return {
        "format": {"filename": str(path), "format_name": "wav", "format_long_name": "WAV / WAVE",
                   "duration": str(f.samples / sample_rate)},  # fmt: skip
        "streams": [{
            "codec_type": "audio", "codec_name": f"pcm_s{bits}le", "sample_rate": str(sample_rate),
            "channels": f.channels, "duration_ts": f.samples, "sample_fmt": "s32" if bits > 16
            else "s16", "bit_rate": str(sample_rate * f.channels * bits),
        }],
    }  # fmt: skip


def write_gain_aaf(
    path: Path,
    files: list[StemFile],
    package: Path,
    points: list[Breakpoint],
    rate: Rate,
    title: str,
    sample_rate: int = 48000,
    bits: int = 24,
) -> None:
    """The stems as an AAF composition, each ducked clip in a MonoAudioGain with its curve."""
    import aaf2
    from aaf2.auid import AUID

    curves = _curves(points)
    origin = min(f.start for f in files)
    origin_samples = frames_to_samples(origin, rate, sample_rate)
    with aaf2.open(str(path), "w") as aaf:
        opdef = aaf.create.OperationDef(AUID(_AUDIO_GAIN), "Audio Gain", "")
        opdef.media_kind = "sound"
        opdef["NumberInputs"].value = 1
        aaf.dictionary.register_def(opdef)
        param = aaf.create.ParameterDef(AUID(_AMPLITUDE), "Amplitude", "", "Rational")
        aaf.dictionary.register_def(param)
        opdef["ParametersDefined"].append(param)
        interp = aaf.create.InterpolationDef(AUID(_LINEAR), "LinearInterp", "")
        aaf.dictionary.register_def(interp)
        masters = {}
        for f in files:
            absolute = (package / f.path).resolve()
            mob, _, _ = aaf.content.link_external_wav(_wav_metadata(absolute, f, sample_rate, bits))
            mob.name = Path(f.path).stem
            masters[f.path] = mob
        comp = aaf.create.CompositionMob()
        comp.name = title
        comp.usage = "Usage_TopLevel"
        aaf.content.mobs.append(comp)
        tc_slot = comp.create_empty_sequence_slot(rate.timecode_base, media_kind="Timecode")
        timecode = aaf.create.Timecode(rate.timecode_base, drop=rate.drop)
        timecode.start = origin
        timecode.length = rate.timecode_base * 3600 * 4
        tc_slot.segment.components.append(timecode)
        by_stem: dict[str, list[StemFile]] = defaultdict(list)
        for f in files:
            by_stem[f.stem].append(f)
        for stem, group in sorted(by_stem.items()):
            channels = max(f.channels for f in group)
            gain = curves.get(stem, {}).get(("gain",), [])
            for channel in range(channels):
                slot = comp.create_sound_slot(sample_rate)
                slot.name = stem if channels == 1 else f"{stem} {channel + 1}"
                position = origin_samples
                for f in sorted(group, key=lambda f: f.start):
                    start = frames_to_samples(f.start, rate, sample_rate)
                    if start < position or channel >= f.channels:
                        continue
                    if start > position:
                        slot.segment.components.append(aaf.create.Filler("sound", start - position))
                    mob = masters[f.path]
                    clip = mob.create_source_clip(mob.slots[channel].slot_id, start=0,
                                                  length=f.samples)  # fmt: skip
                    part = clip_points(gain, f.start, f.end)
                    if part and any(v != 0 for _, v in part):
                        group_ = aaf.create.OperationGroup(opdef, f.samples, "sound")
                        group_.segments.append(clip)
                        curve = aaf.create.VaryingValue()
                        curve.parameterdef = param
                        curve.interpolationdef = interp
                        span = frames_to_samples(f.end, rate, sample_rate) - start
                        for frame, db in part:
                            at = frames_to_samples(frame, rate, sample_rate) - start
                            curve.add_keyframe(Fraction(at, span), 10 ** (db / 20))
                        group_.parameters.append(curve)
                        slot.segment.components.append(group_)
                    else:
                        slot.segment.components.append(clip)
                    position = start + f.samples
