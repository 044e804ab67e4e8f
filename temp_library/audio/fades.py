"""Fades and crossfades on exact sample counts, with a choice of curve."""

from __future__ import annotations

import numpy as np

__all__ = ["CURVES", "gains", "crossfade", "fade_in", "fade_out", "choose_curve"]

CURVES = ("equal-power", "linear", "s-curve")
"""equal-power for unrelated material, linear for correlated, s-curve for a soft edge."""


def gains(length: int, curve: str) -> tuple[np.ndarray, np.ndarray]:
    """(fade-out, fade-in) gains over ``length`` samples, as float32 columns."""
    if curve not in CURVES:
        raise ValueError(f"unknown fade curve {curve!r}; use one of {', '.join(CURVES)}")
    t = (np.arange(length, dtype=np.float64) + 0.5) / max(length, 1)
    if curve == "linear":
        rising = t
        falling = 1.0 - t
    elif curve == "equal-power":
        rising = np.sin(t * np.pi / 2)
        falling = np.cos(t * np.pi / 2)
    else:
        rising = 0.5 - 0.5 * np.cos(np.pi * t)
        falling = 1.0 - rising
    return falling.astype(np.float32)[:, None], rising.astype(np.float32)[:, None]


def crossfade(outgoing: np.ndarray, incoming: np.ndarray, curve: str) -> np.ndarray:
    """``outgoing`` fading out while ``incoming`` fades in; both the same shape."""
    falling, rising = gains(outgoing.shape[0], curve)
    return outgoing * falling + incoming * rising


def fade_out(samples: np.ndarray, length: int, curve: str = "s-curve") -> np.ndarray:
    """A copy with the last ``length`` samples faded to silence."""
    result = samples.copy()
    if length > 0:
        falling, _ = gains(length, curve)
        result[-length:] *= falling
    return result


def fade_in(samples: np.ndarray, length: int, curve: str = "s-curve") -> np.ndarray:
    """A copy with the first ``length`` samples faded up from silence."""
    result = samples.copy()
    if length > 0:
        _, rising = gains(length, curve)
        result[:length] *= rising
    return result


def choose_curve(outgoing: np.ndarray, incoming: np.ndarray) -> str:
    """Linear where the two sides are correlated (it keeps level), else equal power."""
    a, b = outgoing.mean(axis=1), incoming.mean(axis=1)
    denominator = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    if denominator == 0:
        return "equal-power"
    return "linear" if float(np.dot(a, b)) / denominator > 0.5 else "equal-power"
