"""Found by the hostile sweep: NaN/infinite/negative duck amounts ran (or hung) or were exit 3."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.mark.parametrize(
    "option",
    [["--max-cut", "nan"], ["--max-duck", "-1e999"], ["--postroll", "1e999"],
     ["--preroll", "nan"], ["--sample-rate", "0"], ["--handles", "-1"]],
)  # fmt: skip
def test_absurd_duck_amount_is_one_line_and_exit_2(
    option: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from temp_library.audio.bwf import Audio, write_audio

    dx = tmp_path / "dx.wav"
    write_audio(dx, Audio(np.zeros((8000, 1), np.float32), 8000))
    args = ["duck", str(SAMPLES / "cues.csv"), "--cut", str(SAMPLES / "reel1_v1.edl"),
            "--dialogue", str(dx), "--out", str(tmp_path / "d"), "--rate", "23.976"]  # fmt: skip
    code, _, err = run_cli(monkeypatch, capsys, *args, *option)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and option[0] in lines[0], err
    assert not (tmp_path / "d").exists()
