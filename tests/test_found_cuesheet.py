"""Found by the hostile sweep: cuesheet on a binary parties file, and --out onto an input."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
R = ["--rate", "23.976"]


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    cues = tmp_path / "cues.csv"
    shutil.copy(SAMPLES / "cues.csv", cues)
    return cues, SAMPLES / "reel1_v1.edl"


def test_binary_parties_file_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cues, cut = _inputs(tmp_path)
    parties = tmp_path / "parties.csv"
    parties.write_bytes(np.random.default_rng(3).integers(0, 256, 4096, np.uint8).tobytes())
    args = ["cuesheet", str(cues), "--cut", str(cut), "--out", str(tmp_path / "s.csv"), *R]
    code, _, err = run_cli(monkeypatch, capsys, *args, "--parties", str(parties))
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "parties.csv" in lines[0], err


def test_parties_file_still_gives_writers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cues, cut = _inputs(tmp_path)
    parties = tmp_path / "parties.csv"
    parties.write_text("cue,role,name,society,ipi,share\n1M1,CA,Zed Quill,BMI,123,100\n")
    args = ["cuesheet", str(cues), "--cut", str(cut), "--out", str(tmp_path / "s.csv"), *R]
    code, _, err = run_cli(monkeypatch, capsys, *args, "--parties", str(parties))
    assert code == 0, err
    assert "Zed Quill" in (tmp_path / "s.csv").read_text(encoding="utf-8")


def test_out_onto_the_cue_list_is_refused_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cues, cut = _inputs(tmp_path)
    before = cues.read_bytes()
    args = ["cuesheet", str(cues), "--cut", str(cut), "--out", str(cues), "--force", *R]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    lines = [line for line in err.splitlines() if line.strip() and "warning" not in line]
    assert code == 2, err
    assert len(lines) == 1 and "cues.csv" in lines[0], err
    assert cues.read_bytes() == before
