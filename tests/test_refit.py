"""`mconform conform --fit`: changed cues re-fitted to their new scenes, hits kept."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audiogen import cue_stems
from helpers import run_cli

from edl.rate import parse_rate
from edl.timecode import frames_to_samples, parse_timecode
from temp_library.audio.bwf import Audio, write_audio

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
RATE = parse_rate("23.976")
SR = 48000


def _samples(tc: str) -> int:
    return frames_to_samples(parse_timecode(tc, RATE), RATE, SR)


def test_conform_fit_refits_a_changed_cue_and_lands_its_hit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1M7 "Storm" (01:03:36:00-01:03:58:00) gets a longer take and six more frames in v2.
    length = _samples("01:03:58:00") - _samples("01:03:36:00")
    stems = cue_stems(SR, 23.0, 132.0)
    names = []
    for name, samples in stems.items():
        write_audio(tmp_path / "audio" / f"{name}.wav", Audio(samples[:length], SR, "PCM_24"))
        names.append(f"{name}=audio/{name}.wav")
    cues = tmp_path / "cues.csv"
    cues.write_text(
        "cue,title,start,end,sync,stems\n"
        f"1M7,Storm,01:03:36:00,01:03:58:00,storm=01:03:47:20,{';'.join(names)}\n"
        f"=1M9,Other,01:00:00:00,01:00:05:00,,{';'.join(names)}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, text, err = run_cli(
        monkeypatch, capsys, "conform", str(SAMPLES / "reel1_v1.edl"),
        str(SAMPLES / "reel1_v2.edl"), "--cues", str(cues), "--rate", "23.976",
        "--out", str(out), "--fit",
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader((out / "fit.csv").open(encoding="utf-8")))
    (row,) = [r for r in rows if r["cue"] == "1M7"]
    assert row["status"] == "fitted" and "hit storm" in row["edit"]
    target = _samples(row["new_end"]) - _samples(row["new_start"])
    conformed = list(csv.DictReader((out / "cues.csv").open(encoding="utf-8")))
    sync = next(r["sync"] for r in conformed if r["cue"] == "1M7" and r["sync"])
    hit_at = _samples(sync.split("=")[1]) - _samples(row["new_start"])
    source_hit = _samples("01:03:47:20") - _samples("01:03:36:00")
    for name in stems:
        fitted, rate = sf.read(str(out / "fit" / f"1M7_{name}.wav"), dtype="float32")
        assert rate == SR and fitted.shape == (target, 2)
        original = stems[name][:length]
        assert np.allclose(  # the hit plays on its new frame, untouched
            fitted[hit_at : hit_at + 2000], original[source_hit : source_hit + 2000], atol=1e-4
        )
    assert "fit 1M7 to" in text


def test_conform_fit_reports_a_cue_it_cannot_fit_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stems = cue_stems(SR, 23.0, 132.0)
    write_audio(tmp_path / "a.wav", Audio(stems["pad"], SR))
    write_audio(tmp_path / "b.wav", Audio(stems["bass"][:-100], SR))  # one stem too short
    cues = tmp_path / "cues.csv"
    cues.write_text(
        "cue,title,start,end,sync,stems\n1M7,Storm,01:03:36:00,01:03:58:00,,a=a.wav;b=b.wav\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, text, err = run_cli(
        monkeypatch, capsys, "conform", str(SAMPLES / "reel1_v1.edl"),
        str(SAMPLES / "reel1_v2.edl"), "--cues", str(cues), "--rate", "23.976",
        "--out", str(out), "--fit",
    )  # fmt: skip
    assert code == 2
    assert "fit 1M7: failed" in text and "same length" in text
    rows = list(csv.DictReader((out / "fit.csv").open(encoding="utf-8")))
    assert rows[0]["status"] == "failed" and (out / "cues.csv").exists()
