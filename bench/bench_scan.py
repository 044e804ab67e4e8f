"""Temp-library scan benchmarks (issue 15): the decode floor, cores, and Dask.

A library of 120 short tracks (8 s, 48 kHz stereo: 24-bit WAV and FLAC) is scanned into a
fresh catalog:

1. `mconform temp add --workers 1` (the whole command) against the decode floor: one
   process that reads each file once, hashes those bytes, decodes the same buffer and
   measures it with our meter (what no scan can go below).
2. `--workers 2` against `--workers 1`, wall time (target: 1.8x on 2 cores).
3. The scan through a local Dask cluster (`dask.distributed.LocalCluster`, 1 and 2 worker
   processes, one thread each, our modules imported first, as the pool's forked workers
   have them) against the plain process pool with as many workers.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

MCONFORM = str(Path(sys.executable).with_name("mconform"))
TRACKS = 120


def make_library(folder: Path) -> None:
    """Distinct tracks (different gains and lengths), two thirds WAV and one third FLAC."""
    import soundfile as sf
    from audiogen import cue_stems

    stems = cue_stems(48000, 8.0, 100.0)
    base = (sum(stems.values()) * 0.5).astype(np.float32)
    folder.mkdir(parents=True)
    for n in range(TRACKS):
        piece = base[: len(base) - 97 * n] * np.float32(0.2 + 0.6 * n / TRACKS)
        kind = "FLAC" if n % 3 == 2 else "WAV"
        sf.write(str(folder / f"track{n:03d}.{kind.lower()}"), piece, 48000, "PCM_24", format=kind)


def decode_floor(folder: Path) -> float:
    """Read once, hash, decode the same bytes, measure: one process, one core."""
    import soundfile as sf

    from temp_library.audio.loudness import LoudnessMeter

    began = time.perf_counter()
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        LoudnessMeter(rate).measure(samples)
    return time.perf_counter() - began


def command_scan(folder: Path, db: Path, workers: int) -> float:
    began = time.perf_counter()
    subprocess.run([MCONFORM, "temp", "add", str(folder), "--db", str(db), "--workers",
                    str(workers)], check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - began


def library_scan(folder: Path, db: Path, workers: int, scheduler: str | None) -> float:
    from temp_library.catalog import Catalog
    from temp_library.scan import scan

    began = time.perf_counter()
    with Catalog(db) as catalog:
        report = scan(catalog, [folder], workers=workers, scheduler=scheduler)
    assert len(report.added) == TRACKS, report.failed
    return time.perf_counter() - began


def run() -> list[dict[str, object]]:
    rows = []
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        make_library(folder)
        floor = decode_floor(folder)
        one = command_scan(folder, Path(tmp) / "one.sqlite", 1)
        two = command_scan(folder, Path(tmp) / "two.sqlite", 2)
        rows.append({
            "task": f"temp add, {TRACKS} tracks, 1 worker (whole command)",
            "ours_s": one, "other": "decode floor (read, hash, decode, measure once)",
            "other_s": floor, "ratio": one / floor, "target": "<= 1.5",
            "ok": one <= 1.5 * floor,
        })  # fmt: skip
        rows.append({
            "task": f"temp add, {TRACKS} tracks, 2 workers vs 1 (wall)",
            "ours_s": two, "other": "temp add --workers 1", "other_s": one,
            "ratio": two / one, "target": f"speed-up >= 1.8 ({cores} cores)",
            "ok": one / two >= 1.8, "detail": {"speed_up": one / two},
        })  # fmt: skip
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            return rows
        for workers in (1, 2):
            pool = library_scan(folder, Path(tmp) / f"pool{workers}.sqlite", workers, None)
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster:  # fmt: skip
                address = cluster.scheduler_address
                with Client(address) as client:  # workers import our code before timing,
                    client.run(importlib.import_module, "temp_library.scan")  # as forks do
                dask = library_scan(folder, Path(tmp) / f"dask{workers}.sqlite", workers, address)
            rows.append({
                "task": f"scan {TRACKS} tracks through Dask, {workers} local worker(s)",
                "ours_s": dask, "other": f"process pool, {workers} worker(s)", "other_s": pool,
                "ratio": dask / pool, "target": "<= 1.25 (Dask's overhead)",
                "ok": dask <= 1.25 * pool,
            })  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
