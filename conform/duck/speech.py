"""Speech in a dialogue track: frame-accurate regions, merged into phrases with pre/post roll.

Our own band-energy detector, not a trained VAD: the dialogue here is a guide track or a
dialogue stem (clean speech and room tone), and what the mixer needs is where the words
are to the frame, with nothing downloaded at run time. The track is band-passed to the
speech band (300-3400 Hz), its power taken in 2.5 ms blocks; the noise floor is the 10th
percentile of the 20 ms level (capped 20 dB under the loud end, for a track without pauses).
A region grows from blocks 15 dB over the floor out to blocks 9 dB over it, gaps shorter
than 150 ms are closed, and a region must last 80 ms and move (syllabic modulation: the
20 ms level's standard deviation is 3 dB or more), so steady hum, tone or noise is not speech.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfiltfilt

from edl.rate import Rate
from edl.timecode import frames_to_samples, samples_to_frames

__all__ = ["SpeechSettings", "Phrase", "speech_regions", "phrases"]


@dataclass(frozen=True)
class SpeechSettings:
    """How speech is found and merged; the defaults suit a dialogue stem or guide track."""

    seed_db: float = 15.0  # a region needs a 20 ms level this far over the floor
    edge_db: float = 9.0  # and extends over 2.5 ms blocks this far over it
    close_ms: float = 150.0  # gaps shorter than this inside a region are closed
    min_ms: float = 80.0  # shorter regions are dropped
    modulation_db: float = 3.0  # the 20 ms level must vary this much (std; speech moves)
    preroll_ms: float = 250.0  # treatment ramps in over this before a phrase
    postroll_ms: float = 400.0  # and out over this after it
    merge_ms: float = 700.0  # speech regions closer than this make one phrase (at least
    # preroll + postroll, so that ramps never overlap)


@dataclass(frozen=True)
class Phrase:
    """A phrase: speech in record frames ``[speech_start, speech_end)``, rolls around it."""

    index: int
    start: int  # ramp-in starts (speech_start - preroll)
    speech_start: int
    speech_end: int
    end: int  # ramp-out ends (speech_end + postroll)


def _block_levels(signal: np.ndarray, sample_rate: int, block: int) -> np.ndarray:
    """Speech-band power in dB per block of ``block`` samples (zero-phase band-pass).

    Filtered a minute at a time with a second of context each side (the filter's memory is
    a few milliseconds), so a reel-long dialogue never needs more than a minute in float64.
    """
    sos = butter(4, [300.0, min(3400.0, 0.45 * sample_rate)], "bandpass", fs=sample_rate,
                 output="sos")  # fmt: skip
    count = len(signal) // block
    chunk = (60 * sample_rate // block) * block
    context = sample_rate
    levels = []
    for start in range(0, count * block, chunk):
        stop = min(start + chunk, count * block)
        lo, hi = max(0, start - context), min(len(signal), stop + context)
        band = sosfiltfilt(sos, signal[lo:hi].astype(np.float64))[start - lo : stop - lo]
        power = np.square(band).reshape(-1, block).mean(axis=1)
        levels.append(10 * np.log10(power + 1e-12))
    return np.concatenate(levels) if levels else np.zeros(0)


def speech_regions(
    samples: np.ndarray, sample_rate: int, settings: SpeechSettings = SpeechSettings()
) -> list[tuple[int, int]]:
    """Speech as half-open sample ranges ``[start, end)`` of ``samples`` (mono or frames x ch)."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    block = max(1, sample_rate // 400)  # 2.5 ms
    if len(mono) < 8 * block:
        return []
    raw = _block_levels(mono, sample_rate, block)
    smooth_n = 8  # 20 ms
    power = np.convolve(10 ** (raw / 10), np.ones(smooth_n) / smooth_n, mode="same")
    smooth = 10 * np.log10(power + 1e-12)
    floor = min(float(np.percentile(smooth, 10)), float(np.percentile(smooth, 99)) - 20.0)
    floor = max(floor, -100.0)
    seeds = smooth > floor + settings.seed_db
    active = (raw > floor + settings.edge_db) | seeds
    close = round(settings.close_ms / 2.5)
    regions = _runs(active)
    merged: list[list[int]] = []
    for a, b in regions:
        if merged and a - merged[-1][1] < close:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    result = []
    for a, b in merged:
        if (b - a) * 2.5 < settings.min_ms or not seeds[a:b].any():
            continue
        if np.std(smooth[a:b]) < settings.modulation_db:
            continue
        result.append((a * block, min(len(mono), b * block)))
    return result


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where ``mask`` is true."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(),
                    strict=True))  # fmt: skip


def phrases(
    regions: list[tuple[int, int]],
    origin: int,
    rate: Rate,
    sample_rate: int,
    settings: SpeechSettings = SpeechSettings(),
) -> list[Phrase]:
    """Sample regions (from ``origin``, samples since midnight) as frame-accurate phrases.

    A region's edges go to the nearest frame boundary (a frame is speech when most of it
    is), regions nearer than ``merge_ms`` are one phrase, and the rolls are whole frames.
    """
    fps = rate.fps
    roll = lambda ms: max(1, round(ms / 1000 * fps))  # noqa: E731 - frames
    spf = frames_to_samples(1, rate, sample_rate) or 1
    framed = []
    for a, b in regions:
        first = samples_to_frames(origin + a + spf // 2, rate, sample_rate)
        last = samples_to_frames(origin + b + spf // 2, rate, sample_rate)
        if last > first:
            framed.append([first, last])
    merged: list[list[int]] = []
    pre, post = roll(settings.preroll_ms), roll(settings.postroll_ms)
    gap = max(roll(settings.merge_ms), pre + post)
    for a, b in framed:
        if merged and a - merged[-1][1] < gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [Phrase(n, a - pre, a, b, b + post) for n, (a, b) in enumerate(merged, start=1)]
