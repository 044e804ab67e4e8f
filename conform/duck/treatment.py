"""Per stem, per phrase: how much it masks speech, and the least intrusive treatment that clears it.

The choice is a greedy search over small steps, each scored by the intelligibility it buys
(`bands.index`) per LU of music loudness it costs: deepen one stem's band cut by 3 dB, or
duck one stem by 2 dB (a duck's cost counts double: a level change under speech is heard,
a band cut in a sustained bed mostly is not). The search stops when the phrase reaches the
target index, or no step buys 0.005 of index per LU. A stem whose muting would not raise
the index by 0.02 does not mask and is never touched. The band cut's band is the run of third-octave
bands (250 Hz-4 kHz) where a 6 dB cut of that stem buys the most index per LU.

The band cut is a dynamic EQ band: ``y = x + k(t) * BP(x)``, BP the constant 0 dB-peak
band-pass of the RBJ cookbook, ``1 + k`` the gain at the centre. The model scores exactly
the response that rendering applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import lfilter

from conform.duck.bands import CENTRES, IMPORTANCE, band_edges, band_power, index

__all__ = ["TreatSettings", "Treatment", "bandpass", "cut_response", "choose", "envelope",
           "apply_treatments"]  # fmt: skip


@dataclass(frozen=True)
class TreatSettings:
    """Target and limits of the treatment search."""

    target: float = 0.75  # the speech-band index a phrase should reach (0..1)
    max_cut_db: float = 15.0
    max_duck_db: float = 12.0
    cut_step_db: float = 3.0
    duck_step_db: float = 2.0
    duck_penalty: float = 2.0  # a duck's LU cost counts this many times
    min_masking: float = 0.02  # a stem masks when muting it raises the index this much
    min_efficiency: float = 0.005  # a step must buy this much index per LU it costs


@dataclass(frozen=True)
class Treatment:
    """What one stem gets in one phrase: a band cut (EQ), a level duck, both, or nothing."""

    phrase: int
    stem: str
    masking: float  # how much the index rises when this stem is muted
    eq_gain_db: float = 0.0  # <= 0: the cut's depth at the centre
    eq_freq_hz: float = 0.0
    eq_q: float = 0.0
    gain_db: float = 0.0  # <= 0: the stem's level duck

    @property
    def kind(self) -> str:
        cut, duck = self.eq_gain_db < 0, self.gain_db < 0
        return {(True, True): "cut+duck", (True, False): "band cut", (False, True): "duck"}.get(
            (cut, duck), "none"
        )


def bandpass(freq: float, q: float, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """RBJ band-pass with 0 dB peak gain at ``freq``: (b, a)."""
    w0 = 2 * np.pi * freq / sample_rate
    alpha = np.sin(w0) / (2 * q)
    b = np.array([alpha, 0.0, -alpha])
    a = np.array([1 + alpha, -2 * np.cos(w0), 1 - alpha])
    return b / a[0], a / a[0]


def cut_response(freqs: np.ndarray, freq: float, q: float, gain_db: float, sr: int) -> np.ndarray:
    """Power response of the band cut ``|1 + k BP(f)|^2`` at ``freqs``."""
    if gain_db >= 0:
        return np.ones_like(freqs)
    b, a = bandpass(freq, q, sr)
    z = np.exp(-2j * np.pi * freqs / sr)
    h = (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    k = 10 ** (gain_db / 20) - 1
    return np.abs(1 + k * h) ** 2


def _ranges(bands: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Each band's bins as a half-open range, from the (bands x bins) 0/1 matrix."""
    result = []
    for row in bands:
        inside = np.flatnonzero(row)
        result.append((int(inside[0]), int(inside[-1]) + 1) if inside.size else (0, 0))
    return tuple(result)


@lru_cache(maxsize=8)
def _probe_responses(sample_rate: int, bins: int) -> np.ndarray:
    """Power responses of a 6 dB cut on every span (spans x bins), for choosing the band."""
    freqs = np.fft.rfftfreq(2 * (bins - 1), 1 / sample_rate)
    return np.stack([cut_response(freqs, *band, -6.0, sample_rate) for band in _spans()])


@lru_cache(maxsize=1)
def _spans() -> list[tuple[float, float]]:
    """Every contiguous run of the speech bands as (centre, Q) of the band cut covering it."""
    spans = []
    for lo in range(len(CENTRES)):
        for hi in range(lo, len(CENTRES)):
            f_lo, f_hi = band_edges(CENTRES[lo])[0], band_edges(CENTRES[hi])[1]
            centre = float(np.sqrt(f_lo * f_hi))
            spans.append((round(centre, 1), round(float(np.clip(centre / (f_hi - f_lo), 0.3, 6)),
                                                  3)))  # fmt: skip
    return spans


def choose(
    phrase: int,
    speech: np.ndarray,
    stems: dict[str, np.ndarray],
    freqs: np.ndarray,
    bands: np.ndarray,
    kweight: np.ndarray,
    sample_rate: int,
    settings: TreatSettings = TreatSettings(),
) -> tuple[list[Treatment], float, float]:
    """Treatments for one phrase: (one per stem, index before, index after).

    ``speech`` and each of ``stems`` are (bins x frames) power over the phrase's speech
    frames; ``bands`` sums bins into bands; ``kweight`` is the K-weighting power per bin.
    """
    names = sorted(stems)
    ranges = _ranges(bands)
    speech_b = band_power(speech, ranges)
    stem_b = {n: band_power(stems[n], ranges) for n in names}
    mean_power = {n: stems[n].mean(axis=1) for n in names}
    total_b = sum(stem_b.values())
    before = index(speech_b, total_b)
    masking = {n: index(speech_b, total_b - stem_b[n] + 1e-20) - before for n in names}
    state = {n: [0.0, 0.0] for n in names}  # cut dB, duck dB
    loud_of = {n: float(kweight @ mean_power[n]) for n in names}
    total_loud = sum(loud_of.values()) + 1e-20

    spans = _spans()
    probes = _probe_responses(sample_rate, len(freqs))  # (spans x bins): 6 dB cuts

    def probe(n: str) -> np.ndarray:
        """Index bought per LU by a 6 dB cut of stem ``n`` on each span, the others untreated."""
        new_b = np.stack([np.einsum("sk,kt->st", probes[:, a:b], stems[n][a:b])
                          for a, b in ranges], axis=1)  # fmt: skip
        music_b = (total_b - stem_b[n])[None] + new_b  # spans x bands x frames
        snr = 10 * np.log10((speech_b[None] + 1e-20) / (music_b + 1e-20))
        value = np.mean(np.einsum("b,sbt->st", IMPORTANCE, np.clip((snr + 15) / 30, 0, 1)),
                        axis=1)  # fmt: skip
        loud = total_loud - loud_of[n] + np.einsum("sk,k->s", probes, kweight * mean_power[n])
        return (value - before) / (10 * np.log10(total_loud / loud) + 0.05)

    where: dict[str, tuple[float, float] | None] = {}
    for n in names:
        if masking[n] < settings.min_masking:
            where[n] = None
            continue
        scores = probe(n)
        best = int(np.argmax(scores))
        where[n] = spans[best] if scores[best] > 0 else None

    current_b = dict(stem_b)  # each stem's band power under its treatment so far
    current_loud = dict(loud_of)

    def evaluate(changed: str, cut: float, duck: float) -> tuple[float, float, np.ndarray]:
        band = where[changed]
        r = cut_response(freqs, *band, cut, sample_rate) if band else np.ones_like(freqs)
        r = r * 10 ** (duck / 10)
        new_b = band_power(stems[changed], ranges, r)
        music_b = sum(current_b[n] for n in names if n != changed) + new_b
        loud = sum(current_loud[n] for n in names if n != changed) + float(
            kweight @ (mean_power[changed] * r)
        )
        return index(speech_b, music_b), loud, new_b

    current = before
    loud_now = sum(current_loud.values()) + 1e-20
    while current < settings.target:
        best = None
        for n in names:
            if masking[n] < settings.min_masking:
                continue
            cut, duck = state[n]
            steps = []
            if where[n] and cut - settings.cut_step_db >= -settings.max_cut_db - 1e-9:
                steps.append((cut - settings.cut_step_db, duck, 1.0))
            if duck - settings.duck_step_db >= -settings.max_duck_db - 1e-9:
                steps.append((cut, duck - settings.duck_step_db, settings.duck_penalty))
            for new_cut, new_duck, penalty in steps:
                value, loud, new_b = evaluate(n, new_cut, new_duck)
                gain = value - current
                cost = penalty * 10 * np.log10(loud_now / max(loud, 1e-20)) + 0.05
                score = gain / cost
                if gain > 1e-4 and score >= settings.min_efficiency:
                    if best is None or score > best[0]:
                        best = (score, n, new_cut, new_duck, value, loud, new_b)
        if best is None:
            break
        _, n, state[n][0], state[n][1], current, loud_now, new_b = best
        current_loud[n] = float(loud_now - sum(current_loud[m] for m in names if m != n))
        current_b[n] = new_b
    treatments = []
    for n in names:
        cut, duck = state[n]
        band = where[n] if cut < 0 else None
        treatments.append(Treatment(phrase, n, round(masking[n], 4), cut if band else 0.0,
                                    band[0] if band else 0.0, band[1] if band else 0.0,
                                    duck))  # fmt: skip
    return treatments, before, current


def envelope(length: int, ramp_in: int, hold: int, ramp_out: int) -> np.ndarray:
    """0..1 shape over a phrase: linear ramp in, hold, linear ramp out (in dB, scaled later)."""
    shape = np.ones(length)
    if ramp_in:
        shape[:ramp_in] = np.arange(ramp_in) / ramp_in
    if ramp_out:
        start = ramp_in + hold
        shape[start:] = 1 - np.arange(1, length - start + 1) / ramp_out
    return np.clip(shape, 0, 1)


def apply_treatments(
    samples: np.ndarray,
    origin: int,
    treatments: list[tuple[Treatment, tuple[int, int, int, int]]],
    sample_rate: int,
) -> np.ndarray:
    """A copy of one stem (frames x channels from sample ``origin``) with its treatments.

    Each treatment comes with its phrase in samples (start, speech start, speech end, end);
    the depth is interpolated in dB, sample by sample, along the ramps.
    """
    out = np.array(samples, dtype=np.float64, copy=True)
    warm = sample_rate // 10  # band-pass settles long before the ramp leaves 0 dB
    for t, (p0, p1, p2, p3) in treatments:
        if t.kind == "none":
            continue
        shape = envelope(p3 - p0, p1 - p0, p2 - p1, p3 - p2)
        a, b = max(0, p0 - origin), min(out.shape[0], p3 - origin)
        if b <= a:
            continue
        shape = shape[a - (p0 - origin) : b - (p0 - origin)][:, None]
        if t.eq_gain_db < 0:
            lo = max(0, a - warm)
            bb, aa = bandpass(t.eq_freq_hz, t.eq_q, sample_rate)
            band = lfilter(bb, aa, out[lo:b], axis=0)[a - lo :]
            k = 10 ** (t.eq_gain_db * shape / 20) - 1
            out[a:b] += k * band
        if t.gain_db < 0:
            out[a:b] *= 10 ** (t.gain_db * shape / 20)
    return out.astype(np.float32)
