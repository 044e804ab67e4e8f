"""True peak against a long-filter reference (16x, 2 x 64 taps a phase) on hot material."""

from __future__ import annotations

import numpy as np
import pytest
from audiogen import cue_stems
from scipy.signal import firwin, resample_poly

from temp_library.audio.loudness import LoudnessMeter, true_peak_oversampling

MUSIC = sum(cue_stems(48000, 4.0, 100.0).values())


def reference_dbtp(signal: np.ndarray, margin: int = 64) -> float:
    """16x oversampled with a Kaiser sinc reaching 64 input samples each side."""
    taps = firwin(2 * 64 * 16 + 1, 1 / 16, window=("kaiser", 8.0)) * 16
    up = resample_poly(signal, 16, 1, axis=0, window=taps / 16)
    return float(20 * np.log10(np.abs(up[margin * 16 : -margin * 16]).max()))


def hot(signal: np.ndarray, drive: float) -> np.ndarray:
    """Driven into full scale and hard-clipped, as a loud master can be."""
    return np.clip(signal / np.abs(signal).max() * drive, -1.0, 1.0)


def test_oversampling_is_4x_at_48k_and_at_least_2x_at_96k_and_192k() -> None:
    assert true_peak_oversampling(48000) >= 4 and true_peak_oversampling(44100) >= 4
    assert true_peak_oversampling(96000) >= 2 and true_peak_oversampling(192000) >= 2


@pytest.mark.parametrize(
    ("name", "rate", "drive", "tolerance"),
    [("music", 48000, 0.9, 0.05), ("hot", 48000, 1.5, 0.1), ("clipped", 48000, 3.0, 0.25),
     ("hot 96k", 96000, 2.0, 0.05), ("hot 192k", 192000, 2.0, 0.05)],
)  # fmt: skip
def test_true_peak_is_close_to_the_long_filter_and_never_above_it(
    name: str, rate: int, drive: float, tolerance: float
) -> None:
    signal = MUSIC[: 48000 * 3]
    if rate != 48000:
        signal = resample_poly(signal, rate // 48000, 1, axis=0)
    signal = hot(signal, drive)
    ours = LoudnessMeter(rate).measure(signal).true_peak_dbtp
    truth = reference_dbtp(signal)
    assert truth - tolerance <= ours <= truth + 0.02, (name, ours, truth)


def test_an_old_style_short_interpolator_would_read_hot_material_low() -> None:
    """The failure the longer filter fixes: 12 taps a phase droops near Nyquist."""
    signal = hot(MUSIC[: 48000 * 3], 3.0)
    short = firwin(49, 1 / 4, window=("kaiser", 5.0)) * 4
    up = resample_poly(signal, 4, 1, axis=0, window=short / 4)
    old = 20 * np.log10(np.abs(up[256:-256]).max())
    ours = LoudnessMeter(48000).measure(signal).true_peak_dbtp
    assert ours > old + 0.1 and ours >= reference_dbtp(signal) - 0.25


def test_192k_and_768k_files_are_measured() -> None:
    for rate in (192000, 768000):
        t = np.arange(rate) / rate
        wave = 0.5 * np.sin(2 * np.pi * 997 * t)[:, None].repeat(2, axis=1)
        result = LoudnessMeter(rate).measure(wave)
        assert result.true_peak_dbtp == pytest.approx(-6.02, abs=0.05), rate
