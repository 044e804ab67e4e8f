"""The stems of one cue, checked and read for a fit, and written back fitted, stem by stem.

Only the mono mix of all stems is held while planning; each stem is then read, edited and
written in turn, so memory stays near two copies of one stem whatever the stem count.
Everything a hostile or damaged file can do is refused by name in one line: a folder, a
missing file, an absurd header (rate outside 1-768 kHz, no channels or more than 64),
NaN or infinite samples, stems of different rates or lengths, and an output that would
overwrite an input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from conform.music.errors import FitError
from conform.music.fit import FitPlan, apply_plan
from temp_library.audio.bwf import (
    Audio,
    AudioError,
    Bext,
    check_complete,
    parse_bext,
    read_chunks,
    write_audio,
)

__all__ = ["StemFile", "check_stems", "read_mix", "output_names", "write_fitted", "safe_name"]

_MIN_RATE, _MAX_RATE, _MAX_CHANNELS = 1000, 768000, 64
_BLOCK = 1 << 18


@dataclass(frozen=True)
class StemFile:
    """One stem's path and header."""

    path: Path
    sample_rate: int
    channels: int
    frames: int


def _header(path: Path) -> StemFile:
    import soundfile as sf

    if path.is_dir():
        raise FitError("a folder, not an audio file", path=path, hint="name the stems' files")
    if not path.is_file():
        raise FitError("no such file", path=path, hint="check the path")
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as err:
        raise FitError(f"cannot read audio: {err}", path=path) from None
    try:
        check_complete(path)  # libsndfile reads a WAV cut short as a shorter file
    except AudioError as err:
        raise FitError(err.cause, path=path, hint=err.hint) from None
    if not _MIN_RATE <= info.samplerate <= _MAX_RATE:
        raise FitError(
            f"the header says {info.samplerate} Hz, outside {_MIN_RATE}-{_MAX_RATE} Hz",
            path=path, hint="the file is damaged or not audio",
        )  # fmt: skip
    if not 1 <= info.channels <= _MAX_CHANNELS:
        raise FitError(f"the header says {info.channels} channels", path=path,
                       hint="the file is damaged or not audio")  # fmt: skip
    return StemFile(path, int(info.samplerate), int(info.channels), int(info.frames))


def check_stems(paths: list[Path]) -> list[StemFile]:
    """Headers of the stems of one cue: all readable, one rate, one length."""
    if not paths:
        raise FitError("no audio given", hint="name the cue's file or all its stems")
    stems = [_header(Path(p)) for p in paths]
    first = stems[0]
    for other in stems[1:]:
        if other.sample_rate != first.sample_rate:
            raise FitError(f"{other.sample_rate} Hz, but {first.path} is {first.sample_rate} Hz",
                           path=other.path, hint="stems of a cue share one rate")  # fmt: skip
        if other.frames != first.frames:
            raise FitError(
                f"{other.frames} samples, but {first.path} has {first.frames}",
                path=other.path, hint="stems of a cue must be the same length",
            )  # fmt: skip
    return stems


def _finite(block: np.ndarray, path: Path, start: int) -> None:
    if not np.isfinite(block).all():
        bad = int(np.argmax(~np.isfinite(block).all(axis=1)))
        raise FitError(
            f"sample {start + bad} is not a number (NaN or infinite)",
            path=path, hint="the file is damaged; re-export it",
        )  # fmt: skip


def read_mix(stems: list[StemFile]) -> np.ndarray:
    """The mono mix of all stems, read block by block, refusing non-finite samples."""
    import soundfile as sf

    mix = np.zeros((stems[0].frames, 1), dtype=np.float32)
    for stem in stems:
        try:
            with sf.SoundFile(str(stem.path)) as handle:
                start = 0
                while start < stem.frames:
                    block = handle.read(min(_BLOCK, stem.frames - start), dtype="float32",
                                        always_2d=True)  # fmt: skip
                    if not len(block):
                        break
                    _finite(block, stem.path, start)
                    target = mix[start : start + len(block), 0]
                    scale = np.float32(1.0 / stem.channels)
                    for c in range(stem.channels):  # column by column: a strided sum is slow
                        target += block[:, c] * scale
                    start += len(block)
        except (RuntimeError, sf.LibsndfileError) as err:
            raise FitError(f"cannot read audio: {err}", path=stem.path) from None
    return mix


def safe_name(text: str) -> str:
    """A file name from user text: letters, digits, ``.``, ``-``, ``_``; never hidden or empty."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "cue"
    return name[:120]


def output_names(stems: list[StemFile]) -> list[str]:
    """A distinct ``.wav`` name per stem: the file's own, or with its folder when two clash."""
    plain = [safe_name(s.path.stem) + ".wav" for s in stems]
    names = []
    for stem, name in zip(stems, plain, strict=True):
        if plain.count(name) > 1:
            name = safe_name(f"{stem.path.resolve().parent.name}_{stem.path.stem}") + ".wav"
        names.append(name)
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if not count else f"{name[:-4]}_{count + 1}.wav")
    return unique


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


class _StemReader:
    """A stem's samples sliced straight from its file (``shape`` and ``[a:b]``)."""

    def __init__(self, handle: object, stem: StemFile) -> None:
        self.handle = handle
        self.shape = (stem.frames, stem.channels)

    def __getitem__(self, key: slice) -> np.ndarray:
        start, stop = key.start or 0, key.stop
        self.handle.seek(start)  # type: ignore[attr-defined]
        block = self.handle.read(stop - start, dtype="float32", always_2d=True)  # type: ignore[attr-defined]
        if block.shape[0] != stop - start:
            raise FitError(f"the file ended at sample {start + block.shape[0]}",
                           hint="the file is truncated")  # fmt: skip
        return block


def write_fitted(
    plan: FitPlan, stems: list[StemFile], targets: list[Path], note: str, force: bool
) -> list[Path]:
    """Each stem edited by ``plan`` straight from its file and written (never over an input)."""
    import soundfile as sf

    for target in targets:
        for stem in stems:
            if _same(target, stem.path) or target.resolve() == stem.path.resolve():
                raise FitError("the output would overwrite this input", path=target,
                               hint="choose another --out")  # fmt: skip
        if target.exists() and not force:
            raise FitError("already exists", path=target, hint="use --force to replace it")
    written = []
    for stem, target in zip(stems, targets, strict=True):
        try:
            with sf.SoundFile(str(stem.path)) as handle:
                subtype = handle.subtype
                fitted = apply_plan(_StemReader(handle, stem), plan)
        except (RuntimeError, sf.LibsndfileError) as err:
            raise FitError(f"cannot read audio: {err}", path=stem.path) from None
        bext, ixml = Bext(), None
        if stem.path.suffix.lower() in (".wav", ".bwf", ".wave"):
            chunks = read_chunks(stem.path)
            bext = parse_bext(chunks["bext"]) if "bext" in chunks else bext
            if "iXML" in chunks:
                ixml = chunks["iXML"].decode("utf-8", "replace").rstrip("\x00")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_audio(
            target, Audio(fitted, stem.sample_rate, subtype),
            bext=Bext(**{**bext.__dict__, "description": note[:256]}), ixml=ixml, force=True,
        )  # fmt: skip
        del fitted
        written.append(target)
    return written
