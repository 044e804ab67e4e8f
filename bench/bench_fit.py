"""Benchmark: fitting a 3-minute stereo 48 kHz cue with 6 stems (issue 4's target: < 2 s).

Measured in-process on one core: analysis of the mix plus the same edit on all six
stems, against reading and writing the same six stems with soundfile (no processing),
which is what a user waits for anyway.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 2.0


def run() -> dict[str, object]:
    import soundfile as sf
    from audiogen import cue_stems

    from conform.music.fit import apply_plan, plan_fit

    sr = 48000
    base = cue_stems(sr, 180.0, 112.0)
    stems = [base["drums"], base["bass"], base["pad"], base["drums"] * 0.5, base["bass"] * 0.7,
             base["pad"] * 0.9]  # fmt: skip
    mix = np.sum(stems, axis=0)
    target = round(151.3 * sr)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        plan = plan_fit(mix, sr, target, "cut")
        fitted = [apply_plan(stem, plan) for stem in stems]
        best = min(best, time.perf_counter() - began)
    assert all(f.shape[0] == target for f in fitted)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        for n, stem in enumerate(stems):
            sf.write(f"{tmp}/{n}.wav", stem, sr, subtype="PCM_24")
            sf.read(f"{tmp}/{n}.wav", dtype="float32")
        io_time = time.perf_counter() - began
    return {
        "task": "fit 3 min stereo 48 kHz cue, 6 stems (cut 28.7 s)",
        "ours_s": best,
        "other": "soundfile write+read of the 6 stems",
        "other_s": io_time,
        "ratio": best / TARGET_SECONDS,
        "target": "< 2.0 s (ratio to target < 1)",
        "ok": best < TARGET_SECONDS,
    }


if __name__ == "__main__":
    print(run())
