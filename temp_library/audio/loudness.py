"""Loudness to broadcast standards: BS.1770-4 integrated, EBU Tech 3342 loudness range,
maximum momentary and short-term loudness, true peak (BS.1770-4 Annex 2) and sample peak.

One `LoudnessMeter`, in the spirit of pyloudnorm's `Meter`: the K-weighting filters are
pyloudnorm's own; gating, momentary/short-term windows and LRA are computed here from
running sums of the filtered power so that every figure comes from one pass, vectorised,
in blocks for long files (pyloudnorm's per-block Python loops are too slow for a library
of hundreds of tracks, and it has no true peak).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pyloudnorm
from scipy.signal import firwin, sosfilt, tf2sos, upfirdn

__all__ = ["Loudness", "LoudnessMeter", "LAYOUTS", "MEASURE_FIELDS", "channel_weights"]

MEASURE_FIELDS = (
    "path", "integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs",
    "max_momentary_lufs", "max_short_term_lufs", "duration_s",
)  # fmt: skip
"""The keys of `mconform temp measure --json`, in order (issue 5 fixes them)."""

LAYOUTS = {
    "smpte": ("L", "R", "C", "LFE", "Ls", "Rs"),  # WAV / SMPTE order
    "film": ("L", "C", "R", "Ls", "Rs", "LFE"),  # film order
}
_WEIGHT = {"L": 1.0, "R": 1.0, "C": 1.0, "LFE": 0.0, "Ls": 1.41, "Rs": 1.41}
_ABSOLUTE_GATE = -70.0


def channel_weights(channels: int, layout: str = "smpte") -> np.ndarray:
    """BS.1770 channel weights: surrounds 1.41, LFE excluded; 5.0 is L R C Ls Rs."""
    if channels == 6:
        return np.array([_WEIGHT[name] for name in LAYOUTS[layout]])
    if channels == 5:
        return np.array([1.0, 1.0, 1.0, 1.41, 1.41])
    return np.ones(channels)


@dataclass(frozen=True)
class Loudness:
    """Every figure for one file; None where the file is too short for it (with a note)."""

    integrated_lufs: float | None
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    max_momentary_lufs: float | None
    max_short_term_lufs: float | None
    duration_s: float
    note: str = ""

    def as_dict(self) -> dict[str, float | None | str]:
        return asdict(self)


def _db(power: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def _amplitude_db(value: float) -> float | None:
    return 20.0 * math.log10(value) if value > 0 else None


class LoudnessMeter:
    """Measures loudness of ``frames x channels`` float audio at one sample rate."""

    def __init__(self, rate: int, layout: str = "smpte", block_seconds: float = 10.0) -> None:
        self.rate = rate
        self.layout = layout
        self.block = max(int(block_seconds * rate), rate)
        meter = pyloudnorm.Meter(rate)
        stages = [tf2sos(f.b, f.a) for f in meter._filters.values()]  # K-weighting
        self._sos = np.vstack(stages).astype(np.float32)  # float32 audio filters in float32
        self.oversample = 4 if rate < 96000 else (2 if rate < 192000 else 1)
        # resample_poly's own filter design, to bound what interpolation can add
        half = 6 * self.oversample  # 48 taps at 4x, as in BS.1770-4 Annex 2
        taps = firwin(2 * half + 1, 1.0 / self.oversample, window=("kaiser", 5.0))
        taps *= self.oversample
        self._taps, self._delay = taps, half
        self._gain_bound = max(
            float(np.abs(taps[phase :: self.oversample]).sum()) for phase in range(self.oversample)
        )

    def measure(self, audio: np.ndarray) -> Loudness:
        """All figures for a whole signal held in memory."""
        return self.measure_blocks([audio], audio.shape[0])

    def measure_blocks(self, blocks: Iterable[np.ndarray], total: int | None = None) -> Loudness:
        """All figures from consecutive blocks of one signal (for files read in pieces)."""
        rate = self.rate
        filter_state: np.ndarray | None = None
        weights: np.ndarray | None = None
        power_parts: list[np.ndarray] = []
        sample_peak = 0.0
        true_peak = 0.0
        tail: np.ndarray | None = None
        frames = 0
        for raw in blocks:
            block = np.asarray(raw, dtype=np.float32)
            if block.ndim == 1:
                block = block[:, None]
            if weights is None:
                weights = channel_weights(block.shape[1], self.layout)
                filter_state = np.zeros((len(self._sos), 2, block.shape[1]), np.float32)
            assert filter_state is not None
            if block.shape[0] == 0:
                continue
            frames += block.shape[0]
            sample_peak = max(sample_peak, float(block.max()), -float(block.min()))
            true_peak = max(true_peak, self._true_peak(block, tail, max(true_peak, sample_peak)))
            tail = np.concatenate([tail, block])[-64:] if tail is not None else block[-64:]
            weighted, filter_state = sosfilt(self._sos, block, axis=0, zi=filter_state)
            power_parts.append(np.square(weighted) @ weights.astype(np.float32))
        duration = frames / rate
        if frames == 0 or weights is None:
            return Loudness(None, None, None, None, None, None, 0.0, "empty file")
        power = np.concatenate(power_parts)
        cumulative = np.concatenate([[0.0], np.cumsum(power, dtype=np.float64)])
        integrated, momentary_max, note = self._integrated(cumulative, frames)
        short_max, lra = self._short_term(cumulative, frames)
        notes = [n for n in (note, "" if short_max is not None else "shorter than 3 s: "
                 "no short-term loudness or loudness range") if n]  # fmt: skip
        return Loudness(
            integrated_lufs=integrated,
            loudness_range_lu=lra,
            true_peak_dbtp=_amplitude_db(max(true_peak, sample_peak)),
            sample_peak_dbfs=_amplitude_db(sample_peak),
            max_momentary_lufs=momentary_max,
            max_short_term_lufs=short_max,
            duration_s=duration,
            note="; ".join(notes),
        )

    def _windows(self, cumulative: np.ndarray, frames: int, seconds: float, step: int):  # noqa: ANN202
        length = int(round(seconds * self.rate))
        if frames < length:
            return None
        starts = np.arange(0, frames - length + 1, step)
        return (cumulative[starts + length] - cumulative[starts]) / length

    def _integrated(
        self, cumulative: np.ndarray, frames: int
    ) -> tuple[float | None, float | None, str]:
        """BS.1770-4 gated loudness over 400 ms blocks with 75 % overlap; max momentary."""
        step = int(round(0.1 * self.rate))
        blocks = self._windows(cumulative, frames, 0.4, step)
        if blocks is None:
            return None, None, "shorter than one 400 ms gating block: no loudness"
        fine = self._windows(cumulative, frames, 0.4, max(1, self.rate // 1000))
        momentary_max = float(_db(fine.max())) if fine is not None and fine.max() > 0 else None
        loud = _db(blocks)
        above = blocks[loud > _ABSOLUTE_GATE]
        if len(above) == 0:
            return None, momentary_max, "silent: below the -70 LUFS gate"
        relative = _db(above.mean()) - 10.0
        gated = blocks[(loud > _ABSOLUTE_GATE) & (loud > relative)]
        return float(_db(gated.mean())), momentary_max, ""

    def _short_term(self, cumulative: np.ndarray, frames: int) -> tuple[float | None, float | None]:
        """Maximum short-term loudness and EBU Tech 3342 loudness range."""
        fine = self._windows(cumulative, frames, 3.0, max(1, self.rate // 1000))
        if fine is None:
            return None, None
        short_max = float(_db(fine.max())) if fine.max() > 0 else None
        blocks = self._windows(cumulative, frames, 3.0, int(round(0.1 * self.rate)))
        loud = _db(blocks)
        loud = loud[loud > _ABSOLUTE_GATE]
        if len(loud) == 0:
            return short_max, None
        relative = _db(np.mean(10 ** ((loud + 0.691) / 10))) - 20.0
        loud = loud[loud > relative]
        if len(loud) == 0:
            return short_max, None
        low, high = np.percentile(loud, [10, 95])
        return short_max, float(high - low)

    def _true_peak(self, block: np.ndarray, tail: np.ndarray | None, floor: float) -> float:
        """The highest peak of the signal oversampled 4x (2x at 96 kHz), BS.1770-4 Annex 2.

        Only what can beat ``floor`` (the peak known so far) is oversampled: an interpolated
        value is at most the filter's largest per-phase absolute sum times the largest
        input sample it reaches, so quieter stretches are skipped without changing the
        answer. The filter reaches six samples each way; at the very start and end of a file
        it would ring against the silence assumed outside, so those samples count by their
        sample peak only.
        """
        if self.oversample == 1:
            return float(np.max(np.abs(block)))
        reach, size = 6, 1024
        context = np.concatenate([tail, block]) if tail is not None else block
        first = len(tail) - reach if tail is not None else reach
        last = len(context) - reach  # the next block (or the file's end) covers the rest
        if last <= first:
            return 0.0
        count = -(-(last - first) // size)
        padded = np.zeros((count * size, context.shape[1]))
        padded[: last - first] = np.abs(context[first:last])
        loudest = padded.reshape(count, -1).max(axis=1)
        near = np.maximum(loudest, np.maximum(np.r_[0, loudest[:-1]], np.r_[loudest[1:], 0]))
        best = floor
        for segment in np.argsort(-near):
            if near[segment] * self._gain_bound <= best:
                break
            lo = first + segment * size
            hi = min(lo + size, last)
            start = max(lo - 2 * reach, 0)
            piece = context[start : min(hi + 2 * reach, len(context))]
            up = upfirdn(self._taps, piece, self.oversample, axis=0)
            at = (lo - start) * self.oversample + self._delay  # output k is input (k - delay)/up
            best = max(best, float(np.max(np.abs(up[at : at + (hi - lo) * self.oversample]))))
        return best
