"""The duck, end to end: dialogue in, phrases, per-stem treatments, measured; files for the mixer.

`duck_music` is the one entry point, for `mconform duck` and for the handoff: it takes the
placed cues, the cut, the dialogue file, the settings and an open `OutputDir`, and writes
under ``prefix`` in it. The music is analysed where it plays under speech, cue by cue (a
cue's stems are rendered to their places as the handoff renders them, then only the
phrase spans are kept, in mono), so memory follows the speech, not the reel.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from conform.cues.placed import StemCue
from conform.duck.automation import (
    Breakpoint,
    annotate_otio,
    automation_csv,
    breakpoints,
    write_gain_aaf,
)
from conform.duck.bands import band_matrix, band_power, band_ranges, fft_size, stft_power
from conform.duck.measure import (
    Figures,
    estoi_matched_depth,
    intelligibility,
    k_weight_bins,
    loudness_drop,
    speech_frames,
    whole_mix_depth,
)
from conform.duck.report import duck_report_html
from conform.duck.speech import Phrase, SpeechSettings, phrases, speech_regions
from conform.duck.treatment import Treatment, TreatSettings, apply_treatments, choose, envelope
from conform.handoff.package import build_time
from conform.handoff.stems import (
    RenderSettings,
    file_title,
    load_stems,
    render_cue,
    render_reel,
)
from conform.handoff.timeline import StemFile, timeline_otio
from edl.cut import Cut
from edl.files import OutputDir
from edl.timecode import frames_to_samples
from temp_library.audio.bwf import Audio, AudioError, Bext, IXml, read_audio, write_audio

__all__ = ["DuckSettings", "PhraseResult", "DuckResult", "duck_music", "read_dialogue"]


@dataclass(frozen=True)
class DuckSettings:
    """Everything `duck_music` needs besides its inputs."""

    render: RenderSettings = field(default_factory=RenderSettings)
    layout: str = "cue"  # "cue" or "reel": which clips the automation goes on
    reel: str = "R1"
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    treat: TreatSettings = field(default_factory=TreatSettings)
    preducked: bool = False  # write the treated stems to preducked/
    stems: bool = False  # and the untouched ones to stems/ (the handoff has them already)
    two_pop: bool = False  # reel stems start 3 s early with a 2-pop, as the handoff's do
    stoi: bool = True  # STOI/ESTOI in the figures (pystoi); the band index is always there
    title: str = ""


@dataclass(frozen=True)
class PhraseResult:
    """One phrase: its treatments and what they bought, against the whole-mix duck."""

    phrase: Phrase
    cues: tuple[str, ...]
    treatments: tuple[Treatment, ...]
    index_before: float
    index_after: float
    whole_mix_db: float  # the whole-mix duck reaching the same index
    drop_lu: float  # music loudness drop during the speech, ours
    whole_mix_drop_lu: float


@dataclass
class DuckResult:
    phrases: list[PhraseResult] = field(default_factory=list)
    unscored: list[Phrase] = field(default_factory=list)  # speech with no music under it
    figures: list[Figures] = field(default_factory=list)  # before, ours, whole-mix duck
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def breakpoints(self) -> list[Breakpoint]:
        return breakpoints([(t, r.phrase) for r in self.phrases for t in r.treatments])


def read_dialogue(path: Path, cut: Cut, sample_rate: int) -> tuple[np.ndarray, int]:
    """The dialogue as mono float32 at ``sample_rate``, and its first sample since midnight.

    A BWF TimeReference places it; without one (or zero) it starts at the cut's record start.
    """
    audio = read_audio(path)
    samples = audio.samples.mean(axis=1, dtype=np.float32)
    if audio.sample_rate != sample_rate:
        import soxr

        samples = soxr.resample(samples, audio.sample_rate, sample_rate, quality="VHQ")
    samples = samples.astype(np.float32, copy=False)
    if audio.bext is not None and audio.bext.time_reference > 0:
        origin = round(audio.bext.time_reference * sample_rate / audio.sample_rate)
    elif cut.record_start is not None:
        origin = frames_to_samples(cut.record_start, cut.rate, sample_rate)
    else:
        raise AudioError("the dialogue has no BWF time stamp and the cut no record start", path,
                         "give a time-stamped BWF, or a cut with events")  # fmt: skip
    return samples, origin


def _stem_files(cues: list[StemCue], cut: Cut, settings: DuckSettings) -> list[StemFile]:
    """The clips the handoff writes for these cues (names, places, lengths), for the timelines."""
    sr, rate, handles = settings.render.sample_rate, cut.rate, settings.render.handles
    fts = lambda frame: frames_to_samples(frame, rate, sr)  # noqa: E731
    files = []
    if settings.layout == "cue":
        for cue in cues:
            base = f"{cue.number}_{file_title(cue.title)}" if cue.title else cue.number
            start, end = cue.start - handles, cue.end + handles
            for stem in cue.stems:
                name = f"{base}_{file_title(stem)}"
                files.append(StemFile(f"stems/{name}.wav", file_title(stem), cue.number, start,
                                      end, fts(end) - fts(start), 2))  # fmt: skip
    else:
        first, last = _reel_span(cues, cut, settings.two_pop)
        for stem in sorted({file_title(s) for c in cues for s in c.stems}):
            files.append(StemFile(f"stems/{settings.reel}_{stem}.wav", stem, "", first, last,
                                  fts(last) - fts(first), 2))  # fmt: skip
    return files


def _reel_span(cues: list[StemCue], cut: Cut, two_pop: bool = False) -> tuple[int, int]:
    """First and last frame of the handoff's reel stems (3 s of head for a 2-pop)."""
    ffoa = cut.record_start if cut.record_start is not None else min(c.start for c in cues)
    head = 3 * cut.rate.timecode_base if two_pop else 0
    return ffoa - head, max([c.end for c in cues] + [cut.record_end or ffoa])


def duck_music(
    cues: list[StemCue],
    cut: Cut,
    dialogue_path: Path,
    settings: DuckSettings,
    out: OutputDir,
    prefix: str = "",
) -> DuckResult:
    """Find the phrases, choose each stem's treatment, measure, and write the mixer's files."""
    sr, rate = settings.render.sample_rate, cut.rate
    fts = lambda frame: frames_to_samples(frame, rate, sr)  # noqa: E731
    dialogue, origin = read_dialogue(dialogue_path, cut, sr)
    regions = speech_regions(dialogue, sr, settings.speech)
    speech = np.zeros(len(dialogue), dtype=bool)
    for a, b in regions:
        speech[a:b] = True
    found = phrases(regions, origin, rate, sr, settings.speech)
    result = DuckResult()
    # the music under each phrase, per stem track, in mono (phrase index -> track -> samples)
    spans = {p.index: (fts(p.start), fts(p.end)) for p in found}
    music: dict[int, dict[str, np.ndarray]] = defaultdict(dict)
    cues_in: dict[tuple[str, int], set[str]] = defaultdict(set)
    channels: dict[str, int] = {}
    for cue in cues:
        audio = load_stems(cue, settings.render)
        first, rendered = render_cue(cue, audio, rate, settings.render)
        for name, samples in rendered.items():
            track = file_title(name)
            channels[track] = max(channels.get(track, 1), samples.shape[1])
            last = first + samples.shape[0]
            for p in found:
                a, b = spans[p.index]
                lo, hi = max(a, first), min(b, last)
                if hi <= lo or not np.any(samples[lo - first : hi - first]):
                    continue
                buffer = music[p.index].setdefault(track, np.zeros(b - a))
                buffer[lo - a : hi - a] += samples[lo - first : hi - first].mean(axis=1)
                cues_in[(track, p.index)].add(cue.number)
    n_fft = fft_size(sr)
    bands = band_matrix(sr, n_fft)
    freqs = np.fft.rfftfreq(n_fft, 1 / sr)
    kweight = k_weight_bins(freqs, sr)
    joined: dict[str, list[np.ndarray]] = defaultdict(list)
    for p in found:
        if p.index not in music:
            result.unscored.append(p)
            continue
        a, b = spans[p.index]
        d = _slice(dialogue, a - origin, b - origin).astype(np.float64)
        mask = _slice(speech, a - origin, b - origin).astype(bool)
        inside = np.zeros(b - a, dtype=bool)
        inside[fts(p.speech_start) - a : fts(p.speech_end) - a] = True
        mask &= inside
        power_d = stft_power(d, n_fft)
        keep = speech_frames(mask, n_fft, power_d.shape[1])
        stems = {t: stft_power(x, n_fft)[:, keep] for t, x in music[p.index].items()}
        treatments, before, after = choose(p.index, power_d[:, keep], stems, freqs, bands,
                                           kweight, sr, settings.treat)  # fmt: skip
        ranges = band_ranges(sr, n_fft)
        speech_b = band_power(power_d[:, keep], ranges)
        music_b = sum(band_power(s, ranges) for s in stems.values())
        depth = whole_mix_depth(speech_b, music_b, after)
        where = (fts(p.start), fts(p.speech_start), fts(p.speech_end), fts(p.end))
        ours = sum(apply_treatments(x[:, None], a, [(t, where)], sr)[:, 0].astype(np.float64)
                   for t, x in zip(treatments, (music[p.index][t.stem] for t in treatments),
                                   strict=True))  # fmt: skip
        plain = sum(music[p.index].values())
        shape = envelope(b - a, where[1] - a, where[2] - where[1], b - where[2])
        whole = plain * 10 ** (-depth * shape / 20)
        s0, s1 = where[1] - a, where[2] - a
        for key, signal in (("dialogue", d), ("before", plain), ("ours", ours), ("whole", whole),
                            ("mask", mask)):  # fmt: skip
            joined[key].append(signal[s0:s1])
        cues_here = sorted({c for t in music[p.index] for c in cues_in[(t, p.index)]})
        result.phrases.append(PhraseResult(
            p, tuple(cues_here), tuple(treatments), round(before, 4), round(after, 4),
            round(depth, 2), round(loudness_drop(plain[s0:s1], ours[s0:s1], sr), 2),
            round(loudness_drop(plain[s0:s1], whole[s0:s1], sr), 2),
        ))  # fmt: skip
    if joined:
        cat = {k: np.concatenate(v) for k, v in joined.items()}
        mask = cat["mask"].astype(bool)
        for name, key in (("before", "before"), ("ours", "ours"), ("whole-mix duck", "whole")):
            result.figures.append(intelligibility(name, cat["dialogue"], cat[key], cat["before"],
                                                  mask, sr, settings.stoi))  # fmt: skip
        ours = result.figures[1]
        if ours.estoi is not None:
            depth = estoi_matched_depth(cat["dialogue"], cat["before"], ours.estoi, sr)
            result.figures.append(intelligibility(
                "whole-mix duck, same ESTOI", cat["dialogue"], cat["before"] * 10 ** (-depth / 20),
                cat["before"], mask, sr))  # fmt: skip
    if not found:
        result.warnings.append(f"{dialogue_path}: no speech found; nothing to duck")
    elif not result.phrases:
        result.warnings.append("no music plays under the dialogue's speech; nothing to duck")
    _write(result, cues, cut, settings, out, prefix, cues_in, channels)
    return result


def _slice(signal: np.ndarray, a: int, b: int) -> np.ndarray:
    """``signal[a:b]``, zeros where the range lies outside it."""
    out = np.zeros(b - a, dtype=signal.dtype)
    lo, hi = max(a, 0), min(b, len(signal))
    if hi > lo:
        out[lo - a : hi - a] = signal[lo:hi]
    return out


def _write(
    result: DuckResult,
    cues: list[StemCue],
    cut: Cut,
    settings: DuckSettings,
    out: OutputDir,
    prefix: str,
    cues_in: dict[tuple[str, int], set[str]],
    channels: dict[str, int],
) -> None:
    sr, rate = settings.render.sample_rate, cut.rate
    title = settings.title or cut.title or "music"
    points = result.breakpoints
    names = {k: ";".join(sorted(v)) for k, v in cues_in.items()}

    def write_text(name: str, text: str) -> None:
        out.write_text(prefix + name, text)
        result.files.append(prefix + name)

    write_text("automation.csv", automation_csv(points, rate, sr, names))
    write_text("phrases.csv", _phrases_csv(result, cut))
    write_text("treatments.csv", _treatments_csv(result, names))
    figures = {"phrases": len(result.phrases), "figures": [asdict(f) for f in result.figures]}
    write_text("duck.json", json.dumps(figures, indent=2, sort_keys=True) + "\n")
    files = [StemFile(f.path, f.stem, f.cue, f.start, f.end, f.samples, channels.get(f.stem, 2))
             for f in _stem_files(cues, cut, settings)]  # fmt: skip
    if (settings.preducked or settings.stems) and result.phrases:
        _render(result, cues, cut, settings, out)
    if files:
        import opentimelineio as otio

        # the timelines sit in timeline/ at the package root, beside the handoff's, and link
        # the stems as the package holds them (stems/)
        timeline = timeline_otio(files, cut, title)
        annotate_otio(timeline, points)
        out.write_text("timeline/duck.otio", otio.adapters.write_to_string(timeline, "otio_json"))
        result.files.append("timeline/duck.otio")
        root = _package_root(out, files)
        if root is not None:
            bits = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32}[settings.render.subtype]
            write_gain_aaf(out.path("timeline/duck.aaf"), files, root,
                           points, rate, title, sr, bits, when=build_time())  # fmt: skip
            result.files.append("timeline/duck.aaf")
        else:
            result.warnings.append("no AAF: it links the stem files, and there are none here "
                                   "(use --render, or duck inside the handoff)")  # fmt: skip
    write_text("duck_report.html", duck_report_html(result, cut, title))


def _package_root(out: OutputDir, files: list[StemFile]) -> Path | None:
    """Where the stem files are: staged in this run, or already in the target; None if not."""
    for root in (Path(out.staging or out.target), out.target):
        if all((root / f.path).is_file() for f in files):
            return root
    return None


def _render(
    result: DuckResult, cues: list[StemCue], cut: Cut, settings: DuckSettings, out: OutputDir
) -> None:
    """The placed stems, untouched in stems/ and with their treatments in preducked/."""
    sr, rate = settings.render.sample_rate, cut.rate
    fts = lambda frame: frames_to_samples(frame, rate, sr)  # noqa: E731
    by_track: dict[str, list[tuple[Treatment, tuple[int, int, int, int]]]] = defaultdict(list)
    for r in result.phrases:
        p = r.phrase
        where = (fts(p.start), fts(p.speech_start), fts(p.speech_end), fts(p.end))
        for t in r.treatments:
            by_track[t.stem].append((t, where))

    def emit(name: str, track: str, cue: str, start: int, samples: np.ndarray) -> None:
        origin = fts(start)
        treated = apply_treatments(samples, origin, by_track.get(track, []), sr)
        wanted = [("stems", samples)] if settings.stems else []
        wanted += [("preducked", treated)] if settings.preducked else []
        for folder, data in wanted:
            peak = float(np.max(np.abs(data))) if data.size else 0.0
            subtype = settings.render.subtype if peak <= 1.0 else "FLOAT"
            if subtype != settings.render.subtype:
                result.warnings.append(f"{folder}/{name}.wav: over full scale, written as float")
            note = "" if folder == "stems" else " (pre-ducked under dialogue by mconform)"
            path = f"{folder}/{name}.wav"
            write_audio(out.path(path), Audio(data, sr, subtype), force=True,
                        bext=Bext(description=f"{cue} {track}{note}".strip()[:256],
                                  originator_reference=cue, time_reference=origin),
                        ixml=IXml(settings.title, cue, track,
                                  f"{rate.fps.numerator}/{rate.fps.denominator}",
                                  "DF" if rate.drop else "NDF"))  # fmt: skip
            result.files.append(path)

    if settings.layout == "cue":
        for cue in cues:
            audio = load_stems(cue, settings.render)
            _, rendered = render_cue(cue, audio, rate, settings.render)
            base = f"{cue.number}_{file_title(cue.title)}" if cue.title else cue.number
            for stem, samples in rendered.items():
                track = file_title(stem)
                emit(f"{base}_{track}", track, cue.number, cue.start - settings.render.handles,
                     samples)  # fmt: skip
    else:
        first, last = _reel_span(cues, cut, settings.two_pop)
        pop = first + cut.rate.timecode_base if settings.two_pop else None
        _, buffers = render_reel(cues, rate, settings.render, first, last, two_pop_frame=pop)
        for stem, samples in sorted(buffers.items()):
            track = file_title(stem)
            emit(f"{settings.reel}_{track}", track, "", first, samples)


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _phrases_csv(result: DuckResult, cut: Cut) -> str:
    tc = cut.timecode
    rows = []
    for r in result.phrases:
        p = r.phrase
        treated = ";".join(f"{t.stem}:{t.kind}" for t in r.treatments if t.kind != "none")
        rows.append([p.index, tc(p.start), tc(p.speech_start), tc(p.speech_end), tc(p.end),
                     ";".join(r.cues), r.index_before, r.index_after, r.drop_lu, r.whole_mix_db,
                     r.whole_mix_drop_lu, treated])  # fmt: skip
    for p in result.unscored:
        rows.append([p.index, tc(p.start), tc(p.speech_start), tc(p.speech_end), tc(p.end),
                     "", "", "", "", "", "", "no music"])  # fmt: skip
    rows.sort(key=lambda row: int(row[0]))
    return _csv(["phrase", "start", "speech_start", "speech_end", "end", "cues", "index_before",
                 "index_after", "music_drop_lu", "whole_mix_duck_db", "whole_mix_drop_lu",
                 "treated"], rows)  # fmt: skip


def _treatments_csv(result: DuckResult, names: dict[tuple[str, int], str]) -> str:
    rows = []
    for r in result.phrases:
        for t in r.treatments:
            rows.append([t.phrase, t.stem, names.get((t.stem, t.phrase), ""), t.masking, t.kind,
                         t.eq_freq_hz or "", t.eq_q or "", t.eq_gain_db, t.gain_db])  # fmt: skip
    return _csv(["phrase", "stem", "cues", "masking", "treatment", "eq_freq_hz", "eq_q",
                 "eq_gain_db", "gain_db"], rows)  # fmt: skip
