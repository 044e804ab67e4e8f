"""Absurd handoff options are refused in one line (exit 2), before anything is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli


@pytest.mark.parametrize(
    "option",
    [
        ["--sample-rate", "0"],
        ["--sample-rate", "-1"],
        ["--crossfade", "nan"],
        ["--crossfade", "-1"],
        ["--handles", "-5"],
    ],
)
def test_handoff_refuses_absurd_options_in_one_line(
    option: list[str], tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    from conform.demo.project import sample_dir

    samples = sample_dir()
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(samples / "cues.csv"),
        "--cut",
        str(samples / "reel1_v1.edl"),
        "--rate",
        "23.976",
        "--out",
        str(tmp_path / "pkg"),
        *option,
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and option[0] in err
    assert not (tmp_path / "pkg").exists()
