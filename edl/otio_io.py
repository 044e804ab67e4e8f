"""OpenTimelineIO timelines (and every format an installed OTIO adapter reads) <-> `Cut`.

Frames are converted once, at this boundary, from OTIO's float-rate RationalTime to
integers at an exact `Rate`.
"""

from __future__ import annotations

import json
import logging
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from edl.cut import Cut, Event, Hit, Speed, Transition
from edl.errors import CutError
from edl.rate import STANDARD_RATES, Rate

__all__ = ["read_otio", "cut_to_timeline", "write_otio", "rate_from_float"]

_DISSOLVE = otio.schema.TransitionTypes.SMPTE_Dissolve


def rate_from_float(fps: float, drop: bool = False) -> Rate | None:
    """The standard rate a float rate stands for (23.976023... -> 24000/1001)."""
    for rate in STANDARD_RATES:
        if abs(float(rate.fps) - fps) < 1e-3:
            return rate.with_drop(drop) if rate.fps.denominator == 1001 else rate
    return None


MAX_FRAMES = 10 * 24 * 60 * 60 * 120
"""Times beyond ten days at 120 fps are not a cut (and infinity is not a time)."""


def _frames(rt: otio.opentime.RationalTime, rate: Rate) -> int:
    value = rt.rescaled_to(float(rate.fps)).value
    if not math.isfinite(value) or abs(value) > MAX_FRAMES:
        raise CutError(f"time {rt.value:g} at rate {rt.rate:g} is not a time in a cut")
    return round(value)


def _bad_token_line(path: Path) -> int | None:
    """The line of the first Infinity/NaN (or invalid UTF-8) in a JSON timeline, if any."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return data[: err.start].count(b"\n") + 1
    for number, line in enumerate(text.splitlines(), start=1):
        if "Infinity" in line or "NaN" in line:
            return number
    return None


_MANGLED = re.compile(r"N\d+opentimelineio\d+v[0-9_]*?\d+([A-Z]\w*?)E")
_CXX_TYPES = {"l": "a number", "i": "a number", "x": "a number", "d": "a number", "b": "true/false"}


def _plain_cause(cause: str) -> tuple[str, int | None]:
    """OTIO's decoding error in words, without C++ type names; and its "near line N"."""
    cause = _MANGLED.sub(r"\1", cause)
    cause = re.sub(
        r"found an? (\w+) instead",
        lambda m: f"found {_CXX_TYPES.get(m.group(1), m.group(1))} instead",
        cause,
    )
    cause = re.sub(r"While reading object named '([^']*)' \(of type '(\w+)'\)",
                   lambda m: f"in {m.group(2)}" + ("" if m.group(1) == "<unknown>"
                                                    else f" {m.group(1)!r}"), cause)  # fmt: skip
    cause = cause.strip('"')
    near = re.search(r"\s*\(near line (\d+)\)", cause)
    if near:
        cause = cause[: near.start()] + cause[near.end() :]
    return cause, int(near.group(1)) if near else None


def _parse_error_line(path: Path) -> tuple[int | None, str | None]:
    """Line and cause of a JSON timeline that does not parse, from Python's own reader."""
    if path.suffix.lower() != ".otio":
        return None, None
    try:
        data = path.read_bytes()
    except OSError:
        return None, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return data[: err.start].count(b"\n") + 1, "not UTF-8 text"
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return err.lineno, err.msg
    except (ValueError, RecursionError) as err:
        return None, str(err)
    return None, None


def read_otio(path: str | Path, rate: Rate | None = None) -> Cut:
    """Read a timeline through OTIO: picture from video tracks, audio apart, markers as hits."""
    path = Path(path)
    notes: list[str] = []
    try:
        result = _read_file(path, notes)
    except Exception as err:  # noqa: BLE001 - adapters raise anything from JSON to XML errors
        cause = str(err).splitlines()[0] if str(err) else type(err).__name__
        line, json_cause = _parse_error_line(path)
        cause, near = _plain_cause(cause)
        line = line or near
        raise CutError(
            f"cannot read timeline: {(json_cause or cause)[:160]}",
            path=path,
            line=line,
            hint="is it a valid timeline?",
        ) from None
    timeline = _first_timeline(result)
    if timeline is None:
        raise CutError("no timeline found in the file", path=path)
    try:
        cut = _timeline_to_cut(timeline, rate, path)
        return Cut(**{**cut.__dict__, "warnings": tuple(notes) + cut.warnings})
    except CutError as err:
        line = _bad_token_line(path) if path.suffix.lower() == ".otio" else None
        raise err.located(path, line) from None
    except (otio.exceptions.OTIOError, ValueError, ArithmeticError, TypeError) as err:
        cause = " ".join(str(err).split())[:160] or type(err).__name__
        raise CutError(
            f"cannot read timeline: {cause}", path=path, line=_bad_token_line(path)
        ) from None


_DOWNGRADES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Marker.3": ("Marker.2", ("comment",)),
}
"""Schemas newer than the installed OTIO knows: the older name, and fields moved to metadata.

OTIO refuses a schema version newer than its own; files from its development branch (the
corpus's Premiere export) carry Marker.3, which only adds ``comment``.
"""


def _read_file(path: Path, notes: list[str]) -> Any:
    try:
        if path.suffix.lower() == ".aaf":
            logging.disable(logging.WARNING)  # the AAF adapter logs its doubts on the root logger
            try:
                return otio.adapters.read_from_file(str(path))
            finally:
                logging.disable(logging.NOTSET)
        return otio.adapters.read_from_file(str(path))
    except otio.exceptions.OTIOError as err:
        if "unsupported schema version" not in str(err) or path.suffix.lower() != ".otio":
            raise
    data = json.loads(path.read_text(encoding="utf-8"))
    seen: set[str] = set()
    _downgrade(data, seen)
    notes.append(f"newer OTIO schemas read as older ones: {', '.join(sorted(seen))}")
    return otio.adapters.read_from_string(json.dumps(data), "otio_json")


def _downgrade(node: Any, seen: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _downgrade(item, seen)
    elif isinstance(node, dict):
        schema = node.get("OTIO_SCHEMA")
        if schema in _DOWNGRADES:
            older, moved = _DOWNGRADES[schema]
            node["OTIO_SCHEMA"] = older
            metadata = node.setdefault("metadata", {})
            for key in moved:
                if key in node:
                    metadata.setdefault(key, node.pop(key))
            if "color" in node and not isinstance(node["color"], str):
                node["color"] = _colour_name(node.pop("color"), metadata)
            seen.add(schema)
        for value in node.values():
            _downgrade(value, seen)


_NAMED_COLOURS = {
    "RED": (1, 0, 0), "GREEN": (0, 1, 0), "BLUE": (0, 0, 1), "YELLOW": (1, 1, 0),
    "CYAN": (0, 1, 1), "MAGENTA": (1, 0, 1), "WHITE": (1, 1, 1), "BLACK": (0, 0, 0),
    "ORANGE": (1, 0.5, 0), "PURPLE": (0.5, 0, 0.5), "PINK": (1, 0.75, 0.8),
}  # fmt: skip


def _colour_name(colour: Any, metadata: dict[str, Any]) -> str:
    """A marker colour name for a Color.1 object (newer OTIO); the EDL's own name first."""
    named = (metadata.get("cmx_3600") or {}).get("color")
    if isinstance(named, str) and named:
        return named.upper()
    if not isinstance(colour, dict):
        return "RED"
    rgb = tuple(float(colour.get(k, 0)) for k in ("r", "g", "b"))
    return min(
        _NAMED_COLOURS,
        key=lambda name: sum((a - b) ** 2 for a, b in zip(_NAMED_COLOURS[name], rgb, strict=True)),
    )


def _first_timeline(obj: Any) -> otio.schema.Timeline | None:
    if isinstance(obj, otio.schema.Timeline):
        return obj
    if isinstance(obj, otio.schema.SerializableCollection):
        for child in obj:
            found = _first_timeline(child)
            if found is not None:
                return found
    return None


def _file_rate(timeline: otio.schema.Timeline) -> float | None:
    if timeline.global_start_time is not None:
        return timeline.global_start_time.rate
    for clip in timeline.find_clips():
        if clip.source_range is not None:
            return clip.source_range.duration.rate
        try:
            return clip.available_range().duration.rate
        except Exception:  # noqa: BLE001 - a clip with no media has no available range
            continue
    return None


def _aaf_drop_frame(path: Path) -> bool:
    """Whether an AAF's top-level sequence counts drop-frame timecode (OTIO does not say)."""
    try:
        import aaf2

        with aaf2.open(str(path), "r") as f:
            for mob in f.content.toplevel():
                for slot in mob.slots:
                    segment = slot.segment
                    components = getattr(segment, "components", None) or [segment]
                    for component in components:
                        if component.__class__.__name__ == "Timecode":
                            return bool(component.getvalue("Drop", False))
    except Exception:  # noqa: BLE001 - a file the adapter read but pyaaf2 cannot: non-drop
        return False
    return False


def _timeline_to_cut(timeline: otio.schema.Timeline, rate: Rate | None, path: Path) -> Cut:
    fps = _file_rate(timeline)
    drop = bool(rate and rate.drop)
    if rate is None and path.suffix.lower() == ".aaf" and fps and abs(fps - 29.97) < 0.01:
        drop = _aaf_drop_frame(path)
    elif rate is None and path.suffix.lower() == ".aaf" and fps and abs(fps - 59.94) < 0.01:
        drop = _aaf_drop_frame(path)
    file_rate = rate_from_float(fps, drop=drop) if fps else None
    warnings: list[str] = []
    if rate is None:
        if file_rate is None:
            if fps is not None:
                truncated = fps in (23, 29, 47, 59)  # otio-fcpx-xml-adapter 1.0 drops the .976
                raise CutError(
                    f"the timeline's rate {fps:g} is not a standard film or TV rate",
                    hint="the FCPXML adapter reads NTSC rates as whole numbers; send FCP 7 "
                    "XML, AAF or an EDL for this cut"
                    if truncated
                    else "give one with --rate",
                )
            raise CutError("the timeline has no rate", hint="give one with --rate")
        rate = file_rate
    elif file_rate is not None and file_rate.fps != rate.fps:
        raise CutError(
            f"the timeline is at {file_rate} but --rate says {rate}",
            hint=f"use --rate {file_rate} or leave --rate out",
        )
    start = _frames(timeline.global_start_time, rate) if timeline.global_start_time else 0
    picture: list[Event] = []
    audio: list[Event] = []
    hits: list[Hit] = []
    audio_index = 0
    for index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            warnings.append(f"nested stack {track.name!r} at the top level was skipped")
            continue
        is_video = track.kind == otio.schema.TrackKind.Video
        if not is_video:
            audio_index += 1
        events = _track_events(track, rate, start, index, audio_index, is_video, hits)
        (picture if is_video else audio).extend(events)
        hits.extend(_marker_hits(track.markers, start, 0, rate))
    hits.extend(_marker_hits(timeline.tracks.markers, start, 0, rate))
    picture.sort(key=lambda e: e.record_in)
    audio.sort(key=lambda e: e.record_in)
    return Cut(
        rate=rate,
        events=tuple(picture),
        audio_events=tuple(audio),
        hits=tuple(sorted(hits, key=lambda h: h.frame)),
        title=timeline.name or "",
        source=str(path),
        warnings=tuple(warnings),
    )


def _marker_hits(markers: Any, start: int, offset: int, rate: Rate) -> list[Hit]:
    """Hits from markers whose times are ``offset`` frames before record (plus timeline start)."""
    hits = []
    for marker in markers:
        frame = start + offset + _frames(marker.marked_range.start_time, rate)
        hits.append(Hit(frame=frame, name=marker.name or "", colour=str(marker.color or "")))
    return hits


def _track_events(
    track: otio.schema.Track,
    rate: Rate,
    start: int,
    index: int,
    audio_index: int,
    is_video: bool,
    hits: list[Hit],
) -> list[Event]:
    events: list[Event] = []
    pending: otio.schema.Transition | None = None
    previous: otio.schema.Clip | None = None
    for child_index, child in enumerate(track):
        if isinstance(child, otio.schema.Transition):
            pending = child
            continue
        if not isinstance(child, otio.schema.Clip | otio.core.Composition):
            pending, previous = None, None  # a gap: nothing plays
            continue
        placed = track.range_of_child_at_index(child_index)
        record_in = start + _frames(placed.start_time, rate)
        record_out = record_in + _frames(placed.duration, rate)
        source_in = _frames(child.source_range.start_time, rate) if child.source_range else None
        _check_placed(child, index, child_index, record_in, record_out, source_in)
        transition = Transition()
        if pending is not None and previous is not None:
            before = _frames(pending.in_offset, rate)
            after = _frames(pending.out_offset, rate)
            record_in -= before  # the dissolve event starts where the dissolve starts
            if events and events[-1].record_out > record_in:
                last = events[-1]
                events[-1] = Event(**{**last.__dict__, "record_out": record_in})
            source_in = None if source_in is None else source_in - before
            kind = "dissolve" if pending.transition_type == _DISSOLVE else "wipe"
            code = "D" if kind == "dissolve" else "W001"
            transition = Transition(kind, before + after, code, previous.name, _reel(previous))
        pending = None
        source_out = None if source_in is None else source_in + (record_out - record_in)
        events.append(
            Event(
                number=f"{len(events) + 1:03d}",
                reel=_reel(child),
                channels="V" if is_video else f"A{audio_index}",
                record_in=record_in,
                record_out=record_out,
                source_in=source_in,
                source_out=source_out,
                clip_name=child.name or None,
                source_file=_target_url(child),
                transition=transition,
                speed=_speed(child, rate),
                audio_tracks=() if is_video else (audio_index,),
                comments=(f"track {index + 1}: {track.name}",) if track.name else (),
            )
        )
        if child.source_range is not None and isinstance(child, otio.schema.Clip):
            offset = _frames(placed.start_time, rate) - _frames(child.source_range.start_time, rate)
            hits.extend(_marker_hits(child.markers, start, offset, rate))
        previous = child
    return events


def _check_placed(
    child: otio.core.Item,
    track: int,
    item: int,
    record_in: int,
    record_out: int,
    source_in: int | None,
) -> None:
    """Refuse a clip no editor could have cut: negative length, or times before 00:00:00:00."""
    name = f"clip {child.name!r}" if child.name else f"item {item + 1}"
    where = f"{name} on track {track + 1}"
    if record_out < record_in:
        raise CutError(f"{where} has a negative length ({record_out - record_in} frames)",
                       hint="fix its source range and export the timeline again")  # fmt: skip
    if record_in < 0:
        raise CutError(f"{where} starts before 00:00:00:00 in record time",
                       hint="give the timeline a start time (global_start_time) at or "
                       "after 00:00:00:00")  # fmt: skip
    if source_in is not None and source_in < 0:
        raise CutError(f"{where} starts before 00:00:00:00 in source time ({source_in} frames)",
                       hint="fix its source range and export the timeline again")  # fmt: skip


_AAF_REEL_KEYS = ("Tape", "TapeName", "Tape Name", "Reel", "ReelName", "Source File")


def _reel(clip: otio.core.Item) -> str:
    """The reel an item came from; a nested sequence counts as one shot named for itself.

    An AAF clip's reel is its tape name when Avid wrote one, else the master clip's name
    (the adapter names every reference of a linked file "UNC Path", which says nothing).
    """
    cmx = clip.metadata.get("cmx_3600") or {}
    reel = cmx.get("reel") if hasattr(cmx, "get") else None
    if reel:
        return str(reel)
    aaf = clip.metadata.get("AAF") if hasattr(clip.metadata, "get") else None
    if aaf is not None and hasattr(aaf, "get"):
        comments = aaf.get("UserComments")
        if hasattr(comments, "get"):
            for key in _AAF_REEL_KEYS:
                if comments.get(key):
                    return str(comments.get(key))
        if aaf.get("Name"):
            return str(aaf.get("Name"))
    ref = getattr(clip, "media_reference", None)
    if ref is not None and ref.name and ref.name != "UNC Path":
        return str(ref.name)
    return clip.name or "AX"


def _target_url(clip: otio.core.Item) -> str | None:
    ref = getattr(clip, "media_reference", None)
    if isinstance(ref, otio.schema.ExternalReference):
        return ref.target_url or None
    return None


def _speed(clip: otio.core.Item, rate: Rate) -> Speed | None:
    for effect in clip.effects:
        if isinstance(effect, otio.schema.FreezeFrame):
            return Speed(Fraction(0), freeze=True)
        if isinstance(effect, otio.schema.LinearTimeWarp):
            scalar = Fraction(effect.time_scalar).limit_denominator(10000)
            return Speed(rate.fps * scalar, freeze=scalar == 0)
    return None


def cut_to_timeline(cut: Cut) -> otio.schema.Timeline:
    """The cut as an OTIO timeline: video tracks (overlaps go up a track), audio tracks, markers."""
    fps = float(cut.rate.fps)
    rt = lambda frames: otio.opentime.RationalTime(frames, fps)  # noqa: E731
    start = cut.record_start or 0
    timeline = otio.schema.Timeline(name=cut.title or Path(cut.source).stem or "mconform")
    timeline.global_start_time = rt(start)
    for kind, events in (
        (otio.schema.TrackKind.Video, cut.events),
        (otio.schema.TrackKind.Audio, cut.audio_events),
    ):
        lanes: list[tuple[otio.schema.Track, list[int]]] = []
        for event in events:
            lane = _lane_for(event, lanes, kind, start)
            track, end = lane
            if event.record_in > end[0]:
                track.append(otio.schema.Gap(source_range=_range(0, event.record_in - end[0], fps)))
            if not event.transition.is_cut and event.record_in == end[0] and len(track):
                transition_type = _DISSOLVE if event.transition.kind == "dissolve" else "Custom"
                track.append(
                    otio.schema.Transition(
                        name=event.transition.code,
                        transition_type=transition_type,
                        in_offset=rt(0),
                        out_offset=rt(event.transition.frames),
                    )
                )
            track.append(_clip(event, fps))
            end[0] = event.record_out
        for track, _ in lanes:
            timeline.tracks.append(track)
    for hit in cut.hits:
        timeline.tracks.markers.append(
            otio.schema.Marker(
                name=hit.name,
                marked_range=_range(hit.frame - start, 0, fps),
                color=hit.colour or otio.schema.MarkerColor.RED,
            )
        )
    return timeline


def _lane_for(
    event: Event,
    lanes: list[tuple[otio.schema.Track, list[int]]],
    kind: str,
    start: int,
) -> tuple[otio.schema.Track, list[int]]:
    """The first track of ``kind`` whose content ends by the event's start (audio by track)."""
    for lane in lanes:
        if lane[1][0] <= event.record_in:
            return lane
    prefix = "V" if kind == otio.schema.TrackKind.Video else "A"
    lane = (otio.schema.Track(name=f"{prefix}{len(lanes) + 1}", kind=kind), [start])
    lanes.append(lane)
    return lane


def _range(start: int, duration: int, fps: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(duration, fps)
    )


def _clip(event: Event, fps: float) -> otio.schema.Clip:
    if event.source_file:
        media: otio.core.MediaReference = otio.schema.ExternalReference(
            target_url=event.source_file
        )
    else:
        media = otio.schema.MissingReference()
    media.name = event.reel
    clip = otio.schema.Clip(
        name=event.clip_name or event.reel,
        media_reference=media,
        source_range=_range(event.source_in or 0, event.duration, fps),
        metadata={"cmx_3600": {"reel": event.reel}, "mconform": {"number": event.number}},
    )
    if event.speed is not None:
        if event.speed.freeze:
            clip.effects.append(otio.schema.FreezeFrame())
        else:
            scalar = float(event.speed.source_fps / Fraction(fps).limit_denominator(1001))
            clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=scalar))
    return clip


def write_otio(cut: Cut) -> str:
    """The cut as ``.otio`` JSON text."""
    return otio.adapters.write_to_string(cut_to_timeline(cut), "otio_json")
