"""`mconform fit` as a user runs it: hits on picture, alternatives, and hostile inputs."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audiogen import beat_samples, cue_stems
from helpers import run_cli

from conform.music.fit import FitError, Hit, apply_plan, plan_fit
from conform.music.hits import parse_hit
from edl.rate import parse_rate
from temp_library.audio.bwf import Audio, write_audio

SR = 48000
STEMS = cue_stems(SR, 24.0, 120.0)
MIX = sum(STEMS.values())
BEATS = beat_samples(SR, 24.0, 120.0)


def _fit(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    return run_cli(monkeypatch, capsys, "fit", *args)


def _wav(path: Path, samples: np.ndarray = STEMS["drums"]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_audio(path, Audio(samples, SR, "PCM_24"))


def test_hits_land_on_their_picture_samples() -> None:
    # The downbeat at 8 s must play at 7.0 s of a 20 s result; the one at 16 s at 13.5 s.
    hits = (Hit("first", 8 * SR, 7 * SR), Hit("second", 16 * SR, round(13.5 * SR)))
    plan = plan_fit(MIX, SR, 20 * SR, "auto", hits=hits)
    out = apply_plan(MIX, plan)
    assert out.shape[0] == 20 * SR
    assert len(plan.joins) >= 2  # one edit in each stretch that changes length
    for hit in hits:
        assert plan.place(hit.source) == hit.target
        window = slice(hit.target - 200, hit.target + 2000)
        source = slice(hit.source - 200, hit.source + 2000)
        assert np.allclose(out[window], MIX[source], atol=1e-6)  # the hit itself untouched


def test_hits_in_the_wrong_order_or_outside_are_one_line_errors() -> None:
    with pytest.raises(FitError, match="order"):
        plan_fit(MIX, SR, 20 * SR, hits=(Hit("a", 8 * SR, 10 * SR), Hit("b", 16 * SR, 9 * SR)))
    with pytest.raises(FitError, match="outside"):
        plan_fit(MIX, SR, 20 * SR, hits=(Hit("a", 30 * SR, 10 * SR),))


def test_hit_specs_parse_seconds_timecodes_and_record_timecodes() -> None:
    rate = parse_rate("24")
    assert parse_hit("door=12.5s@00:00:10:12", rate, SR) == Hit("door", 600000, 10 * SR + SR // 2)
    start = 24 * 3600  # 01:00:00:00 at 24 fps
    hit = parse_hit("x=2@01:00:01:00", rate, SR, start)
    assert (hit.source, hit.target) == (2 * SR, SR)
    for bad in ("door", "door=12.5s", "door=@1s", "door=abc@1s"):
        with pytest.raises(FitError, match="--hit"):
            parse_hit(bad, None, SR)


def test_cli_writes_alternatives_with_their_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [_wav(tmp_path / f"{name}.wav", s) for name, s in STEMS.items()]
    out = tmp_path / "fitted"
    code, text, err = _fit(
        monkeypatch, capsys, *map(str, paths), "--length", "15s", "--alternatives", "3",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    for rank in (1, 2, 3):
        for path in paths:
            assert sf.info(str(out / str(rank) / path.name)).frames == 15 * SR
    listing = (out / "alternatives.txt").read_text()
    assert listing.count("edit ") == 3 and "score" in listing and "cut out" in listing


def test_cli_lands_a_hit_given_as_picture_timecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _wav(tmp_path / "cue.wav", MIX)
    out = tmp_path / "fit.wav"
    code, text, err = _fit(
        monkeypatch, capsys, str(path), "--length", "00:00:20:00", "--rate", "24",
        "--hit", "slam=12s@00:00:10:00", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "hit slam: 12.000 s plays at 10.000 s" in text
    fitted, _ = sf.read(str(out), dtype="float32")
    assert np.allclose(fitted[10 * SR : 10 * SR + 1000], MIX[12 * SR : 12 * SR + 1000], atol=1e-4)


# Hostile inputs (issue 11): each refused in one line, exit 2, nothing written.


def test_nan_and_infinite_samples_are_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in (np.nan, np.inf):
        bad = MIX.copy()
        bad[1234] = value
        path = tmp_path / f"bad{value}.wav"
        sf.write(str(path), bad, SR, subtype="FLOAT")
        code, _, err = _fit(monkeypatch, capsys, str(path), "--length", "20s", "--out",
                            str(tmp_path / f"o{value}.wav"))  # fmt: skip
        assert code == 2 and "sample 1234 is not a number" in err and str(path) in err
        assert len(err.strip().splitlines()) == 1


def test_a_header_claiming_1_hz_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _wav(tmp_path / "one_hz.wav", MIX[: SR * 2])
    data = bytearray(path.read_bytes())
    fmt = data.index(b"fmt ")
    data[fmt + 12 : fmt + 16] = struct.pack("<I", 1)  # sample rate field
    path.write_bytes(bytes(data))
    code, _, err = _fit(monkeypatch, capsys, str(path), "--length", "1s", "--out",
                        str(tmp_path / "o.wav"))  # fmt: skip
    assert code == 2 and "1 Hz" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_fit_refuses_to_overwrite_its_own_input_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _wav(tmp_path / "cue.wav", MIX)
    before = path.read_bytes()
    code, _, err = _fit(monkeypatch, capsys, str(path), "--length", "20s", "--out", str(path),
                        "--force")  # fmt: skip
    assert code == 2 and "overwrite this input" in err
    assert path.read_bytes() == before
    # The same through a folder: --out is the stems' own folder.
    code, _, err = _fit(monkeypatch, capsys, str(path), str(_wav(tmp_path / "b.wav", MIX)),
                        "--length", "20s", "--out", str(tmp_path), "--force")  # fmt: skip
    assert code == 2 and "overwrite this input" in err and path.read_bytes() == before


def test_two_stems_with_one_name_in_different_folders_both_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _wav(tmp_path / "a" / "strings.wav", STEMS["pad"])
    b = _wav(tmp_path / "b" / "strings.wav", STEMS["bass"])
    out = tmp_path / "out"
    code, text, err = _fit(monkeypatch, capsys, str(a), str(b), "--length", "20s", "--out",
                           str(out))  # fmt: skip
    assert code == 0, err
    written = sorted(p.name for p in out.iterdir())
    assert written == ["a_strings.wav", "b_strings.wav"]
    left, _ = sf.read(str(out / "a_strings.wav"), dtype="float32")
    right, _ = sf.read(str(out / "b_strings.wav"), dtype="float32")
    assert not np.allclose(left, right)


def test_a_folder_is_not_an_audio_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _fit(monkeypatch, capsys, str(tmp_path), "--length", "20s", "--out",
                        str(tmp_path / "o.wav"))  # fmt: skip
    assert code == 2 and "a folder, not an audio file" in err


def test_a_stem_cut_short_is_refused_not_fitted_as_a_shorter_cue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = _wav(tmp_path / "whole.wav", MIX[: SR * 4]).read_bytes()
    path = tmp_path / "short.wav"
    path.write_bytes(whole[: len(whole) // 2])
    code, _, err = _fit(monkeypatch, capsys, str(path), "--length", "1s", "--out",
                        str(tmp_path / "o.wav"))  # fmt: skip
    assert code == 2 and "truncated" in err and str(path) in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o.wav").exists()
