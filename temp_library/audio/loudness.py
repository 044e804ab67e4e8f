"""Loudness to broadcast standards: BS.1770-4 integrated, EBU Tech 3342 loudness range,
maximum momentary and short-term loudness, true peak (BS.1770-4 Annex 2) and sample peak.

One `LoudnessMeter`, in the spirit of pyloudnorm's `Meter`: the K-weighting stages are
pyloudnorm's own (`pyloudnorm.iirfilter.IIRfilter`, its public API); gating, windows and LRA
are computed here, streamed: each block is filtered on contiguous ``channels x frames``
float32, its power is summed over the channels with plain numpy (no BLAS call, so no
OpenBLAS threads spin on the other core), and only the last window's worth of power (3 s)
is carried to the next block. What is kept for the whole file is one value per 100 ms
(gating blocks and short-term windows), so memory stays flat whatever the length.
pyloudnorm holds the whole file, loops per block in Python and has no true peak.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "Loudness",
    "LoudnessMeter",
    "LAYOUTS",
    "MEASURE_FIELDS",
    "channel_weights",
    "true_peak_oversampling",
]

MEASURE_FIELDS = (
    "path", "integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs",
    "max_momentary_lufs", "max_short_term_lufs", "duration_s",
)  # fmt: skip
"""The keys of `mconform temp measure --json`, in order (issue 5 fixes them)."""

LAYOUTS: dict[str, dict[int, tuple[str, ...]]] = {
    "smpte": {  # WAV / SMPTE channel order
        1: ("C",),
        2: ("L", "R"),
        3: ("L", "R", "C"),
        5: ("L", "R", "C", "Ls", "Rs"),
        6: ("L", "R", "C", "LFE", "Ls", "Rs"),
        8: ("L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss"),
    },
    "film": {  # film (Pro Tools) channel order
        1: ("C",),
        2: ("L", "R"),
        3: ("L", "C", "R"),
        5: ("L", "C", "R", "Ls", "Rs"),
        6: ("L", "C", "R", "Ls", "Rs", "LFE"),
        8: ("L", "C", "R", "Lss", "Rss", "Lrs", "Rrs", "LFE"),
    },
}
"""The layouts the meter can weight; any other channel count is refused (4 is quad or LCRS)."""

# BS.1770-4: front channels 1.0, surrounds +1.5 dB (1.41, as ffmpeg and Dolby weight every
# surround of 5.1 and 7.1), the LFE is not measured.
_WEIGHT = {"L": 1.0, "R": 1.0, "C": 1.0, "LFE": 0.0}
_SURROUND = 1.41
_ABSOLUTE_GATE = -70.0
_REACH = 64  # input samples each side of the true-peak interpolator
_FFT = 1 << 14  # frames per FFT when oversampling


def channel_weights(channels: int, layout: str = "smpte") -> np.ndarray:
    """BS.1770 channel weights for a layout: surrounds 1.41, LFE excluded; else an error."""
    from temp_library.audio.bwf import AudioError

    if layout not in LAYOUTS:
        raise AudioError(f"unknown channel layout {layout!r}", hint="use smpte or film")
    names = LAYOUTS[layout].get(channels)
    if names is None:
        known = ", ".join(str(n) for n in LAYOUTS[layout])
        raise AudioError(
            f"cannot weight {channels} channels for loudness (BS.1770 needs a known layout)",
            hint=f"measure files with {known} channels, or split the stems",
        )
    return np.array([_WEIGHT.get(name, _SURROUND) for name in names])


def true_peak_oversampling(rate: int) -> int:
    """Oversampling factor: at least 4x, and up to 192 kHz or more (5x at 44.1 kHz)."""
    return max(4, math.ceil(192000 / rate))


@dataclass(frozen=True)
class Loudness:
    """Every figure for one file; None where the file is too short or silent (with a note)."""

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


def _loudness_or_none(power: float) -> float | None:
    return float(_db(power)) if power > 0 else None


def _amplitude_db(value: float) -> float | None:
    return 20.0 * math.log10(value) if value > 0 else None


class _Windows:
    """Sliding means of the power over ``length`` samples every ``step``, fed in pieces."""

    def __init__(self, length: int, step: int, keep: bool) -> None:
        self.length, self.step, self.keep = length, step, keep
        self.next_start = 0  # absolute sample index of the next window
        self.maximum = 0.0
        self.values: list[np.ndarray] = []

    def feed(self, cumulative: np.ndarray, base: int) -> None:
        """Windows that end inside ``cumulative`` (cumulative power from sample ``base``)."""
        end = base + len(cumulative) - 1
        if self.next_start + self.length > end:
            return
        starts = np.arange(self.next_start - base, end - base - self.length + 1, self.step)
        means = (cumulative[starts + self.length] - cumulative[starts]) / self.length
        self.maximum = max(self.maximum, float(means.max()))
        if self.keep:
            self.values.append(means)
        self.next_start = base + int(starts[-1]) + self.step

    def all(self) -> np.ndarray:
        return np.concatenate(self.values) if self.values else np.zeros(0)


class LoudnessMeter:
    """Measures loudness of ``frames x channels`` float audio at one sample rate."""

    def __init__(self, rate: int, layout: str = "smpte", threads: int = 1) -> None:
        from pyloudnorm.iirfilter import IIRfilter
        from scipy.signal import firwin, tf2sos

        from temp_library.audio.bwf import check_format

        check_format(rate, 1)
        self.rate = rate
        self.layout = layout
        self.threads = max(1, threads)  # 1 in pool workers: the pool uses the cores
        if layout not in LAYOUTS:
            channel_weights(2, layout)  # raises the one-line error
        stages = [
            IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),  # BS.1770 stage 1
            IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),  # BS.1770 stage 2 (RLB)
        ]
        self._sos = np.vstack([tf2sos(s.b, s.a) for s in stages]).astype(np.float32)
        factor = true_peak_oversampling(rate)
        # A Kaiser-windowed sinc (beta 8) with its cutoff at the input Nyquist, reaching 64
        # input samples each way: flat within 0.001 dB to 0.96 of Nyquist (the 48-tap
        # example filter of Annex 2 droops near Nyquist and reads hot material low) and
        # over 90 dB of image rejection from 1.08 x Nyquist. Applied by FFT, its length
        # costs nothing. Phase 0 is the input itself (counted as the sample peak).
        import scipy.fft

        taps = firwin(2 * _REACH * factor + 1, 1.0 / factor, window=("kaiser", 8.0)) * factor
        self.oversample = factor
        self._taps = taps
        self._gain_bound = max(float(np.abs(taps[phase::factor]).sum()) for phase in range(factor))
        phases = np.stack([taps[phase::factor][: 2 * _REACH] for phase in range(1, factor)])
        self._spectra = scipy.fft.rfft(phases, _FFT, axis=-1).astype(np.complex64)[None]

    @property
    def interpolator(self) -> tuple[np.ndarray, int]:
        """The true-peak interpolation filter (centred, 2 x 64 x factor + 1 taps) and factor."""
        return self._taps, self.oversample

    def measure(self, audio: np.ndarray) -> Loudness:
        """All figures for a whole signal held in memory."""
        step = max(self.rate, (1 << 20) // max(1, audio.shape[1] if audio.ndim == 2 else 1))
        return self.measure_blocks(audio[i : i + step] for i in range(0, len(audio), step))

    def measure_blocks(self, blocks: Iterable[np.ndarray], total: int | None = None) -> Loudness:
        """All figures from consecutive ``frames x channels`` blocks of one signal, streamed."""
        # With threads, the true peak of a block runs beside the K-weighting of the next
        # (numpy, scipy.fft and sosfilt release the GIL); in a scan worker it runs inline.
        peaks = ThreadPoolExecutor(1) if self.threads > 1 else None
        try:
            return self._stream(blocks, peaks)
        finally:
            if peaks is not None:
                peaks.shutdown(wait=True, cancel_futures=True)

    def _stream(self, blocks: Iterable[np.ndarray], peaks: ThreadPoolExecutor | None) -> Loudness:
        """The loop of `measure_blocks`."""
        from scipy.signal import sosfilt

        from temp_library.audio.bwf import AudioError

        rate = self.rate
        hundred = int(round(0.1 * rate))
        fine = max(1, rate // 1000)
        gating = _Windows(4 * hundred, hundred, keep=True)  # 400 ms, 75 % overlap
        short = _Windows(30 * hundred, hundred, keep=True)  # 3 s every 100 ms (LRA)
        momentary_max = _Windows(4 * hundred, fine, keep=False)  # max M at 1 ms steps
        short_max = _Windows(30 * hundred, fine, keep=False)  # max S at 1 ms steps
        windows = (gating, short, momentary_max, short_max)
        weights: np.ndarray | None = None
        state: np.ndarray | None = None
        carry = np.zeros(0)  # power of the samples a later window still needs
        base = 0  # absolute index of carry[0]
        frames, sample_peak, true_peak = 0, 0.0, 0.0
        tail: np.ndarray | None = None
        pending: Future | None = None
        for raw in blocks:
            block = np.asarray(raw, dtype=np.float32)
            if block.ndim == 1:
                block = block[:, None]
            if weights is None:
                weights = channel_weights(block.shape[1], self.layout)
                state = np.zeros((len(self._sos), block.shape[1], 2), np.float32)
            if block.shape[0] == 0:
                continue
            high, low = float(block.max()), float(block.min())
            if not (math.isfinite(high) and math.isfinite(low)):
                bad = int(np.argmax(~np.isfinite(block).all(axis=1))) + frames
                raise AudioError(
                    f"non-finite samples (NaN or Inf) at {bad / rate:.3f} s: no loudness",
                    hint="repair or re-export the file",
                )
            sample_peak = max(sample_peak, high, -low)
            planar = np.ascontiguousarray(block.T)  # channels x frames: sosfilt runs 2x faster
            if peaks is None:
                true_peak = self._true_peak(planar, tail, max(true_peak, sample_peak))
            else:  # the previous block's true peak is the floor of this one's, in order
                floor = max(pending.result() if pending else 0.0, sample_peak)
                pending = peaks.submit(self._true_peak, planar, tail, floor)
            tail = np.concatenate([tail, planar], axis=1)[:, -2 * _REACH :] if tail is not None \
                else planar[:, -2 * _REACH :]  # fmt: skip
            weighted, state = sosfilt(self._sos, planar, axis=-1, zi=state)
            np.square(weighted, out=weighted)
            power = np.zeros(weighted.shape[1], np.float64)
            for channel, weight in enumerate(weights):  # no matmul: no BLAS threads
                if weight:
                    power += weighted[channel] if weight == 1.0 else weight * weighted[channel]
            frames += block.shape[0]
            power = np.concatenate([carry, power])
            cumulative = np.empty(len(power) + 1)
            cumulative[0] = 0.0
            np.cumsum(power, out=cumulative[1:])
            for window in windows:
                window.feed(cumulative, base)
            keep_from = min(w.next_start for w in windows)
            carry = power[keep_from - base :]
            base = keep_from
        if pending is not None:
            true_peak = pending.result()
        if frames == 0 or weights is None:
            return Loudness(None, None, None, None, None, None, 0.0, "empty file")
        return self._figures(frames, windows, sample_peak, true_peak)

    def _figures(
        self, frames: int, windows: tuple[_Windows, ...], sample_peak: float, true_peak: float
    ) -> Loudness:
        """The figures (and the note on what is missing and why) from the windows."""
        gating, short, momentary_max, short_max = windows
        duration = frames / self.rate
        notes = []
        blocks = gating.all()
        integrated = None
        if len(blocks) == 0:
            notes.append("shorter than one 400 ms gating block: no loudness")
        else:
            loud = _db(blocks)
            above = blocks[loud > _ABSOLUTE_GATE]
            if len(above) == 0:
                notes.append("silent: below the -70 LUFS gate")
            else:
                relative = _db(above.mean()) - 10.0
                integrated = float(_db(blocks[(loud > _ABSOLUTE_GATE) & (loud > relative)].mean()))
        lra = None
        terms = short.all()
        if len(terms) == 0:
            notes.append("shorter than 3 s: no short-term loudness or loudness range")
        else:
            loud = _db(terms)
            loud = loud[loud > _ABSOLUTE_GATE]
            if len(loud):
                relative = _db(np.mean(10 ** ((loud + 0.691) / 10))) - 20.0
                loud = loud[loud > relative]
                low, high = np.percentile(loud, [10, 95])
                lra = float(high - low)
            elif integrated is not None:
                notes.append("no 3 s window above the -70 LUFS gate: no loudness range")
        return Loudness(
            integrated_lufs=integrated,
            loudness_range_lu=lra,
            true_peak_dbtp=_amplitude_db(max(true_peak, sample_peak)),
            sample_peak_dbfs=_amplitude_db(sample_peak),
            max_momentary_lufs=_loudness_or_none(momentary_max.maximum),
            max_short_term_lufs=_loudness_or_none(short_max.maximum) if len(terms) else None,
            duration_s=duration,
            note="; ".join(notes),
        )

    def _true_peak(self, planar: np.ndarray, tail: np.ndarray | None, floor: float) -> float:
        """The highest peak of the oversampled signal (BS.1770-4 Annex 2), at least ``floor``.

        Each oversampling phase is a 128-tap FIR, applied by FFT a chunk of 16 384 frames at a
        time (the cost does not grow with the filter's length, so it can be long and flat).
        Only chunks that can beat ``floor`` (the peak known so far) are computed, loudest
        first: an interpolated value is at most the filter's largest per-phase absolute sum
        times the largest input sample it reaches. The filter reaches 64 samples each way;
        at the very start and end of a file it would ring against the silence assumed
        outside, so those samples count by their sample peak only.
        """
        import scipy.fft

        reach, step = _REACH, _FFT - 2 * _REACH
        context = np.concatenate([tail, planar], axis=1) if tail is not None else planar
        first = max(tail.shape[1] - reach, reach) if tail is not None else reach
        last = context.shape[1] - reach  # the next block (or the file's end) covers the rest
        if last <= first:
            return floor
        starts = np.arange(first, last, step)
        magnitude = np.abs(context).max(axis=0)
        reached = np.maximum.reduceat(magnitude, np.r_[0, starts[1:] - reach])
        best = floor
        for index in np.argsort(-reached, kind="stable"):
            if reached[index] * self._gain_bound <= best:
                break
            lo = int(starts[index])
            hi = min(lo + step, last)
            piece = np.zeros((context.shape[0], _FFT), np.float32)
            piece[:, : hi - lo + 2 * reach] = context[:, lo - reach : hi + reach]
            spectrum = scipy.fft.rfft(piece, axis=-1, workers=self.threads)
            phases = scipy.fft.irfft(
                spectrum[:, None, :] * self._spectra[0], _FFT, axis=-1, workers=self.threads
            )
            best = max(best, float(np.abs(phases[..., 2 * reach : 2 * reach + hi - lo]).max()))
        return best
