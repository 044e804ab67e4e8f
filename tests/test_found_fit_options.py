"""Found by the hostile sweep: absurd `fit --crossfade` / `--curve` values were exit 3."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli


def _wav(tmp_path: Path) -> Path:
    from temp_library.audio.bwf import Audio, write_audio

    path = tmp_path / "cue.wav"
    write_audio(path, Audio(np.zeros((8000, 2), np.float32), 8000))
    return path


@pytest.mark.parametrize(
    "option", [["--crossfade", "nan"], ["--crossfade", "1e999"], ["--crossfade", "-1"],
               ["--curve", "bogus"]],
)  # fmt: skip
def test_absurd_fit_join_option_is_one_line_and_exit_2(
    option: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = _wav(tmp_path)
    args = ["fit", str(wav), "--length", "0.5", "--out", str(tmp_path / "o.wav"), *option]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and option[0] in lines[0], err
    assert not (tmp_path / "o.wav").exists()
