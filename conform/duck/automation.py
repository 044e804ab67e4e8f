"""The treatments for the mixer: breakpoints as CSV, on the OTIO clips, and as AAF clip gain.

What each format carries: the CSV carries everything (gain and EQ, per stem, in record
frames). OTIO has no automation schema, so every clip carries its automation as
`Effect`s with the breakpoints in metadata (``AudioGainAutomation``: frame in the clip,
dB; ``DynamicEQBand``: centre, Q and the band's gain points), read back by any OTIO
reader. The AAF is the handoff's own (every clip, overlapping cues on further lanes, links
relative to timeline/, source timecode, same bytes under SOURCE_DATE_EPOCH) and carries gain
only: each clip with a duck is wrapped in an
OperationGroup (OperationDef_MonoAudioGain, ParameterDef_Amplitude as a linear VaryingValue,
control-point times as fractions of the clip), as Media Composer writes clip volume
automation and Pro Tools imports it; AAF has no EQ parameter a DAW reads, so the band cuts
are in the CSV and the OTIO only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from conform.duck.speech import Phrase
from conform.duck.treatment import Treatment
from conform.handoff.timeline import StemFile, placed, write_aaf
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


def write_gain_aaf(
    path: Path,
    files: list[StemFile],
    package: Path,
    points: list[Breakpoint],
    rate: Rate,
    title: str,
    sample_rate: int = 48000,
    bits: int = 24,
    when: dt.datetime | None = None,
) -> None:
    """The stems as the handoff's AAF (every clip, lanes, relative links, source timecode),
    each ducked clip wrapped in a MonoAudioGain with its curve."""
    from aaf2.auid import AUID

    curves = _curves(points)
    defs: dict[str, object] = {}

    def gain(aaf: object, clip: object, f: StemFile, channel: int) -> object:
        part = clip_points(curves.get(f.stem, {}).get(("gain",), []), f.start, f.end)
        if not part or all(v == 0 for _, v in part):
            return clip
        if not defs:  # registered once, in the first file that needs them
            opdef = aaf.create.OperationDef(AUID(_AUDIO_GAIN), "Audio Gain", "")
            opdef.media_kind = "sound"
            opdef["NumberInputs"].value = 1
            aaf.dictionary.register_def(opdef)
            param = aaf.create.ParameterDef(AUID(_AMPLITUDE), "Amplitude", "", "Rational")
            aaf.dictionary.register_def(param)
            opdef["ParametersDefined"].append(param)
            interp = aaf.create.InterpolationDef(AUID(_LINEAR), "LinearInterp", "")
            aaf.dictionary.register_def(interp)
            defs.update(opdef=opdef, param=param, interp=interp)
        group = aaf.create.OperationGroup(defs["opdef"], f.samples, "sound")
        group.segments.append(clip)
        curve = aaf.create.VaryingValue()
        curve.parameterdef = defs["param"]
        curve.interpolationdef = defs["interp"]
        start = frames_to_samples(f.start, rate, sample_rate)
        span = frames_to_samples(f.end, rate, sample_rate) - start
        for frame, db in part:
            at = frames_to_samples(frame, rate, sample_rate) - start
            curve.add_keyframe(Fraction(at, span), 10 ** (db / 20))
        group.parameters.append(curve)
        return group

    write_aaf(path, placed(files, rate, sample_rate), package, rate, title, sample_rate, bits,
              when=when, wrap=gain)  # fmt: skip
