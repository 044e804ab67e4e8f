"""Synthesise the sample project's audio, deterministically, into a folder (cached).

Every cue of cues.csv gets four stereo stems (strings, brass, percussion, synths) exactly
as long as the cue, with a clear beat, so that edits and loudness mean something. The temp
library is a dozen placeholder tracks at very different loudness, some of them MP3.
Nothing here is committed as audio: it is made on first use and reused after.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import numpy as np

__all__ = ["STEMS", "TEMP_TRACKS", "make_cue_stems", "make_temp_library", "cue_rows"]

STEMS = ("strings", "brass", "percussion", "synths")
SAMPLE_RATE = 48000
HERE = Path(__file__).resolve().parent

# name, seconds, level (dB), format, tempo: a temp library at very different loudness
TEMP_TRACKS = (
    ("TEMP_Harbour_Theme", 24, -3, "mp3", 96),
    ("TEMP_Door_Hit", 6, -1, "wav", 120),
    ("TEMP_Lamp_Room_Pad", 20, -30, "wav", 70),
    ("TEMP_Cliff_Road_Drive", 22, -6, "mp3", 132),
    ("TEMP_Brakes_Sting", 5, -2, "wav", 140),
    ("TEMP_Storm_Build", 26, -12, "wav", 110),
    ("TEMP_She_Turns", 18, -24, "mp3", 80),
    ("TEMP_End_Tag", 12, -9, "wav", 100),
    ("TEMP_Gulls_Ambient_Bed", 20, -36, "wav", 60),
    ("TEMP_Chase_Alt", 16, -4, "mp3", 150),
    ("TEMP_Night_Waltz", 20, -18, "wav", 90),
    ("TEMP_Title_Alt", 14, -8, "wav", 104),
)


def cue_rows() -> list[dict[str, str]]:
    with open(HERE / "cues.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _tone(
    seconds: float, bpm: float, seed: int, voice: str, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """One stem: a four-chord loop in a voice's register, or a beat for percussion."""
    SAMPLE_RATE = sample_rate  # noqa: N806 - the module default, or the rate asked for
    rng = np.random.default_rng(seed)
    n = int(round(seconds * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    beat = 60.0 / bpm
    roots = np.array([110.0, 87.31, 130.81, 98.0]) * (1 + (seed % 3) * 0.12)
    bar = (t / (4 * beat)).astype(int) % 4
    freq = roots[bar]
    if voice == "percussion":
        out = np.zeros(n)
        hit = np.exp(-np.arange(int(0.1 * SAMPLE_RATE)) / (0.015 * SAMPLE_RATE))
        noise = rng.standard_normal(len(hit)) * hit
        noise /= np.max(np.abs(noise))
        for k in range(int(seconds / beat) + 1):
            start = int(round(k * beat * SAMPLE_RATE))
            end = min(n, start + len(hit))
            if start < n:
                out[start:end] += (0.5 if k % 4 == 0 else 0.25) * noise[: end - start]
    else:
        multiple, level = {"strings": (2, 0.12), "brass": (1.5, 0.1), "synths": (4, 0.06)}[voice]
        phase = 2 * np.pi * np.cumsum(freq * multiple) / SAMPLE_RATE
        swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / (8 * beat)) ** 2
        out = level * swell * (np.sin(phase) + 0.3 * np.sin(2 * phase + 0.5))
    fade = min(n // 4, int(0.05 * SAMPLE_RATE))
    out[:fade] *= np.linspace(0, 1, fade)
    out[n - fade :] *= np.linspace(1, 0, fade)
    return np.stack([out, out * 0.92], axis=1).astype(np.float32)


def make_cue_stems(
    folder: Path, samples_per_cue: dict[str, int], sample_rate: int = SAMPLE_RATE
) -> dict[str, dict[str, Path]]:
    """Stems for every cue, ``samples_per_cue`` long; existing files are reused."""
    from temp_library.audio.bwf import Audio, write_audio

    folder.mkdir(parents=True, exist_ok=True)
    result: dict[str, dict[str, Path]] = {}
    for index, (cue, length) in enumerate(samples_per_cue.items()):
        result[cue] = {}
        for voice in STEMS:
            path = folder / f"{cue}_{voice}.wav"
            if not path.exists():
                seconds = length / sample_rate
                samples = _tone(seconds, 90 + 6 * index, index + 1, voice, sample_rate)
                write_audio(path, Audio(samples[:length], sample_rate), force=True)
            result[cue][voice] = path
    return result


def make_temp_library(folder: Path, sample_rate: int = SAMPLE_RATE) -> list[Path]:
    """The placeholder tracks; MP3s are encoded with the pip-installed ffmpeg."""
    from temp_library.audio.bwf import Audio, write_audio
    from temp_library.audio.decode import ffmpeg_exe

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (name, seconds, level, fmt, bpm) in enumerate(TEMP_TRACKS):
        path = folder / f"{name}.{fmt}"
        paths.append(path)
        if path.exists():
            continue
        mix = sum(_tone(seconds, bpm, 50 + index, voice, sample_rate) for voice in STEMS)
        mix = mix / np.max(np.abs(mix)) * 10 ** (level / 20)
        wav = path.with_suffix(".wav")
        write_audio(wav, Audio(mix.astype(np.float32), sample_rate), force=True)
        if fmt == "mp3":
            title = name.removeprefix("TEMP_").replace("_", " ")
            subprocess.run(
                [ffmpeg_exe(), "-v", "error", "-y", "-i", str(wav), "-b:a", "192k",
                 "-metadata", f"title={title}", "-metadata", "artist=Temp Library",
                 str(path)], check=True,
            )  # fmt: skip
            wav.unlink()
    return paths
