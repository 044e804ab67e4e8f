"""Benchmark: music that makes room for dialogue (issue 17). Target: the same intelligibility
gain as a plain side-chain duck of the whole music mix for at most half its music loudness
drop during speech. The dialogue is espeak-ng speech when espeak-ng is installed (Debian
package; bench only), else the speech-like signal of the tests; the music is five stereo
stems of known band energy: bass and kick below the speech band, hats above it, a string
pad and a brass line in it. Both treatments run in the same process; the "other" column is
the whole-mix duck tuned to the same speech-band index (and, second row, to the same ESTOI).
"""

from __future__ import annotations

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

SR = 48000
SECONDS = 60
SENTENCES = [
    "I told you already, the boat leaves at dawn and we are not on it.",
    "Where did you put the keys? They were on the table an hour ago.",
    "Listen to me. If we go now, nobody has to know what happened here.",
    "She said the lighthouse keeper saw everything, every single night.",
    "You can't just walk away from this, not after all these years.",
    "Fine. Then we wait for the storm to pass, and we go together.",
]


def _espeak(text: str, voice: str) -> np.ndarray | None:
    """One sentence from espeak-ng at 48 kHz, or None when espeak-ng is not installed."""
    if shutil.which("espeak-ng") is None:
        return None
    import soundfile as sf
    import soxr

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text],
                       check=True, capture_output=True)  # fmt: skip
        samples, rate = sf.read(path, dtype="float64")
    return soxr.resample(samples, rate, SR)


def dialogue(n: int) -> tuple[np.ndarray, str]:
    """Six sentences with pauses, peak -10 dBFS, over -70 dBFS room tone."""
    rng = np.random.default_rng(7)
    out = np.zeros(n)
    at = int(1.5 * SR)
    source = "espeak-ng"
    for k, text in enumerate(SENTENCES):
        speech = _espeak(text, "en-us" if k % 2 else "en")
        if speech is None:
            from test_duck import speech_like

            source = "speech-like (formant-filtered pulses)"
            length = int((2.5 + k % 3) * SR)
            speech = speech_like(length, [(0, length)], seed=k)
        speech = speech[: max(0, n - at)]
        out[at : at + len(speech)] += speech / (np.max(np.abs(speech)) + 1e-12)
        at += len(speech) + int(rng.uniform(1.5, 3.0) * SR)
        if at >= n:
            break
    return 0.316 * out / np.max(np.abs(out)) + 3e-4 * rng.standard_normal(n), source


def music(n: int, lows: bool = True) -> dict[str, np.ndarray]:
    """Stereo stems, chords changing every 4 s; only the strings and brass sit in the band.

    Without ``lows`` there is no bass and kick: nearly all the music's loudness is then in
    the speech band, the hard case for a band cut.
    """
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(3)
    t = np.arange(n) / SR
    roots = np.asarray([110.0, 87.31, 130.81, 98.0])[(t // 4).astype(int) % 4]
    phase = 2 * np.pi * np.cumsum(roots) / SR
    bass = 0.25 * np.sin(phase / 2)
    kick = np.zeros(n)
    hit = np.sin(2 * np.pi * 55 * np.arange(int(0.2 * SR)) / SR) * np.exp(
        -np.arange(int(0.2 * SR)) / (0.05 * SR)
    )
    for start in range(0, n - len(hit), SR // 2):
        kick[start : start + len(hit)] += 0.4 * hit
    strings = sum(0.03 / h * np.sin(h * phase * r) for r in (2, 2.5, 3, 4) for h in (1, 2, 3))
    strings *= 1 + 0.1 * np.sin(2 * np.pi * 0.25 * t)
    notes = np.asarray([440.0, 523.25, 587.33, 659.25])[(t // 1.0).astype(int) % 4]
    brass_phase = 2 * np.pi * np.cumsum(notes) / SR
    brass = sum(0.025 / h * np.sin(h * brass_phase) for h in range(1, 9))
    hats = 0.04 * sosfilt(butter(8, 8000, "highpass", fs=SR, output="sos"), rng.standard_normal(n))
    stems = {"bass": bass, "kick": kick, "strings": strings, "brass": brass, "hats": hats}
    if not lows:
        del stems["bass"], stems["kick"]
    return {k: np.stack([v, 0.9 * v], axis=1).astype(np.float32) for k, v in stems.items()}


def run() -> list[dict[str, object]]:
    return scenario(True) + scenario(False)


def scenario(lows: bool) -> list[dict[str, object]]:
    from conform.cues.placed import read_stem_cues
    from conform.duck.run import DuckSettings, duck_music
    from edl.files import OutputDir
    from edl.io import read_cut
    from edl.rate import parse_rate
    from edl.timecode import frames_to_samples
    from temp_library.audio.bwf import Audio, Bext, write_audio

    rate = parse_rate("24")
    n = SECONDS * SR
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "cut.edl").write_text(
            "TITLE: BENCH\nFCM: NON-DROP FRAME\n"
            "001  A001     V     C        10:00:00:00 10:01:00:00 01:00:00:00 01:01:00:00\n"
        )
        speech, source = dialogue(n)
        stamp = frames_to_samples(86400, rate, SR)
        write_audio(root / "dial.wav", Audio(speech[:, None].astype(np.float32), SR),
                    bext=Bext(time_reference=stamp))  # fmt: skip
        refs = []
        for name, samples in music(n, lows).items():
            write_audio(root / f"{name}.wav", Audio(samples, SR))
            refs.append(f"{name}={name}.wav")
        (root / "cues.csv").write_text(
            f"cue,title,start,end,stems\n1M1,Bench,01:00:00:00,01:01:00:00,{';'.join(refs)}\n"
        )
        cut = read_cut(root / "cut.edl", rate)
        cues = read_stem_cues(root / "cues.csv", rate)
        began = time.perf_counter()
        with OutputDir(root / "out") as out:
            result = duck_music(cues, cut, root / "dial.wav", DuckSettings(stoi=False), out,
                                prefix="fast/")  # fmt: skip
        analysis = time.perf_counter() - began
        with OutputDir(root / "out2") as out:
            result = duck_music(cues, cut, root / "dial.wav", DuckSettings(), out)
    figures = {f.name: f for f in result.figures}
    ours, before = figures["ours"], figures["before"]
    treated = sorted({f"{t.stem}:{t.kind}" for r in result.phrases for t in r.treatments
                      if t.kind != "none"})  # fmt: skip
    rows = []
    for name in ("whole-mix duck", "whole-mix duck, same ESTOI"):
        whole = figures[name]
        ratio = ours.loudness_drop_lu / whole.loudness_drop_lu if whole.loudness_drop_lu else 0
        rows.append({
            "task": f"duck under {source} dialogue, {'full' if lows else 'mid-range'} music: "
                    f"music cost vs {name}",
            "ours_s": analysis, "other": name, "other_s": 0.0, "ratio": float(ratio),
            "target": "music loudness drop <= 0.5 x the whole-mix duck's at equal intelligibility",
            "ok": bool(ratio <= 0.5 and ours.index > before.index),
            "detail": (
                f"{len(result.phrases)} phrases, {SECONDS} s; treated {', '.join(treated)}. "
                f"index {before.index:.3f} -> ours {ours.index:.3f} / whole {whole.index:.3f}; "
                f"STOI {before.stoi:.3f} -> {ours.stoi:.3f} / {whole.stoi:.3f}; "
                f"ESTOI {before.estoi:.3f} -> {ours.estoi:.3f} / {whole.estoi:.3f}; "
                f"music drop {ours.loudness_drop_lu:.2f} LU / {whole.loudness_drop_lu:.2f} LU; "
                f"outside 250 Hz-4 kHz {ours.outside_change_db:.2f} dB / "
                f"{whole.outside_change_db:.2f} dB; ours_s = analysis + files without STOI"
            ),
        })  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
