"""Scanning folders into the catalog: on every core, resumable, past bad files.

Files already catalogued (same path, size and modification time) are skipped without
reading them. The rest are read once in a worker: the same bytes are hashed and decoded
(the decode floor), so a moved file is recognised by its content (its row follows it)
and a duplicate is reported. A moved file is measured for nothing; that costs less than
reading every new file twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from edl.errors import MconformError
from temp_library.audio.bwf import AudioError, read_blocks
from temp_library.audio.decode import FFMPEG_SUFFIXES
from temp_library.audio.loudness import LoudnessMeter
from temp_library.catalog import Catalog, Track
from temp_library.measure import find_audio, measure_file
from temp_library.tags import read_tags
from temp_library.workers import executor

__all__ = ["ScanReport", "find_audio", "file_hash", "measure_file", "scan"]

Progress = Callable[[str, int, int], None]


@dataclass
class ScanReport:
    """What a scan did: added, skipped, moved, duplicates and failures (with the reason)."""

    added: list[Track] = field(default_factory=list)
    skipped: int = 0
    moved: list[tuple[str, Track]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, same content)
    failed: list[tuple[str, str]] = field(default_factory=list)


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


ONE_PASS_BYTES = 64 << 20
"""Files up to this size are read once: the same bytes are hashed and decoded."""


def _scan_job(path: str) -> dict[str, object]:
    """Hash, loudness, facts and tags of one file; a failure comes back as its cause.

    A file up to `ONE_PASS_BYTES` is read once and its bytes both hashed and decoded
    (the decode floor); a longer one is hashed, then streamed, so memory stays flat.
    Failures are returned, not raised, so that a file that breaks anything at all (a
    library bug, a damaged header) is reported with the others and the batch carries on.
    """
    try:
        stat = os.stat(path)
        data = None
        if stat.st_size <= ONE_PASS_BYTES and Path(path).suffix.lower() not in FFMPEG_SUFFIXES:
            with open(path, "rb") as handle:
                data = handle.read()
            digest = hashlib.sha256(data).hexdigest()
        else:
            digest = file_hash(path)
        if data is not None:
            info, blocks = read_blocks(path, data)
            try:
                loudness = LoudnessMeter(info.samplerate).measure_blocks(blocks)
            except AudioError as err:
                raise err.located(path) from None
            facts = {"sample_rate": info.samplerate, "channels": info.channels,
                     "subtype": info.subtype, "format": info.format}  # fmt: skip
        else:
            loudness, facts = measure_file(path)
        tags = read_tags(path)
    except MconformError as err:
        return {"path": path, "error": err.cause + (f"; {err.hint}" if err.hint else "")}
    except OSError as err:
        return {"path": path, "error": err.strerror or str(err)}
    except MemoryError:
        return {"path": path, "error": "too large to measure in memory"}
    except Exception as err:  # noqa: BLE001 - any file, any library: report, carry on
        text = " ".join(str(err).split())[:160]
        return {"path": path, "error": f"cannot measure ({type(err).__name__}: {text})"}
    values: dict[str, object] = {
        "path": path, "hash": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        "duration_s": loudness.duration_s, **facts, **tags,
    }  # fmt: skip
    values.update({k: v for k, v in loudness.as_dict().items() if k not in ("note", "duration_s")})
    values["loudness_note"] = loudness.note
    return values


def scan(
    catalog: Catalog,
    paths: Iterable[str | Path],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> ScanReport:
    """Add every new audio file under ``paths`` to the catalog (only this process writes it).

    The work runs in a local process pool of ``workers``, or on the Dask cluster whose
    scheduler is at ``scheduler``; the workers must see the files at the same paths.
    Results are committed in path order as soon as every earlier file is done, so the
    outcome (which of two copies is the duplicate) does not depend on timing, and a killed
    run keeps what it committed.
    """
    report = ScanReport()
    pending: list[str] = []
    for path in find_audio(paths):
        known = catalog.by_path(str(path))
        stat = path.stat()
        if known is not None and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
            report.skipped += 1
        else:
            pending.append(str(path))
    tick = progress or (lambda stage, done, total: None)
    if not pending:
        return report
    results: dict[str, dict[str, object]] = {}
    seen_now: dict[str, str] = {}
    committed = 0
    with executor(workers, scheduler) as pool:
        jobs: dict[Future, str] = {pool.submit(_scan_job, p): p for p in pending}
        for done, future in enumerate(as_completed(jobs), start=1):
            path = jobs[future]
            try:
                results[path] = future.result()
            except Exception as err:  # noqa: BLE001 - a lost worker: report the file
                results[path] = {"path": path, "error": _lost(err)}
            while committed < len(pending) and pending[committed] in results:
                _file(catalog, results.pop(pending[committed]), report, seen_now)
                committed += 1
            tick("measuring", done, len(jobs))
    report.failed.sort()
    return report


def _file(
    catalog: Catalog, values: dict[str, object], report: ScanReport, seen_now: dict[str, str]
) -> None:
    """One scanned file into the catalog: failed, touched, moved, duplicate or added."""
    path = str(values["path"])
    if "error" in values:
        report.failed.append((path, str(values["error"])))
        return
    digest = str(values["hash"])
    known = catalog.by_path(path)
    if known is not None and known.hash == digest:  # touched, not changed
        catalog.update(known.id, size=values["size"], mtime_ns=values["mtime_ns"])
        report.skipped += 1
        return
    same = [t for t in catalog.by_hash(digest) if t.path != path]
    gone = [t for t in same if not Path(t.path).exists()]
    if gone and known is None:
        track = catalog.update(gone[0].id, path=path, size=values["size"],
                               mtime_ns=values["mtime_ns"])  # fmt: skip
        report.moved.append((gone[0].path, track))
    elif same:
        report.duplicates.append((path, same[0].path))
    elif digest in seen_now:
        report.duplicates.append((path, seen_now[digest]))
    else:
        seen_now[digest] = path
        _catalogue(catalog, values, report)


def _lost(err: BaseException) -> str:
    """Why a job came back with no answer (a worker killed, out of memory, cluster lost)."""
    text = " ".join(str(err).split())[:160] or type(err).__name__
    return f"the worker measuring it failed ({text})"


def _catalogue(catalog: Catalog, values: dict[str, object], report: ScanReport) -> None:
    """Add a measured file, or update its row; a concurrent scan's copy is a duplicate."""
    path = str(values["path"])
    stale = catalog.by_path(path)  # the same path with new content
    if stale is not None and stale.hash != values["hash"]:
        fields_ = {k: v for k, v in values.items() if k != "path"}
        report.added.append(catalog.update(stale.id, **fields_))
        return
    track, known = catalog.add_new(values)
    if known is None:
        report.added.append(track)
    elif known.path == path:
        report.skipped += 1  # another scan catalogued it meanwhile
    else:
        report.duplicates.append((path, known.path))
