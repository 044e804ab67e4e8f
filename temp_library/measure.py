"""Loudness of one file, streamed, and the audio files under folders: what `temp measure`
needs, without the catalog or the worker pool (start-up)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from temp_library.audio.bwf import AudioError, read_blocks
from temp_library.audio.decode import AUDIO_SUFFIXES, FFMPEG_SUFFIXES, decode
from temp_library.audio.loudness import Loudness, LoudnessMeter

__all__ = ["find_audio", "measure_file"]


def find_audio(paths: Iterable[str | Path]) -> list[Path]:
    """Audio files under folders (recursively) and files named directly, sorted."""
    found: set[Path] = set()
    for entry in map(Path, paths):
        if entry.is_dir():
            for root, _, names in os.walk(entry):
                for name in names:
                    if name.lower().endswith(AUDIO_SUFFIXES) and not name.startswith("."):
                        found.add((Path(root) / name).resolve())
        elif entry.is_file():
            found.add(entry.resolve())
    return sorted(found)


def measure_file(
    path: str | Path, layout: str = "smpte", threads: int = 1
) -> tuple[Loudness, dict[str, object]]:
    """Loudness and stream facts of one file (streamed in blocks: memory stays flat).

    ``threads`` > 1 overlaps the true peak with the K-weighting (for one file on an idle
    machine); a scan worker uses 1, as the pool already fills the cores.
    """
    path = Path(path)
    if path.is_dir():
        raise AudioError("a folder, not an audio file", path)
    if not path.is_file():
        raise AudioError("no such file", path, "check the path")
    try:
        if path.suffix.lower() in FFMPEG_SUFFIXES:
            audio = decode(path)
            meter = LoudnessMeter(audio.sample_rate, layout, threads)
            facts = {"sample_rate": audio.sample_rate, "channels": audio.channels,
                     "subtype": audio.subtype,
                     "format": path.suffix.lstrip(".").upper()}  # fmt: skip
            return meter.measure(audio.samples), facts
        info, blocks = read_blocks(path)
        loudness = LoudnessMeter(info.samplerate, layout, threads).measure_blocks(blocks)
    except AudioError as err:
        raise err.located(path) from None
    facts = {"sample_rate": info.samplerate, "channels": info.channels,
             "subtype": info.subtype, "format": info.format}  # fmt: skip
    return loudness, facts
