"""Benchmark: `mconform conform` on a feature-length cut (issue 3's target: under 1 s).

A 3 000-shot cut, a version with 60 picture changes and 300 cues are generated in a
temporary folder; the command is timed end to end as a user runs it, and in-process with
the time split into start-up (imports), reading, matching and writing.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0


def make_files(folder: Path) -> tuple[Path, Path, Path]:
    import copy

    from cutgen import Story

    from edl.cmx3600 import write_edl
    from edl.rate import parse_rate
    from edl.timecode import format_timecode

    rate = parse_rate("23.976")
    rng = random.Random(2024)
    story = Story(rng, 3000)
    old = copy.deepcopy(story)
    story.mutate(60)
    old_path, new_path, cues_path = folder / "v1.edl", folder / "v2.edl", folder / "cues.csv"
    old_path.write_text(write_edl(old.cut(rate)))
    new_path.write_text(write_edl(story.cut(rate)))
    start = old.record_start
    end = start + sum(s.length for s in old.shots)
    lines = ["cue,title,start,end,sync,composer"]
    for n in range(300):
        a = rng.randrange(start, end - 3000)
        b = a + rng.randrange(240, 3000)
        hit = rng.randrange(a, b)
        tc = lambda f: format_timecode(f, rate)  # noqa: E731
        lines.append(
            f"{n // 30 + 1}M{n % 30 + 1},Cue {n},{tc(a)},{tc(b)},hit={tc(hit)},A. Composer"
        )
    cues_path.write_text("\n".join(lines) + "\n")
    return old_path, new_path, cues_path


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old_path, new_path, cues_path = make_files(folder)
        # End to end, as a user runs it (a fresh interpreter, one core).
        command = [
            sys.executable, "-m", "conform.cli", "conform", str(old_path), str(new_path),
            "--cues", str(cues_path), "--rate", "23.976", "--out", str(folder / "out"),
        ]  # fmt: skip
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run([*command, "--force"], check=True, capture_output=True, cwd=ROOT)
            best = min(best, time.perf_counter() - began)
        # Start-up alone: the same interpreter importing the CLI and doing nothing.
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import conform.cli"], check=True, capture_output=True, cwd=ROOT
        )
        startup = time.perf_counter() - began
        phases = _phases(old_path, new_path, cues_path, folder / "phases")
    return {
        "task": "conform 3000 shots, 60 changes, 300 cues (end to end)",
        "ours_s": best,
        "other": "target",
        "other_s": TARGET_SECONDS,
        "ratio": best / TARGET_SECONDS,
        "target": "< 1.0 s (ratio < 1)",
        "ok": best < TARGET_SECONDS,
        "detail": {"startup_s": startup, **phases},
    }


def _phases(old_path: Path, new_path: Path, cues_path: Path, out: Path) -> dict[str, float]:
    import opentimelineio as otio

    from conform.cues.conformed_io import conformed_csv, music_timeline
    from conform.cues.cuelist import read_cues
    from conform.cues.reconform import conform_cues
    from edl.changes import compare
    from edl.changes_io import changes_csv, changes_edl
    from edl.files import OutputDir
    from edl.io import read_cut
    from edl.rate import parse_rate

    rate = parse_rate("23.976")
    t0 = time.perf_counter()
    old, new = read_cut(old_path, rate), read_cut(new_path, rate)
    cues = read_cues(cues_path, rate)
    t1 = time.perf_counter()
    changes = compare(old, new)
    conformed = conform_cues(cues.cues, changes)
    t2 = time.perf_counter()
    with OutputDir(out, force=True) as output:
        output.write_text("cues.csv", conformed_csv(conformed, cues, old, new))
        timeline = music_timeline(conformed, new, cues)
        output.write_text("cues.otio", otio.adapters.write_to_string(timeline, "otio_json"))
        output.write_text("changes.csv", changes_csv(changes))
        output.write_text("changes.edl", changes_edl(changes))
    t3 = time.perf_counter()
    return {"reading_s": t1 - t0, "matching_s": t2 - t1, "writing_s": t3 - t2}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
