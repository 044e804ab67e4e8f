"""Fit a cue to a length: trim with a fade, cut a section out, or repeat one, musically.

Edit points come from our own small beat tracker (spectral-flux onsets, tempo by
autocorrelation, a beat grid snapped to onsets), written with numpy rather than taken
from librosa, whose dependency chain (numba, llvmlite) is heavy to install for the one
thing needed here. Joins are placed on beats where the music before and after is alike
(spectrum, loudness, beat phase), with a short crossfade that ends on the beat so the
downbeat comes through whole. Every length is an exact sample count, and the same edit
applies to every stem of a cue so that stems still sum to the mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from edl.errors import MconformError
from temp_library.audio.fades import choose_curve, crossfade, fade_in, fade_out

__all__ = [
    "FitError",
    "Analysis",
    "Join",
    "FitPlan",
    "analyse",
    "plan_fit",
    "apply_plan",
    "mix_stems",
    "MODES",
]

MODES = ("auto", "trim", "cut", "extend")
_WINDOW = 1024  # analysis window at ~11-12 kHz
_HOP = 128


class FitError(MconformError):
    """A fit that cannot be done (too short, silent, too long to extend...)."""


@dataclass(frozen=True)
class Analysis:
    """What the edit-point search needs: onsets, beats and spectra of the cue's mix."""

    sample_rate: int
    hop: int
    onset: np.ndarray
    spectra: np.ndarray
    rms: np.ndarray
    beats: np.ndarray
    period: float
    silent: bool

    @property
    def tempo(self) -> float:
        return 60.0 * self.sample_rate / self.period if self.period else 0.0

    def frame(self, sample: int) -> int:
        """The analysis frame centred nearest a sample."""
        centre = (sample - _WINDOW * (self.hop // _HOP) // 2) / self.hop
        return int(np.clip(round(centre), 0, len(self.onset) - 1))


@dataclass(frozen=True)
class Join:
    """A jump in the audio: play up to ``at``, continue from ``to`` (to > at cuts out)."""

    at: int
    to: int
    crossfade: int
    curve: str
    similarity: float
    beat_aligned: bool


@dataclass(frozen=True)
class FitPlan:
    """How a cue of ``source_length`` samples becomes ``target`` samples long."""

    mode: str
    source_length: int
    target: int
    sample_rate: int
    joins: tuple[Join, ...] = ()
    trim_from: str = ""  # "tail" or "head" for a trim
    fade: int = 0
    tempo: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> list[str]:
        """What was done, where, by how much and how alike the two sides were."""
        sr = self.sample_rate
        lines = [
            f"{self.mode}: {self.source_length / sr:.3f} s -> {self.target / sr:.3f} s "
            f"({self.source_length} -> {self.target} samples)"
            + (f", tempo {self.tempo:.1f} BPM" if self.tempo else "")
        ]
        for join in self.joins:
            what = "cut out" if join.to > join.at else "repeated"
            first, last = min(join.at, join.to) / sr, max(join.at, join.to) / sr
            lines.append(
                f"{what} {abs(join.to - join.at) / sr:.3f} s between {first:.3f} s and "
                f"{last:.3f} s; {join.curve} crossfade "
                f"{join.crossfade / sr * 1000:.0f} ms; similarity {join.similarity:.2f}"
                + ("; on the beat" if join.beat_aligned else "; not on a beat")
            )
        if self.trim_from:
            lines.append(f"trimmed the {self.trim_from} with a {self.fade / sr:.3f} s fade")
        lines.extend(self.notes)
        return lines


def analyse(mix: np.ndarray, sample_rate: int) -> Analysis:
    """Onset strength, log spectra, loudness and beat positions of a (frames x ch) signal."""
    mono = mix.mean(axis=1, dtype=np.float32) if mix.ndim == 2 else mix.astype(np.float32)
    factor = max(1, sample_rate // 11025)
    usable = len(mono) // factor * factor
    low = mono[:usable].reshape(-1, factor).mean(axis=1)
    hop = _HOP * factor
    if len(low) < _WINDOW + _HOP:
        raise FitError(f"too short to analyse ({len(mono)} samples)")
    frames = sliding_window_view(low, _WINDOW)[::_HOP] * np.hanning(_WINDOW).astype(np.float32)
    magnitude = np.abs(np.fft.rfft(frames, axis=1)).astype(np.float32)
    spectra = np.log1p(100.0 * magnitude)
    flux = np.maximum(np.diff(spectra, axis=0), 0.0).sum(axis=1)
    onset = np.concatenate([[0.0], flux]).astype(np.float32)
    rms = np.sqrt(np.mean(frames**2, axis=1) + 1e-12)
    silent = float(np.max(np.abs(mono))) < 1e-5 if len(mono) else True
    period, beats = _beats(onset, hop, mono, sample_rate, silent)
    return Analysis(sample_rate, hop, onset, spectra, rms, beats, period, silent)


def _beats(
    onset: np.ndarray, hop: int, mono: np.ndarray, sample_rate: int, silent: bool
) -> tuple[float, np.ndarray]:
    """Beat period (samples) and beat positions: a tempo grid snapped to onsets."""
    if silent or float(onset.max()) <= 0:
        return 0.0, np.zeros(0, dtype=np.int64)
    env = onset - onset.mean()
    frame_rate = sample_rate / hop
    lo, hi = int(frame_rate * 60 / 200), int(frame_rate * 60 / 50)
    if len(env) <= hi + 2:
        return 0.0, np.zeros(0, dtype=np.int64)
    spectrum = np.fft.rfft(env, n=2 * len(env))
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[: hi + 2]
    lags = np.arange(lo, hi + 1)
    prior = np.exp(-0.5 * (np.log2(lags / (frame_rate * 0.5))) ** 2)  # gentle pull to 120 BPM
    best = lags[np.argmax(ac[lo : hi + 1] * prior)]
    # Parabolic refinement of the lag for a fractional period.
    a, b, c = ac[best - 1], ac[best], ac[best + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    period_frames = best + float(np.clip(shift, -0.5, 0.5))
    count = int(len(onset) / period_frames) + 1
    phases = np.arange(int(np.ceil(period_frames)))
    grid = np.arange(count) * period_frames
    positions = np.rint(phases[:, None] + grid[None, :]).astype(np.int64)
    valid = positions < len(onset)
    scores = np.where(valid, onset[np.minimum(positions, len(onset) - 1)], 0).sum(axis=1)
    frames = positions[int(np.argmax(scores))]
    frames = frames[frames < len(onset)]
    # Log-compressed flux peaks as a hit enters the window's leading edge.
    entry = _WINDOW * (hop // _HOP) - hop
    reach = max(hop, int(period_frames * hop / 6))
    beats = _snap(frames * hop + entry, mono, reach, sample_rate)
    return period_frames * hop, beats


def _snap(beats: np.ndarray, mono: np.ndarray, reach: int, sample_rate: int) -> np.ndarray:
    """Move each beat to the attack of the strongest hit within ``reach`` of it.

    The attack is where a 2 ms envelope of the differentiated signal first climbs a fifth of
    the way from the local floor to the hit's peak, searching back from the peak.
    """
    width = max(1, sample_rate // 500)
    bright = np.diff(mono.astype(np.float64), prepend=0.0)  # attacks are bright; bass is not
    energy = np.convolve(bright**2, np.ones(width) / width, mode="full")
    energy = energy[: len(mono)]  # trailing average: a rise shows from the hit's first sample
    snapped = []
    for beat in beats:
        lo, hi = max(0, int(beat) - reach), min(len(mono), int(beat) + reach)
        if hi - lo < 2:
            continue
        window = energy[lo:hi]
        peak = int(np.argmax(window))
        floor = float(window[: peak + 1].min())
        threshold = floor + 0.2 * (float(window[peak]) - floor)
        below = np.nonzero(window[: peak + 1] < threshold)[0]
        snapped.append(lo + (int(below[-1]) + 1 if len(below) else peak))
    return np.unique(np.asarray(snapped, dtype=np.int64))


def _similarity(analysis: Analysis, a: int, b: int, span: int) -> float:
    """Pearson correlation of the spectra in a window before each point."""
    fa, fb = analysis.frame(a), analysis.frame(b)
    lo = min(fa, fb, span)
    hi = min(len(analysis.spectra) - max(fa, fb), span)
    if lo + hi < 2:
        return 0.0
    x = analysis.spectra[fa - lo : fa + hi].ravel()
    y = analysis.spectra[fb - lo : fb + hi].ravel()
    x = x - x.mean()
    y = y - y.mean()
    denominator = float(np.sqrt(np.dot(x, x) * np.dot(y, y)))
    return float(np.dot(x, y)) / denominator if denominator > 0 else 0.0


def _phase(analysis: Analysis, sample: int) -> float:
    """1 on a beat, 0 half-way between beats."""
    if not analysis.period or not len(analysis.beats):
        return 0.0
    distance = float(np.min(np.abs(analysis.beats - sample)))
    return max(0.0, 1.0 - 2.0 * min(distance / analysis.period, 0.5))


def _loudness_match(analysis: Analysis, a: int, b: int) -> float:
    ra, rb = analysis.rms[analysis.frame(a)], analysis.rms[analysis.frame(b)]
    return float(np.exp(-abs(np.log(ra / rb))))


def _best_join(
    analysis: Analysis,
    mix: np.ndarray,
    distance: int,
    xfade: int,
    forward: bool,
    keep: tuple[int, ...] = (),
) -> Join | None:
    """The best pair of points ``distance`` apart: cut from a to a+d, or jump back b to b-d.

    A cut never removes a sample listed in ``keep`` (a sync point, say).
    """
    n = mix.shape[0]
    margin = max(xfade, analysis.hop)
    span = max(4, int(0.5 * analysis.sample_rate / analysis.hop))
    candidates = analysis.beats if len(analysis.beats) else np.arange(margin, n, analysis.hop)
    best: tuple[float, Join] | None = None
    for point in candidates.tolist():
        at, to = (point, point + distance) if forward else (point, point - distance)
        if min(at, to) < margin or max(at, to) > n - margin:
            continue
        if forward and any(at - xfade <= k < to for k in keep):
            continue
        spectral = _similarity(analysis, at, to, span)
        phase = _phase(analysis, to) if len(analysis.beats) else 0.0
        score = 0.6 * spectral + 0.3 * phase + 0.1 * _loudness_match(analysis, at, to)
        if best is None or score > best[0]:
            curve = choose_curve(mix[at - xfade : at], mix[to - xfade : to])
            aligned = bool(len(analysis.beats)) and phase > 0.9
            best = (score, Join(at, to, xfade, curve, spectral, aligned))
    return best[1] if best else None


def plan_fit(
    mix: np.ndarray,
    sample_rate: int,
    target: int,
    mode: str = "auto",
    *,
    keep_end: bool = False,
    crossfade_samples: int | None = None,
    curve: str = "auto",
    trim_fade: int | None = None,
    keep: tuple[int, ...] = (),
) -> FitPlan:
    """Decide the edit that makes ``mix`` exactly ``target`` samples long.

    ``keep`` lists samples (sync points) that a cut must not remove.
    """
    if mode not in MODES:
        raise FitError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    n = mix.shape[0]
    if target <= 0:
        raise FitError("the target length must be positive")
    xfade = crossfade_samples if crossfade_samples is not None else sample_rate // 50  # 20 ms
    fade = trim_fade if trim_fade is not None else 2 * sample_rate
    if n < 4 * xfade or n < sample_rate // 10:
        raise FitError(f"the cue is only {n} samples long: too short to fit")
    if target == n:
        return FitPlan("none", n, target, sample_rate, notes=("already the right length",))
    if mode == "auto":
        mode = "extend" if target > n else ("cut" if keep_end else "auto-shorten")
    if mode == "trim":
        if target > n:
            raise FitError("trim only shortens; use --mode extend to lengthen")
        return FitPlan(
            "trim", n, target, sample_rate, trim_from="head" if keep_end else "tail",
            fade=min(fade, target // 2),
        )  # fmt: skip
    analysis = analyse(mix, sample_rate)
    if analysis.silent:
        raise FitError("the cue is silent: there is nothing to find edit points in")
    if mode in ("cut", "auto-shorten"):
        if target > n:
            raise FitError("cut only shortens; use --mode extend to lengthen")
        join = _best_join(analysis, mix, n - target, xfade, forward=True, keep=keep)
        if join is None or (mode == "auto-shorten" and join.similarity < 0.3):
            if mode == "cut":
                raise FitError(
                    f"no place to cut {(n - target) / sample_rate:.3f} s out of a "
                    f"{n / sample_rate:.3f} s cue",
                )
            why = (
                "no good cut point"
                if join is None
                else f"best cut only {join.similarity:.2f} alike"
            )
            return FitPlan(
                "trim", n, target, sample_rate, trim_from="tail", fade=min(fade, target // 2),
                tempo=analysis.tempo, notes=(f"trimmed instead of cutting: {why}",),
            )  # fmt: skip
        return FitPlan("cut", n, target, sample_rate, (_with_curve(join, curve),),
                       tempo=analysis.tempo)  # fmt: skip
    extra = target - n
    if extra <= 0:
        raise FitError("extend only lengthens; use --mode cut or trim to shorten")
    reach = n - 2 * max(xfade, analysis.hop)
    if extra >= reach:
        raise FitError(
            f"extend can add at most {reach / sample_rate:.3f} s to this cue (one repeat), "
            f"not {extra / sample_rate:.3f} s",
        )
    join = _best_join(analysis, mix, extra, xfade, forward=False)
    if join is None:
        raise FitError(f"no section of {extra / sample_rate:.3f} s to repeat")
    return FitPlan("extend", n, target, sample_rate, (_with_curve(join, curve),),
                   tempo=analysis.tempo)  # fmt: skip


def _with_curve(join: Join, curve: str) -> Join:
    if curve == "auto":
        return join
    return Join(join.at, join.to, join.crossfade, curve, join.similarity, join.beat_aligned)


def apply_plan(samples: np.ndarray, plan: FitPlan) -> np.ndarray:
    """The same edit on any stem of the cue: exactly ``plan.target`` samples out."""
    if samples.shape[0] != plan.source_length:
        raise FitError(
            f"stem is {samples.shape[0]} samples long, the cue {plan.source_length}: "
            "stems of a cue must be the same length"
        )
    if plan.mode == "none":
        return samples.copy()
    if plan.mode == "trim":
        if plan.trim_from == "head":
            return fade_in(samples[plan.source_length - plan.target :], plan.fade)
        return fade_out(samples[: plan.target], plan.fade)
    result = samples
    for join in plan.joins:
        x = join.crossfade
        blend = crossfade(result[join.at - x : join.at], result[join.to - x : join.to], join.curve)
        result = np.concatenate([result[: join.at - x], blend, result[join.to :]])
    assert result.shape[0] == plan.target, (result.shape, plan.target)
    return result


def mix_stems(stems: list[np.ndarray]) -> np.ndarray:
    """The stems of one cue summed into the mix the edit points are chosen on."""
    channels = max(s.shape[1] for s in stems)
    mix = np.zeros((stems[0].shape[0], channels), dtype=np.float32)
    for s in stems:
        mix[:, : s.shape[1]] += s
    return mix
