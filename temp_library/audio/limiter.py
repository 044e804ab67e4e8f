"""A look-ahead true-peak limiter: keeps a signal under a ceiling measured as the meter does.

Peaks are found with the loudness meter's own interpolator (`LoudnessMeter`), in blocks,
so the limiter and the meter agree on what a true peak is. The gain curve is smoothed with
edge-extended filters, so the first and last samples keep their level (a zero-padded
average would fade them).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["true_peak_limit", "oversampled_peaks"]

_CHUNK = 1 << 16


def oversampled_peaks(samples: np.ndarray, rate: int) -> np.ndarray:
    """For each frame, the largest absolute value of the oversampled signal up to the next."""
    from scipy.signal import upfirdn

    from temp_library.audio.loudness import LoudnessMeter

    taps, factor = LoudnessMeter(rate).interpolator
    reach = (len(taps) // factor) // 2
    frames = samples.shape[0]
    peaks = np.empty(frames, np.float32)
    for start in range(0, frames, _CHUNK):
        stop = min(start + _CHUNK, frames)
        lo, hi = max(0, start - reach), min(frames, stop + reach)
        piece = np.zeros((stop - start + 2 * reach, samples.shape[1]), np.float64)
        piece[lo - (start - reach) : hi - (start - reach)] = samples[lo:hi]
        up = upfirdn(taps, piece, factor, axis=0)
        at = 2 * reach * factor  # output k is input (k - reach * factor) / factor
        body = np.abs(up[at : at + (stop - start) * factor])
        peaks[start:stop] = body.reshape(stop - start, factor, -1).max(axis=(1, 2))
    return np.maximum(peaks, np.abs(samples).max(axis=1))


def true_peak_limit(
    samples: np.ndarray, rate: int, ceiling_db: float, lookahead_ms: float = 5.0
) -> tuple[np.ndarray, float]:
    """Limit ``frames x channels`` audio to a true-peak ceiling; returns it and the most
    gain reduction applied (dB).

    The gain needed at each sample is held over the look-ahead on both sides (a minimum
    filter) and then averaged over the same span, so it never rises above what any nearby
    peak needs and moves smoothly, with no step that could be heard as a click. Both
    filters extend the edges instead of padding with zeros.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    span = max(1, int(rate * lookahead_ms / 1000))
    result = samples.astype(np.float64)
    reduction = 1.0
    for _ in range(6):  # the gain curve itself adds a little inter-sample overshoot
        peak = oversampled_peaks(result, rate)
        need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
        if need.min() >= 1.0:
            break
        held = minimum_filter1d(need, size=2 * span + 1, mode="nearest")
        gain = uniform_filter1d(held, size=span + 1, mode="nearest")  # averages of holds
        gain = np.minimum(gain, 1.0)
        result *= gain[:, None]
        reduction = min(reduction, float(gain.min()))
        ceiling *= 0.999
    return result.astype(np.float32), -20 * math.log10(reduction)
