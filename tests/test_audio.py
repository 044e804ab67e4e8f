"""The audio core: exact PCM, BWF chunks read back independently, no clipping, fades."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from temp_library.audio.bwf import (
    Audio,
    AudioError,
    Bext,
    IXml,
    read_audio,
    read_chunks,
    write_audio,
)
from temp_library.audio.fades import CURVES, crossfade, gains


def _noise(frames: int = 4800, channels: int = 2, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).uniform(-0.9, 0.9, (frames, channels))).astype(np.float32)


@pytest.mark.parametrize(("subtype", "bits"), [("PCM_16", 16), ("PCM_24", 24), ("PCM_32", 32)])
def test_pcm_round_trip_is_exact_to_the_bit_depth(tmp_path: Path, subtype: str, bits: int) -> None:
    scale = 2 ** (bits - 1)
    ints = np.random.default_rng(1).integers(-scale, scale, (1000, 2))
    samples = (ints / scale).astype(np.float64)
    path = write_audio(tmp_path / "a.wav", Audio(samples.astype(np.float32), 48000, subtype))
    back, rate = sf.read(str(path), dtype="int32", always_2d=True)
    assert rate == 48000 and sf.info(str(path)).subtype == subtype
    assert (
        np.array_equal(back >> (32 - bits), ints.astype(np.int32))
        or bits == 32
        and np.allclose(back / 2**31, samples.astype(np.float32), atol=2**-23)
    )


def test_24_bit_stays_24_bit_and_float_stays_float(tmp_path: Path) -> None:
    x = _noise()
    write_audio(tmp_path / "a.wav", Audio(x, 48000, "PCM_24"))
    a = read_audio(tmp_path / "a.wav")
    write_audio(tmp_path / "b.wav", a)
    assert sf.info(str(tmp_path / "b.wav")).subtype == "PCM_24"
    write_audio(tmp_path / "f.wav", Audio(x, 96000, "FLOAT"))
    f = read_audio(tmp_path / "f.wav")
    assert f.subtype == "FLOAT" and np.array_equal(f.samples, x) and f.sample_rate == 96000


def test_bext_time_reference_and_ixml_read_back_by_a_plain_chunk_parser(tmp_path: Path) -> None:
    reference = 2**32 + 172_972_800  # past 32 bits: a day and more of samples
    write_audio(
        tmp_path / "s.wav",
        Audio(_noise(), 48000),
        bext=Bext(description="1M1 strings", time_reference=reference),
        ixml=IXml(project="Lighthouse", cue="1M1", stem="strings", timecode_rate="24000/1001"),
    )
    raw = (tmp_path / "s.wav").read_bytes()
    at = raw.index(b"bext") + 8
    low, high = struct.unpack("<II", raw[at + 338 : at + 346])
    assert low + (high << 32) == reference
    assert raw[at : at + 11] == b"1M1 strings"
    chunks = read_chunks(tmp_path / "s.wav")
    assert b"<TIMECODE_RATE>24000/1001</TIMECODE_RATE>" in chunks["iXML"]
    assert read_audio(tmp_path / "s.wav").bext.time_reference == reference


def test_multichannel_is_wave_extensible_and_readable(tmp_path: Path) -> None:
    x = _noise(channels=6)
    write_audio(tmp_path / "m.wav", Audio(x, 48000))
    info = sf.info(str(tmp_path / "m.wav"))
    assert info.channels == 6 and info.format == "WAVEX"


def test_over_full_scale_is_an_error_not_a_clip(tmp_path: Path) -> None:
    x = _noise()
    x[10, 0] = 1.5
    with pytest.raises(AudioError, match="over full scale"):
        write_audio(tmp_path / "c.wav", Audio(x, 48000))
    assert list(tmp_path.iterdir()) == []
    write_audio(tmp_path / "c.wav", Audio(x, 48000), subtype="FLOAT")  # float keeps it


def test_existing_file_needs_force(tmp_path: Path) -> None:
    write_audio(tmp_path / "a.wav", Audio(_noise(), 48000))
    with pytest.raises(AudioError, match="--force"):
        write_audio(tmp_path / "a.wav", Audio(_noise(), 48000))


def test_missing_and_broken_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        read_audio(tmp_path / "none.wav")
    (tmp_path / "bad.wav").write_bytes(b"RIFF1234WAVEjunk")
    with pytest.raises(AudioError, match="cannot read audio"):
        read_audio(tmp_path / "bad.wav")


def test_fade_curves_keep_level_as_they_should() -> None:
    out, into = gains(1000, "equal-power")
    assert np.allclose(out**2 + into**2, 1.0, atol=1e-6)
    out, into = gains(1000, "linear")
    assert np.allclose(out + into, 1.0, atol=1e-6)
    for curve in CURVES:
        out, into = gains(64, curve)
        assert into[0, 0] < 0.05 and into[-1, 0] > 0.95 and np.all(np.diff(into[:, 0]) > 0)


def test_crossfade_of_a_signal_with_itself_is_the_signal_for_linear() -> None:
    x = _noise(480)
    assert np.allclose(crossfade(x, x, "linear"), x, atol=1e-6)
