"""Benchmark: the whole `mconform handoff` of a 20-minute reel, 30 cues x 6 stereo stems
(issue 15: under 15 s wall and under 1 GB peak memory), run as a user runs it, beside
writing the same bytes (every output stem file) with soundfile in the same run.

Rows: the reel layout and the cue layout, each the whole command in a subprocess (wall
time and the child's peak resident memory); the comparison writes as many 24-bit frames
as the package's stems hold with ``soundfile``, block by block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGET_S = 15.0
TARGET_MB = 1024.0
CUES, STEMS, SPACING_S, CUE_S = 30, 6, 40, 36


def _project(root: Path) -> None:
    """A 20-minute cut and 30 cues of 36 s, each with 6 stereo stems (files shared by cues)."""
    from audiogen import cue_stems

    from temp_library.audio.bwf import Audio, write_audio

    sr = 48000
    base = cue_stems(sr, CUE_S, 96.0)
    names = list(base)
    refs = []
    for n in range(STEMS):
        samples = base[names[n % len(names)]] * (0.3 + 0.05 * n)
        write_audio(root / f"stem{n}.wav", Audio(samples.astype(np.float32), sr))
        refs.append(f"Stem{n}=stem{n}.wav")
    (root / "cut.edl").write_text(
        "TITLE: BENCH REEL\nFCM: NON-DROP FRAME\n"
        "001  A001     V     C        01:00:00:00 01:20:00:00 01:00:00:00 01:20:00:00\n"
    )
    rows = ["cue,title,start,duration,stems"]
    for n in range(CUES):
        at = n * SPACING_S
        rows.append(f"1M{n + 1},Cue {n + 1},01:{at // 60:02d}:{at % 60:02d}:00,"
                    f"{CUE_S * 24}f,{';'.join(refs)}")  # fmt: skip
    (root / "cues.csv").write_text("\n".join(rows) + "\n")


def _run(root: Path, out: Path, *extra: str) -> tuple[float, float]:
    """Wall seconds and peak MB of one `mconform handoff` in a fresh process."""
    mconform = str(Path(sys.executable).parent / "mconform")
    command = [mconform, "handoff", str(root / "cues.csv"), "--cut", str(root / "cut.edl"),
               "--rate", "23.976", "--out", str(out), *extra]  # fmt: skip
    with tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise RuntimeError(err.read().decode()[-400:])
    return wall, usage.ru_maxrss / 1024


def _soundfile_floor(package: Path, tmp: Path) -> float:
    """Seconds for soundfile to write as many 24-bit frames as the package's stems hold."""
    import soundfile as sf

    shapes = [sf.info(str(p)) for p in sorted((package / "stems").glob("*.wav"))]
    block = np.zeros((1 << 18, 2), np.float32)
    began = time.perf_counter()
    for n, info in enumerate(shapes):
        target = tmp / f"plain{n}.wav"
        data = block[:, : info.channels]
        with sf.SoundFile(str(target), "w", info.samplerate, info.channels, "PCM_24") as handle:
            left = info.frames
            while left > 0:
                handle.write(data[: min(left, data.shape[0])])
                left -= data.shape[0]
        target.unlink()
    return time.perf_counter() - began


def run() -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="mconform-bench-") as name:
        tmp = Path(name)
        _project(tmp)
        for layout in ("reel", "cue"):
            out = tmp / f"package-{layout}"
            wall, peak = _run(tmp, out, "--stems-layout", layout)
            floor = _soundfile_floor(out, tmp)
            size = sum(p.stat().st_size for p in (out / "stems").glob("*.wav"))
            shutil.rmtree(out)
            ok = wall < TARGET_S and peak < TARGET_MB
            rows.append({
                "task": f"mconform handoff, 20-min reel, 30 cues x 6 stereo stems, {layout} layout",
                "ours_s": wall,
                "other": "soundfile writing the same stem frames (24-bit)",
                "other_s": floor,
                "ratio": wall / floor if floor else float("inf"),
                "target": f"< {TARGET_S:.0f} s wall and < {TARGET_MB:.0f} MB",
                "ok": ok,
                "detail": f"peak {peak:.0f} MB, {size / 1e9:.2f} GB of "
                          f"stems, {os.cpu_count()} cores",
            })  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
