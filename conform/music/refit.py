"""`conform --fit`: every changed cue that needs a music edit, re-fitted to its new scene.

A cue needs a music edit when its picture changed under it: it now plays as several parts
(a cut inside the scene) or as one part that no longer runs its whole length. Such a cue is
re-fitted as one piece from the first part's new start to the last part's new end, with
each of its sync points as a hit (its place in the audio -> where re-conform put it on the
new picture), so that the music fills the scene and still lands its hits. The ending is
kept (no tail trim): a cue's button usually matters. Parts more than ``MAX_GAP_SECONDS``
apart are separate music edits and are left as conformed, with a note.

New stems go to ``OUT/fit/<cue>_<stem>.wav`` (same rate, channels and bit depth) and every
edit is written to ``OUT/fit.csv``. A cue that cannot be fitted is reported and the others
go on; the caller exits non-zero at the end.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from conform.cues.placed import read_stem_cues
from conform.cues.reconform import ConformedCue
from conform.music.cue_audio import check_stems, read_mix, safe_name, write_fitted
from conform.music.errors import FitError
from conform.music.fit import FitPlan, plan_fit
from conform.music.hits import Hit
from edl.changes import ChangeList
from edl.csvsafe import safe_cell
from edl.errors import MconformError
from edl.files import OutputDir
from edl.timecode import format_timecode, frames_to_samples

__all__ = ["Refit", "RefitReport", "needs_music_edit", "refit_changed_cues", "MAX_GAP_SECONDS"]

MAX_GAP_SECONDS = 10


@dataclass(frozen=True)
class Refit:
    """What happened to one cue: fitted (with its plan and new stems), skipped or failed."""

    cue: str
    status: str  # fitted, skipped, failed
    why: str = ""
    plan: FitPlan | None = None
    stems: tuple[str, ...] = ()  # paths inside the output folder
    new_start: str = ""
    new_end: str = ""


@dataclass(frozen=True)
class RefitReport:
    refits: tuple[Refit, ...]

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.refits)

    @property
    def lines(self) -> list[str]:
        """One line per cue, then the edits of each fitted cue, for the terminal."""
        lines = []
        for r in self.refits:
            if r.status == "fitted" and r.plan is not None:
                lines.append(f"fit {r.cue} to {r.new_start}-{r.new_end}: {r.plan.describe()[0]}")
                lines.extend(f"  {line}" for line in r.plan.describe()[1:])
            else:
                lines.append(f"fit {r.cue}: {r.status}: {r.why}")
        if not self.refits:
            lines.append("fit: no changed cue needs a music edit")
        return lines


def _live(item: ConformedCue) -> list:
    return [p for p in item.parts if p.new_start is not None and p.new_end is not None]


def needs_music_edit(item: ConformedCue) -> bool:
    """Changed, still in the cut, and no longer playing its audio straight through."""
    live = _live(item)
    if item.status != "changed" or not live:
        return False
    if len(live) > 1:
        return True
    part = live[0]
    return part.offset != 0 or (part.old_end - part.old_start) != item.cue.length


def _hits(item: ConformedCue, changes: ChangeList, sample_rate: int, start: int) -> list[Hit]:
    """Each sync point: its place in the cue's audio -> its place in the re-fitted cue."""
    old, new = changes.old.rate, changes.new.rate
    origin = frames_to_samples(item.cue.start, old, sample_rate)
    head = frames_to_samples(start, new, sample_rate)
    hits = []
    for part in _live(item):
        inside = [p for p in item.cue.sync if part.old_start <= p.frame < part.old_end]
        for before, after in zip(inside, part.sync, strict=False):
            source = frames_to_samples(before.frame, old, sample_rate) - origin
            target = frames_to_samples(after.frame, new, sample_rate) - head
            hits.append(Hit(before.name or format_timecode(before.frame, old), source, target))
    return hits


def _refit_one(
    item: ConformedCue, changes: ChangeList, stems: dict[str, Path], output: OutputDir
) -> Refit:
    live = _live(item)
    number = item.cue.number
    new_rate = changes.new.rate
    gaps = [b.new_start - a.new_end for a, b in zip(live, live[1:], strict=False)]
    if any(g < 0 or g > MAX_GAP_SECONDS * float(new_rate.fps) for g in gaps):
        return Refit(number, "skipped", f"parts more than {MAX_GAP_SECONDS} s apart or out of "
                     "order: separate music edits, left as conformed")  # fmt: skip
    if not stems:
        return Refit(number, "skipped", "no stems in the cue list to re-fit")
    start, end = live[0].new_start, live[-1].new_end
    files = check_stems(list(stems.values()))
    rate = files[0].sample_rate
    target = frames_to_samples(end, new_rate, rate) - frames_to_samples(start, new_rate, rate)
    hits = tuple(
        h for h in _hits(item, changes, rate, start) if 0 < h.source < files[0].frames
        and 0 < h.target < target
    )  # fmt: skip
    plan = plan_fit(read_mix(files), rate, target, "auto", keep_end=True, hits=hits)
    names = [f"fit/{safe_name(number)}_{safe_name(name)}.wav" for name in stems]
    when = f"{format_timecode(start, new_rate)}-{format_timecode(end, new_rate)}"
    note = f"{number} re-fitted to {when} by mconform ({plan.mode})"
    write_fitted(plan, files, [output.path(n) for n in names], note, force=True)
    return Refit(number, "fitted", "", plan, tuple(names), *when.split("-"))


def refit_changed_cues(
    output: OutputDir, conformed: list[ConformedCue], changes: ChangeList, cues_path: Path
) -> RefitReport:
    """Re-fit every cue that needs a music edit into ``output``; write ``fit.csv``."""
    stems_of = {c.number: c.stems for c in read_stem_cues(cues_path, changes.old.rate)}
    refits = []
    for item in conformed:
        if not needs_music_edit(item):
            continue
        try:
            refits.append(_refit_one(item, changes, stems_of.get(item.cue.number, {}), output))
        except (MconformError, FitError) as err:
            refits.append(Refit(item.cue.number, "failed", str(err)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["cue", "status", "new_start", "new_end", "stems", "edit"])
    for r in refits:
        edit = " | ".join(r.plan.describe()) if r.plan is not None else r.why
        writer.writerow([safe_cell(r.cue), r.status, r.new_start, r.new_end,
                         safe_cell(";".join(r.stems)), safe_cell(edit)])  # fmt: skip
    output.write_text("fit.csv", buffer.getvalue())
    return RefitReport(tuple(refits))
