"""The rendered stems as timelines for the mix stage: OTIO, one EDL per stem track, AAF.

Each rendered file is placed at its record position; the AAF links the files (it does not
embed them), one sound track per channel of each stem, at a 48 kHz edit rate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from edl.cmx3600 import write_edl
from edl.cut import Cut, Event
from edl.rate import Rate
from edl.timecode import frames_to_samples

__all__ = ["StemFile", "timeline_otio", "stem_edls", "write_aaf"]


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


def timeline_otio(files: list[StemFile], cut: Cut, title: str) -> otio.schema.Timeline:
    """One audio track per stem (more where a stem's files overlap); clips link the files
    relative to the timeline/ folder."""
    fps = float(cut.rate.fps)
    rt = lambda frames: otio.opentime.RationalTime(frames, fps)  # noqa: E731
    origin = min([f.start for f in files] + [cut.record_start or 0])
    timeline = otio.schema.Timeline(name=title)
    timeline.global_start_time = rt(origin)
    lanes: dict[str, list[tuple[otio.schema.Track, list[int]]]] = defaultdict(list)
    for f in sorted(files, key=lambda f: (f.stem, f.start)):
        lane = next((lane for lane in lanes[f.stem] if lane[1][0] <= f.start), None)
        if lane is None:
            number = len(lanes[f.stem]) + 1
            name = f.stem if number == 1 else f"{f.stem} {number}"
            lane = (otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio), [origin])
            lanes[f.stem].append(lane)
        track, end = lane
        if f.start > end[0]:
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                rt(0), rt(f.start - end[0]))))  # fmt: skip
        media = otio.schema.ExternalReference(
            target_url="../" + f.path,
            available_range=otio.opentime.TimeRange(rt(f.start), rt(f.end - f.start)),
        )
        track.append(otio.schema.Clip(
            name=Path(f.path).name, media_reference=media,
            source_range=otio.opentime.TimeRange(rt(f.start), rt(f.end - f.start)),
            metadata={"mconform": {"cue": f.cue, "stem": f.stem, "samples": f.samples}},
        ))  # fmt: skip
        end[0] = f.end
    for stem in sorted(lanes):
        for track, _ in lanes[stem]:
            timeline.tracks.append(track)
    return timeline


def stem_edls(files: list[StemFile], cut: Cut, title: str) -> dict[str, str]:
    """An EDL per stem track: each file as an audio event at its record time."""
    result = {}
    by_stem: dict[str, list[StemFile]] = defaultdict(list)
    for f in files:
        by_stem[f.stem].append(f)
    for stem, group in sorted(by_stem.items()):
        events = []
        for n, f in enumerate(sorted(group, key=lambda f: f.start), start=1):
            tracks = (1, 2) if f.channels == 2 else (1,)
            events.append(Event(
                number=f"{n:03d}", reel="AX", channels="A", record_in=f.start, record_out=f.end,
                source_in=f.start, source_out=f.end, clip_name=Path(f.path).name,
                source_file=Path(f.path).name, audio_tracks=tracks,
            ))  # fmt: skip
        stem_cut = Cut(rate=cut.rate, events=(), audio_events=tuple(events), title=title)
        result[stem] = write_edl(stem_cut, title=f"{title} {stem}"[:60])
    return result


def _wav_metadata(path: Path, f: StemFile, sample_rate: int, bits: int) -> dict[str, object]:
    """What pyaaf2's link needs, in ffprobe's shape, from what we know of our own file."""
    return {
        "format": {"filename": str(path), "format_name": "wav", "format_long_name": "WAV / WAVE",
                   "duration": str(f.samples / sample_rate)},  # fmt: skip
        "streams": [{
            "codec_type": "audio", "codec_name": f"pcm_s{bits}le", "sample_rate": str(sample_rate),
            "channels": f.channels, "duration_ts": f.samples, "sample_fmt": "s32" if bits > 16
            else "s16", "bit_rate": str(sample_rate * f.channels * bits),
        }],
    }  # fmt: skip


def write_aaf(
    path: Path,
    files: list[StemFile],
    package: Path,
    rate: Rate,
    title: str,
    sample_rate: int = 48000,
    bits: int = 24,
) -> None:
    """One top-level composition, a sound track per channel of each stem, files linked."""
    import aaf2

    origin = min(f.start for f in files)
    origin_samples = frames_to_samples(origin, rate, sample_rate)
    with aaf2.open(str(path), "w") as aaf:
        masters = {}
        for f in files:
            absolute = (package / f.path).resolve()
            mob, _, _ = aaf.content.link_external_wav(_wav_metadata(absolute, f, sample_rate, bits))
            mob.name = Path(f.path).stem
            masters[f.path] = mob
        comp = aaf.create.CompositionMob()
        comp.name = title
        comp.usage = "Usage_TopLevel"
        aaf.content.mobs.append(comp)
        tc_slot = comp.create_empty_sequence_slot(rate.timecode_base, media_kind="Timecode")
        timecode = aaf.create.Timecode(rate.timecode_base, drop=rate.drop)
        timecode.start = origin
        timecode.length = rate.timecode_base * 3600 * 4
        tc_slot.segment.components.append(timecode)
        by_stem: dict[str, list[StemFile]] = defaultdict(list)
        for f in files:
            by_stem[f.stem].append(f)
        for stem, group in sorted(by_stem.items()):
            channels = max(f.channels for f in group)
            for channel in range(channels):
                slot = comp.create_sound_slot(sample_rate)
                slot.name = stem if channels == 1 else f"{stem} {channel + 1}"
                position = origin_samples
                for f in sorted(group, key=lambda f: f.start):
                    start = frames_to_samples(f.start, rate, sample_rate)
                    if start < position or channel >= f.channels:
                        continue
                    if start > position:
                        slot.segment.components.append(aaf.create.Filler("sound", start - position))
                    mob = masters[f.path]
                    clip = mob.create_source_clip(mob.slots[channel].slot_id, start=0,
                                                  length=f.samples)  # fmt: skip
                    slot.segment.components.append(clip)
                    position = start + f.samples
