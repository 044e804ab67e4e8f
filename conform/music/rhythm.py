"""Where a jump keeps the rhythm: onset-pattern alignment of the two sides of a join.

A beat grid tracked at a 23 ms hop, with each beat snapped to its own attack, is good to a
few tens of ms per beat; a cut of many beats can then land off the pulse at one end even
though both ends sit "on a beat". Here the two sides of a jump are aligned on the attacks
themselves: a 2 ms onset envelope (rise of the log energy of the differentiated signal) of
two beats around ``at`` is cross-correlated with the envelope around candidates for
``to`` near a tracked beat, and ``to`` moves to the lag where the patterns coincide. The
peak correlation says whether the spacing was verified (the music repeats its rhythm there)
or not (then the beat grid alone is trusted, and the planner says so in its cost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["Onsets", "fine_onsets", "align"]

VERIFIED = 0.5  # correlation above which the spacing across a jump counts as verified


@dataclass(frozen=True)
class Onsets:
    """A fine onset envelope: ``env[k]`` describes samples ``k*hop`` to ``(k+1)*hop``."""

    env: np.ndarray  # float32
    hop: int


def fine_onsets(mono: np.ndarray, sample_rate: int) -> Onsets:
    """The rise of log energy of the differentiated signal (attacks are bright) per ~2 ms."""
    hop = max(1, sample_rate // 500)
    usable = (len(mono) - 1) // hop * hop
    bright = np.diff(mono[: usable + 1])
    rows = bright.reshape(-1, hop)
    energy = np.einsum("ij,ij->i", rows, rows).astype(np.float64)
    level = np.log10(energy + 1e-9 * hop)
    smooth = np.convolve(level, np.ones(3) / 3.0, mode="same")  # 6 ms: no single-frame noise
    rise = np.maximum(np.diff(smooth, prepend=smooth[:1]), 0.0)
    taps = np.arange(-6, 7)  # a 4 ms Gaussian: attacks a few ms apart still overlap
    rise = np.convolve(rise, np.exp(-0.5 * (taps / 2.0) ** 2), mode="same")
    return Onsets(rise.astype(np.float32), hop)


def align(onsets: Onsets, at: int, guess: int, reach: int, width: int) -> tuple[int, float]:
    """``to`` near ``guess`` (within ``reach`` samples) whose onsets best match those at ``at``.

    Compares ``width`` samples either side of each point; returns the sample and the
    normalised correlation (1 = the same rhythm pattern). Near the ends, the guess stands.
    """
    env, hop = onsets.env, onsets.hop
    w, r = max(2, width // hop), max(1, reach // hop)
    a0, g0 = at // hop, guess // hop
    if a0 - w < 0 or a0 + w > len(env) or g0 - w - r < 0 or g0 + w + r > len(env):
        return guess, 0.0
    ref = env[a0 - w : a0 + w].astype(np.float64)
    ref = ref - ref.mean()
    norm_ref = float(np.sqrt(ref @ ref))
    if norm_ref <= 0:
        return guess, 0.0
    span = env[g0 - w - r : g0 + w + r].astype(np.float64)
    windows = sliding_window_view(span, 2 * w)  # (2r + 1, 2w)
    centred = windows - windows.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred)) * norm_ref
    corr = (centred @ ref) / np.maximum(norms, 1e-12)
    k = int(np.argmax(corr))
    if k in (0, len(corr) - 1):  # the best lag is at the edge of the search: not a match
        return guess, 0.0
    shift = 0.0
    if 0 < k < len(corr) - 1:  # parabolic peak: well under one hop
        a, b, c = corr[k - 1], corr[k], corr[k + 1]
        denom = a - 2 * b + c
        shift = float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5)) if denom else 0.0
    frames = g0 + k - r + shift - a0  # the jump, in envelope frames
    return at + int(round(frames * hop)), float(corr[k])
