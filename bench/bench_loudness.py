"""Loudness benchmarks (issue 15), whole commands as a user runs them.

`mconform temp measure --json FILE` against `ffmpeg -af ebur128=peak=true` (the ffmpeg of
the imageio-ffmpeg wheel) on the same 24-bit WAV, in the same run: wall time, peak memory
(each process's own maximum resident set, from wait4), and the figures compared (I within
0.1 LU, LRA within 0.5 LU, true peak within 0.3 dB; ours reads the true peak with a longer
interpolator, so it may sit a little above ffmpeg's). Files: 10 and 60 minutes of 48 kHz
stereo, 10 minutes of 48 kHz 5.1 and of 96 kHz stereo; plus the start-up row, a 1-minute
file. The programme is music from tests/audiogen.py, one minute repeated at varying gain.
"""

from __future__ import annotations

import json
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

MCONFORM = str(Path(sys.executable).with_name("mconform"))


def minute(rate: int, channels: int) -> np.ndarray:
    """One minute of music (drums, bass, pad) at ``rate``, spread over ``channels``."""
    from audiogen import cue_stems

    stems = cue_stems(rate, 60.0, 104.0)
    mix = (sum(stems.values()) * 0.6).astype(np.float32)
    if channels == 2:
        return mix
    left, right = mix[:, 0], mix[:, 1]
    centre, lfe = 0.5 * (left + right), 0.3 * stems["bass"][:, 0]
    return np.stack([left, right, centre, lfe, 0.5 * left, 0.5 * right], axis=1)


def write_programme(path: Path, minutes: int, rate: int, channels: int) -> None:
    """A 24-bit WAV of ``minutes`` of music, written a minute at a time."""
    import soundfile as sf

    base = minute(rate, channels)
    gains = np.random.default_rng(1).uniform(0.2, 1.0, minutes)
    with sf.SoundFile(str(path), "w", rate, channels, "PCM_24", format="WAV") as handle:
        for gain in gains:
            handle.write(np.clip(base * gain, -1, 1))


def timed(command: list[str]) -> tuple[float, int, str, str]:
    """Wall seconds, peak memory (MB) of that one process, stdout and stderr (whose last
    line carries the CPU seconds too: see `cpu`)."""
    launcher = [sys.executable, "-S", str(Path(__file__).with_name("_launch.py"))]
    began = time.perf_counter()
    result = subprocess.run(launcher + command, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.strip()[-300:]}")
    memory = int(result.stderr.rsplit("maxrss_kb", 1)[1]) // 1024
    return elapsed, memory, result.stdout, result.stderr


def cpu(stderr: str) -> float:
    """The CPU seconds (user + system) the launcher reported for the command."""
    return float(stderr.rsplit("cpu_s", 1)[1].split()[0])


def ffmpeg(path: Path) -> tuple[float, int, dict[str, float]]:
    from temp_library.audio.decode import ffmpeg_exe

    command = [ffmpeg_exe(), "-nostats", "-hide_banner", "-i", str(path), "-af",
               "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    elapsed, memory, _, stderr = timed(command)
    summary = stderr[stderr.rfind("Summary:") :]
    cpu_s = cpu(stderr)
    figures = {
        "I": float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
        "LRA": float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1)),
        "TP": float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)),
        "cpu_s": cpu_s,
    }
    return elapsed, memory, figures


def ours(path: Path) -> tuple[float, int, dict[str, float]]:
    elapsed, memory, stdout, stderr = timed([MCONFORM, "temp", "measure", "--json", str(path)])
    row = json.loads(stdout)[0]
    figures = {"I": row["integrated_lufs"], "LRA": row["loudness_range_lu"],
               "TP": row["true_peak_dbtp"], "maxM": row["max_momentary_lufs"],
               "maxS": row["max_short_term_lufs"], "cpu_s": cpu(stderr)}  # fmt: skip
    return elapsed, memory, figures


def versus_ffmpeg(minutes: int, rate: int, channels: int, folder: Path) -> dict[str, object]:
    """One row: the whole `temp measure` against ffmpeg on one file."""
    path = folder / f"programme_{minutes}min_{rate}_{channels}ch.wav"
    write_programme(path, minutes, rate, channels)
    our_time, our_memory, mine = ours(path)
    their_time, their_memory, theirs = ffmpeg(path)
    path.unlink()
    same = (abs(mine["I"] - theirs["I"]) <= 0.1 and abs(mine["LRA"] - theirs["LRA"]) <= 0.5
            and abs(mine["TP"] - theirs["TP"]) <= 0.3)  # fmt: skip
    ratio = our_time / their_time
    layout = "stereo" if channels == 2 else "5.1"
    return {
        "task": f"temp measure, {minutes} min {rate // 1000} kHz {layout} (I, LRA, TP, max M/S)",
        "ours_s": our_time,
        "other": "ffmpeg ebur128=peak=true",
        "other_s": their_time,
        "ratio": ratio,
        "target": "<= 0.5, < 100 MB, same figures",
        "ok": bool(ratio <= 0.5 and our_memory < 100 and same),
        "detail": {
            "ours_MB": our_memory,
            "ffmpeg_MB": their_memory,
            **{f"ours_{k}": v for k, v in mine.items()},
            **{f"ffmpeg_{k}": v for k, v in theirs.items()},
        },  # fmt: skip
    }


def start_up(folder: Path) -> dict[str, object]:
    """A 1-minute file: what a user waits for, start-up included."""
    path = folder / "one_minute.wav"
    write_programme(path, 1, 48000, 2)
    our_time = min(ours(path)[0] for _ in range(3))
    their_time = min(ffmpeg(path)[0] for _ in range(3))
    return {
        "task": "temp measure start-up, 1 min 48 kHz stereo (best of 3)",
        "ours_s": our_time,
        "other": "ffmpeg ebur128=peak=true",
        "other_s": their_time,
        "ratio": our_time / their_time,
        "target": "<= 2",
        "ok": our_time <= 2 * their_time,
    }


def integrated_vs_pyloudnorm() -> dict[str, object]:
    """In-process, 10 minutes in memory: all our figures against pyloudnorm's I alone."""
    import pyloudnorm

    from temp_library.audio.loudness import LoudnessMeter

    base = minute(48000, 2)
    signal = np.concatenate([base * g for g in np.random.default_rng(1).uniform(0.2, 1, 10)])
    began = time.perf_counter()
    mine = LoudnessMeter(48000).measure(signal).integrated_lufs
    our_time = time.perf_counter() - began
    began = time.perf_counter()
    theirs = pyloudnorm.Meter(48000).integrated_loudness(signal.astype(np.float64))
    their_time = time.perf_counter() - began
    return {
        "task": "10 min 48 kHz stereo in memory: all figures (ours) vs integrated only",
        "ours_s": our_time,
        "other": "pyloudnorm integrated_loudness",
        "other_s": their_time,
        "ratio": our_time / their_time,
        "target": "<= 1, I within 0.01 LU",
        "ok": bool(our_time <= their_time and abs(mine - theirs) <= 0.01),
        "detail": {"ours_I": float(mine), "pyloudnorm_I": float(theirs)},
    }


def run() -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows.append(start_up(folder))
        for minutes, rate, channels in ((10, 48000, 2), (10, 48000, 6), (10, 96000, 2),
                                        (60, 48000, 2)):  # fmt: skip
            rows.append(versus_ffmpeg(minutes, rate, channels, folder))
    rows.append(integrated_vs_pyloudnorm())
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
