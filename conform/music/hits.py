"""Musical hits that must land on picture frames: ``NAME=AUDIO_TIME@PICTURE_TC``.

A hit ties a moment of the cue's audio (``AUDIO_TIME``: seconds such as ``12.5``/``12.5s``,
``Nf`` frames, or a timecode duration from the head of the file) to a moment of the fitted
cue (``PICTURE_TC``: a timecode duration from the cue's start, or a record timecode when
the cue's start timecode is given). The fit then edits each stretch between hits on its
own, so every hit lands on its frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from conform.cues.cuelist import Cue
from conform.music.errors import FitError
from edl.errors import MconformError
from edl.rate import Rate
from edl.timecode import frames_to_samples, parse_timecode

__all__ = ["Hit", "parse_hit", "segments", "sync_hits"]


@dataclass(frozen=True)
class Hit:
    """Source sample ``source`` of the cue must play at sample ``target`` of the result."""

    name: str
    source: int
    target: int


def _duration(text: str, rate: Rate | None, sample_rate: int, what: str, spec: str) -> int:
    raw = text.strip()
    try:
        seconds = Fraction(raw[:-1] if raw.endswith("s") else raw)
    except (ValueError, ZeroDivisionError):
        seconds = None
    if seconds is not None:
        if abs(seconds) > 86400:
            raise FitError(f"--hit {spec}: {what} {raw} is more than a day")
        return round(seconds * sample_rate)
    if rate is None:
        raise FitError(
            f"--hit {spec}: a timecode {what} needs --rate", hint="or give seconds, e.g. 12.5s"
        )
    try:
        if raw.endswith("f") and raw[:-1].isdigit():
            frames = int(raw[:-1])
        else:
            frames = parse_timecode(raw, rate)
    except (MconformError, ValueError) as err:
        raise FitError(f"--hit {spec}: bad {what} {raw!r} ({err})") from None
    return frames_to_samples(frames, rate, sample_rate)


def parse_hit(
    spec: str, rate: Rate | None, sample_rate: int, start_frames: int | None = None
) -> Hit:
    """One ``NAME=AUDIO_TIME@PICTURE_TC``; PICTURE_TC is relative to ``start_frames`` if given."""
    name, sep, rest = spec.partition("=")
    audio, marker, picture = rest.rpartition("@")
    if not sep or not marker or not audio.strip() or not picture.strip():
        raise FitError(
            f"--hit {spec!r}: expected NAME=AUDIO_TIME@PICTURE_TC",
            hint="e.g. --hit door=12.5s@00:00:10:12",
        )
    source = _duration(audio, rate, sample_rate, "audio time", spec)
    if start_frames is not None and rate is not None and ":" in picture:
        try:
            frames = parse_timecode(picture.strip(), rate) - start_frames
        except (MconformError, ValueError) as err:
            raise FitError(f"--hit {spec}: bad picture timecode ({err})") from None
        target = frames_to_samples(frames, rate, sample_rate)
    else:
        target = _duration(picture, rate, sample_rate, "picture time", spec)
    return Hit(name.strip() or f"hit {source}", source, target)


def segments(hits: tuple[Hit, ...], length: int, target: int) -> list[tuple[int, int, int, int]]:
    """(source_lo, source_hi, target_lo, target_hi) of each stretch between hits, in order."""
    ordered = sorted(hits, key=lambda h: h.source)
    for hit in ordered:
        if not 0 < hit.source < length:
            raise FitError(f"hit {hit.name}: audio time is outside the cue ({length} samples)")
        if not 0 < hit.target < target:
            raise FitError(f"hit {hit.name}: picture time is outside the fitted cue")
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.target <= a.target:
            raise FitError(
                f"hits {a.name} and {b.name} are in one order in the audio and the other on "
                "picture", hint="a fit keeps the music's order",
            )  # fmt: skip
    edges_src = [0, *(h.source for h in ordered), length]
    edges_out = [0, *(h.target for h in ordered), target]
    return [
        (edges_src[k], edges_src[k + 1], edges_out[k], edges_out[k + 1])
        for k in range(len(edges_src) - 1)
    ]


def sync_hits(cue: Cue, rate: Rate, sample_rate: int) -> list[Hit]:
    """A cue's sync points as hits that stay where they are relative to its start."""
    origin = frames_to_samples(cue.start, rate, sample_rate)
    hits = []
    for point in cue.sync:
        offset = frames_to_samples(point.frame, rate, sample_rate) - origin
        hits.append(Hit(point.name or f"sync {point.frame}", offset, offset))
    return hits
