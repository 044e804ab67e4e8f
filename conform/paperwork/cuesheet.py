"""The performing-rights cue sheet: every use of music in the final cut and who owns it.

One row per *use*: each separate time a cue is heard (parts of a cue that touch or overlap
are one use; a gap makes a new use). Uses are numbered in order of their first frame.
Durations are whole seconds, rounded once per use (nearest second, halves up, at least
1 s), and the total music time is the sum of the rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from conform.cues.cuelist import CueError
from conform.cues.placed import StemCue
from conform.paperwork.parties import ROLES, Party, format_share, parties_from_columns, share_totals
from edl.csvsafe import safe_cell
from edl.cut import Cut
from edl.errors import CutError
from edl.rate import Rate

if TYPE_CHECKING:
    from temp_library.catalog import Catalog
from edl.timecode import format_timecode
from temp_library.usage import RISKY, find_usage, is_locked

__all__ = [
    "USAGES",
    "Production",
    "Use",
    "CueSheet",
    "cue_sheet",
    "cue_sheet_csv",
    "production_csv",
    "production_rows",
    "whole_seconds",
    "clock",
    "cue_sheet_files",
    "library_warnings",
    "unknown_cues",
]

# Usage codes of the ASCAP/BMI (RapidCue) and CISAC cue-sheet legends.
USAGES = {
    "BI": "background instrumental",
    "BV": "background vocal",
    "VI": "visual instrumental",
    "VV": "visual vocal",
    "VS": "visual source",
    "MT": "main title theme",
    "ET": "end title theme",
    "OT": "opening theme",
    "CT": "closing theme",
    "EE": "logo",
    "FI": "featured instrumental",
    "FV": "featured vocal",
    "BG": "background",
}
_RISKY = {"temp", "temp-only", "temp only", "unknown", "uncleared", "not cleared"}


@dataclass(frozen=True)
class Production:
    """The production header of the cue sheet (what the societies' forms ask first)."""

    title: str = ""
    aka: str = ""
    episode_title: str = ""
    episode_number: str = ""
    production_number: str = ""
    company: str = ""
    contact: str = ""
    release_date: str = ""


def release_date(text: str) -> str:
    """The air/release date as the societies' forms want it (ISO ``YYYY-MM-DD``), or ``""``.

    Free text such as "next spring" would go through to a form the society rejects, so it is
    refused here, where the user can still fix it.
    """
    import datetime

    text = text.strip()
    if not text:
        return ""
    try:
        return datetime.date.fromisoformat(text).isoformat() if len(text) == 10 else _bad(text)
    except ValueError:
        return _bad(text)


def _bad(text: str) -> str:
    raise CueError(f"--release-date {text!r} is not a date", hint="give it as YYYY-MM-DD")


@dataclass(frozen=True)
class Use:
    """One time a cue is heard: record frames ``[start, end)`` and its whole seconds."""

    sequence: int
    cue: str
    title: str
    usage: str
    start: int
    end: int
    seconds: int
    parties: tuple[Party, ...]
    source: str = ""
    flags: tuple[str, ...] = ()

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class CueSheet:
    """The whole sheet: header, uses in order and the warnings about them."""

    production: Production
    rate: Rate
    programme_frames: int
    uses: tuple[Use, ...]
    warnings: tuple[str, ...] = field(default=())
    last_frame: int | None = None

    @property
    def programme_seconds(self) -> int:
        return whole_seconds(self.programme_frames, self.rate, at_least_one=False)

    @property
    def music_seconds(self) -> int:
        """Total music time: the sum of the rows, so that the sheet adds up."""
        return sum(u.seconds for u in self.uses)


def whole_seconds(frames: int, rate: Rate, at_least_one: bool = True) -> int:
    """Frames as whole seconds, nearest with halves up; a heard use counts at least 1 s."""
    seconds = int(Fraction(frames) / rate.fps + Fraction(1, 2))
    return max(seconds, 1) if at_least_one and frames > 0 else seconds


def clock(seconds: int) -> str:
    """Whole seconds as the societies write timings: ``mm:ss`` (minutes may pass 59)."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _uses(cue: StemCue) -> list[tuple[int, int]]:
    """The cue's parts joined where they touch or overlap: each separate time it is heard."""
    spans: list[list[int]] = []
    for part in sorted(cue.parts, key=lambda p: (p.start, p.end)):
        if spans and part.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], part.end)
        else:
            spans.append([part.start, part.end])
    return [(a, b) for a, b in spans]


def _usage(cue: StemCue, col: dict[str, str]) -> str:
    usage = col.get("usage", "").strip().upper()
    if usage and usage not in USAGES:
        raise CueError(
            f"cue {cue.number}: usage {col.get('usage', '').strip()!r} is not a cue-sheet usage",
            line=cue.line,
            hint="use one of " + ", ".join(USAGES),
        )
    return usage


def _check_parts(cue: StemCue, rate: Rate) -> None:
    for part in cue.parts:
        if part.end <= part.start:
            raise CueError(
                f"cue {cue.number}: ends ({format_timecode(part.end, rate)}) before or where it "
                f"starts ({format_timecode(part.start, rate)})",
                line=cue.line,
                hint="end is exclusive and must come after start",
            )


def _rights_warnings(cue: str, parties: tuple[Party, ...]) -> list[str]:
    """What a society would send back: no writer or publisher, blanks, shares off 100 %."""
    problems = []
    if not any(p.side == "writer" for p in parties):
        problems.append("no writer (composer/author)")
    if not any(p.side == "publisher" for p in parties):
        problems.append("no publisher")
    for what, label in (("society", "society"), ("ipi", "IPI/CAE")):
        blank = [p.name for p in parties if not getattr(p, what).strip()]
        if blank:
            problems.append(f"no {label} for {', '.join(blank)}")
    unshared = [p.name for p in parties if p.share is None]
    if unshared:
        problems.append(f"no share for {', '.join(unshared)}")
    for side, total in share_totals(parties).items():
        if total is not None and abs(total - 100) > Fraction(5, 100):
            problems.append(f"{side}s' shares add up to {format_share(total)} %, not 100 %")
    return [f"cue {cue}: {p}" for p in problems]


def cue_sheet(
    cues: list[StemCue],
    cut: Cut,
    production: Production | None = None,
    parties: dict[str, tuple[Party, ...]] | None = None,
) -> CueSheet:
    """The sheet for ``cues`` placed on the final ``cut``; ``parties`` (by cue) win over columns."""
    rate = cut.rate
    production = production or Production(title=cut.title)
    parties = parties or {}
    locked = is_locked(cut)
    found: list[tuple[int, int, StemCue, str, tuple[Party, ...], str, list[str]]] = []
    warnings: list[str] = []
    for cue in cues:
        _check_parts(cue, rate)
        col = {k.strip().lower(): v.strip() for k, v in cue.columns.items()}
        usage = _usage(cue, col)
        try:
            owners = parties[cue.number] if cue.number in parties else parties_from_columns(col)
        except CutError as err:
            raise CueError(f"cue {cue.number}: {err.cause}", line=cue.line, hint=err.hint) from None
        source = col.get("source", "")
        licence = col.get("licence", col.get("license", col.get("clearance", "")))
        cue_warnings = _rights_warnings(cue.number, owners)
        if not usage:
            cue_warnings.append(f"cue {cue.number}: no usage (BI, BV, VI, VV, MT, ET, ...)")
        risky = [v for v in (source, licence) if v.lower() in _RISKY]
        if risky:
            where = "the locked cut" if locked else "the final cut"
            cue_warnings.append(
                f"cue {cue.number}: {risky[0]} music in {where}: license or replace it"
            )
        warnings += cue_warnings
        for start, end in _uses(cue):
            found.append((start, end, cue, usage, owners, source, cue_warnings))
    found.sort(key=lambda f: (f[0], f[1], f[2].number))
    first, last = cut.record_start, cut.record_end
    uses = []
    for sequence, (start, end, cue, usage, owners, source, notes) in enumerate(found, start=1):
        flags = [note.partition(": ")[2] for note in notes]
        if last is not None and end > last:
            flags.append(f"runs {clock(whole_seconds(end - max(start, last), rate))} past the end")
            warnings.append(
                f"cue {cue.number} (use {sequence}) runs past the last frame of picture "
                f"({format_timecode(last, rate)}) to {format_timecode(end, rate)}"
            )
        if first is not None and start < first:
            flags.append("starts before picture")
            warnings.append(
                f"cue {cue.number} (use {sequence}) starts at {format_timecode(start, rate)}, "
                f"before the first frame of picture ({format_timecode(first, rate)})"
            )
        seconds = whole_seconds(end - start, rate)
        uses.append(Use(sequence, cue.number, cue.title, usage, start, end, seconds, owners,
                        source, tuple(flags)))  # fmt: skip
    warnings += _overlaps(uses, rate)
    return CueSheet(production, rate, cut.length, tuple(uses), tuple(warnings), last)


def _overlaps(uses: list[Use], rate: Rate) -> list[str]:
    """Uses of different cues heard at once (a sweep over uses in start order)."""
    found = []
    active: list[Use] = []
    for use in uses:
        active = [a for a in active if a.end > use.start]
        for other in active:
            if other.cue != use.cue:
                both = min(other.end, use.end) - use.start
                found.append(
                    f"cues {other.cue} and {use.cue} overlap for "
                    f"{clock(whole_seconds(both, rate))} from {format_timecode(use.start, rate)}"
                )
        active.append(use)
    return found


def library_warnings(catalog: Catalog, cut: Cut) -> list[str]:
    """Temp tracks of the catalog that still play in the cut with no licence to stay."""
    where = "the locked cut" if is_locked(cut) else "the final cut"
    return [
        f"temp track {use.track.name} is {use.track.licence} but plays in {where} at "
        f"{format_timecode(use.event.record_in, cut.rate)}: license or replace it"
        for use in find_usage(catalog, cut)
        if use.track.licence in RISKY
    ]


def unknown_cues(parties: dict[str, tuple[Party, ...]], cues: list[StemCue]) -> list[str]:
    """Cues a parties file names that the cue list does not have (a typo, or a dropped cue)."""
    known = {c.number for c in cues}
    return [f"parties file: cue {n} is not in the cue list" for n in parties if n not in known]


def production_rows(sheet: CueSheet) -> list[tuple[str, str]]:
    """The header as (field, value): the production, lengths and the music total."""
    p = sheet.production
    return [
        ("Series/Film Title", p.title),
        ("AKA", p.aka),
        ("Episode Title", p.episode_title),
        ("Episode Number", p.episode_number),
        ("Production Number", p.production_number),
        ("Production Company", p.company),
        ("Contact", p.contact),
        ("Air/Release Date", p.release_date),
        ("Frame Rate", str(sheet.rate)),
        ("Programme Length", clock(sheet.programme_seconds)),
        ("Total Music", clock(sheet.music_seconds)),
        ("Music Uses", str(len(sheet.uses))),
    ]


def production_csv(sheet: CueSheet) -> str:
    """The production header as its own two-column CSV (``field, value``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["field", "value"])
    for name, value in production_rows(sheet):
        writer.writerow([name, safe_cell(value)])
    return buffer.getvalue()


PARTY_FIELDS = ("name", "role", "society", "ipi", "share")


def cue_sheet_csv(sheet: CueSheet) -> str:
    """The flat sheet: one table, one row per use, parties in numbered columns.

    The party columns are the cue list's own (``writer1``, ``writer1_role``, ...), so the
    sheet reads back as a cue list. User text is made spreadsheet-safe (edl.csvsafe).
    """
    writers = max((sum(p.side == "writer" for p in u.parties) for u in sheet.uses), default=0)
    pubs = max((sum(p.side == "publisher" for p in u.parties) for u in sheet.uses), default=0)
    party_columns = [
        f"{side}{n}" + ("" if what == "name" else f"_{what}")
        for side, count in (("writer", writers), ("publisher", pubs))
        for n in range(1, count + 1)
        for what in PARTY_FIELDS
    ]
    header = ["seq", "cue", "title", "usage", "in", "out", "duration", "seconds", "source",
              *party_columns, "flags"]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    tc = lambda f: format_timecode(f, sheet.rate)  # noqa: E731
    for use in sheet.uses:
        row: list[object] = [
            use.sequence, safe_cell(use.cue), safe_cell(use.title), use.usage, tc(use.start),
            tc(use.end), clock(use.seconds), use.seconds, safe_cell(use.source),
        ]  # fmt: skip
        for side, count in (("writer", writers), ("publisher", pubs)):
            mine = [p for p in use.parties if p.side == side]
            for n in range(count):
                if n < len(mine):
                    p = mine[n]
                    row += [safe_cell(p.name), p.role, safe_cell(p.society), safe_cell(p.ipi),
                            format_share(p.share)]  # fmt: skip
                else:
                    row += [""] * len(PARTY_FIELDS)
        row.append("; ".join(use.flags))
        writer.writerow(row)
    return buffer.getvalue()


def role_name(code: str) -> str:
    """``CA`` -> ``composer/author``."""
    return ROLES.get(code, (code, ""))[0]


def cue_sheet_files(sheet: CueSheet, stem: str = "cuesheet") -> dict[str, bytes]:
    """Every file of the sheet by name: ``STEM.csv``, ``STEM.production.csv``, ``STEM.xlsx``."""
    from conform.paperwork.xlsx import cue_sheet_xlsx

    return {
        f"{stem}.csv": cue_sheet_csv(sheet).encode("utf-8"),
        f"{stem}.production.csv": production_csv(sheet).encode("utf-8"),
        f"{stem}.xlsx": cue_sheet_xlsx(sheet),
    }
