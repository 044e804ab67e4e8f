"""Beats and bar lines that follow the music, and an honest verdict when there is no pulse.

Ellis's dynamic-programming beat tracker (D. P. W. Ellis, "Beat Tracking by Dynamic
Programming", JNMR 2007) over the mel-flux onset envelope of `features`: a global tempo
from the autocorrelation (with a log-normal preference around 120 BPM), then the best
chain of beats that both sits on strong onsets and keeps each gap near the period, so the
grid bends with tempo drift instead of sliding off it. Each beat is then moved to the start
of its attack. Our own numpy code rather than librosa (ISC, but numba/llvmlite to install);
the recursion is vectorised over blocks of half a period, whose predecessors all lie in
earlier blocks.

Bar lines: the meter (4 or 3) and phase whose beats carry the largest harmonic change
(chroma before vs after the beat) and accent. ``bars_sure`` is False when no phase stands
out; then edits count in beats. ``pulsed`` is False for rubato or ambient music whose
onsets show no steady period: the editor then joins on phrase and energy features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conform.music.features import Features

__all__ = ["Beats", "track_beats"]

_TIGHTNESS = 100.0  # Ellis's alpha: how strongly a gap is held near the period
_MIN_BPM, _MAX_BPM = 40.0, 240.0


@dataclass(frozen=True)
class Beats:
    """Beat positions (samples, on attacks) with meter, bar phase and the pulse verdict."""

    sample_rate: int
    beats: np.ndarray  # int64 samples
    period: float  # median beat period in samples (0 without a pulse)
    beats_per_bar: int
    first_downbeat: int  # index into beats
    pulsed: bool
    bars_sure: bool
    clarity: float  # on-beat minus off-beat onset strength, in standard deviations

    @property
    def tempo(self) -> float:
        return 60.0 * self.sample_rate / self.period if self.period else 0.0

    @property
    def bar_lines(self) -> np.ndarray:
        if not self.pulsed or not len(self.beats):
            return np.zeros(0, dtype=np.int64)
        return self.beats[self.first_downbeat :: self.beats_per_bar]

    def is_downbeat(self, index: int) -> bool:
        return (index - self.first_downbeat) % self.beats_per_bar == 0

    def nearest(self, sample: int) -> tuple[int, int]:
        """Index of the beat nearest ``sample`` and the distance to it in samples."""
        if not len(self.beats):
            return -1, 1 << 62
        i = int(np.searchsorted(self.beats, sample))
        choices = [j for j in (i - 1, i) if 0 <= j < len(self.beats)]
        j = min(choices, key=lambda k: abs(int(self.beats[k]) - sample))
        return j, int(sample - int(self.beats[j]))


def _none(sample_rate: int) -> Beats:
    return Beats(sample_rate, np.zeros(0, dtype=np.int64), 0.0, 4, 0, False, False, 0.0)


def _tempo(env: np.ndarray, frame_rate: float) -> tuple[float, float]:
    """Beat period in frames (fractional) and the autocorrelation peak relative to lag 0."""
    lo = max(2, int(frame_rate * 60 / _MAX_BPM))
    hi = int(frame_rate * 60 / _MIN_BPM)
    if len(env) <= hi + 2:
        return 0.0, 0.0
    spectrum = np.fft.rfft(env, n=2 * len(env))
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[: hi + 2]
    ac = ac / np.maximum(len(env) - np.arange(len(ac)), 1)  # unbiased
    if ac[0] <= 0:
        return 0.0, 0.0
    lags = np.arange(lo, hi + 1)
    prior = np.exp(-0.5 * (np.log2(lags / (frame_rate * 0.5)) / 1.0) ** 2)  # around 120 BPM
    best = int(lags[np.argmax(ac[lo : hi + 1] * prior)])
    a, b, c = ac[best - 1], ac[best], ac[best + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return best + float(np.clip(shift, -0.5, 0.5)), float(ac[best] / ac[0])


def _dp(local: np.ndarray, period: float) -> np.ndarray:
    """Ellis's recursion: the best-scoring chain of beats, as frame indices."""
    n = len(local)
    lo, hi = max(1, int(round(period / 2))), int(round(2 * period))
    gaps = np.arange(lo, hi + 1)
    penalty = -_TIGHTNESS * np.log(gaps / period) ** 2
    score = local.astype(np.float64).copy()
    back = np.full(n, -1, dtype=np.int64)
    block = max(1, lo)
    for start in range(lo, n, block):
        stop = min(n, start + block)
        frames = np.arange(start, stop)
        prev = frames[:, None] - gaps[None, :]
        valid = prev >= 0
        candidates = np.where(valid, score[np.maximum(prev, 0)] + penalty, -np.inf)
        pick = np.argmax(candidates, axis=1)
        best = candidates[np.arange(len(frames)), pick]
        take = best > 0  # start afresh rather than inherit a negative chain
        score[start:stop] = local[start:stop] + np.where(take, best, 0.0)
        back[start:stop] = np.where(take, prev[np.arange(len(frames)), pick], -1)
    tail = max(1, int(round(period)))
    end = n - tail + int(np.argmax(score[-tail:]))
    chain = [end]
    while back[chain[-1]] >= 0:
        chain.append(int(back[chain[-1]]))
    return np.asarray(chain[::-1], dtype=np.int64)


def _snap(beats: np.ndarray, mono: np.ndarray, reach: int, sample_rate: int) -> np.ndarray:
    """Move each beat to the attack of the strongest hit within ``reach`` of it.

    The attack is where a 2 ms envelope of the differentiated signal first climbs a fifth of
    the way from the local floor to the hit's peak, searching back from the peak.
    """
    width = max(1, sample_rate // 500)
    snapped = []
    for beat in beats.tolist():
        lo, hi = max(1, int(beat) - reach), min(len(mono), int(beat) + reach)
        if hi - lo < 2 * width:
            continue
        bright = np.diff(mono[lo - 1 : hi].astype(np.float64))  # attacks are bright; bass is not
        total = np.cumsum(bright**2)  # trailing 2 ms mean: a rise shows from its first sample
        energy = (total - np.concatenate([np.zeros(width), total[:-width]])) / width
        peak = int(np.argmax(energy))
        floor = float(energy[: peak + 1].min())
        threshold = floor + 0.2 * (float(energy[peak]) - floor)
        below = np.nonzero(energy[: peak + 1] < threshold)[0]
        snapped.append(lo + (int(below[-1]) + 1 if len(below) else peak))
    return np.unique(np.asarray(snapped, dtype=np.int64))


def _bars(feats: Features, frames: np.ndarray, local: np.ndarray) -> tuple[int, int, bool]:
    """Meter, index of the first downbeat, and whether the bar phase is clear."""
    if len(frames) < 8:
        return 4, 0, False
    edges = np.concatenate([frames, [feats.frames]])
    sums = np.add.reduceat(feats.chroma, np.minimum(edges[:-1], feats.frames - 1), axis=0)
    chroma = sums / (np.linalg.norm(sums, axis=1, keepdims=True) + 1e-9)
    change = np.concatenate([[0.0], 1.0 - np.sum(chroma[1:] * chroma[:-1], axis=1)])
    accent = local[frames]
    cues = (change - change.mean()) / (change.std() + 1e-9)
    cues += 0.5 * (accent - accent.mean()) / (accent.std() + 1e-9)
    best = (0.0, 4, 0, False)
    for meter in (4, 3):
        if len(frames) < 2 * meter:
            continue
        phases = np.array([cues[p::meter].mean() for p in range(meter)])
        order = np.sort(phases)[::-1]
        contrast = float(order[0] - order[1:].mean())
        if meter == 3:
            contrast /= 1.25  # four is far more common: three must stand out clearly
        if contrast > best[0]:
            sure = bool(order[0] - order[1] > 0.25)
            best = (contrast, meter, int(np.argmax(phases)), sure)
    return best[1], best[2], best[3]


def track_beats(feats: Features, mono: np.ndarray) -> Beats:
    """Beats, bar lines and the pulse verdict of a cue's mono mix."""
    onset = feats.onset.astype(np.float64)
    if float(onset.max(initial=0.0)) <= 0:
        return _none(feats.sample_rate)
    smooth = max(1, int(round(feats.frame_rate)))  # remove a one-second local mean
    env = onset - np.convolve(onset, np.ones(smooth) / smooth, mode="same")
    env = np.maximum(env, 0.0)
    spread = float(env.std())
    if spread <= 0:
        return _none(feats.sample_rate)
    env /= spread
    period, peak = _tempo(env - env.mean(), feats.frame_rate)
    if period <= 0:
        return _none(feats.sample_rate)
    width = max(1.0, period / 32)
    taps = np.arange(-int(2 * width) - 1, int(2 * width) + 2)
    local = np.convolve(env, np.exp(-0.5 * (taps / width) ** 2), mode="same")
    frames = _dp(local, period)
    # Trim beats in silence at either end (the chain runs on through them).
    floor = 0.2 * float(np.sqrt(np.mean(local[frames] ** 2)))
    strong = np.nonzero(local[frames] > floor)[0]
    if len(strong) < 4:
        return _none(feats.sample_rate)
    frames = frames[strong[0] : strong[-1] + 1]
    gaps = np.diff(frames)
    half = np.clip(frames[:-1] + gaps // 2, 0, len(env) - 1)
    clarity = float(env[frames].mean() - env[half].mean())
    regular = float(np.std(gaps) / np.mean(gaps)) if len(gaps) else 1.0
    pulsed = clarity > 0.5 and regular < 0.15 and peak > 0.05
    meter, first, sure = _bars(feats, frames, local)
    entry = feats.window - feats.hop  # flux peaks as a hit enters the window's leading edge
    reach = max(feats.hop, int(period * feats.hop / 6))
    samples = _snap(frames * feats.hop + entry, mono, reach, feats.sample_rate)
    if len(samples) != len(frames):  # two beats snapped together: keep the grid's count
        samples = np.unique(np.clip(frames * feats.hop + entry, 0, len(mono) - 1))
        first = first % meter
    median = float(np.median(np.diff(samples))) if len(samples) > 1 else 0.0
    return Beats(
        feats.sample_rate, samples.astype(np.int64), median, meter, first, pulsed,
        sure and pulsed, clarity,
    )  # fmt: skip
