"""Benchmarks for the temp library (issue 5).

1. Loudness of 10 minutes of 48 kHz stereo (integrated + LRA + true peak) against
   `ffmpeg -af ebur128=peak=true` in the same run (the ffmpeg from the imageio-ffmpeg
   wheel), with the figures compared: within 0.1 LU and 0.2 dB.
2. Every figure of ours against pyloudnorm's integrated loudness alone, same samples.
3. Scanning a folder of 200 files on one core against all cores.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def _programme(seconds: float, sr: int) -> np.ndarray:
    from audiogen import cue_stems

    stems = cue_stems(sr, 60.0, 104.0)
    minute = sum(stems.values()) * 0.6
    rng = np.random.default_rng(1)
    parts = [minute * rng.uniform(0.2, 1.0) for _ in range(int(seconds // 60))]
    return np.concatenate(parts).astype(np.float32)


def _ffmpeg(path: Path) -> tuple[float, dict[str, float]]:
    from temp_library.audio.decode import ffmpeg_exe

    command = [ffmpeg_exe(), "-nostats", "-hide_banner", "-i", str(path), "-af",
               "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - began
    summary = result.stderr[result.stderr.rfind("Summary:") :]
    figures = {
        "I": float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
        "LRA": float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1)),
        "TP": float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)),
    }
    return elapsed, figures


def loudness_vs_ffmpeg() -> dict[str, object]:
    from temp_library.audio.bwf import Audio, write_audio
    from temp_library.scan import measure_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "programme.wav"
        write_audio(path, Audio(_programme(600, 48000), 48000))
        began = time.perf_counter()
        ours, _ = measure_file(path)
        our_time = time.perf_counter() - began
        their_time, theirs = _ffmpeg(path)
    same = (
        abs(ours.integrated_lufs - theirs["I"]) <= 0.1
        and abs(ours.true_peak_dbtp - theirs["TP"]) <= 0.2
    )
    return {
        "task": "loudness of 10 min 48 kHz stereo (I + LRA + true peak)",
        "ours_s": our_time,
        "other": "ffmpeg ebur128=peak=true",
        "other_s": their_time,
        "ratio": our_time / their_time,
        "target": "ratio <= 1, I within 0.1 LU, TP within 0.2 dB",
        "ok": our_time <= their_time and same,
        "detail": {
            "ours_I": ours.integrated_lufs,
            "ffmpeg_I": theirs["I"],
            "ours_LRA": ours.loudness_range_lu,
            "ffmpeg_LRA": theirs["LRA"],
            "ours_TP": ours.true_peak_dbtp,
            "ffmpeg_TP": theirs["TP"],
        },  # fmt: skip
    }


def integrated_vs_pyloudnorm() -> dict[str, object]:
    """Integrated loudness alone: our meter against pyloudnorm's on the same samples."""
    import pyloudnorm

    from temp_library.audio.loudness import LoudnessMeter

    signal = _programme(600, 48000)
    began = time.perf_counter()
    ours = LoudnessMeter(48000).measure(signal).integrated_lufs
    our_time = time.perf_counter() - began
    began = time.perf_counter()
    theirs = pyloudnorm.Meter(48000).integrated_loudness(signal.astype(np.float64))
    their_time = time.perf_counter() - began
    return {
        "task": "10 min 48 kHz stereo: all figures (ours) vs integrated only (pyloudnorm)",
        "ours_s": our_time,
        "other": "pyloudnorm integrated_loudness",
        "other_s": their_time,
        "ratio": our_time / their_time,
        "target": "ratio <= 1, I within 0.01 LU",
        "ok": bool(our_time <= their_time and abs(ours - theirs) <= 0.01),
        "detail": {"ours_I": float(ours), "pyloudnorm_I": float(theirs)},
    }


def scan_scaling() -> dict[str, object]:
    from temp_library.audio.bwf import Audio, write_audio
    from temp_library.catalog import Catalog
    from temp_library.scan import scan

    cores = os.cpu_count() or 1
    piece = _programme(60, 48000)[: 48000 * 4]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        for n in range(200):
            write_audio(folder / f"track{n:03d}.wav", Audio(piece * (0.2 + n / 400), 48000,
                                                            "PCM_16"))  # fmt: skip
        timings = {}
        for workers in (1, cores):
            db = Path(tmp) / f"c{workers}.sqlite"
            began = time.perf_counter()
            with Catalog(db) as catalog:
                scan(catalog, [folder], workers=workers)
            timings[workers] = time.perf_counter() - began
    speedup = timings[1] / timings[cores]
    return {
        "task": f"scan 200 files: 1 core vs {cores} cores",
        "ours_s": timings[cores],
        "other": "the same scan on 1 core",
        "other_s": timings[1],
        "ratio": timings[cores] / timings[1],
        "target": f"ratio near 1/{cores} (speed-up {speedup:.2f}x)",
        "ok": speedup > 1.3 if cores > 1 else True,
    }


def run() -> list[dict[str, object]]:
    return [loudness_vs_ffmpeg(), integrated_vs_pyloudnorm(), scan_scaling()]


if __name__ == "__main__":
    for row in run():
        print(row)
