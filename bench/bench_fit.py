"""Benchmark: `mconform fit` of a 3-minute stereo 48 kHz 24-bit cue with 6 stems (issue 15).

Timed as a user runs it: the whole command in a fresh process (start-up, reading the six
stems, analysis, the edit, writing six new stems), with its peak memory from ``wait4``.
Compared, in the same run, with a process that only reads and writes the same six stems
with soundfile, which a user waits for anyway. Targets: under 2 s and under 300 MB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 2.0
TARGET_MB = 300.0
_COPY = """
import sys, soundfile as sf
for i, path in enumerate(sys.argv[2:]):
    data, rate = sf.read(path, dtype="float32")
    sf.write(f"{sys.argv[1]}/{i}.wav", data, rate, subtype="PCM_24")
"""


_LAUNCH = """
import os, subprocess, sys, time
began = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - began, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status))
"""


def _timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process.

    Launched from a small Python that imports nothing heavy: Linux keeps a forked child's
    high-water RSS across exec, so forking from this (large) process would inflate it.
    """
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *args], capture_output=True, text=True, check=True
    )
    elapsed, peak, code = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{args[:3]} failed: {done.stderr[-400:]}")
    return float(elapsed), float(peak)


def run() -> list[dict[str, object]]:
    from audiogen import cue_stems

    from temp_library.audio.bwf import Audio, write_audio

    sr = 48000
    base = cue_stems(sr, 180.0, 112.0)
    gains = [("drums", 1.0), ("bass", 1.0), ("pad", 1.0), ("drums", 0.5), ("bass", 0.7),
             ("pad", 0.9)]  # fmt: skip
    mconform = str(Path(sys.executable).with_name("mconform"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n, (name, gain) in enumerate(gains):
            samples = (base[name] * np.float32(gain)).astype(np.float32)
            paths.append(str(write_audio(Path(tmp) / f"stem{n}.wav", Audio(samples, sr))))
        best = (float("inf"), 0.0)
        other = (float("inf"), 0.0)
        for k in range(2):
            out = Path(tmp) / f"fit{k}"
            ours = _timed([mconform, "fit", *paths, "--length", "151.3s", "--out", str(out)])
            best = min(best, ours)
            copy = Path(tmp) / f"copy{k}"
            copy.mkdir()
            other = min(other, _timed([sys.executable, "-c", _COPY, str(copy), *paths]))
    rows.append({
        "task": "mconform fit: 3 min 48k/24-bit stereo cue, 6 stems (whole command)",
        "ours_s": round(best[0], 3),
        "other": "soundfile read+write of the 6 stems (process)",
        "other_s": round(other[0], 3),
        "ratio": round(best[0] / other[0], 2),
        "target": f"< {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB",
        "ok": best[0] < TARGET_SECONDS and best[1] < TARGET_MB,
        "detail": f"peak memory {best[1]:.0f} MB (soundfile copy {other[1]:.0f} MB)",
    })  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
