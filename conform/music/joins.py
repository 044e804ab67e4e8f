"""Where a cue can jump, and how a listener would hear each jump: the join scorer.

A join plays the cue up to ``at`` and continues from ``to``. Its cost adds:

- the **seam**: timbre + harmony change across the join (the window before ``at`` against
  the window after ``to``), divided by the median of the same change at every moment of
  the cue, so 1.0 is "as abrupt as this music usually is from moment to moment";
- the **context**: how unlike the music around ``at`` is to the music around ``to``
  (before vs before, after vs after, block by block over one to two bars), divided by the
  median change from one bar to the next: what follows sounds like what would have followed;
- **loudness continuity** at 400 ms and 3 s: a step beyond the cue's own local variation
  (its 90th percentile) costs, and one more than 2 LU beyond it (a margin under
  the 3 LU a listener notices) rejects the join;
- **rhythm**: the error in beat spacing across the join, relative to the beat.

Timbre is mean-removed, unit-spread MFCC-like cepstra, harmony is chroma (`features`), so a
constant spectral tilt cannot make unlike music look alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conform.music.beats import Beats
from conform.music.features import Features

__all__ = ["Scorer", "Candidate"]

_BLOCKS = 4  # sub-blocks per context window
_LOUDNESS_LIMIT = 2.0  # LU beyond the local variation that rejects a join (a margin under 3)


@dataclass(frozen=True)
class Candidate:
    """A scored jump: ``cost`` is lower for better joins, ``inf`` when rejected."""

    at: int
    to: int
    cost: float
    seam: float
    context: float
    loudness_step: float  # LU at 400 ms, signed (after minus before)
    loudness_excess: float  # LU beyond the local variation (0 when within it)
    rhythm_error: int  # samples, signed; 0 when unpulsed


class Scorer:
    """Scores candidate joins of one cue quickly (cumulative sums, vectorised)."""

    def __init__(self, feats: Features, beats: Beats) -> None:
        self.feats = feats
        self.beats = beats
        fr = feats.frame_rate
        bar = beats.period * beats.beats_per_bar if beats.pulsed else 2.0 * feats.sample_rate
        self.bar = float(bar)
        window = int(np.clip(bar / feats.hop, 1.0 * fr, 4.0 * fr))
        self.window = max(window - window % _BLOCKS, _BLOCKS)  # frames, one to two bars
        self.seam_window = max(2, int(round(1.0 * fr)))  # one second either side
        both = np.concatenate([feats.timbre / np.sqrt(feats.timbre.shape[1]), feats.chroma], 1)
        self._cum = np.concatenate([np.zeros((1, both.shape[1])), np.cumsum(both, axis=0)])
        self._ntimbre = feats.timbre.shape[1]
        self._power = np.concatenate([[0.0], np.cumsum(feats.power)])
        frames = np.arange(feats.frames)
        self._seam_norm = self._median(self._seam_frames(frames, frames))
        step = max(1, int(round(self.bar / feats.hop)))
        starts = frames[self.window : feats.frames - self.window - step : max(1, step // 4)]
        self._context_norm = self._median(self._context_frames(starts, starts + step))
        self._loud_var = {}
        for seconds in (0.4, 3.0):
            n = max(1, int(round(seconds * fr)))
            inner = frames[n : feats.frames - n]
            steps = np.abs(self._level(inner, inner + n) - self._level(inner - n, inner))
            self._loud_var[seconds] = float(np.percentile(steps, 90)) if len(steps) else 0.0

    @staticmethod
    def _median(values: np.ndarray) -> float:
        finite = values[np.isfinite(values)]
        return max(float(np.median(finite)), 1e-6) if len(finite) else 1.0

    def _mean(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo = np.clip(lo, 0, self.feats.frames)
        hi = np.clip(hi, 0, self.feats.frames)
        span = np.maximum(hi - lo, 1)[..., None]
        return (self._cum[hi] - self._cum[lo]) / span

    def _distance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Timbre distance plus harmony distance of two mean feature vectors."""
        k = self._ntimbre
        timbre = np.linalg.norm(a[..., :k] - b[..., :k], axis=-1)
        ca, cb = a[..., k:], b[..., k:]
        cosine = np.sum(ca * cb, axis=-1) / (
            np.linalg.norm(ca, axis=-1) * np.linalg.norm(cb, axis=-1) + 1e-9
        )
        return timbre + (1.0 - cosine)

    def _seam_frames(self, at: np.ndarray, to: np.ndarray) -> np.ndarray:
        w = self.seam_window
        return self._distance(self._mean(at - w, at), self._mean(to, to + w))

    def _context_frames(self, at: np.ndarray, to: np.ndarray) -> np.ndarray:
        w, size = self.window, self.window // _BLOCKS
        offsets = np.arange(-w, w, size)
        lo_a = at[:, None] + offsets[None, :]
        lo_b = to[:, None] + offsets[None, :]
        d = self._distance(self._mean(lo_a, lo_a + size), self._mean(lo_b, lo_b + size))
        return d.mean(axis=1)

    def _level(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo = np.clip(lo, 0, self.feats.frames)
        hi = np.clip(hi, lo + 1, self.feats.frames)
        mean = (self._power[hi] - self._power[lo]) / np.maximum(hi - lo, 1)
        return 10.0 * np.log10(np.maximum(mean, 1e-10))

    def rhythm_error(self, at: np.ndarray, to: np.ndarray) -> np.ndarray:
        """Signed error (samples) of the beat spacing heard across each join."""
        beats = self.beats.beats
        if not self.beats.pulsed or len(beats) < 2:
            return np.zeros(len(at), dtype=np.int64)
        period = self.beats.period
        before = beats[np.clip(np.searchsorted(beats, at, side="right") - 1, 0, len(beats) - 1)]
        after = beats[np.clip(np.searchsorted(beats, to, side="left"), 0, len(beats) - 1)]
        heard = (at - before) + (after - to)
        wrapped = heard - np.rint(heard / period) * period
        return np.rint(wrapped).astype(np.int64)

    def score(
        self, at: np.ndarray, to: np.ndarray, verified: np.ndarray | None = None
    ) -> list[Candidate]:
        """Every join (at[i] -> to[i]) scored; rejected ones cost ``inf``.

        ``verified`` marks joins whose two sides were aligned on their attacks (`rhythm`):
        their beat spacing is kept, whatever the tracked grid says.
        """
        at = np.asarray(at, dtype=np.int64)
        to = np.asarray(to, dtype=np.int64)
        if not len(at):
            return []
        f = self.feats
        fa = np.clip(np.rint((at - f.window // 2) / f.hop).astype(np.int64), 0, f.frames - 1)
        ft = np.clip(np.rint((to - f.window // 2) / f.hop).astype(np.int64), 0, f.frames - 1)
        seam = self._seam_frames(fa, ft) / self._seam_norm
        context = self._context_frames(fa, ft) / self._context_norm
        excess = np.zeros(len(at))
        step400 = np.zeros(len(at))
        for seconds, var in self._loud_var.items():
            n = max(1, int(round(seconds * f.frame_rate)))
            step = self._level(ft, ft + n) - self._level(fa - n, fa)
            if seconds == 0.4:
                step400 = step
            excess = np.maximum(excess, np.abs(step) - var)
        excess = np.maximum(excess, 0.0)
        rhythm = self.rhythm_error(at, to)
        if verified is not None:
            rhythm = np.where(verified, 0, rhythm)
        period = self.beats.period if self.beats.pulsed else 0.0
        rhythm_cost = np.abs(rhythm) / period * 8.0 if period else np.zeros(len(at))
        cost = 0.65 * seam + 0.35 * context + 0.3 * excess + rhythm_cost
        cost = np.where(excess > _LOUDNESS_LIMIT, np.inf, cost)
        return [
            Candidate(int(a), int(b), float(c), float(s), float(x), float(ld), float(e), int(r))
            for a, b, c, s, x, ld, e, r in zip(
                at, to, cost, seam, context, step400, excess, rhythm, strict=True
            )
        ]
