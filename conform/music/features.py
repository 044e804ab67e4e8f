"""What a listener hears of a cue, frame by frame: onsets, timbre, harmony and loudness.

One short-time spectrum of the mono mix at ~11-12 kHz (1024-sample window, 256-sample hop,
about 23 ms) gives everything the beat tracker and the join scorer need:

- ``onset``: mel-band spectral flux (the rise of log energy per band, summed), the onset
  envelope of Ellis's beat tracker;
- ``timbre``: MFCC-like cepstra of the log mel bands, coefficient 0 dropped, with the cue's
  own mean removed and each coefficient scaled to unit spread, so that a constant spectral
  tilt cannot dominate a comparison;
- ``chroma``: energy per pitch class (100 Hz - 5 kHz), unit length per frame (harmony);
- ``power``: K-weighted mean square of each frame (BS.1770's high-pass and +4 dB shelf,
  applied to the spectrum), for loudness continuity at 400 ms and 3 s as a listener hears it.

Written with numpy (no librosa: its numba/llvmlite chain is heavy for this one job).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from conform.music.errors import FitError

__all__ = ["Features", "features", "to_mono", "WINDOW", "HOP"]

WINDOW = 1024
HOP = 256
_BANDS = 40
_CEPSTRA = 13
_BLOCK = 4096  # frames per FFT block: keeps the complex spectra small


@dataclass(frozen=True)
class Features:
    """Frame-rate descriptions of one cue's mix; frame ``i`` starts at sample ``i * hop``."""

    sample_rate: int
    hop: int  # in samples of the original rate
    onset: np.ndarray  # (frames,) float32
    timbre: np.ndarray  # (frames, 12) float32, mean-removed, unit spread
    chroma: np.ndarray  # (frames, 12) float32, unit length
    power: np.ndarray  # (frames,) float64 K-weighted mean square
    length: int  # samples in the cue

    @property
    def frame_rate(self) -> float:
        return self.sample_rate / self.hop

    @property
    def frames(self) -> int:
        return len(self.onset)

    def frame(self, sample: int) -> int:
        """The frame whose window is centred nearest ``sample`` (clipped to the cue)."""
        centre = (sample - self.window // 2) / self.hop
        return int(np.clip(round(centre), 0, self.frames - 1))

    @property
    def window(self) -> int:
        return WINDOW * (self.hop // HOP)

    def seconds(self, frames: float) -> float:
        return frames * self.hop / self.sample_rate


def _mel_bank(bins: int, rate: float) -> np.ndarray:
    """Triangular mel filters (bins x bands) between 40 Hz and 0.45 of the analysis rate."""

    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    freqs = np.arange(bins) * rate / (2 * (bins - 1))
    edges = hz(np.linspace(mel(np.array(40.0)), mel(np.array(0.45 * rate)), _BANDS + 2))
    bank = np.zeros((bins, _BANDS), dtype=np.float32)
    for b in range(_BANDS):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        rising = (freqs - lo) / (mid - lo)
        falling = (hi - freqs) / (hi - mid)
        bank[:, b] = np.maximum(0.0, np.minimum(rising, falling))
    return bank


def _chroma_map(bins: int, rate: float) -> np.ndarray:
    """(bins x 12) weights putting each FFT bin between 100 Hz and 5 kHz on its pitch class."""
    freqs = np.arange(bins) * rate / (2 * (bins - 1))
    chroma = np.zeros((bins, 12), dtype=np.float32)
    usable = (freqs >= 100.0) & (freqs <= min(5000.0, 0.45 * rate))
    pitch = np.rint(12 * np.log2(np.maximum(freqs[usable], 1.0) / 440.0)).astype(int) % 12
    chroma[np.nonzero(usable)[0], pitch] = 1.0
    return chroma


def _k_weights(bins: int, rate: float, window: np.ndarray) -> np.ndarray:
    """Per-bin power weights of BS.1770's K filter (approximated), scaled to mean square."""
    f = np.arange(bins) * rate / (2 * (bins - 1))
    highpass = f**4 / (f**4 + 38.0**4)
    shelf = 1.0 + (10 ** (4.0 / 10) - 1.0) * f**2 / (f**2 + 1500.0**2)
    one_sided = np.full(bins, 2.0)
    one_sided[[0, -1]] = 1.0
    return highpass * shelf * one_sided / (len(window) * float(np.sum(window**2)))


def _dct(bands: int, count: int) -> np.ndarray:
    n = np.arange(bands)
    k = np.arange(count)[:, None]
    return np.cos(np.pi * k * (2 * n + 1) / (2 * bands)).T.astype(np.float32)


def to_mono(mix: np.ndarray) -> np.ndarray:
    """The channels averaged, float32."""
    if mix.ndim == 2:
        total = np.array(mix[:, 0], dtype=np.float32)  # column by column: a strided mean is slow
        for c in range(1, mix.shape[1]):
            total += mix[:, c]
        return total * np.float32(1.0 / mix.shape[1]) if mix.shape[1] > 1 else total
    return np.asarray(mix, dtype=np.float32)


def features(mono: np.ndarray, sample_rate: int) -> Features:
    """Onset envelope, timbre, chroma and power per frame of a mono signal."""
    factor = max(1, sample_rate // 11025)
    usable = len(mono) // factor * factor
    low = np.array(mono[:usable:factor], dtype=np.float32)
    for k in range(1, factor):
        low += mono[k:usable:factor]
    low *= np.float32(1.0 / factor)
    if len(low) < WINDOW + HOP:
        raise FitError(f"too short to analyse ({len(mono)} samples)")
    rate = sample_rate / factor
    frames = sliding_window_view(low, WINDOW)[::HOP]
    bins = WINDOW // 2 + 1
    bank, chroma_map, dct = _mel_bank(bins, rate), _chroma_map(bins, rate), _dct(_BANDS, _CEPSTRA)
    window = np.hanning(WINDOW).astype(np.float32)
    k_weights = _k_weights(bins, rate, window).astype(np.float32)
    count = frames.shape[0]
    logmel = np.empty((count, _BANDS), dtype=np.float32)
    chroma = np.empty((count, 12), dtype=np.float32)
    power = np.empty(count, dtype=np.float64)
    for start in range(0, count, _BLOCK):
        block = frames[start : start + _BLOCK]
        spectrum = np.abs(np.fft.rfft(block * window, axis=1)).astype(np.float32) ** 2
        power[start : start + len(block)] = spectrum @ k_weights
        logmel[start : start + len(block)] = np.log10(spectrum @ bank + 1e-9)
        chroma[start : start + len(block)] = spectrum @ chroma_map
    flux = np.maximum(np.diff(logmel, axis=0), 0.0).sum(axis=1)
    onset = np.concatenate([[0.0], flux]).astype(np.float32)
    cepstra = (logmel @ dct)[:, 1:]
    cepstra -= cepstra.mean(axis=0)
    cepstra /= cepstra.std(axis=0) + 1e-6
    chroma = np.sqrt(chroma)
    chroma /= np.linalg.norm(chroma, axis=1, keepdims=True) + 1e-9
    return Features(
        sample_rate, HOP * factor, onset, cepstra.astype(np.float32), chroma, power, len(mono)
    )
