"""Loudness to broadcast standards: BS.1770-4 integrated, EBU Tech 3342 loudness range,
maximum momentary and short-term loudness, true peak (BS.1770-4 Annex 2) and sample peak.

One `LoudnessMeter`, in the spirit of pyloudnorm's `Meter`: the K-weighting stages are
pyloudnorm's formulas (computed here, checked equal to its `IIRfilter` in tests) run as an
exact block IIR (matrix products, no scipy.signal: start-up); gating, windows and LRA are
computed here, streamed: each block is filtered on contiguous ``channels x frames`` float32,
its power is summed over the channels and into ~1 ms bins (a bin divides 100 ms, so every
window the standard asks for is a whole number of bins: the same figures), and only the last
window's worth of bins (3 s) is carried to the next block. What is kept for the whole file
is one value per 100 ms, so memory stays flat whatever the length. True peak is searched
only where the interpolator's overshoot bound could beat the peak found so far (exact).
pyloudnorm holds the whole file, loops per block in Python and has no true peak.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from types import ModuleType

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
_SCIPY_AFTER = 256  # chunks oversampled with numpy's FFT before scipy.fft is worth importing


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
    """Sliding means of the power over ``length`` bins every ``step``, fed in pieces."""

    def __init__(self, length: int, step: int, keep: bool, width: int = 1) -> None:
        self.length, self.step, self.keep = length, step, keep
        self.samples = length * width  # a bin holds the power of ``width`` samples
        self.next_start = 0  # absolute sample index of the next window
        self.maximum = 0.0
        self.values: list[np.ndarray] = []

    def feed(self, cumulative: np.ndarray, base: int) -> None:
        """Windows that end inside ``cumulative`` (cumulative power from bin ``base``)."""
        end = base + len(cumulative) - 1
        if self.next_start + self.length > end:
            return
        starts = np.arange(self.next_start - base, end - base - self.length + 1, self.step)
        means = (cumulative[starts + self.length] - cumulative[starts]) / self.samples
        self.maximum = max(self.maximum, float(means.max()))
        if self.keep:
            self.values.append(means)
        self.next_start = base + int(starts[-1]) + self.step

    def all(self) -> np.ndarray:
        return np.concatenate(self.values) if self.values else np.zeros(0)


def k_weighting_sections(rate: int) -> np.ndarray:
    """The two BS.1770 K-weighting biquads at ``rate`` as second-order sections (a0 = 1).

    pyloudnorm's formulas (RBJ cookbook shelf and high-pass, its `IIRfilter` defaults) so the
    figures stay pyloudnorm's; computed here so measuring never imports scipy.signal, whose
    import costs more than measuring a minute of audio (tests check they equal pyloudnorm's).
    """
    rows = []
    for gain, q, centre, kind in ((4.0, 1 / math.sqrt(2), 1500.0, "shelf"), (0.0, 0.5, 38.0, "hp")):
        big = 10 ** (gain / 40.0)
        w0 = 2.0 * math.pi * centre / rate
        alpha, cos = math.sin(w0) / (2.0 * q), math.cos(w0)
        if kind == "shelf":
            root = 2 * math.sqrt(big) * alpha
            b = (big * ((big + 1) + (big - 1) * cos + root),
                 -2 * big * ((big - 1) + (big + 1) * cos),
                 big * ((big + 1) + (big - 1) * cos - root))  # fmt: skip
            a = ((big + 1) - (big - 1) * cos + root, 2 * ((big - 1) - (big + 1) * cos),
                 (big + 1) - (big - 1) * cos - root)  # fmt: skip
        else:
            b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
            a = (1 + alpha, -2 * cos, 1 - alpha)
        rows.append([v / a[0] for v in (*b, *a)])
    return np.array(rows)


def kaiser_lowpass(taps: int, cutoff: float, beta: float) -> np.ndarray:
    """A Kaiser-windowed sinc low-pass, unity gain at DC: `scipy.signal.firwin` with
    ``window=("kaiser", beta)`` (cutoff relative to Nyquist), without importing scipy.signal."""
    centred = np.arange(taps) - 0.5 * (taps - 1)
    response = cutoff * np.sinc(cutoff * centred) * np.kaiser(taps, beta)
    return response / response.sum()


_CHUNK = 64  # samples per chunk of the block IIR
_GROUP = 64  # chunks per group of the block IIR


class _BlockIIR:
    """A cascade of biquads run on whole blocks as a few matrix products, exactly.

    Why our own: scipy's `sosfilt` is a sample-by-sample loop (the meter's largest cost) and
    importing scipy.signal costs over a second. The cascade is a linear state-space system:
    within a chunk of 64 samples its zero-state output is a 64 x 64 Toeplitz product of the
    (exact, untruncated) impulse response, and its effect on the state a 64 x 4 product; the
    chunks' start states follow by the same rule one level up (64 chunks to a group), and a
    short Python loop over the groups carries the state. States are float64 (scipy's
    direct form II transposed layout), samples float32; output matches sosfilt to float32
    rounding.
    """

    def __init__(self, sections: np.ndarray) -> None:
        a_mat, b_vec, c_vec, d = np.zeros((0, 0)), np.zeros(0), np.zeros(0), 1.0
        for b0, b1, b2, _, a1, a2 in sections:
            a_s = np.array([[-a1, 1.0], [-a2, 0.0]])
            b_s, c_s = np.array([b1 - a1 * b0, b2 - a2 * b0]), np.array([1.0, 0.0])
            n = len(b_vec)
            joined = np.zeros((n + 2, n + 2))
            joined[:n, :n], joined[n:, :n], joined[n:, n:] = a_mat, np.outer(b_s, c_vec), a_s
            a_mat, b_vec = joined, np.concatenate([b_vec, b_s * d])
            c_vec, d = np.concatenate([b0 * c_vec, c_s]), b0 * d
        size, chunk, group = len(b_vec), _CHUNK, _GROUP
        powers = [np.eye(size)]
        for _ in range(chunk):
            powers.append(a_mat @ powers[-1])
        impulse = np.array([d] + [c_vec @ powers[k - 1] @ b_vec for k in range(1, chunk)])
        lag = np.arange(chunk)[:, None] - np.arange(chunk)[None, :]
        toeplitz = np.where(lag >= 0, impulse[np.clip(lag, 0, None)], 0.0)
        self.size = size
        self._toeplitz = toeplitz  # y = T x within a chunk from a zero state
        self._observe_t = np.stack([c_vec @ powers[i] for i in range(chunk)]).T  # (size, L)
        # one product per block: [inputs | start state] x [T' ; O'] gives the output
        self._response32 = np.vstack([toeplitz.T, self._observe_t]).astype(np.float32)
        self._gather = np.stack([powers[chunk - 1 - j] @ b_vec for j in range(chunk)])  # (L, n)
        self._gather32 = self._gather.astype(np.float32)
        self._powers = np.stack(powers)
        step = powers[chunk]  # the state across one chunk
        steps = [np.eye(size)]
        for _ in range(group):
            steps.append(step @ steps[-1])
        # within a group: state before chunk m (m = 0..G) from the chunks' own inputs
        spread = np.zeros((group + 1, size, group, size))
        for m in range(group + 1):
            for j in range(m):
                spread[m, :, j, :] = steps[m - 1 - j]
        self._spread_t = spread.reshape((group + 1) * size, group * size).T
        self._step = step
        self._across = steps[group]  # the state across one group
        self._steps_t = np.stack(steps[:group]).transpose(2, 0, 1).reshape(size, group * size)

    def apply(self, x: np.ndarray, state: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Filter contiguous ``channels x frames`` float32; the state (channels x 4) carries on."""
        channels, frames = x.shape
        size, chunk, group = self.size, _CHUNK, _GROUP
        state = np.zeros((channels, size)) if state is None else state
        whole = frames // chunk
        out = np.empty_like(x)
        if whole:
            chunks = x[:, : whole * chunk].reshape(channels, whole, chunk)
            own = (chunks @ self._gather32).astype(np.float64)  # (ch, K, n): zero-state ends
            groups = -(-whole // group)
            padded = np.zeros((channels, groups * group, size))
            padded[:, :whole] = own
            local = (padded.reshape(channels * groups, group * size) @ self._spread_t).reshape(
                channels, groups, group + 1, size
            )
            starts = np.empty((channels, groups, size))
            carried = state
            for index in range(groups):  # a few dozen per block
                starts[:, index] = carried
                carried = carried @ self._across.T + local[:, index, group]
            begin = (starts.reshape(channels * groups, size) @ self._steps_t).reshape(
                channels, groups, group, size
            ) + local[:, :, :group]
            begin = begin.reshape(channels, groups * group, size)[:, :whole]
            joined = np.empty((channels, whole, chunk + size), np.float32)
            joined[..., :chunk], joined[..., chunk:] = chunks, begin
            out[:, : whole * chunk] = (joined @ self._response32).reshape(channels, -1)
            state = begin[:, -1] @ self._step.T + own[:, -1]
        rest = frames - whole * chunk
        if rest:
            tail = x[:, whole * chunk :].astype(np.float64)
            out[:, whole * chunk :] = tail @ self._toeplitz[:rest, :rest].T \
                + state @ self._observe_t[:, :rest]  # fmt: skip
            state = state @ self._powers[rest].T + tail @ self._gather[chunk - rest :]
        return out, state


def _percentile(values: np.ndarray, q: float) -> float:
    """`np.percentile`'s default (linear) percentile; numpy's imports numpy.ma (0.1 s)."""
    ordered = np.sort(values)
    position = q / 100.0 * (len(ordered) - 1)
    low = int(math.floor(position))
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def _prepare(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A block as float32 ``frames x channels`` and as contiguous ``channels x frames``."""
    block = np.asarray(raw, dtype=np.float32)
    if block.ndim == 1:
        block = block[:, None]
    return block, np.ascontiguousarray(block.T)


def _read_ahead(
    blocks: Iterable[np.ndarray], reader: ThreadPoolExecutor
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """`_prepare` of each block, the next one read in ``reader`` while this one is used."""
    source = iter(blocks)

    def pull() -> tuple[np.ndarray, np.ndarray] | None:
        raw = next(source, None)
        return None if raw is None else _prepare(raw)

    pending = reader.submit(pull)
    while (ready := pending.result()) is not None:
        pending = reader.submit(pull)
        yield ready


def _bin_length(rate: int, hundred: int) -> int:
    """Samples per power bin: the largest divisor of 100 ms not above 1 ms (48 at 48 kHz)."""
    return max(d for d in range(1, max(1, rate // 1000) + 1) if hundred % d == 0)


class LoudnessMeter:
    """Measures loudness of ``frames x channels`` float audio at one sample rate."""

    def __init__(self, rate: int, layout: str = "smpte", threads: int = 1) -> None:
        from temp_library.audio.bwf import check_format

        check_format(rate, 1)
        self.rate = rate
        self.layout = layout
        self.threads = max(1, threads)  # 1 in pool workers: the pool uses the cores
        if layout not in LAYOUTS:
            channel_weights(2, layout)  # raises the one-line error
        self._k_weighting = _BlockIIR(k_weighting_sections(rate))
        factor = true_peak_oversampling(rate)
        # A Kaiser-windowed sinc (beta 8) with its cutoff at the input Nyquist, reaching 64
        # input samples each way: flat within 0.001 dB to 0.96 of Nyquist (the 48-tap
        # example filter of Annex 2 droops near Nyquist and reads hot material low) and
        # over 90 dB of image rejection from 1.08 x Nyquist. Applied by FFT, its length
        # costs nothing. Phase 0 is the input itself (counted as the sample peak).
        taps = kaiser_lowpass(2 * _REACH * factor + 1, 1.0 / factor, 8.0) * factor
        self.oversample = factor
        self._taps = taps
        self._gain_bound = max(float(np.abs(taps[phase::factor]).sum()) for phase in range(factor))
        phases = np.stack([taps[phase::factor][: 2 * _REACH] for phase in range(1, factor)])
        self._chunks = 0  # chunks oversampled so far (see `_fft`)
        self._spectra = np.fft.rfft(phases.astype(np.float32), _FFT, axis=-1)[None]

    def _fft(self) -> ModuleType:
        """numpy's FFT for the first chunks, scipy.fft's (about 1.5x faster) once a file has
        needed more than `_SCIPY_AFTER` (its import costs what that many chunks would save)."""
        self._chunks += 1
        if self._chunks <= _SCIPY_AFTER:
            return np.fft
        import scipy.fft

        return scipy.fft

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
        # (numpy's FFT and matrix products release the GIL); in a scan worker it runs inline.
        # The K-weighting's small matrix products must not start OpenBLAS threads: they
        # would spin on the other core (and in pool workers) for no gain.
        from threadpoolctl import threadpool_limits

        # With threads, the next block is also read (libsndfile releases the GIL) and laid out
        # channels x frames while this one is weighed.
        peaks = ThreadPoolExecutor(1) if self.threads > 1 else None
        reader = ThreadPoolExecutor(1) if self.threads > 1 else None
        prepared = map(_prepare, blocks) if reader is None else _read_ahead(blocks, reader)
        try:
            with threadpool_limits(1, user_api="blas"):
                return self._stream(prepared, peaks)
        finally:
            for pool in (peaks, reader):
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)

    def _stream(
        self, blocks: Iterable[tuple[np.ndarray, np.ndarray]], peaks: ThreadPoolExecutor | None
    ) -> Loudness:
        """The loop of `measure_blocks`."""
        from temp_library.audio.bwf import AudioError

        rate = self.rate
        hundred = int(round(0.1 * rate))
        width = _bin_length(rate, hundred)  # power is kept per bin of ~1 ms, not per sample
        per = hundred // width  # bins per 100 ms
        gating = _Windows(4 * per, per, True, width)  # 400 ms, 75 % overlap
        short = _Windows(30 * per, per, True, width)  # 3 s every 100 ms (LRA)
        momentary_max = _Windows(4 * per, 1, False, width)  # max M at ~1 ms steps
        short_max = _Windows(30 * per, 1, False, width)  # max S at ~1 ms steps
        windows = (gating, short, momentary_max, short_max)
        weights: np.ndarray | None = None
        state: np.ndarray | None = None
        carry = np.zeros(0)  # binned power a later window still needs
        rest = np.zeros((0, 0), np.float32)  # power of the samples short of a whole bin
        ones = np.ones(width, np.float32)
        channel_weights32 = np.zeros(0, np.float32)
        base = 0  # absolute bin index of carry[0]
        frames, sample_peak, true_peak = 0, 0.0, 0.0
        tail: np.ndarray | None = None
        pending: Future | None = None
        for block, planar in blocks:
            if weights is None:
                weights = channel_weights(block.shape[1], self.layout)
                channel_weights32 = weights.astype(np.float32)
                rest = np.zeros((len(weights), 0), np.float32)
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
            if peaks is None:
                true_peak = self._true_peak(planar, tail, max(true_peak, sample_peak))
            else:  # the previous block's true peak is the floor of this one's, in order
                floor = max(pending.result() if pending else 0.0, sample_peak)
                pending = peaks.submit(self._true_peak, planar, tail, floor)
            tail = np.concatenate([tail, planar], axis=1)[:, -2 * _REACH :] if tail is not None \
                else planar[:, -2 * _REACH :]  # fmt: skip
            weighted, state = self._k_weighting.apply(planar, state)
            np.square(weighted, out=weighted)
            frames += block.shape[0]
            if rest.shape[1]:  # complete the bin the last block left open
                weighted = np.concatenate([rest, weighted], axis=1)
            whole = weighted.shape[1] // width * width
            # per channel and bin (a matrix-vector product: one pass), then weighted over
            # the channels; BLAS is held to one thread above
            sums = weighted[:, :whole].reshape(len(weights), -1, width) @ ones
            bins = (channel_weights32 @ sums).astype(np.float64)
            rest = weighted[:, whole:].copy()
            if not len(bins):
                continue
            binned = np.concatenate([carry, bins])
            cumulative = np.empty(len(binned) + 1)
            cumulative[0] = 0.0
            np.cumsum(binned, out=cumulative[1:])
            for window in windows:
                window.feed(cumulative, base)
            keep_from = min(w.next_start for w in windows)
            carry = binned[keep_from - base :]
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
                low, high = _percentile(loud, 10), _percentile(loud, 95)
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
        reach, step = _REACH, _FFT - 2 * _REACH
        context = np.concatenate([tail, planar], axis=1) if tail is not None else planar
        first = max(tail.shape[1] - reach, reach) if tail is not None else reach
        last = context.shape[1] - reach  # the next block (or the file's end) covers the rest
        if last <= first:
            return floor
        starts = np.arange(first, last, step)
        reached = np.zeros(len(starts))  # the largest input each chunk's outputs reach
        for index, lo in enumerate(starts.tolist()):
            piece = context[:, lo - reach : min(lo + step, last) + reach]
            reached[index] = max(float(piece.max()), -float(piece.min()))
        best = floor
        for index in np.argsort(-reached, kind="stable"):
            if reached[index] * self._gain_bound <= best:
                break
            lo = int(starts[index])
            hi = min(lo + step, last)
            piece = np.zeros((context.shape[0], _FFT), np.float32)
            piece[:, : hi - lo + 2 * reach] = context[:, lo - reach : hi + reach]
            fft = self._fft()
            spectrum = fft.rfft(piece, axis=-1)
            phases = fft.irfft(spectrum[:, None, :] * self._spectra[0], _FFT, axis=-1)
            best = max(best, float(np.abs(phases[..., 2 * reach : 2 * reach + hi - lo]).max()))
        return best
