"""Which catalogued temp tracks a cut uses, and which of them cannot stay in a locked cut."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from edl.cut import Cut, Event
from temp_library.catalog import Catalog, Track

__all__ = ["Use", "find_usage", "is_locked", "RISKY"]

RISKY = ("temp-only", "unknown")


@dataclass(frozen=True)
class Use:
    """A track heard in the cut: the event that plays it and how it was recognised."""

    track: Track
    event: Event
    matched_by: str


def _stem(text: str) -> str:
    name = PureWindowsPath(text).name if "\\" in text else Path(text).name
    return Path(name.strip()).stem.lower()


def is_locked(cut: Cut) -> bool:
    """A cut whose title says it is locked (`LOCK`, `LOCKED`)."""
    return "LOCK" in cut.title.upper()


def find_usage(catalog: Catalog, cut: Cut) -> list[Use]:
    """Audio events (and OTIO media references) that play a catalogued track."""
    by_stem: dict[str, Track] = {}
    by_title: dict[str, Track] = {}
    for track in catalog.tracks():
        by_stem.setdefault(_stem(track.path), track)
        if track.title:
            by_title.setdefault(track.title.lower(), track)
    uses = []
    for event in cut.audio_events:
        for how, text in (("source file", event.source_file), ("clip name", event.clip_name)):
            if not text:
                continue
            track = by_stem.get(_stem(text)) or by_title.get(text.strip().lower())
            if track is not None:
                uses.append(Use(track, event, how))
                break
    return uses
