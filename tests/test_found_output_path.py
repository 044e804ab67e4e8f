"""Found by the hostile sweep: an --out that cannot be made named the hidden lock file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DIFF = ["diff", str(SAMPLES / "reel1_v1.edl"), str(SAMPLES / "reel1_v2.edl"), "--rate", "23.976"]


def test_out_under_a_file_names_the_out_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "x"
    code, _, err = run_cli(monkeypatch, capsys, *DIFF, "--out", str(out))
    lines = [line for line in err.splitlines() if line.strip() and "note:" not in line]
    assert code == 2, err
    assert len(lines) == 1 and str(out) in lines[0] and "lock" not in lines[0], err


def test_unwritable_out_names_the_out_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = "/proc/mconform-no-such-place"  # unwritable even for root
    code, _, err = run_cli(monkeypatch, capsys, *DIFF, "--out", out)
    lines = [line for line in err.splitlines() if line.strip() and "note:" not in line]
    assert code == 2, err
    assert len(lines) == 1 and out in lines[0] and "lock" not in lines[0], err
