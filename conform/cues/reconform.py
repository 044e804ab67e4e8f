"""Re-conform: move every cue through a change list, splitting it where a change cuts it.

A cue becomes one or more parts. Each part is a run of the cue's old frames that stays
contiguous in the new cut (or that no longer exists), with its offset into the cue's
audio so that stems can be rendered from it later. Statuses follow DESIGN.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from conform.cues.cuelist import Cue, SyncPoint
from edl.changes import ChangeList, Segment
from edl.timecode import format_duration, format_timecode

__all__ = [
    "STATUSES",
    "Part",
    "ConformedCue",
    "conform_cue",
    "conform_cues",
    "assign_layers",
    "cues_outside",
]

STATUSES = ("unchanged", "moved", "changed", "removed")
_RETIMING = {"replaced", "retimed", "speed", "lifted"}
"""Kinds that put other picture (or the same at another speed) under the cue: 'changed'."""


@dataclass(frozen=True)
class Part:
    """A piece of a cue: old range, new range (None if gone) and offset into the cue's audio.

    The audio of a part plays straight through from ``offset``: parts split wherever the
    picture under the cue stops being a plain shift of the old picture.
    """

    index: int
    old_start: int
    old_end: int
    new_start: int | None
    new_end: int | None
    offset: int
    notes: tuple[str, ...] = ()
    sync: tuple[SyncPoint, ...] = ()

    @property
    def exists(self) -> bool:
        return self.new_start is not None


@dataclass(frozen=True)
class ConformedCue:
    cue: Cue
    status: str
    parts: tuple[Part, ...]
    layer: int = 1

    @property
    def new_start(self) -> int | None:
        return min((p.new_start for p in self.parts if p.new_start is not None), default=None)

    @property
    def new_end(self) -> int | None:
        return max((p.new_end for p in self.parts if p.new_end is not None), default=None)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(note for part in self.parts for note in part.notes)


@dataclass
class _Run:
    old_start: int
    old_end: int
    new_start: int | None
    new_end: int | None
    segment: Segment | None


def _retimed(run: _Run) -> bool:
    """A run whose new length differs from its old: the cue's audio cannot play through it."""
    segment = run.segment
    return segment is not None and segment.new_frames != segment.old_frames


def _runs(cue: Cue, changes: ChangeList) -> list[_Run]:
    runs = []
    for lo, hi, segment in changes.pieces(cue.start, cue.end):
        if segment is None:  # outside the old picture: moves with the nearest end of the reel
            new = changes.map(lo)
            runs.append(_Run(lo, hi, new, None if new is None else new + hi - lo, None))
        elif segment.kind == "deleted":
            runs.append(_Run(lo, hi, None, None, segment))
        elif segment.new_frames != segment.old_frames:  # mapped by position in the slot
            end = segment.new_start + (hi - segment.old_start) * segment.new_frames // (
                segment.old_frames
            )
            runs.append(_Run(lo, hi, segment.map(lo), end, segment))
        else:
            runs.append(_Run(lo, hi, lo + segment.offset, hi + segment.offset, segment))
    return runs


def conform_cue(cue: Cue, changes: ChangeList) -> ConformedCue:
    """The cue's parts in the new cut and its status, with notes on what happened."""
    rate = changes.new.rate
    tc = lambda frame: format_timecode(frame, rate)  # noqa: E731
    groups: list[list[_Run]] = []
    for run in _runs(cue, changes):
        last = groups[-1][-1] if groups else None
        joins = last is not None and (
            (last.new_end is None and run.new_start is None)
            or (
                last.new_end is not None
                and run.new_start == last.new_end
                and not _retimed(last)
                and not _retimed(run)
            )
        )
        if joins:
            groups[-1].append(run)
        else:
            groups.append([run])
    parts: list[Part] = []
    previous_end: int | None = None
    previous_moved = False
    for index, group in enumerate(groups, start=1):
        notes = [n for run in group if (n := _run_note(run, tc))]
        first, last = group[0], group[-1]
        moved_in = first.segment is not None and first.segment.kind == "moved"
        if moved_in:
            notes.insert(0, f"moved with its picture to {tc(first.new_start or 0)}")
        elif (
            first.new_start is not None
            and previous_end is not None
            and first.new_start != previous_end
            and not previous_moved
        ):
            notes.insert(0, _join_note(previous_end, first.new_start, changes, tc))
        sync = tuple(
            SyncPoint(_map_in(point.frame, group, changes), point.name)
            for point in cue.sync
            if first.old_start <= point.frame < last.old_end and first.new_start is not None
        )
        parts.append(
            Part(index, first.old_start, last.old_end, first.new_start, last.new_end,
                 first.old_start - cue.start, tuple(dict.fromkeys(notes)), sync)
        )  # fmt: skip
        if last.new_end is not None:
            previous_end = last.new_end
            previous_moved = last.segment is not None and last.segment.kind == "moved"
    status = _status([run for group in groups for run in group], parts)
    if status == "moved":
        shift = (parts[0].new_start or 0) - parts[0].old_start
        way = "later" if shift > 0 else "earlier"
        note = f"moved {format_duration(abs(shift), rate)} {way} ({shift:+d} frames)"
        parts[0] = Part(**{**parts[0].__dict__, "notes": (note,)})
    lost = [p for p in cue.sync if changes.map(p.frame) is None]
    if lost and parts:
        words = ", ".join(f"{p.name or 'sync'} at {tc(p.frame)}" for p in lost)
        parts[-1] = Part(
            **{**parts[-1].__dict__, "notes": (*parts[-1].notes, f"sync point lost: {words}")}
        )
    return ConformedCue(cue, status, tuple(parts))


def _map_in(frame: int, group: list[_Run], changes: ChangeList) -> int:
    for run in group:
        if run.old_start <= frame < run.old_end and run.new_start is not None:
            if _retimed(run):
                mapped = run.segment.map(frame) if run.segment else None
                return run.new_start if mapped is None else mapped
            return run.new_start + frame - run.old_start
    return changes.map(frame) or frame


def _status(runs: list[_Run], parts: list[Part]) -> str:
    if all(run.new_start is None for run in runs):
        return "removed"
    retimed = any(run.segment is not None and run.segment.kind in _RETIMING for run in runs)
    if len(parts) == 1 and not retimed:
        return "unchanged" if parts[0].new_start == parts[0].old_start else "moved"
    return "changed"


def _run_note(run: _Run, tc) -> str:  # noqa: ANN001 - a formatting function
    segment = run.segment
    if segment is None:
        return "" if run.new_start is not None else "outside the new cut"
    frames = run.old_end - run.old_start
    name = segment.old_name
    where = f"at old {tc(run.old_start)} / new {tc(segment.new_start)}"
    if segment.kind == "deleted":
        if segment.detail == "trimmed":
            return f"{frames} frames of {name} trimmed {where}"
        if segment.detail == "black removed":
            return f"{frames} frames of black removed {where}"
        return f"shot {name} deleted ({frames} frames under the cue) {where}"
    if segment.kind in _RETIMING:
        tags = f" [{', '.join(segment.tags)}]" if segment.tags else ""
        return f"{segment.kind}: {segment.detail}{tags} {where}"
    return ""


def _join_note(previous_end: int, start: int, changes: ChangeList, tc) -> str:  # noqa: ANN001
    """What lies between two parts in the new cut: an insertion, or a jump."""
    if start < previous_end:
        return f"continues at {tc(start)}, before the previous part (picture moved)"
    inserted = [
        s for s in changes.starting_between(previous_end, start) if s.kind in ("inserted", "moved")
    ]
    what = []
    for s in inserted:
        name = s.clip or s.reel
        if s.kind == "moved":
            what.append(f"{name} moved in ({s.new_frames} frames)")
        elif s.detail == "extended":
            what.append(f"{name} extended by {s.new_frames} frames")
        else:
            what.append(f"{name} inserted ({s.new_frames} frames)")
    gap = start - previous_end
    detail = f": {', '.join(what)}" if what else ""
    return f"{gap} frames inserted at {tc(previous_end)}{detail}"


def assign_layers(cues: list[ConformedCue]) -> list[ConformedCue]:
    """Put overlapping cues on separate layers (first free layer, in order of new start)."""
    order = sorted(
        range(len(cues)), key=lambda i: (cues[i].new_start is None, cues[i].new_start or 0, i)
    )
    layer_ends: list[int] = []
    layers = [1] * len(cues)
    for i in order:
        start, end = cues[i].new_start, cues[i].new_end
        if start is None or end is None:
            continue
        for layer, layer_end in enumerate(layer_ends):
            if layer_end <= start:
                layer_ends[layer] = end
                layers[i] = layer + 1
                break
        else:
            layer_ends.append(end)
            layers[i] = len(layer_ends)
    return [ConformedCue(cue.cue, cue.status, cue.parts, layers[i]) for i, cue in enumerate(cues)]


def cues_outside(cues: list[Cue] | tuple[Cue, ...], changes: ChangeList) -> list[str]:
    """Warnings for cues that lie wholly outside the old cut's picture."""
    start, end = changes.old.record_start, changes.old.record_end
    if start is None or end is None:
        return []
    rate = changes.old.rate
    return [
        f"cue {cue.number} ({format_timecode(cue.start, rate)}-{format_timecode(cue.end, rate)}) "
        f"lies outside the old cut ({format_timecode(start, rate)}-{format_timecode(end, rate)}); "
        "it moves with the nearest end of the reel"
        for cue in cues
        if cue.end <= start or cue.start >= end
    ]


def conform_cues(cues: list[Cue] | tuple[Cue, ...], changes: ChangeList) -> list[ConformedCue]:
    """Every cue through the change list, with layers assigned for the music timeline."""
    return assign_layers([conform_cue(cue, changes) for cue in cues])
