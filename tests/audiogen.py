"""Synthesised cues with a known tempo and known hits, made in code (nothing committed)."""

from __future__ import annotations

import numpy as np

ROOTS = [110.0, 87.31, 130.81, 98.0]  # A, F, C, G: one chord per bar, four-bar loop


def cue_stems(
    sample_rate: int = 48000, seconds: float = 24.0, bpm: float = 120.0, seed: int = 0
) -> dict[str, np.ndarray]:
    """Drums on every beat (accented downbeat), a bass line and a pad, as stereo float32."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    t = np.arange(n) / sample_rate
    beat = 60.0 / bpm
    drums = np.zeros(n, dtype=np.float64)
    hit = np.exp(-np.arange(int(0.12 * sample_rate)) / (0.02 * sample_rate))
    noise = rng.standard_normal(len(hit)) * hit
    noise /= np.max(np.abs(noise))
    for k in range(int(seconds / beat) + 1):
        start = int(round(k * beat * sample_rate))
        if start >= n:
            break
        gain = 0.5 if k % 4 == 0 else 0.25
        end = min(n, start + len(hit))
        drums[start:end] += gain * noise[: end - start]
    bar = (t / (4 * beat)).astype(int) % len(ROOTS)
    roots = np.asarray(ROOTS)[bar]
    bass = 0.2 * np.sin(2 * np.pi * np.cumsum(roots) / sample_rate)
    pad = 0.08 * sum(np.sin(2 * np.pi * np.cumsum(roots * r) / sample_rate) for r in (2, 2.5, 3))
    return {name: _stereo(x) for name, x in (("drums", drums), ("bass", bass), ("pad", pad))}


def beat_samples(sample_rate: int, seconds: float, bpm: float) -> np.ndarray:
    step = 60.0 / bpm * sample_rate
    return np.round(np.arange(0, seconds * sample_rate, step)).astype(np.int64)


def _stereo(x: np.ndarray) -> np.ndarray:
    return np.stack([x, 0.9 * x], axis=1).astype(np.float32)
