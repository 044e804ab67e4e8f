"""The project's one audio module: read any supported file to float32, write WAV/BWF.

Reading goes through soundfile (libsndfile, shipped in its wheel). Writing is our own
RIFF writer, because soundfile cannot write a `bext` chunk with a TimeReference, nor an
`iXML` chunk, and both must be exact for a file to spot to its timecode. PCM is packed
with numpy, block by block, so long files stream; a value past full scale is an error,
never a silent clip.
"""

from __future__ import annotations

import html
import io
import os
import re
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from edl.errors import MconformError
from edl.files import atomic_path


def escape(text: str) -> str:
    """XML text escaped (& < >), as xml.sax.saxutils does, without its urllib import."""
    return html.escape(text, quote=False)


__all__ = [
    "AudioError",
    "Bext",
    "IXml",
    "Audio",
    "SUBTYPES",
    "read_audio",
    "read_blocks",
    "audio_info",
    "check_format",
    "MIN_RATE",
    "MAX_RATE",
    "MAX_CHANNELS",
    "write_audio",
    "read_chunks",
    "parse_bext",
]

SUBTYPES = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32}
"""What we write, and its bits per sample."""

_BLOCK = 1 << 16  # frames per block when packing PCM
MIN_RATE, MAX_RATE, MAX_CHANNELS = 1000, 768000, 64
"""Headers outside these are refused by name: no real recording has them."""
_READ_SAMPLES = 1 << 18  # samples (frames x channels) per block when streaming a read


class AudioError(MconformError):
    """Bad audio input or an impossible write; one line, naming the file.

    Takes the path and hint by position too (``AudioError(cause, path, hint)``), as the
    audio code has always called it.
    """

    def __init__(
        self,
        cause: str,
        path: str | Path | None = None,
        hint: str | None = None,
        *,
        line: int | None = None,
    ) -> None:
        super().__init__(cause, path=path, line=line, hint=hint)

    def located(self, path: str | Path | None = None, line: int | None = None) -> AudioError:
        return AudioError(self.cause, self.path or path, self.hint, line=self.line or line)


@dataclass(frozen=True)
class Bext:
    """The EBU Tech 3285 broadcast extension: what a DAW reads to spot a file."""

    description: str = ""
    originator: str = "mconform"
    originator_reference: str = ""
    origination_date: str = ""
    origination_time: str = ""
    time_reference: int = 0
    coding_history: str = ""
    # EBU Tech 3285 v2 loudness (None: not measured, written as 0x7FFF)
    loudness_value: float | None = None  # integrated, LUFS
    loudness_range: float | None = None  # LU
    max_true_peak: float | None = None  # dBTP
    max_momentary: float | None = None  # LUFS
    max_short_term: float | None = None  # LUFS


@dataclass(frozen=True)
class IXml:
    """The few iXML fields a mix stage reads: project, scene (cue), take (stem), timecode."""

    project: str = ""
    cue: str = ""
    stem: str = ""
    timecode_rate: str = ""  # e.g. "24000/1001"
    timecode_flag: str = "NDF"
    note: str = ""
    samples_since_midnight: int | None = None  # the bext TimeReference, for iXML readers
    sample_rate: int | None = None
    bit_depth: int | None = None
    tracks: tuple[str, ...] = ()  # a name per channel, in file order (TRACK_LIST)

    def xml(self) -> str:
        speed = []
        if self.sample_rate is not None:
            rate = self.sample_rate
            speed += [f"<FILE_SAMPLE_RATE>{rate}</FILE_SAMPLE_RATE>",
                      f"<DIGITIZER_SAMPLE_RATE>{rate}</DIGITIZER_SAMPLE_RATE>"]  # fmt: skip
        if self.bit_depth is not None:
            speed.append(f"<AUDIO_BIT_DEPTH>{self.bit_depth}</AUDIO_BIT_DEPTH>")
        if self.samples_since_midnight is not None:
            stamp = self.samples_since_midnight
            speed += [
                f"<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>{stamp >> 32}"
                "</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>",
                f"<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>{stamp & 0xFFFFFFFF}"
                "</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>",
                f"<TIMESTAMP_SAMPLE_RATE>{self.sample_rate or 48000}</TIMESTAMP_SAMPLE_RATE>",
            ]
        tracks = []
        if self.tracks:
            tracks = ["<TRACK_LIST>", f"<TRACK_COUNT>{len(self.tracks)}</TRACK_COUNT>"]
            for index, name in enumerate(self.tracks, start=1):
                tracks += ["<TRACK>", f"<CHANNEL_INDEX>{index}</CHANNEL_INDEX>",
                           f"<INTERLEAVE_INDEX>{index}</INTERLEAVE_INDEX>",
                           f"<NAME>{escape(name)}</NAME>", "</TRACK>"]  # fmt: skip
            tracks.append("</TRACK_LIST>")
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<BWFXML>",
            "<IXML_VERSION>2.10</IXML_VERSION>",
            f"<PROJECT>{escape(self.project)}</PROJECT>",
            f"<SCENE>{escape(self.cue)}</SCENE>",
            f"<TAKE>{escape(self.stem)}</TAKE>",
            f"<NOTE>{escape(self.note)}</NOTE>",
            "<SPEED>",
            f"<TIMECODE_RATE>{escape(self.timecode_rate)}</TIMECODE_RATE>",
            f"<TIMECODE_FLAG>{escape(self.timecode_flag)}</TIMECODE_FLAG>",
            *speed,
            "</SPEED>",
            *tracks,
            "</BWFXML>",
        ]
        return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class Audio:
    """Samples as float32 (frames x channels), with what is needed to write them back."""

    samples: np.ndarray
    sample_rate: int
    subtype: str = "PCM_24"
    bext: Bext | None = None
    ixml: str | None = None
    path: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    def with_samples(self, samples: np.ndarray) -> Audio:
        return replace(self, samples=samples)


def check_format(rate: int, channels: int, path: str | Path | None = None) -> None:
    """Refuse an absurd header (rate under 1 kHz or over 768 kHz, 0 or over 64 channels)."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(
            f"sample rate {rate} Hz in the header is not a real audio rate "
            f"({MIN_RATE // 1000} kHz to {MAX_RATE // 1000} kHz)",
            path,
            "the header is damaged; re-export the file",
        )
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(
            f"{channels} channels in the header (1 to {MAX_CHANNELS} are readable)",
            path,
            "the header is damaged; re-export the file",
        )


@contextmanager
def _decoder_quiet(path: str | Path) -> Iterator[None]:
    """Silence what a C decoder prints itself (libmpg123 writes warnings straight to the
    process's stderr) while an MP3 is opened or read; our own one-line error says why."""
    if Path(path).suffix.lower() != ".mp3":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _cause(err: Exception, path: str | Path | None = None) -> str:
    """libsndfile's message on one short line (libmpg123 and friends can be chatty)."""
    text = " ".join(str(err).split())
    # "Error opening '/x.wav': ..." or "<_io.BytesIO object at 0x...>": the path is said already
    text = re.sub(r"^Error opening (?:<[^>]*>|'.*?'|\S+): ", "", text)
    if "Format not recognised" in text or (
        "File does not exist or is not a regular file" in text and path and Path(path).is_file()
    ):
        return "not an audio format libsndfile recognises (damaged, or not audio)"
    return text if len(text) <= 160 else text[:157] + "..."


def check_complete(path: str | Path, data: bytes | None = None) -> None:
    """Refuse a WAV whose data chunk runs past the end of the file (a copy cut short).

    libsndfile reads such a file without a word, as if it were shorter; a stem, a dialogue
    track or a library file that lost its end must not pass for a shorter one. A size of 0 or
    0xFFFFFFFF (written while recording, or RF64) is not checked: it declares nothing.
    """
    if data is not None:
        head, total = data[:65536], len(data)
    else:
        try:
            with open(path, "rb") as handle:
                head, total = handle.read(65536), os.fstat(handle.fileno()).st_size
        except OSError:
            return  # unreadable: the decoder says why
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    at, channels_bytes = 12, 0
    while at + 8 <= len(head):
        name, size = head[at : at + 4], struct.unpack("<I", head[at + 4 : at + 8])[0]
        if name == b"fmt " and at + 22 + 2 <= len(head) and size >= 14:
            channels_bytes = struct.unpack("<H", head[at + 20 : at + 22])[0]  # block align
        if name == b"data":
            if size in (0, 0xFFFFFFFF) or at + 8 + size <= total:
                return
            held = total - at - 8
            per = channels_bytes or 1
            raise AudioError(
                f"truncated: the data chunk declares {size // per} sample frames but the file "
                f"holds {max(held, 0) // per}",
                path,
                "the copy was cut short; copy the file again from its source",
            )
        at += 8 + size + (size & 1)


def audio_info(path: str | Path) -> sf._SoundFileInfo:
    """Rate, channels, frames and subtype without reading the samples (header checked)."""
    if Path(path).is_dir():
        raise AudioError("a folder, not an audio file", path)
    try:
        with _decoder_quiet(path):
            info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as err:
        raise AudioError(f"cannot read audio: {_cause(err, path)}", path) from None
    check_format(info.samplerate, info.channels, path)
    check_complete(path)
    return info


def read_blocks(
    path: str | Path, data: bytes | None = None
) -> tuple[sf._SoundFileInfo, Iterator[np.ndarray]]:
    """The header, and the samples as float32 ``frames x channels`` blocks (about 1 MB each).

    Memory stays flat whatever the length; a read error half way is an `AudioError`. With
    ``data`` (the file's bytes, already read to hash them) nothing is read from disk again.
    """
    if data is None:
        info = audio_info(path)
    else:
        try:
            with _decoder_quiet(path):
                info = sf.info(io.BytesIO(data))
        except (RuntimeError, sf.LibsndfileError) as err:
            raise AudioError(f"cannot read audio: {_cause(err, path)}", path) from None
        check_format(info.samplerate, info.channels, path)
        check_complete(path, data)
    frames = max(info.samplerate // 10, _READ_SAMPLES // info.channels)

    def blocks() -> Iterator[np.ndarray]:
        try:
            source = str(path) if data is None else io.BytesIO(data)
            with _decoder_quiet(path):
                handle = sf.SoundFile(source)
            with handle:
                while True:
                    with _decoder_quiet(path):
                        block = handle.read(frames, dtype="float32", always_2d=True)
                    if not len(block):
                        return
                    yield block
        except (RuntimeError, sf.LibsndfileError) as err:
            raise AudioError(f"cannot read audio: {_cause(err, path)}", path) from None

    return info, blocks()


def read_audio(path: str | Path) -> Audio:
    """Any file libsndfile reads (WAV/BWF, AIFF, FLAC, OGG, MP3) as float32, with BWF chunks."""
    path = Path(path)
    if path.is_dir():
        raise AudioError("a folder, not an audio file", path)
    if not path.is_file():
        raise AudioError("no such file", path, "check the path")
    check_complete(path)
    try:
        with _decoder_quiet(path), sf.SoundFile(str(path)) as handle:
            check_format(handle.samplerate, handle.channels, path)
            subtype = handle.subtype
            samples = handle.read(dtype="float32", always_2d=True)
            sample_rate = handle.samplerate
    except (RuntimeError, sf.LibsndfileError) as err:
        raise AudioError(f"cannot read audio: {_cause(err, path)}", path) from None
    bext = ixml = None
    if path.suffix.lower() in (".wav", ".bwf", ".wave"):
        chunks = read_chunks(path)
        if "bext" in chunks:
            bext = parse_bext(chunks["bext"])
        if "iXML" in chunks:
            ixml = chunks["iXML"].decode("utf-8", "replace").rstrip("\x00")
    return Audio(samples, sample_rate, subtype, bext, ixml, str(path))


def read_chunks(path: str | Path) -> dict[str, bytes]:
    """Top-level RIFF chunks other than `data` (their bytes), for reading BWF metadata."""
    chunks: dict[str, bytes] = {}
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
            return chunks
        while True:
            header = handle.read(8)
            if len(header) < 8:
                break
            name, size = header[:4].decode("latin-1"), struct.unpack("<I", header[4:])[0]
            if name == "data":
                chunks["data@"] = struct.pack("<QI", handle.tell(), size)
                handle.seek(size + (size & 1), os.SEEK_CUR)
                continue
            chunks[name] = handle.read(size)
            if size & 1:
                handle.read(1)
    return chunks


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("latin-1").strip()


def parse_bext(raw: bytes) -> Bext:
    """A `bext` chunk's fields (TimeReference as one 64-bit sample count)."""
    if len(raw) < 602:
        raw = raw.ljust(602, b"\x00")
    low, high = struct.unpack("<II", raw[338:346])
    return Bext(
        description=_text(raw[0:256]),
        originator=_text(raw[256:288]),
        originator_reference=_text(raw[288:320]),
        origination_date=_text(raw[320:330]),
        origination_time=_text(raw[330:338]),
        time_reference=low | (high << 32),
        coding_history=_text(raw[602:]),
    )


def _bext_bytes(bext: Bext) -> bytes:
    def field_(text: str, size: int) -> bytes:
        return text.encode("latin-1", "replace")[:size].ljust(size, b"\x00")

    reference = bext.time_reference
    if not 0 <= reference < 1 << 64:
        raise AudioError(f"time stamp {reference} samples is before midnight or past 2^64",
                         hint="start the file at or after 00:00:00:00")  # fmt: skip
    loudness = (bext.loudness_value, bext.loudness_range, bext.max_true_peak,
                bext.max_momentary, bext.max_short_term)  # fmt: skip
    version = 2 if any(v is not None for v in loudness) else 1
    body = b"".join(
        [
            field_(bext.description, 256),
            field_(bext.originator, 32),
            field_(bext.originator_reference, 32),
            field_(bext.origination_date, 10),
            field_(bext.origination_time, 8),
            struct.pack("<II", reference & 0xFFFFFFFF, reference >> 32),
            struct.pack("<H", version),
            b"\x00" * 64,  # UMID
            struct.pack("<5h", *(_centi(v) for v in loudness)) if version == 2 else b"\x00" * 10,
            b"\x00" * 180,  # reserved
            bext.coding_history.encode("latin-1", "replace"),
        ]
    )
    return body


def _centi(value: float | None) -> int:
    """A v2 loudness field: hundredths, 0x7FFF when not measured (EBU Tech 3285 v2)."""
    if value is None or not np.isfinite(value):
        return 0x7FFF
    return int(max(-32768, min(32766, round(value * 100))))


def _chunk(name: bytes, body: bytes) -> bytes:
    pad = b"\x00" if len(body) & 1 else b""
    return name + struct.pack("<I", len(body)) + body + pad


_GUID_PCM = bytes.fromhex("0100000000001000800000aa00389b71")
_GUID_FLOAT = bytes.fromhex("0300000000001000800000aa00389b71")
_MASKS = {1: 0x4, 2: 0x3, 6: 0x3F, 8: 0x63F}


def _fmt_chunk(channels: int, sample_rate: int, subtype: str) -> bytes:
    bits = SUBTYPES[subtype]
    block = channels * bits // 8
    is_float = subtype == "FLOAT"
    base = struct.pack("<HIIHH", channels, sample_rate, sample_rate * block, block, bits)
    if channels <= 2:
        return _chunk(b"fmt ", struct.pack("<H", 3 if is_float else 1) + base)
    extension = struct.pack("<HHI", 22, bits, _MASKS.get(channels, 0))
    guid = _GUID_FLOAT if is_float else _GUID_PCM
    return _chunk(b"fmt ", struct.pack("<H", 0xFFFE) + base + extension + guid)


def _pcm_blocks(samples: np.ndarray, subtype: str, path: Path) -> Iterator[bytes]:
    """Interleaved little-endian bytes, block by block; raises before writing a clip."""
    if subtype == "FLOAT":
        for start in range(0, samples.shape[0], _BLOCK):
            yield np.ascontiguousarray(samples[start : start + _BLOCK], dtype="<f4").tobytes()
        return
    bits = SUBTYPES[subtype]
    scale = float(1 << (bits - 1))
    for start in range(0, samples.shape[0], _BLOCK):
        block = samples[start : start + _BLOCK].astype(np.float64) * scale
        np.rint(block, out=block)
        np.clip(block, -scale, scale - 1, out=block)  # +1.0 exactly is full scale, not a clip
        ints = block.astype("<i4")
        if bits == 16:
            yield ints.astype("<i2").tobytes()
        elif bits == 24:  # low 16 bits and the next 8 as one packed record: 4x a byte slice
            flat = ints.reshape(-1)
            packed = np.empty(flat.size, dtype=[("lo", "<u2"), ("hi", "u1")])
            packed["lo"] = flat.astype("<u2")
            packed["hi"] = (flat >> 16).astype("u1")
            yield packed.tobytes()
        else:
            yield ints.tobytes()


def write_audio(
    path: str | Path,
    audio: Audio,
    *,
    subtype: str | None = None,
    bext: Bext | None = None,
    ixml: IXml | str | None = None,
    force: bool = False,
) -> Path:
    """Write a WAV (BWF when ``bext`` is given) atomically; refuse to clip or overwrite.

    ``subtype`` defaults to the audio's own (so 24-bit stays 24-bit); a file read from a
    compressed format is written as 24-bit PCM.
    """
    path = Path(path)
    subtype = subtype or (audio.subtype if audio.subtype in SUBTYPES else "PCM_24")
    if subtype not in SUBTYPES:
        raise AudioError(f"cannot write {subtype}", path, f"use one of {', '.join(SUBTYPES)}")
    if path.exists() and not force:
        raise AudioError("already exists", path, "use --force to replace it")
    samples = audio.samples
    if samples.ndim != 2:
        raise AudioError("samples must be frames x channels", path)
    if samples.size and not np.isfinite(samples).all():
        bad = int(np.count_nonzero(~np.isfinite(samples)))
        raise AudioError(
            f"{bad} non-finite samples (NaN or Inf) cannot be written to {subtype}",
            path,
            "the audio is damaged upstream; nothing was written",
        )
    if subtype != "FLOAT" and samples.size:
        peak = float(np.max(np.abs(samples)))
        if peak > 1.0 or not np.isfinite(peak):
            over = int(np.count_nonzero(np.abs(samples) > 1.0))
            raise AudioError(
                f"{over} samples over full scale (peak {20 * np.log10(peak):+.2f} dBFS) would "
                f"clip in {subtype}",
                path,
                "lower the gain or write 32-bit float",
            )
    chunks = [_fmt_chunk(audio.channels, audio.sample_rate, subtype)]
    if subtype == "FLOAT":
        chunks.append(_chunk(b"fact", struct.pack("<I", audio.frames)))
    if bext is not None:
        chunks.append(_chunk(b"bext", _bext_bytes(bext)))
    if ixml is not None:
        text = ixml.xml() if isinstance(ixml, IXml) else ixml
        chunks.append(_chunk(b"iXML", text.encode("utf-8")))
    data_size = audio.frames * audio.channels * SUBTYPES[subtype] // 8
    head = b"".join(chunks)
    riff_size = 4 + len(head) + 8 + data_size + (data_size & 1)
    if riff_size >= 1 << 32:
        raise AudioError("over 4 GiB: too long for a WAV file", path, "split it into reels")
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + head)
        handle.write(b"data" + struct.pack("<I", data_size))
        for block in _pcm_blocks(samples, subtype, path):
            handle.write(block)
        if data_size & 1:
            handle.write(b"\x00")
    return path


class WavWriter:
    """A BWF written block by block, for files too long to hold: ``with WavWriter(...) as w:``.

    The length is given up front (it fixes the header); ``bext`` may be replaced before the
    end (e.g. with loudness measured while writing), as its chunk keeps its size. Samples
    past full scale raise before they are written; the file appears under its name only
    when complete and of the announced length.
    """

    def __init__(
        self,
        path: str | Path,
        frames: int,
        channels: int,
        sample_rate: int,
        subtype: str = "PCM_24",
        *,
        bext: Bext | None = None,
        ixml: IXml | str | None = None,
    ) -> None:
        if subtype not in SUBTYPES:
            raise AudioError(f"cannot write {subtype}", path, f"use one of {', '.join(SUBTYPES)}")
        self.path, self.frames, self.channels = Path(path), frames, channels
        self.sample_rate, self.subtype, self.bext, self.ixml = sample_rate, subtype, bext, ixml
        self.written = 0
        self._bext_at = 0
        self._bext_size = 0

    def __enter__(self) -> WavWriter:
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        self._handle = open(tmp, "wb")
        chunks = [_fmt_chunk(self.channels, self.sample_rate, self.subtype)]
        if self.subtype == "FLOAT":
            chunks.append(_chunk(b"fact", struct.pack("<I", self.frames)))
        if self.bext is not None:
            self._bext_at = 12 + sum(len(c) for c in chunks)
            chunks.append(_chunk(b"bext", _bext_bytes(self.bext)))
            self._bext_size = len(chunks[-1])
        if self.ixml is not None:
            text = self.ixml.xml() if isinstance(self.ixml, IXml) else self.ixml
            chunks.append(_chunk(b"iXML", text.encode("utf-8")))
        self._data_size = self.frames * self.channels * SUBTYPES[self.subtype] // 8
        head = b"".join(chunks)
        riff_size = 4 + len(head) + 8 + self._data_size + (self._data_size & 1)
        if riff_size >= 1 << 32:
            self._abort()
            raise AudioError("over 4 GiB: too long for a WAV file", self.path, "split the reel")
        self._handle.write(b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + head)
        self._handle.write(b"data" + struct.pack("<I", self._data_size))
        return self

    def write(self, block: np.ndarray) -> None:
        """Append ``frames x channels`` float samples."""
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise AudioError(f"block of shape {block.shape}, file has {self.channels} channels",
                             self.path)  # fmt: skip
        if self.written + block.shape[0] > self.frames:
            raise AudioError(f"more than the {self.frames} frames announced", self.path)
        if self.subtype != "FLOAT" and block.size:
            peak = float(np.max(np.abs(block)))
            if peak > 1.0 or not np.isfinite(peak):
                raise AudioError(
                    f"samples over full scale (peak {20 * np.log10(peak):+.2f} dBFS) would clip "
                    f"in {self.subtype}", self.path, "lower the gain or write 32-bit float",
                )  # fmt: skip
        for data in _pcm_blocks(block, self.subtype, self.path):
            self._handle.write(data)
        self.written += block.shape[0]

    def _abort(self) -> None:
        self._handle.close()
        self._atomic.__exit__(AudioError, AudioError("aborted"), None)

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is None and self.written != self.frames:
            error = AudioError(f"{self.written} frames written, {self.frames} announced", self.path)
        if error is None:
            if self._data_size & 1:
                self._handle.write(b"\x00")
            if self.bext is not None:
                body = _chunk(b"bext", _bext_bytes(self.bext))
                if len(body) != self._bext_size:
                    error = AudioError("bext changed size while writing", self.path)
                else:
                    self._handle.seek(self._bext_at)
                    self._handle.write(body)
        self._handle.close()
        if error is None:
            self._atomic.__exit__(None, None, None)
            return
        try:
            self._atomic.__exit__(type(error), error, None)
        except BaseException:  # noqa: S110 - the temporary file is gone; report the cause
            pass
        if kind is None:
            raise error
