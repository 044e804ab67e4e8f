"""Loudness-matched copies of temp tracks: the originals are never touched.

Each copy is resampled to the project rate (soxr, very high quality), gained to the
target integrated loudness, and kept under a true-peak ceiling: by stopping the gain at
the ceiling (reported as a missed target) or, with `limit`, by a look-ahead true-peak
limiter whose gain reduction is reported.
"""

from __future__ import annotations

import csv
import io
import json
import os
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import soxr

from edl.csvsafe import safe_cell
from edl.errors import MconformError, OutputExists
from edl.files import atomic_write_text
from temp_library.audio.bwf import Audio, Bext, write_audio
from temp_library.audio.decode import decode
from temp_library.audio.limiter import true_peak_limit
from temp_library.audio.loudness import LoudnessMeter
from temp_library.catalog import Catalog, Track
from temp_library.workers import executor

__all__ = [
    "Normalized", "normalize_track", "normalize_catalog", "true_peak_limit", "write_report",
    "FORMATS",
]  # fmt: skip

FORMATS = {"wav16": "PCM_16", "wav24": "PCM_24", "wav32f": "FLOAT"}


@dataclass(frozen=True)
class Normalized:
    """One row of the loudness report."""

    id: int
    file: str
    before_lufs: float | None
    before_true_peak_dbtp: float | None
    gain_db: float | None
    after_lufs: float | None
    after_true_peak_dbtp: float | None
    limiter_reduction_db: float
    status: str  # "on target", "missed target", "unchanged", "failed"
    reason: str
    output: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _key(track: Track, target: float, ceiling: float, rate: int, subtype: str, limit: bool) -> str:
    return f"{track.hash}|{target}|{ceiling}|{rate}|{subtype}|{int(limit)}"


def normalize_track(
    track: Track,
    out_dir: Path,
    *,
    target: float = -24.0,
    ceiling: float = -2.0,
    sample_rate: int = 48000,
    subtype: str = "PCM_24",
    limit: bool = False,
    force: bool = False,
) -> tuple[Normalized, str]:
    """Write one loudness-matched copy; returns the report row and the catalog key.

    An existing file at the copy's path is replaced only with ``force``, or when the
    catalog records it as this track's own earlier copy.
    """
    key = _key(track, target, ceiling, sample_rate, subtype, limit)
    output = out_dir / f"{track.id:04d}_{Path(track.path).stem}.wav"
    ours = bool(track.normalized_path) and Path(track.normalized_path) == output
    if output.exists() and not (force or ours):
        raise OutputExists(path=output, hint="use --force to replace it")
    audio = decode(track.path)
    samples = audio.samples
    if audio.sample_rate != sample_rate:
        samples = soxr.resample(samples, audio.sample_rate, sample_rate, quality="VHQ")
        samples = np.ascontiguousarray(samples, dtype=np.float32)
    meter = LoudnessMeter(sample_rate)
    before = meter.measure(samples)
    name = Path(track.path).name
    if before.integrated_lufs is None:
        row = Normalized(track.id, name, None, before.true_peak_dbtp, None, None, None, 0.0,
                         "failed", before.note or "no loudness", "")  # fmt: skip
        return row, ""
    gain_db = target - before.integrated_lufs
    status, reason, reduction = "on target", "", 0.0
    peak_after = (before.true_peak_dbtp or -120.0) + gain_db
    if peak_after > ceiling and not limit:
        gain_db = ceiling - (before.true_peak_dbtp or 0.0)
        status = "missed target"
        reason = (f"true peak would reach {peak_after:+.1f} dBTP; gain stopped at the "
                  f"{ceiling:+.1f} dBTP ceiling")  # fmt: skip
    gained = samples * np.float32(10 ** (gain_db / 20))
    if limit and peak_after > ceiling:
        gained, reduction = true_peak_limit(gained, sample_rate, ceiling)
        reason = f"limited by up to {reduction:.1f} dB to stay under {ceiling:+.1f} dBTP"
    after = meter.measure(gained)
    if after.integrated_lufs is not None and abs(after.integrated_lufs - target) > 0.5:
        status = "missed target"
    bext = Bext(description=f"{name} normalised to {target:+.1f} LUFS by mconform"[:256])
    write_audio(
        output, Audio(gained, sample_rate, subtype), subtype=subtype, bext=bext, force=True
    )  # fmt: skip - checked above
    row = Normalized(
        track.id, name, before.integrated_lufs, before.true_peak_dbtp, gain_db,
        after.integrated_lufs, after.true_peak_dbtp, reduction, status, reason, str(output),
    )  # fmt: skip
    return row, key


def _normalize_job(track: Track, out_dir: Path, settings: dict[str, object]) -> tuple:
    """One track in a worker; any failure comes back as a failed row (the batch goes on)."""
    try:
        return normalize_track(track, out_dir, **settings)
    except MconformError as err:
        why = err.cause + (f"; {err.hint}" if err.hint else "")
    except MemoryError:
        why = "too large to normalise in memory"
    except Exception as err:  # noqa: BLE001 - any file, any library: report, carry on
        why = f"cannot normalise ({type(err).__name__}: {' '.join(str(err).split())[:160]})"
    return _failed(track, why), ""


def _failed(track: Track, why: str) -> Normalized:
    return Normalized(track.id, track.name, None, None, None, None, None, 0.0, "failed", why, "")


def normalize_catalog(
    catalog: Catalog,
    out_dir: str | Path,
    *,
    target: float = -24.0,
    ceiling: float = -2.0,
    sample_rate: int = 48000,
    subtype: str = "PCM_24",
    limit: bool = False,
    force: bool = False,
    tracks: list[Track] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[Normalized]:
    """Normalise every catalogued track not already done with the same settings.

    Tracks run in a local process pool (``workers``) or on the Dask cluster at
    ``scheduler``; only this process writes the catalog. Rows come back in catalog order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = {"target": target, "ceiling": ceiling, "sample_rate": sample_rate,
                "subtype": subtype, "limit": limit, "force": force}  # fmt: skip
    rows: dict[int, Normalized] = {}
    todo = []
    for track in tracks if tracks is not None else catalog.tracks():
        key = _key(track, target, ceiling, sample_rate, subtype, limit)
        if track.normalized_key == key and Path(track.normalized_path).exists():
            rows[track.id] = Normalized(track.id, track.name, None, None, None, None, None, 0.0,
                                        "unchanged", "already normalised with these settings",
                                        track.normalized_path)  # fmt: skip
        else:
            todo.append(track)
    if todo:
        with executor(workers if workers else min(len(todo), os.cpu_count() or 1),
                      scheduler) as pool:  # fmt: skip
            jobs = {pool.submit(_normalize_job, t, out_dir, settings): t for t in todo}
            for future in as_completed(jobs):
                track = jobs[future]
                try:
                    row, new_key = future.result()
                except Exception as err:  # noqa: BLE001 - a lost worker: report the track
                    row, new_key = _failed(track, f"the worker failed ({err})"), ""
                if new_key:
                    catalog.update(track.id, normalized_path=row.output, normalized_key=new_key)
                rows[track.id] = row
    return [rows[k] for k in sorted(rows)]


REPORTS = ("loudness_report.csv", "loudness_report.json")
_COLUMNS = [f.name for f in fields(Normalized)]


def _is_our_report(path: Path) -> bool:
    """Whether an existing report file was written by a previous `temp normalize`."""
    try:
        with open(path, encoding="utf-8") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    if path.suffix == ".csv":
        return head.split("\n", 1)[0] == ",".join(_COLUMNS)
    return head.startswith("[") and ('"limiter_reduction_db"' in head or head.strip() == "[]")


def write_report(out_dir: Path, rows: list[Normalized], *, force: bool = False) -> None:
    """loudness_report.csv and .json in ``out_dir``; a file of that name that is not a
    previous report is replaced only with ``force``."""
    for name in REPORTS:
        path = out_dir / name
        if path.exists() and not force and not _is_our_report(path):
            raise OutputExists(path=path, hint="it is not a loudness report; use --force")
    report = [r.as_dict() for r in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, _COLUMNS, lineterminator="\n")
    writer.writeheader()
    text_columns = ("file", "reason", "output")  # user text; figures stay numbers (edl.csvsafe)
    writer.writerows({k: safe_cell(v) if k in text_columns else v for k, v in row.items()}
                     for row in report)  # fmt: skip
    atomic_write_text(out_dir / REPORTS[0], buffer.getvalue(), force=True)
    text = json.dumps(report, indent=2, allow_nan=False) + "\n"
    atomic_write_text(out_dir / REPORTS[1], text, force=True)
