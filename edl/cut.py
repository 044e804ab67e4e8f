"""The cut: picture events, audio events and picture hits on an exact frame grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from edl.rate import Rate
from edl.timecode import format_timecode

__all__ = ["Transition", "Speed", "Event", "Hit", "Cut", "cut_to_dict", "shift_cut"]


@dataclass(frozen=True)
class Transition:
    """How an event comes in. ``kind`` is cut, dissolve, wipe or key; ``frames`` its length.

    For a dissolve the event's record range starts where the dissolve starts;
    ``from_clip`` names the outgoing shot that plays under it.
    """

    kind: str = "cut"
    frames: int = 0
    code: str = "C"
    from_clip: str | None = None
    from_reel: str | None = None

    @property
    def is_cut(self) -> bool:
        return self.kind == "cut"


@dataclass(frozen=True)
class Speed:
    """An M2 motion effect: source frames per second played, and whether it is a freeze."""

    source_fps: Fraction
    freeze: bool = False

    def ratio(self, rate: Rate) -> Fraction:
        """Playback speed as a multiple of normal (1 = normal, 0 = freeze, -1 = reverse)."""
        return self.source_fps / rate.fps


@dataclass(frozen=True)
class Event:
    """One event of a cut: what plays on the record side from ``record_in`` to ``record_out``.

    Record frames are half-open ``[record_in, record_out)`` at the cut's rate. Source
    frames are ``None`` where the list gave a source timecode at another rate.
    """

    number: str
    reel: str
    channels: str
    record_in: int
    record_out: int
    source_in: int | None = None
    source_out: int | None = None
    clip_name: str | None = None
    source_file: str | None = None
    transition: Transition = field(default_factory=Transition)
    speed: Speed | None = None
    audio_tracks: tuple[int, ...] = ()
    line: int | None = None
    comments: tuple[str, ...] = ()

    @property
    def duration(self) -> int:
        return self.record_out - self.record_in

    @property
    def has_picture(self) -> bool:
        chans = self.channels.upper()
        return "V" in chans or chans == "B"

    @property
    def source_duration(self) -> int | None:
        if self.source_in is None or self.source_out is None:
            return None
        return self.source_out - self.source_in

    @property
    def is_black(self) -> bool:
        return self.reel.upper() in ("BL", "BLK", "BLACK")

    @property
    def name(self) -> str:
        """What an editor calls the shot: the clip name, else the reel."""
        return self.clip_name or self.reel


@dataclass(frozen=True)
class Hit:
    """A picture hit: a locator at a record frame, with its name and colour."""

    frame: int
    name: str = ""
    colour: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Cut:
    """A locked cut: its rate, picture events in record order, audio events and hits."""

    rate: Rate
    events: tuple[Event, ...]
    audio_events: tuple[Event, ...] = ()
    hits: tuple[Hit, ...] = ()
    title: str = ""
    source: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def record_start(self) -> int | None:
        """First record frame of picture (or of audio when the list has no picture)."""
        events = self.events or self.audio_events
        return min((e.record_in for e in events), default=None)

    @property
    def record_end(self) -> int | None:
        """Frame after the last record frame of picture (or audio when there is none)."""
        events = self.events or self.audio_events
        return max((e.record_out for e in events), default=None)

    @property
    def length(self) -> int:
        if self.record_start is None or self.record_end is None:
            return 0
        return self.record_end - self.record_start

    def timecode(self, frame: int) -> str:
        return format_timecode(frame, self.rate)


def cut_to_dict(cut: Cut) -> dict[str, object]:
    """The cut as plain JSON-ready data: frames and timecodes side by side."""
    tc = cut.timecode

    def event(e: Event) -> dict[str, object]:
        return {
            "number": e.number,
            "line": e.line,
            "reel": e.reel,
            "clip": e.clip_name,
            "channels": e.channels,
            "audio_tracks": list(e.audio_tracks),
            "source_in": None if e.source_in is None else tc(e.source_in),
            "source_out": None if e.source_out is None else tc(e.source_out),
            "record_in": tc(e.record_in),
            "record_out": tc(e.record_out),
            "record_in_frame": e.record_in,
            "record_out_frame": e.record_out,
            "duration_frames": e.duration,
            "transition": {
                "kind": e.transition.kind,
                "frames": e.transition.frames,
                "from_clip": e.transition.from_clip,
            },
            "speed_fps": None if e.speed is None else float(e.speed.source_fps),
            "freeze": bool(e.speed and e.speed.freeze),
            "source_file": e.source_file,
        }

    return {
        "title": cut.title,
        "source": cut.source,
        "rate": {
            "label": cut.rate.label(),
            "fps": f"{cut.rate.fps.numerator}/{cut.rate.fps.denominator}",
            "drop_frame": cut.rate.drop,
        },
        "record_start": None if cut.record_start is None else tc(cut.record_start),
        "record_end": None if cut.record_end is None else tc(cut.record_end),
        "length_frames": cut.length,
        "events": [event(e) for e in cut.events],
        "audio_events": [event(e) for e in cut.audio_events],
        "hits": [
            {"timecode": tc(h.frame), "frame": h.frame, "name": h.name, "colour": h.colour}
            for h in cut.hits
        ],
        "warnings": list(cut.warnings),
    }


def shift_cut(cut: Cut, start: int) -> Cut:
    """The cut moved so its picture starts at record frame ``start`` (hits move with it).

    For ``--old-start`` / ``--new-start``: a reel renumbered, another hour, or an OTIO file
    with no record start. Negative frames are refused: there is no timecode before zero.
    """
    from dataclasses import replace

    from edl.errors import CutError

    if start < 0:
        raise CutError("a record start before 00:00:00:00 is not a timecode")
    if cut.record_start is None:
        return cut
    delta = start - cut.record_start
    move = lambda e: replace(e, record_in=e.record_in + delta, record_out=e.record_out + delta)  # noqa: E731
    hits = tuple(replace(h, frame=h.frame + delta) for h in cut.hits)
    if any(e.record_in < 0 for e in cut.audio_events for e in [move(e)]) or any(
        h.frame < 0 for h in hits
    ):
        raise CutError(
            f"moving the cut to {cut.timecode(start)} puts audio or hits before 00:00:00:00",
            path=cut.source or None,
        )
    return replace(
        cut,
        events=tuple(move(e) for e in cut.events),
        audio_events=tuple(move(e) for e in cut.audio_events),
        hits=hits,
    )
