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


APPLICATION_ID = 0x6D636F6E  # "mcon": PRAGMA application_id of every mconform catalog
_INT64 = 1 << 63


class Catalog:
    """``with Catalog(path) as catalog: ...``: the catalog file, created on first use.

    ``write=False`` opens it read-only (and never creates it), so that listing a file that
    is not a catalog cannot change it. A file that is not ours (another application id, or
    no `tracks` table of ours) is refused by name rather than written into.
    """

    def __init__(self, path: str | Path, *, write: bool = True) -> None:
        self.path = Path(path)
        self.write = write
        if self.path.is_dir():
            raise CatalogError("a folder, not a catalog", path=self.path, hint="give a file")
        if not write and not self.path.is_file():
            raise CatalogError(
                "no catalog here", path=self.path, hint="run 'mconform temp add DIR' first"
            )
        try:
            if write:
                self.db = sqlite3.connect(str(self.path), timeout=30)
            else:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=30)
            self._check_or_create()
        except sqlite3.DatabaseError as err:
            raise CatalogError(
                f"not a catalog ({err})", path=self.path, hint="give an mconform catalog"
            ) from None
        self.db.row_factory = sqlite3.Row

    def _check_or_create(self) -> None:
        """Refuse a database that is not an mconform catalog; create the schema in a new one."""
        app = self.db.execute("PRAGMA application_id").fetchone()[0]
        rows = self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        tables = {r[0] for r in rows}
        if app == APPLICATION_ID or (app == 0 and not tables):
            if self.write:
                with self.db:
                    self.db.executescript(_SCHEMA)
                    self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            return
        columns = set()
        if "tracks" in tables:
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(tracks)")}
        if app == 0 and set(_COLUMNS) <= columns:  # a catalog from before the application id
            if self.write:
                self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            return
        self.db.close()
        raise CatalogError(
            "not an mconform catalog (another application's database); nothing was changed",
            path=self.path,
            hint="give --db a catalog made by 'mconform temp add'",
        )

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
        track = None
        if -_INT64 <= track_id < _INT64:  # SQLite integers are 64-bit
            row = self.db.execute("SELECT * FROM tracks WHERE id=?", (track_id,)).fetchone()
            track = self._track(row)
        if track is None:
            raise CatalogError(
                f"no track {track_id}", path=self.path, hint="see 'mconform temp list'"
            )
        return track

    def add(self, values: dict[str, object]) -> Track:
        track, _ = self.add_new(values)
        return track

    def add_new(self, values: dict[str, object]) -> tuple[Track, Track | None]:
        """Insert a track unless its path or content is catalogued already (checked and
        inserted in one write transaction, so two concurrent scans cannot both add it).

        Returns the track and, when it was not added, the catalogued track it matches.
        """
        columns = [c for c in _COLUMNS if c != "id" and c in values]
        marks = ", ".join("?" for _ in columns)
        self.db.isolation_level = None  # explicit transactions
        try:
            self.db.execute("BEGIN IMMEDIATE")
            same = self.db.execute(
                "SELECT * FROM tracks WHERE path=? OR hash=? ORDER BY path=? DESC, id",
                (values["path"], values["hash"], values["path"]),
            ).fetchone()
            known = self._track(same)
            if known is not None and (known.path == values["path"] or Path(known.path).exists()):
                self.db.execute("ROLLBACK")
                return known, known
            cursor = self.db.execute(
                f"INSERT INTO tracks ({', '.join(columns)}) VALUES ({marks})",
                [values[c] for c in columns],
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        finally:
            self.db.isolation_level = ""
        return self.get(int(cursor.lastrowid or 0)), None

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
        if search:  # the text is literal: % and _ match themselves
            escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{escaped}%"
            fields_ = ("path", "title", "artist", "album", "composer", "tags", "notes")
            clauses.append(
                "(" + " OR ".join(f"lower({f}) LIKE ? ESCAPE '\\'" for f in fields_) + ")"
            )
            args += [like] * 7
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        rows = self.db.execute(query + " ORDER BY id", args)
        return [t for t in map(self._track, rows) if t is not None]
