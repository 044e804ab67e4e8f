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
from scipy.signal import lfilter, resample_poly

__all__ = ["Loudness", "LoudnessMeter", "LAYOUTS", "channel_weights"]

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
        self._stages = [(f.b, f.a) for f in meter._filters.values()]  # K-weighting
        self.oversample = 4 if rate < 96000 else (2 if rate < 192000 else 1)

    def measure(self, audio: np.ndarray) -> Loudness:
        """All figures for a whole signal held in memory."""
        return self.measure_blocks([audio], audio.shape[0])

    def measure_blocks(self, blocks: Iterable[np.ndarray], total: int | None = None) -> Loudness:
        """All figures from consecutive blocks of one signal (for files read in pieces)."""
        rate = self.rate
        filter_state: list[np.ndarray] | None = None
        weights: np.ndarray | None = None
        power_parts: list[np.ndarray] = []
        sample_peak = 0.0
        true_peak = 0.0
        tail: np.ndarray | None = None
        frames = 0
        for raw in blocks:
            block = np.asarray(raw, dtype=np.float64)
            if block.ndim == 1:
                block = block[:, None]
            if weights is None:
                weights = channel_weights(block.shape[1], self.layout)
                filter_state = [
                    np.zeros((max(len(a), len(b)) - 1, block.shape[1])) for b, a in self._stages
                ]
            assert filter_state is not None
            if block.shape[0] == 0:
                continue
            frames += block.shape[0]
            sample_peak = max(sample_peak, float(np.max(np.abs(block))))
            true_peak = max(true_peak, self._true_peak(block, tail))
            tail = np.concatenate([tail, block])[-64:] if tail is not None else block[-64:]
            weighted = block
            for index, (b, a) in enumerate(self._stages):
                weighted, filter_state[index] = lfilter(b, a, weighted, axis=0,
                                                        zi=filter_state[index])  # fmt: skip
            power_parts.append((weighted**2) @ weights)
        duration = frames / rate
        if frames == 0 or weights is None:
            return Loudness(None, None, None, None, None, None, 0.0, "empty file")
        power = np.concatenate(power_parts)
        cumulative = np.concatenate([[0.0], np.cumsum(power)])
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

    def _true_peak(self, block: np.ndarray, tail: np.ndarray | None) -> float:
        """Peak of the signal oversampled 4x (2x at 96 kHz), per BS.1770-4 Annex 2.

        The interpolation filter reaches ten input samples each way; at the very start and
        end of a file it would ring against the silence assumed outside it, so those few
        samples count by their sample peak only (which the caller takes anyway).
        """
        if self.oversample == 1:
            return float(np.max(np.abs(block)))
        reach = 10
        context = np.concatenate([tail, block]) if tail is not None else block
        start = len(tail) - reach if tail is not None else reach
        up = resample_poly(context, self.oversample, 1, axis=0)
        stop = len(context) - reach  # the next block (or the file's end) covers the rest
        if stop <= start:
            return 0.0
        return float(np.max(np.abs(up[start * self.oversample : stop * self.oversample])))
