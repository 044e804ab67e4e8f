"""Prepared stems: every cue's stems rendered to their places in the cut, sample-exact.

A cue's parts (from a conform, or the one part of a spotting-list cue) are laid at their
record positions, each playing the cue's audio from its offset. Where two parts meet, the
outgoing one fades out and the incoming one fades in over a short crossfade centred on the
join; the same gains apply to every stem of the cue, so the stems still sum to its mix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from conform.cues.placed import StemCue
from conform.handoff.names import title_name
from edl.rate import Rate
from edl.timecode import frames_to_samples
from temp_library.audio.bwf import Audio, AudioError, audio_info, read_audio
from temp_library.audio.fades import gains

__all__ = [
    "RenderSettings",
    "render_cue",
    "channel_labels",
    "CHANNEL_ORDERS",
    "reorder_channels",
    "stem_channels",
    "ReelMixer",
    "render_reel",
    "file_title",
    "MAX_STEM_BYTES",
]

MAX_STEM_BYTES = 1 << 30
"""A cue's stem is held in memory once as float32 to render it: at most 1 GiB (46 minutes
of stereo at 48 kHz). Longer cues are refused by name rather than eat the machine."""

CHANNEL_ORDERS = {
    "smpte": ("L", "R", "C", "LFE", "Ls", "Rs"),
    "film": ("L", "C", "R", "Ls", "Rs", "LFE"),
}
_FILM_FROM_SMPTE = [0, 2, 1, 4, 5, 3]


def reorder_channels(samples: np.ndarray, order: str) -> np.ndarray:
    """Six channels from WAV/SMPTE order (L R C LFE Ls Rs) into ``order``; others unchanged.

    Always a new C-contiguous array for six channels, whatever the input's strides.
    """
    if samples.shape[1] == 6 and order == "film":
        return np.ascontiguousarray(np.take(samples, _FILM_FROM_SMPTE, axis=1))
    return samples


@dataclass(frozen=True)
class RenderSettings:
    sample_rate: int = 48000
    subtype: str = "PCM_24"
    crossfade_ms: float = 10.0
    curve: str = "equal-power"
    handles: int = 0  # frames of extra audio before and after each cue file


def file_title(text: str) -> str:
    """``Main Title`` -> ``MainTitle``: the handoff's rule for titles in file names (names.py)."""
    return title_name(text)


def channel_labels(channels: int, order: str = "smpte") -> tuple[str, ...]:
    if channels == 1:
        return ("M",)
    if channels == 2:
        return ("L", "R")
    if channels == 6:
        return CHANNEL_ORDERS[order]
    return tuple(f"A{n + 1}" for n in range(channels))


Loader = Callable[[Path], Audio]


def load_stems(
    cue: StemCue, settings: RenderSettings, loader: Loader = read_audio
) -> dict[str, np.ndarray]:
    """The cue's stem audio at the project rate; all stems must match in length and rate."""
    if not cue.stems:
        raise AudioError(f"cue {cue.number} has no stems or file to render")
    loaded: dict[str, Audio] = {}
    for name, path in cue.stems.items():
        if loader is read_audio:
            _check_size(cue, name, path, settings.sample_rate)
        try:
            loaded[name] = loader(path)
        except AudioError as err:
            what = "is missing" if err.cause == "no such file" else err.cause
            raise AudioError(f"cue {cue.number}: stem {name} {what}", path, err.hint) from None
    rates = {a.sample_rate for a in loaded.values()}
    lengths = {a.frames for a in loaded.values()}
    if len(rates) > 1 or len(lengths) > 1:
        detail = ", ".join(
            f"{n}: {a.frames} samples at {a.sample_rate} Hz" for n, a in loaded.items()
        )
        raise AudioError(f"cue {cue.number}: stems differ in length or rate ({detail})",
                         hint="stems of a cue must be the same length and rate")  # fmt: skip
    result = {}
    for name, audio in loaded.items():
        samples = audio.samples
        if audio.sample_rate != settings.sample_rate:
            samples = soxr.resample(samples, audio.sample_rate, settings.sample_rate, quality="VHQ")
        result[name] = np.ascontiguousarray(samples, dtype=np.float32)
    return result


def _check_size(cue: StemCue, name: str, path: Path, sample_rate: int) -> None:
    """Refuse a stem too long to render in memory, before reading it."""
    if not Path(path).is_file():
        return  # the loader says it is missing
    info = audio_info(path)
    frames = info.frames * max(sample_rate, info.samplerate) / max(1, info.samplerate)
    size = frames * info.channels * 4
    if size > MAX_STEM_BYTES:
        raise AudioError(
            f"cue {cue.number}: stem {name} is {info.frames / max(1, info.samplerate) / 60:.1f} "
            f"min of {info.channels} ch ({size / (1 << 20):.0f} MiB as float); a cue's stem may "
            f"be at most {MAX_STEM_BYTES >> 20} MiB in memory", path,
            "split the cue into shorter cues",
        )  # fmt: skip


def stem_channels(cues: list[StemCue]) -> dict[str, int]:
    """Each stem name's channel count, from the files' headers; every cue must agree."""
    channels: dict[str, tuple[int, str]] = {}
    for cue in cues:
        for name, path in cue.stems.items():
            if not Path(path).is_file():
                raise AudioError(
                    f"cue {cue.number}: stem {name} is missing", path, "check the path"
                )
            count = audio_info(path).channels
            if name in channels and channels[name][0] != count:
                raise AudioError(
                    f"cue {cue.number}: stem {name} has {count} channels, cue "
                    f"{channels[name][1]} has {channels[name][0]}", path,
                    "give every cue's stem of one name the same channels",
                )  # fmt: skip
            channels.setdefault(name, (count, cue.number))
    return {name: count for name, (count, _) in channels.items()}


def render_cue(
    cue: StemCue,
    audio: dict[str, np.ndarray],
    rate: Rate,
    settings: RenderSettings,
    *,
    origin: int | None = None,
    length: int | None = None,
    into: dict[str, np.ndarray] | None = None,
) -> tuple[int, dict[str, np.ndarray]]:
    """Render every stem of ``cue``: (first sample, {stem: samples}).

    With ``into`` the parts are added to existing buffers that start at sample ``origin``
    (a reel), instead of a new buffer spanning the cue and its handles.
    """
    sr = settings.sample_rate
    fts = lambda frame: frames_to_samples(frame, rate, sr)  # noqa: E731
    handles = settings.handles if into is None else 0
    first = fts(cue.start - handles) if origin is None else origin
    if into is None:
        total = fts(cue.end + handles) - first
        into = {
            name: np.zeros((total, samples.shape[1]), dtype=np.float32)
            for name, samples in audio.items()
        }
    half = max(1, round(settings.crossfade_ms * sr / 1000) // 2)
    parts = sorted(cue.parts, key=lambda p: p.start)
    for k, part in enumerate(parts):
        start, end = fts(part.start), fts(part.end)
        joined_before = k > 0 and parts[k - 1].end == part.start
        joined_after = k + 1 < len(parts) and parts[k + 1].start == part.end
        gap_before = k > 0 and not joined_before
        gap_after = k + 1 < len(parts) and not joined_after
        lead = (
            half
            if joined_before
            else (fts(part.start) - fts(part.start - handles) if k == 0 else 0)
        )
        trail = (
            half if joined_after else (fts(part.end + handles) - end if k == len(parts) - 1 else 0)
        )
        fade_in = 2 * half if joined_before else (2 * half if gap_before else 0)
        fade_out = 2 * half if joined_after else (2 * half if gap_after else 0)
        source_a = part.offset_samples - lead
        span = (end - start) + lead + trail
        at = start - lead - first
        if fade_in + fade_out > span:  # a part shorter than its fades: they must not overlap
            fade_in, fade_out = min(fade_in, span // 2), min(fade_out, span - span // 2)
        ramps = []  # (offset in the span, gains - 1): the fades, applied as corrections
        if fade_in:
            ramps.append((0, gains(fade_in, settings.curve)[1] - 1.0))
        if fade_out:
            ramps.append((span - fade_out, gains(fade_out, settings.curve)[0] - 1.0))
        for name, samples in audio.items():
            target = into[name]
            # the span of the part that both the source and the target hold
            lo = max(0, -source_a, -at)
            hi = min(span, samples.shape[0] - source_a, target.shape[0] - at)
            if hi <= lo:
                continue
            target[at + lo : at + hi] += samples[source_a + lo : source_a + hi]
            for offset, correction in ramps:
                r_lo, r_hi = max(lo, offset), min(hi, offset + len(correction))
                if r_hi > r_lo:
                    target[at + r_lo : at + r_hi] += (
                        samples[source_a + r_lo : source_a + r_hi]
                        * correction[r_lo - offset : r_hi - offset]
                    )
    return first, into


def render_reel(
    cues: list[StemCue],
    rate: Rate,
    settings: RenderSettings,
    first_frame: int,
    last_frame: int,
    loader: Loader = read_audio,
    two_pop_frame: int | None = None,
) -> tuple[int, dict[str, np.ndarray]]:
    """Continuous stems for a reel from ``first_frame`` to ``last_frame``, one per stem name."""
    sr = settings.sample_rate
    origin = frames_to_samples(first_frame, rate, sr)
    total = frames_to_samples(last_frame, rate, sr) - origin
    buffers: dict[str, np.ndarray] = {}
    for cue in cues:
        audio = load_stems(cue, settings, loader)
        for name, samples in audio.items():
            if name not in buffers:
                buffers[name] = np.zeros((total, samples.shape[1]), dtype=np.float32)
            elif buffers[name].shape[1] != samples.shape[1]:
                raise AudioError(
                    f"cue {cue.number}: stem {name} has {samples.shape[1]} channels, other cues "
                    f"{buffers[name].shape[1]}", hint="give every cue's stem the same channels",
                )  # fmt: skip
        render_cue(cue, audio, rate, settings, origin=origin, into=buffers)
    if two_pop_frame is not None:
        pop_at = frames_to_samples(two_pop_frame, rate, sr) - origin
        pop_len = frames_to_samples(two_pop_frame + 1, rate, sr) - pop_at - origin
        tone = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(pop_len) / sr)  # 1 kHz at -20 dBFS
        for samples in buffers.values():
            samples[pop_at : pop_at + pop_len] += tone[:, None].astype(np.float32)
    return origin, buffers


class ReelMixer:
    """One stem of a reel, streamed: cues are added in order of their first sample, and
    every stretch no later cue can reach is mixed and handed out in blocks.

    Memory holds only the cues still sounding and one block, whatever the reel's length.
    ``tones`` are (first sample, samples) added on top, e.g. the 2-pop and the tail pop.
    """

    def __init__(
        self,
        origin: int,
        total: int,
        channels: int,
        emit: Callable[[np.ndarray], None],
        tones: tuple[tuple[int, np.ndarray], ...] = (),
        block: int = 1 << 18,
    ) -> None:
        self.origin, self.total, self.channels, self.emit = origin, total, channels, emit
        self.tones, self.block = tones, block
        self.position = 0  # samples of the reel handed out so far
        self.active: list[tuple[int, np.ndarray]] = []  # (first sample in the reel, samples)

    def add(self, first: int, samples: np.ndarray) -> None:
        """A cue's rendered stem whose first sample is ``first`` (project samples)."""
        at = first - self.origin
        if at < self.position:
            raise ValueError("cues must be added in order of their first sample")
        self._flush(min(at, self.total))
        if samples.shape[1] != self.channels:
            raise AudioError(f"stem has {samples.shape[1]} channels, the reel {self.channels}")
        self.active.append((at, samples))

    def finish(self) -> None:
        """Hand out the rest of the reel."""
        self._flush(self.total)

    def _flush(self, upto: int) -> None:
        while self.position < upto:
            lo = self.position
            hi = min(upto, lo + self.block)
            out = np.zeros((hi - lo, self.channels), dtype=np.float32)
            for at, samples in (*self.active, *self.tones):
                a, b = max(lo, at), min(hi, at + samples.shape[0])
                if b > a:
                    piece = samples[a - at : b - at]
                    out[a - lo : b - lo] += piece if piece.ndim == 2 else piece[:, None]
            self.emit(out)
            self.position = hi
            self.active = [(at, s) for at, s in self.active if at + s.shape[0] > hi]
