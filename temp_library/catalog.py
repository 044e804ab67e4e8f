"""The temp library catalog: one SQLite file with every track, its figures and licence.

Every write is committed at once, so a run killed half way leaves a consistent catalog
and the next run carries on where it stopped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from edl.errors import MconformError

__all__ = ["LICENCES", "Track", "Catalog", "CatalogError"]

LICENCES = ("temp-only", "cleared", "licensed", "unknown")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tracks (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    format TEXT NOT NULL,
    subtype TEXT NOT NULL,
    sample_rate INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    artist TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    composer TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT 'unknown',
    tags TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    integrated_lufs REAL,
    loudness_range_lu REAL,
    true_peak_dbtp REAL,
    sample_peak_dbfs REAL,
    max_momentary_lufs REAL,
    max_short_term_lufs REAL,
    loudness_note TEXT NOT NULL DEFAULT '',
    normalized_path TEXT NOT NULL DEFAULT '',
    normalized_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS tracks_hash ON tracks(hash);
"""


class CatalogError(MconformError):
    """A catalog request that cannot be done (unknown id, bad licence, unreadable file)."""


@dataclass(frozen=True)
class Track:
    """One catalogued track (a row of the `tracks` table)."""

    id: int
    path: str
    hash: str
    size: int
    mtime_ns: int
    format: str
    subtype: str
    sample_rate: int
    channels: int
    duration_s: float
    title: str = ""
    artist: str = ""
    album: str = ""
    composer: str = ""
    licence: str = "unknown"
    tags: str = ""
    notes: str = ""
    integrated_lufs: float | None = None
    loudness_range_lu: float | None = None
    true_peak_dbtp: float | None = None
    sample_peak_dbfs: float | None = None
    max_momentary_lufs: float | None = None
    max_short_term_lufs: float | None = None
    loudness_note: str = ""
    normalized_path: str = ""
    normalized_key: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).name

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


_COLUMNS = [f.name for f in fields(Track)]


class Catalog:
    """``with Catalog(path) as catalog: ...``: the catalog file, created on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30)
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as err:
            raise CatalogError(f"{self.path}: not a catalog ({err})") from None
        self.db.row_factory = sqlite3.Row

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def _track(self, row: sqlite3.Row | None) -> Track | None:
        return None if row is None else Track(**{k: row[k] for k in _COLUMNS})

    def by_path(self, path: str) -> Track | None:
        return self._track(self.db.execute("SELECT * FROM tracks WHERE path=?", (path,)).fetchone())

    def by_hash(self, digest: str) -> list[Track]:
        rows = self.db.execute("SELECT * FROM tracks WHERE hash=? ORDER BY id", (digest,))
        return [t for t in map(self._track, rows) if t is not None]

    def get(self, track_id: int) -> Track:
        track = self._track(
            self.db.execute("SELECT * FROM tracks WHERE id=?", (track_id,)).fetchone()
        )
        if track is None:
            raise CatalogError(
                f"no track {track_id} in {self.path}",
            )
        return track

    def add(self, values: dict[str, object]) -> Track:
        columns = [c for c in _COLUMNS if c != "id" and c in values]
        marks = ", ".join("?" for _ in columns)
        with self.db:
            cursor = self.db.execute(
                f"INSERT INTO tracks ({', '.join(columns)}) VALUES ({marks})",
                [values[c] for c in columns],
            )
        return self.get(int(cursor.lastrowid or 0))

    def update(self, track_id: int, **values: object) -> Track:
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise CatalogError(f"unknown fields {sorted(unknown)}")
        assignments = ", ".join(f"{k}=?" for k in values)
        with self.db:
            self.db.execute(
                f"UPDATE tracks SET {assignments} WHERE id=?", [*values.values(), track_id]
            )
        return self.get(track_id)

    def tracks(self, licence: str | None = None, search: str | None = None) -> list[Track]:
        query, args = "SELECT * FROM tracks", []
        clauses = []
        if licence:
            clauses.append("licence=?")
            args.append(licence)
        if search:
            like = f"%{search.lower()}%"
            clauses.append(
                "(lower(path) LIKE ? OR lower(title) LIKE ? OR lower(artist) LIKE ? OR "
                "lower(album) LIKE ? OR lower(composer) LIKE ? OR lower(tags) LIKE ? OR "
                "lower(notes) LIKE ?)"
            )
            args += [like] * 7
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        rows = self.db.execute(query + " ORDER BY id", args)
        return [t for t in map(self._track, rows) if t is not None]
