"""The benefit, measured: intelligibility before and after, and what it costs the music.

Intelligibility is STOI and ESTOI (pystoi, the reference implementation of Taal et al. and
Jensen & Taal) of dialogue + music against the clean dialogue, and our speech-band index
(`bands.index`) on the rendered signals. The music's cost is its loudness drop in LU during
speech (K-weighted power of BS.1770, the same filters as our loudness meter, ungated: the
phrases are too short for gating blocks) and the mean change, in dB, of its third-octave
spectrum outside the speech band (below 250 Hz and above 4 kHz). The comparison is a plain
side-chain duck of the whole music mix, its depth tuned per phrase to the same index, and
(when STOI is on) one fixed depth tuned to the same ESTOI over all the speech.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import sosfilt, sosfreqz, tf2sos

from conform.duck.bands import band_power, band_ranges, fft_size, index, stft_power

__all__ = ["Figures", "k_sos", "k_weight_bins", "loudness_drop", "outside_change",
           "whole_mix_depth", "estoi_matched_depth", "intelligibility",
           "speech_frames"]  # fmt: skip

OUTSIDE = (50, 63, 80, 100, 125, 160, 200, 5000, 6300, 8000, 10000, 12500, 16000)
"""Third-octave centres below and above the speech band, where the music's body and air live."""


@dataclass(frozen=True)
class Figures:
    """Intelligibility of dialogue over the music, and the music's cost, for one version."""

    name: str
    stoi: float | None
    estoi: float | None
    index: float
    loudness_drop_lu: float  # music during speech, against the untreated music
    outside_change_db: float  # mean |change| of the third-octave spectrum outside the band


@lru_cache(maxsize=4)
def k_sos(sample_rate: int) -> np.ndarray:
    """BS.1770 K-weighting as second-order sections (pyloudnorm's filters, as our meter)."""
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    return np.vstack([tf2sos(f.b, f.a) for f in meter._filters.values()])


def k_weight_bins(freqs: np.ndarray, sample_rate: int) -> np.ndarray:
    """K-weighting power gain at ``freqs``."""
    _, h = sosfreqz(k_sos(sample_rate), worN=freqs, fs=sample_rate)
    return np.abs(h) ** 2


def _k_power(mono: np.ndarray, sample_rate: int) -> float:
    return float(np.mean(sosfilt(k_sos(sample_rate), mono.astype(np.float64)) ** 2)) + 1e-20


def loudness_drop(before: np.ndarray, after: np.ndarray, sample_rate: int) -> float:
    """How many LU quieter ``after`` is than ``before`` (ungated K-weighted power)."""
    return 10 * np.log10(_k_power(before, sample_rate) / _k_power(after, sample_rate))


def _third_octaves(mono: np.ndarray, sample_rate: int, centres: tuple[int, ...]) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(mono.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / sample_rate)
    result = []
    for centre in centres:
        lo, hi = centre * 2 ** (-1 / 6), centre * 2 ** (1 / 6)
        result.append(spectrum[(freqs >= lo) & (freqs < hi)].sum())
    return np.asarray(result)


def outside_change(before: np.ndarray, after: np.ndarray, sample_rate: int) -> float:
    """Mean |dB change| of the music's spectrum outside 250 Hz-4 kHz (bands it has energy in)."""
    centres = tuple(c for c in OUTSIDE if c * 2 ** (1 / 6) < sample_rate / 2)
    a = _third_octaves(before, sample_rate, centres)
    b = _third_octaves(after, sample_rate, centres)
    used = a > a.max() * 1e-6 if a.size and a.max() > 0 else np.zeros(len(a), bool)
    if not used.any():
        return 0.0
    return float(np.mean(np.abs(10 * np.log10((b[used] + 1e-30) / a[used]))))


def whole_mix_depth(speech_b: np.ndarray, music_b: np.ndarray, target: float) -> float:
    """The least duck of the whole mix (dB, >= 0) that brings the index to ``target``."""
    if index(speech_b, music_b) >= target:
        return 0.0
    lo, hi = 0.0, 60.0
    if index(speech_b, music_b * 10 ** (-hi / 10)) < target:
        return hi
    for _ in range(40):
        mid = (lo + hi) / 2
        if index(speech_b, music_b * 10 ** (-mid / 10)) >= target:
            hi = mid
        else:
            lo = mid
    return hi


STOI_RATE = 10000
"""STOI's own rate: we resample once (soxr) so that pystoi does not, call after call."""


def _at_stoi_rate(signal: np.ndarray, sample_rate: int) -> np.ndarray:
    import soxr

    if sample_rate == STOI_RATE:
        return signal.astype(np.float64)
    return soxr.resample(signal.astype(np.float64), sample_rate, STOI_RATE, quality="HQ")


def estoi_matched_depth(dialogue: np.ndarray, music: np.ndarray, target: float, sr: int) -> float:
    """The one depth (dB) of a whole-mix duck under all the speech that reaches ESTOI ``target``."""
    from pystoi import stoi as pystoi

    d, m = _at_stoi_rate(dialogue, sr), _at_stoi_rate(music, sr)
    score = lambda depth: pystoi(d, d + m * 10 ** (-depth / 20), STOI_RATE,  # noqa: E731
                                 extended=True)  # fmt: skip
    lo, hi = 0.0, 40.0
    f_lo, f_hi = score(lo) - target, score(hi) - target
    if f_lo >= 0 or f_hi <= 0:
        return lo if f_lo >= 0 else hi
    side = 0
    for _ in range(8):  # Illinois false position: ESTOI rises smoothly with the depth
        mid = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        f_mid = score(mid) - target
        if abs(f_mid) < 5e-4:
            return mid
        if f_mid > 0:
            hi, f_hi = mid, f_mid
            f_lo = f_lo / 2 if side == 1 else f_lo
            side = 1
        else:
            lo, f_lo = mid, f_mid
            f_hi = f_hi / 2 if side == -1 else f_hi
            side = -1
    return hi


def speech_frames(mask: np.ndarray, n_fft: int, count: int) -> np.ndarray:
    """Which STFT frames (centred, hop n_fft/2) have their centre sample in speech."""
    centres = np.arange(count) * (n_fft // 2)
    return mask[np.minimum(centres, len(mask) - 1)] if len(mask) else np.zeros(count, bool)


def signal_index(dialogue: np.ndarray, music: np.ndarray, mask: np.ndarray, sr: int) -> float:
    """The speech-band index of rendered signals, over their speech frames."""
    n_fft = fft_size(sr)
    d, m = stft_power(dialogue, n_fft), stft_power(music, n_fft)
    keep = speech_frames(mask, n_fft, d.shape[1])
    ranges = band_ranges(sr, n_fft)
    return index(band_power(d[:, keep], ranges), band_power(m[:, keep], ranges))


def intelligibility(
    name: str,
    dialogue: np.ndarray,
    music: np.ndarray,
    reference_music: np.ndarray,
    mask: np.ndarray,
    sample_rate: int,
    with_stoi: bool = True,
) -> Figures:
    """All figures for dialogue over one version of the music (mono, speech spans joined)."""
    stoi = estoi = None
    if with_stoi and len(dialogue) > sample_rate // 2:
        from pystoi import stoi as pystoi

        d = _at_stoi_rate(dialogue, sample_rate)
        mix = d + _at_stoi_rate(music, sample_rate)
        stoi = float(pystoi(d, mix, STOI_RATE, extended=False))
        estoi = float(pystoi(d, mix, STOI_RATE, extended=True))
    return Figures(
        name, stoi, estoi, signal_index(dialogue, music, mask, sample_rate),
        loudness_drop(reference_music, music, sample_rate),
        outside_change(reference_music, music, sample_rate),
    )  # fmt: skip
