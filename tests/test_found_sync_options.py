"""Found by the hostile sweep: `sync --sample-rate 0` (or negative) wrote sample positions of 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.mark.parametrize("value", ["0", "-48000", "99999999999999999999999"])
def test_absurd_sync_sample_rate_is_one_line_and_exit_2(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["sync", str(SAMPLES / "cues.csv"), "--cut", str(SAMPLES / "reel1_v1.edl"),
            "--out", str(tmp_path / "s"), "--rate", "23.976", "--sample-rate", value]  # fmt: skip
    code, _, err = run_cli(monkeypatch, capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "--sample-rate" in lines[0], err
    assert not (tmp_path / "s").exists()
