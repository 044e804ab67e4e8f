"""Rights parties of a cue (writers, publishers: roles, societies, IPI, shares), read and checked.

Two inputs: numbered cue-list columns (``writer1``, ``writer1_role``, ``writer1_society``,
``writer1_ipi``, ``writer1_share``, ... ``publisher1...``), the older single columns
(``composer``, ``publisher``, ``pro``, ``share``), or a parties CSV keyed by cue.
Role codes are the ones cue-sheet templates and CWR use (C, A, CA, AR, E, AM, SE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from conform.cues.cuelist import CueError, read_table
from edl.errors import CutError

__all__ = [
    "ROLES",
    "Party",
    "parse_role",
    "parse_share",
    "parties_from_columns",
    "read_parties",
    "share_totals",
    "format_share",
]

# code -> (what it is, which side of the cue sheet it belongs to)
ROLES = {
    "C": ("composer", "writer"),
    "A": ("author", "writer"),
    "CA": ("composer/author", "writer"),
    "AR": ("arranger", "writer"),
    "E": ("publisher", "publisher"),
    "AM": ("administrator", "publisher"),
    "SE": ("sub-publisher", "publisher"),
}
_ALIASES = {
    "composer": "C", "author": "A", "lyricist": "A", "composer/author": "CA",
    "composer-author": "CA", "composer and author": "CA", "writer": "CA", "arranger": "AR",
    "publisher": "E", "original publisher": "E", "administrator": "AM", "admin": "AM",
    "sub-publisher": "SE", "subpublisher": "SE", "sub publisher": "SE",
}  # fmt: skip
_NUMBERED = re.compile(r"^(writer|publisher)(\d{1,3})(?:_(name|role|society|ipi|share))?$")
_SHARE = re.compile(r"^\d{1,3}(?:\.\d{1,4})?$")


@dataclass(frozen=True)
class Party:
    """One writer or publisher of a cue: role code, society, IPI/CAE number, share in %."""

    side: str  # "writer" or "publisher"
    name: str
    role: str
    society: str = ""
    ipi: str = ""
    share: Fraction | None = None


def parse_role(text: str, side: str | None = None) -> str:
    """A role name or code -> its code; the side's default when empty."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        if side is None:
            raise CutError("a party has no role", hint="give role: composer, publisher, ...")
        return "CA" if side == "writer" else "E"
    code = raw.upper() if raw.upper() in ROLES else _ALIASES.get(raw)
    if code is None:
        names = ", ".join(f"{c} ({n})" for c, (n, _) in ROLES.items())
        raise CutError(f"role {text.strip()!r} is not a cue-sheet role", hint=f"use {names}")
    if side is not None and ROLES[code][1] != side:
        raise CutError(f"role {text.strip()!r} is not a {side} role")
    return code


def parse_share(text: str) -> Fraction | None:
    """``50``, ``50%``, ``33.33`` -> a share in percent (None when empty); 0..100 only."""
    raw = text.strip().rstrip("%").strip()
    if not raw:
        return None
    if not _SHARE.match(raw) or Fraction(raw) > 100:
        raise CutError(
            f"share {text.strip()!r} is not a percentage", hint="write 0 to 100, e.g. 50 or 33.33"
        )
    return Fraction(raw)


def format_share(share: Fraction | None) -> str:
    """A share as people write it: ``50``, ``33.33`` (at most two decimals)."""
    if share is None:
        return ""
    return f"{float(share):.2f}".rstrip("0").rstrip(".")


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _numbered(columns: dict[str, str]) -> list[Party]:
    fields: dict[tuple[str, int], dict[str, str]] = {}
    for key, value in columns.items():
        match = _NUMBERED.match(key.strip().lower())
        if match:
            side, number, what = match.group(1), int(match.group(2)), match.group(3) or "name"
            fields.setdefault((side, number), {})[what] = value.strip()
    parties = []
    for (side, number), values in sorted(fields.items()):
        if not values.get("name"):
            if any(values.values()):
                raise CutError(f"{side}{number} has data but no name", hint=f"fill {side}{number}")
            continue
        role = parse_role(values.get("role", ""), side)
        parties.append(
            Party(side, values["name"], role, values.get("society", ""), values.get("ipi", ""),
                  parse_share(values.get("share", "")))
        )  # fmt: skip
    return parties


def _legacy(columns: dict[str, str]) -> list[Party]:
    """The single columns: ``composer``, ``publisher`` (``;`` between names), ``pro``, ``share``.

    ``pro`` and ``share`` go with the composers in order (one value: for all); a lone
    publisher holds the whole publishing side (100 %), several get no share (flagged).
    """
    low = {k.strip().lower(): v for k, v in columns.items()}
    writers, publishers = _split(low.get("composer", "")), _split(low.get("publisher", ""))
    pros, shares = _split(low.get("pro", "")), _split(low.get("share", ""))
    pick = lambda items, n: items[n] if len(items) > n else (items[0] if len(items) == 1 else "")  # noqa: E731
    parties = []
    for n, name in enumerate(writers):
        share = pick(shares, n) if len(shares) in (1, len(writers)) else ""
        if len(shares) == 1 and len(writers) > 1:
            share = ""  # one figure for several writers: unknown split
        parties.append(Party("writer", name, "CA" if len(writers) == 1 else "C",
                             pick(pros, n), "", parse_share(share)))  # fmt: skip
    for name in publishers:
        society = pros[0] if len(pros) == 1 else ""
        parties.append(Party("publisher", name, "E", society, "",
                             Fraction(100) if len(publishers) == 1 else None))  # fmt: skip
    return parties


def parties_from_columns(columns: dict[str, str]) -> tuple[Party, ...]:
    """A cue's parties from its cue-list columns: numbered columns win over the single ones."""
    numbered = _numbered(columns)
    return tuple(numbered if numbered else _legacy(columns))


def read_parties(path: str | Path) -> dict[str, tuple[Party, ...]]:
    """A parties CSV: ``cue, role, name, society, ipi, share`` (one row per party) by cue."""
    path = Path(path)
    table = read_table(path, "parties file")  # the one CSV reader: encodings, NULs, limits
    header = [h.lower() for h in table.header]
    for required in ("cue", "name", "role"):
        if required not in header:
            raise CueError(f"no '{required}' column", path=path, line=1,
                           hint="columns: cue, role, name, society, ipi, share")  # fmt: skip
    found: dict[str, list[Party]] = {}
    for row in table.rows:
        values = dict(zip(header, row.cells, strict=True))
        try:
            if not values["cue"] or not values["name"]:
                raise CutError("a party needs a cue and a name")
            role = parse_role(values["role"])
            party = Party(ROLES[role][1], values["name"], role, values.get("society", ""),
                          values.get("ipi", ""), parse_share(values.get("share", "")))  # fmt: skip
        except CutError as err:
            raise CueError(err.cause, path=path, line=row.line, hint=err.hint) from None
        found.setdefault(values["cue"], []).append(party)
    return {cue: tuple(parties) for cue, parties in found.items()}


def share_totals(parties: tuple[Party, ...]) -> dict[str, Fraction | None]:
    """Each side's share total (None when a party of that side has no share)."""
    totals: dict[str, Fraction | None] = {}
    for side in ("writer", "publisher"):
        mine = [p for p in parties if p.side == side]
        if mine:
            known = [p.share for p in mine if p.share is not None]
            totals[side] = sum(known, Fraction(0)) if len(known) == len(mine) else None
    return totals
