"""Benchmark: rendering a 20-minute reel of 30 cues with 6 stereo stems (issue 6: >= 300x
real time for the rendering itself), beside writing the same bytes with no processing."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGET = 300.0


def run() -> dict[str, object]:
    from audiogen import cue_stems

    from conform.cues.placed import Placement, StemCue
    from conform.handoff.stems import RenderSettings, render_reel
    from edl.rate import parse_rate
    from temp_library.audio.bwf import Audio

    rate = parse_rate("23.976")
    sr = 48000
    base = cue_stems(sr, 40.0, 96.0)
    stems = {f"stem{n}": base[name] * 0.3 for n, name in enumerate(["drums", "bass", "pad"] * 2)}
    paths = {name: Path(f"/memory/{name}.wav") for name in stems}
    loaded = {paths[name]: Audio(samples, sr) for name, samples in stems.items()}
    start = 86400
    cues = []
    for n in range(30):
        at = start + n * 960  # every 40 s of a 20-minute reel
        parts = (Placement(1, at, at + 400, 0), Placement(2, at + 400, at + 900, sr * 18))
        cues.append(StemCue(f"1M{n + 1}", f"Cue {n}", "changed", parts, dict(paths)))
    settings = RenderSettings()
    last = start + 30 * 960
    began = time.perf_counter()  # the stems live in memory: the loader hands them over
    _, buffers = render_reel(cues, rate, settings, start, last, loader=loaded.__getitem__)
    render = time.perf_counter() - began
    seconds = (last - start) / float(rate.fps)
    total_bytes = sum(b.shape[0] * b.shape[1] * 3 for b in buffers.values())
    with tempfile.TemporaryDirectory() as tmp:
        block = bytes(1 << 24)
        began = time.perf_counter()
        with open(os.path.join(tmp, "plain.raw"), "wb") as handle:
            for _ in range(total_bytes // len(block) + 1):
                handle.write(block)
        plain = time.perf_counter() - began
    speed = seconds / render
    return {
        "task": "render a 20-min reel, 30 cues x 6 stereo stems (rendering only)",
        "ours_s": render,
        "other": "writing the same bytes, no processing",
        "other_s": plain,
        "ratio": speed / TARGET,
        "target": f">= 300x real time (here {speed:.0f}x; ratio to target >= 1)",
        "ok": speed >= TARGET,
    }


if __name__ == "__main__":
    print(run())
