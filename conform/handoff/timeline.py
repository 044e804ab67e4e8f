"""The rendered stems as timelines for the mix stage: OTIO, one EDL per track lane, AAF.

Every file sits at its record position. Files of one stem that overlap (cues that overlap,
or handles reaching into the next cue) go on further tracks, "lanes" (``Strings``,
``Strings 2``...), so no timeline ever has two clips on one track at once. Tracks come in
the order of the stems in the cue list and, within a stem, in the file's channel order.
Links are relative to the timeline/ folder, so they hold when the package is moved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opentimelineio as otio

from edl.cmx3600 import write_edl
from edl.cut import Cut, Event
from edl.rate import Rate
from edl.timecode import frames_to_samples

__all__ = ["StemFile", "Marker", "lanes", "timeline_otio", "stem_edls", "write_aaf", "VERSION"]

VERSION = "0.1.0"
_NAMESPACE = uuid.UUID("6d636f6e-666f-726d-2d68-616e646f6666")  # "mconform-handoff"


@dataclass(frozen=True)
class StemFile:
    """A rendered file: where it sits in the cut and what it holds."""

    path: str  # relative to the package folder, e.g. "stems/1M1_MainTitle_Strings.wav"
    stem: str  # the track it belongs on, e.g. "Strings" (or "Strings.L" when multi-mono)
    cue: str  # "" for a reel stem
    start: int  # record frame of the file's first sample
    end: int  # record frame after its last sample
    samples: int
    channels: int
    first_sample: int = 0  # the BWF TimeReference: samples since midnight
    labels: tuple[str, ...] = ()  # a name per channel, in file order

    @property
    def last_sample(self) -> int:
        return self.first_sample + self.samples


@dataclass(frozen=True)
class Marker:
    """A point of interest on the timeline: a cue's start or one of its sync hits."""

    name: str
    frame: int
    kind: str  # "cue" or "sync"
    cue: str = ""


def lanes(files: list[StemFile]) -> list[tuple[str, list[StemFile]]]:
    """Track lanes: each stem's files packed onto the fewest tracks with no overlap."""
    order: list[str] = []
    by_stem: dict[str, list[StemFile]] = defaultdict(list)
    for f in files:
        if f.stem not in by_stem:
            order.append(f.stem)
        by_stem[f.stem].append(f)
    result = []
    for stem in order:
        packed: list[list[StemFile]] = []
        for f in sorted(by_stem[stem], key=lambda f: (f.first_sample, f.path)):
            lane = next((lane for lane in packed if lane[-1].last_sample <= f.first_sample), None)
            if lane is None:
                packed.append([f])
            else:
                lane.append(f)
        for number, lane in enumerate(packed, start=1):
            result.append((stem if number == 1 else f"{stem} {number}", lane))
    return result


def _origin(files: list[StemFile]) -> StemFile:
    return min(files, key=lambda f: (f.first_sample, f.path))


def placed(files: list[StemFile], rate: Rate, sample_rate: int) -> list[StemFile]:
    """Files with their first sample filled in from their first frame where not given."""
    return [f if f.first_sample else replace(f, first_sample=frames_to_samples(
        f.start, rate, sample_rate)) for f in files]  # fmt: skip


def timeline_otio(
    files: list[StemFile],
    cut: Cut,
    title: str,
    sample_rate: int | None = None,
    markers: list[Marker] = (),
) -> otio.schema.Timeline:
    """A track per lane, linking the files relative to the timeline/ folder; markers for cue
    starts and sync hits. With ``sample_rate`` every time is in samples (exact; what the
    handoff writes); without, in frames at the picture rate (what the duck timeline uses)."""
    unit = sample_rate or float(cut.rate.fps)
    files = placed(files, cut.rate, sample_rate or 48000)
    if sample_rate:
        span = lambda f: (f.first_sample, f.samples)  # noqa: E731
        point = lambda frame: frames_to_samples(frame, cut.rate, sample_rate)  # noqa: E731
    else:
        span = lambda f: (f.start, f.end - f.start)  # noqa: E731
        point = lambda frame: frame  # noqa: E731
    st = lambda value: otio.opentime.RationalTime(value, unit)  # noqa: E731
    origin = span(_origin(files))[0]
    timeline = otio.schema.Timeline(name=title)
    timeline.global_start_time = st(origin)
    fps = cut.rate.fps
    timeline.metadata["mconform"] = {
        "rate": f"{fps.numerator}/{fps.denominator}",
        "drop_frame": cut.rate.drop,
        "sample_rate": sample_rate,
    }
    for name, lane in lanes(files):
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        position = origin
        for f in lane:
            first, length = span(f)
            if first > position:
                track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                    st(0), st(first - position))))  # fmt: skip
            available = otio.opentime.TimeRange(st(first), st(length))
            media = otio.schema.ExternalReference(target_url=_url(f), available_range=available)
            track.append(otio.schema.Clip(
                name=Path(f.path).name, media_reference=media, source_range=available,
                metadata={"mconform": {"cue": f.cue, "stem": f.stem, "samples": f.samples,
                                       "channels": list(f.labels)}},
            ))  # fmt: skip
            position = first + length
        timeline.tracks.append(track)
    for marker in markers:
        at = point(marker.frame) - origin
        colour = (
            otio.schema.MarkerColor.GREEN if marker.kind == "cue" else otio.schema.MarkerColor.RED
        )
        timeline.tracks.markers.append(otio.schema.Marker(
            name=marker.name, marked_range=otio.opentime.TimeRange(st(at), st(0)), color=colour,
            metadata={"mconform": {"kind": marker.kind, "frame": marker.frame, "cue": marker.cue}},
        ))  # fmt: skip
    return timeline


def _url(f: StemFile) -> str:
    """The file relative to the timeline/ folder, percent-encoded as a URL path."""
    return "../" + quote(f.path)


def edl_name(lane: str) -> str:
    """``Strings 2`` -> ``Strings_2`` (a lane's EDL file name, without .edl)."""
    return lane.replace(" ", "_")


def stem_edls(files: list[StemFile], cut: Cut, title: str) -> dict[str, str]:
    """A CMX3600 list per track lane: each file as an audio event at its record time.

    Channels: A for mono, A and A2 (``AA``) for stereo; wider files as A with the channel
    count in a comment, as CMX3600 has no more than four audio channels.
    """
    result = {}
    for lane, group in lanes(placed(files, cut.rate, 48000)):
        events = []
        for n, f in enumerate(group, start=1):
            tracks = (1, 2) if f.channels == 2 else (1,)
            events.append(Event(
                number=f"{n:03d}", reel="AX", channels="AA" if f.channels == 2 else "A",
                record_in=f.start, record_out=f.end, source_in=f.start, source_out=f.end,
                clip_name=Path(f.path).name, source_file=Path(f.path).name, audio_tracks=tracks,
            ))  # fmt: skip
        stem_cut = Cut(rate=cut.rate, events=(), audio_events=tuple(events), title=title)
        result[edl_name(lane)] = write_edl(stem_cut, title=f"{title} {lane}"[:60])
    return result


def mob_id(*key: object) -> object:
    """A MobID whose material number is derived from ``key`` (same content, same id)."""
    from aaf2.mobid import MobID

    mob = MobID.new()
    mob.material = uuid.uuid5(_NAMESPACE, "\x1f".join(str(k) for k in key))
    return mob


def write_aaf(
    path: Path,
    files: list[StemFile],
    package: Path,
    rate: Rate,
    title: str,
    sample_rate: int = 48000,
    bits: int = 24,
    when: dt.datetime | None = None,
    wrap: Callable[[Any, Any, StemFile, int], Any] | None = None,
) -> None:
    """The stems as Pro Tools writes an AAF: one composition, a mono track per channel of
    each lane, every file linked (not embedded) through master, file and tape mobs whose
    sound starts at the file's time stamp, with a timecode track at the picture rate.

    ``wrap(aaf, clip, file, channel)`` may return another segment for a clip (e.g. the clip
    inside an OperationGroup carrying gain automation); the clip itself by default.
    """
    import random

    import aaf2
    from aaf2.ama import get_wave_fmt
    from aaf2.auid import AUID

    when = (when or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    fps = rate.fps
    day_samples = sample_rate * 24 * 3600
    day_frames = rate.timecode_base * 24 * 3600
    origin_file = _origin(files)
    origin_samples = origin_file.first_sample
    origin_frame = origin_file.start
    end_samples = max(f.last_sample for f in files)
    length = end_samples - origin_samples
    state = random.getstate()  # the compound-file writer shuffles with the global generator
    random.seed(0)
    try:
        with aaf2.open(str(path), "w") as aaf:
            ident = aaf.header["IdentificationList"].value[0]
            ident["ProductName"].value = "mconform"
            ident["CompanyName"].value = "mconform"
            ident["ProductVersionString"].value = VERSION
            ident["Platform"].value = "mconform"
            ident["Date"].value = when
            ident["GenerationAUID"].value = AUID(str(uuid.uuid5(_NAMESPACE, f"{title}{when}")))
            aaf.header["LastModified"].value = when

            def stamp(mob: object, *key: object) -> None:
                mob.mob_id = mob_id(*key)
                mob["CreationTime"].value = when
                mob["LastModified"].value = when
                aaf.content.mobs.append(mob)

            masters = {}
            for f in files:
                key = (f.path, f.first_sample, f.samples, f.channels, sample_rate, bits)
                name = Path(f.path).stem
                tape = aaf.create.SourceMob()
                tape.name = name
                tape.descriptor = aaf.create.TapeDescriptor()
                stamp(tape, "tape", *key)
                for channel in range(f.channels):
                    slot = tape.create_empty_slot(sample_rate, "sound", slot_id=channel + 1)
                    slot.segment.length = day_samples
                tc_slot = tape.create_timeline_slot(fps, slot_id=f.channels + 1)
                tc_slot.segment = aaf.create.Timecode(rate.timecode_base, drop=rate.drop,
                                                      length=day_frames)  # fmt: skip
                tc_slot.segment.start = 0
                tc_slot.name = "Timecode"
                source = aaf.create.SourceMob()
                source.name = name
                descriptor = aaf.create.WAVEDescriptor()
                descriptor["SampleRate"].value = sample_rate
                descriptor["Summary"].value = get_wave_fmt(str(package / f.path))
                descriptor["Length"].value = f.samples
                descriptor["ContainerFormat"].value = aaf.dictionary.lookup_containerdef("AAF")
                locator = aaf.create.NetworkLocator()
                locator["URLString"].value = _url(f)
                descriptor["Locator"].append(locator)
                source.descriptor = descriptor
                stamp(source, "file", *key)
                master = aaf.create.MasterMob()
                master.name = name
                stamp(master, "master", *key)
                for channel in range(f.channels):
                    slot = source.create_timeline_slot(sample_rate, slot_id=channel + 1)
                    slot.segment = tape.create_source_clip(channel + 1, start=f.first_sample,
                                                           length=f.samples)  # fmt: skip
                    slot = master.create_timeline_slot(sample_rate, slot_id=channel + 1)
                    slot.segment = source.create_source_clip(channel + 1, length=f.samples)
                    slot["PhysicalTrackNumber"].value = channel + 1
                    if f.labels:
                        slot.name = f"{name}.{f.labels[channel]}" if f.channels > 1 else name
                masters[f.path] = master
            comp = aaf.create.CompositionMob()
            comp.name = title
            comp.usage = "Usage_TopLevel"
            stamp(comp, "composition", title, *(f.path for f in files))
            track = 0
            for lane, group in lanes(files):
                channels = max(f.channels for f in group)
                labels = max((f.labels for f in group), key=len)
                for channel in range(channels):
                    track += 1
                    slot = comp.create_sound_slot(sample_rate)
                    slot["PhysicalTrackNumber"].value = track
                    suffix = f".{labels[channel]}" if channels > 1 and labels else ""
                    slot.name = f"{lane}{suffix}"
                    position = 0
                    components = slot.segment.components
                    for f in group:
                        at = f.first_sample - origin_samples
                        if channel >= f.channels:
                            continue
                        if at > position:
                            components.append(aaf.create.Filler("sound", at - position))
                        clip = masters[f.path].create_source_clip(channel + 1, start=0,
                                                                  length=f.samples)  # fmt: skip
                        components.append(wrap(aaf, clip, f, channel) if wrap else clip)
                        position = at + f.samples
                    if position < length:
                        components.append(aaf.create.Filler("sound", length - position))
                    slot.segment.length = length
            tc_slot = comp.create_timeline_slot(fps)
            tc_slot.name = "Timecode"
            timecode = aaf.create.Timecode(rate.timecode_base, drop=rate.drop)
            timecode.start = origin_frame
            timecode.length = -(-length * fps.numerator // (fps.denominator * sample_rate))
            tc_slot.segment = timecode
            tc_slot["PhysicalTrackNumber"].value = 1
    finally:
        random.setstate(state)
