"""The speech-band model: third-octave bands 250 Hz-4 kHz, their speech importance, an index.

Band importance is ANSI S3.5-1997 (SII) Table 3, one-third octave procedure, renormalised
over the 13 bands from 250 Hz to 4 kHz (the bands where music fights speech; below and
above them speech carries little and the music's body and air live). The index is the
SII's audibility rule on the band signal-to-music ratio, ``clip((SNR + 15) / 30, 0, 1)``,
weighted by importance and averaged over short-time frames (as the extended SII does), so
music that swells between words counts where it swells. 0 is unintelligible, 1 is clear.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = [
    "CENTRES",
    "IMPORTANCE",
    "band_edges",
    "band_matrix",
    "band_ranges",
    "band_power",
    "stft_power",
    "index",
]

CENTRES = (250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000)
_SII = (0.0150, 0.0289, 0.0440, 0.0578, 0.0653, 0.0711, 0.0818, 0.0844, 0.0882, 0.0898,
        0.0868, 0.0844, 0.0771)  # fmt: skip
IMPORTANCE = np.asarray(_SII) / sum(_SII)


def band_edges(centre: float) -> tuple[float, float]:
    """A third-octave band's lower and upper edges."""
    return centre * 2 ** (-1 / 6), centre * 2 ** (1 / 6)


def fft_size(sample_rate: int) -> int:
    """About 43 ms (2048 at 48 kHz): third-octave resolution down to 250 Hz."""
    return 1 << max(8, round(np.log2(0.0427 * sample_rate)))


@lru_cache(maxsize=8)
def band_matrix(sample_rate: int, n_fft: int) -> np.ndarray:
    """(bands x bins) 0/1 matrix summing FFT bins into the third-octave bands."""
    freqs = np.fft.rfftfreq(n_fft, 1 / sample_rate)
    matrix = np.zeros((len(CENTRES), len(freqs)))
    for b, centre in enumerate(CENTRES):
        lo, hi = band_edges(centre)
        matrix[b, (freqs >= lo) & (freqs < hi)] = 1.0
    return matrix


@lru_cache(maxsize=8)
def band_ranges(sample_rate: int, n_fft: int) -> tuple[tuple[int, int], ...]:
    """Each band's FFT bins as a half-open range (the bands are contiguous in frequency)."""
    freqs = np.fft.rfftfreq(n_fft, 1 / sample_rate)
    ranges = []
    for centre in CENTRES:
        lo, hi = band_edges(centre)
        inside = np.flatnonzero((freqs >= lo) & (freqs < hi))
        ranges.append((int(inside[0]), int(inside[-1]) + 1) if inside.size else (0, 0))
    return tuple(ranges)


def band_power(power: np.ndarray, ranges: tuple[tuple[int, int], ...],
               weight: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """(bands x frames) sums of a (bins x frames) spectrogram, optionally weighted per bin.

    Sums, not a matrix product: BLAS threads on a shared machine cost more than they save
    on matrices this small.
    """
    if weight is not None:
        power = power * weight[:, None]
    return np.stack([power[a:b].sum(axis=0) for a, b in ranges])


def stft_power(mono: np.ndarray, n_fft: int) -> np.ndarray:
    """(bins x frames) power spectrogram, Hann window, hop n_fft/2, frames centred."""
    hop = n_fft // 2
    padded = np.concatenate([np.zeros(hop), mono.astype(np.float64), np.zeros(n_fft)])
    count = max(1, (len(padded) - n_fft) // hop + 1)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:count]
    window = np.hanning(n_fft)
    spectrum = np.fft.rfft(frames * window, axis=1)
    return (np.abs(spectrum) ** 2).T / np.sum(window**2)


def index(speech_bands: np.ndarray, music_bands: np.ndarray) -> float:
    """Importance-weighted audibility of speech over music, mean over frames (bands x frames)."""
    if speech_bands.shape[1] == 0:
        return 1.0
    snr = 10 * np.log10((speech_bands + 1e-20) / (music_bands + 1e-20))
    audible = np.clip((snr + 15.0) / 30.0, 0.0, 1.0)
    return float(np.mean((IMPORTANCE[:, None] * audible).sum(axis=0)))
