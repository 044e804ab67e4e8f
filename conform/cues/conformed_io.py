"""Conformed cues out: DESIGN.md's `cues.csv` and the music as an OTIO timeline."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from conform.cues.cuelist import CueList, SyncPoint, rebase_paths
from conform.cues.reconform import ConformedCue
from edl.changes import ChangeList
from edl.changes_io import changes_csv, changes_edl, changes_json
from edl.cut import Cut
from edl.errors import CutError
from edl.files import OutputDir

if TYPE_CHECKING:
    import opentimelineio as otio
from edl.timecode import format_duration, format_timecode

__all__ = ["CUE_COLUMNS", "conformed_csv", "music_timeline", "write_conform_outputs"]

CUE_COLUMNS = (
    "cue", "part", "status", "old_start", "old_end", "new_start", "new_end", "offset", "note",
)  # fmt: skip


def _sync_text(points: tuple[SyncPoint, ...], cut: Cut) -> str:
    return "; ".join(
        f"{p.name}={cut.timecode(p.frame)}" if p.name else cut.timecode(p.frame) for p in points
    )


def conformed_csv(
    conformed: list[ConformedCue], cues: CueList, old: Cut, new: Cut, folder: Path | None = None
) -> str:
    """One row per part, then the input's other columns (`sync` moved to the new cut).

    With ``folder`` (where the list is written), `file`/`stems` paths are rewritten to
    point from there at the same files as the input list's did.
    """
    rate = new.rate
    extra = [c for c in cues.extra_columns if c.lower() not in CUE_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CUE_COLUMNS, *extra])
    for item in conformed:
        for part in item.parts:
            row = [
                item.cue.number,
                part.index,
                item.status,
                format_timecode(part.old_start, old.rate),
                format_timecode(part.old_end, old.rate),
                "" if part.new_start is None else format_timecode(part.new_start, rate),
                "" if part.new_end is None else format_timecode(part.new_end, rate),
                format_duration(part.offset, rate),
                "; ".join(part.notes),
            ]
            for column in extra:
                if column.lower() == "sync":
                    row.append(_sync_text(part.sync, new))
                elif folder is not None and cues.path:
                    value = item.cue.columns.get(column, "")
                    row.append(rebase_paths(column, value, Path(cues.path).parent, folder))
                else:
                    row.append(item.cue.columns.get(column, ""))
            writer.writerow(row)
    return buffer.getvalue()


def music_timeline(conformed: list[ConformedCue], cut: Cut, cues: CueList) -> otio.schema.Timeline:
    """A track per layer, a clip per existing part, sync points as markers on the clips."""
    import opentimelineio as otio  # loaded only when a timeline is written

    fps = float(cut.rate.fps)
    rt = lambda frames: otio.opentime.RationalTime(frames, fps)  # noqa: E731
    starts = [c.new_start for c in conformed if c.new_start is not None]
    origin = min([cut.record_start or 0, *starts])
    timeline = otio.schema.Timeline(name=f"music: {cut.title or Path(cut.source).stem}")
    timeline.global_start_time = rt(origin)
    layers = max((c.layer for c in conformed), default=0)
    tracks = [
        otio.schema.Track(name=f"M{n}", kind=otio.schema.TrackKind.Audio)
        for n in range(1, layers + 1)
    ]
    ends = [origin] * layers
    parts = sorted(
        ((c, p) for c in conformed for p in c.parts if p.exists),
        key=lambda cp: (cp[1].new_start, cp[0].cue.number),
    )
    for item, part in parts:
        assert part.new_start is not None and part.new_end is not None
        lane = item.layer - 1
        track = tracks[lane]
        if part.new_start < ends[lane]:  # the cue's own parts collide after a move
            track = otio.schema.Track(name=f"M{item.layer} {item.cue.number}", kind="Audio")
            tracks.append(track)
            ends.append(origin)
            lane = len(tracks) - 1
        if part.new_start > ends[lane]:
            track.append(otio.schema.Gap(source_range=_range(0, part.new_start - ends[lane], fps)))
        track.append(_part_clip(item, part, cues, fps))
        ends[lane] = part.new_end
    for track in tracks:
        timeline.tracks.append(track)
    return timeline


def _range(start: int, duration: int, fps: float) -> otio.opentime.TimeRange:
    import opentimelineio as otio

    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(duration, fps)
    )


def _part_clip(item: ConformedCue, part, cues: CueList, fps: float) -> otio.schema.Clip:  # noqa: ANN001
    import opentimelineio as otio

    cue = item.cue
    name = f"{cue.number} {cue.title}".strip()
    if len(item.parts) > 1:
        name += f" (part {part.index})"
    file = cue.columns.get(_column(cues, "file"), "")
    if file:
        base = Path(cues.path).parent if cues.path else Path()
        media: otio.core.MediaReference = otio.schema.ExternalReference(target_url=str(base / file))
    else:
        media = otio.schema.MissingReference()
    clip = otio.schema.Clip(
        name=name,
        media_reference=media,
        source_range=_range(part.offset, part.new_end - part.new_start, fps),
        metadata={
            "mconform": {
                "cue": cue.number,
                "part": part.index,
                "status": item.status,
                "note": "; ".join(part.notes),
            }
        },
    )
    for point in part.sync:
        offset_in_audio = part.offset + (point.frame - part.new_start)
        clip.markers.append(
            otio.schema.Marker(
                name=point.name or "sync",
                marked_range=_range(offset_in_audio, 0, fps),
                color=otio.schema.MarkerColor.RED,
            )
        )
    return clip


def _column(cues: CueList, name: str) -> str:
    return next((h for h in cues.header if h.lower() == name), name)


def write_conform_outputs(
    output: OutputDir, conformed: list[ConformedCue], cues: CueList, changes: ChangeList
) -> None:
    """The outputs of `mconform conform`: cues.csv, cues.otio, changes.csv/.edl/.json."""
    from opentimelineio.adapters import otio_json

    for item in conformed:
        for part in item.parts:
            if part.new_start is not None and part.new_start < 0:
                raise CutError(
                    f"cue {item.cue.number} would start before 00:00:00:00 in the new cut",
                    path=cues.path or None,
                    hint="give a later --new-start",
                )
    text = conformed_csv(conformed, cues, changes.old, changes.new, output.target)
    output.write_text("cues.csv", text)
    timeline = music_timeline(conformed, changes.new, cues)
    # the otio_json adapter itself: the same text without loading OTIO's plugin manifest
    output.write_text("cues.otio", otio_json.write_to_string(timeline))
    output.write_text("changes.csv", changes_csv(changes))
    output.write_text("changes.edl", changes_edl(changes))
    output.write_text("changes.json", changes_json(changes))
