"""Found by the hostile sweep: absurd `temp normalize` targets ran, huge --workers crashed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli


@pytest.mark.parametrize(
    "option",
    [["--target", "nan"], ["--target", "1e999"], ["--target", "50"],
     ["--true-peak", "nan"], ["--true-peak", "1e999"], ["--true-peak", "6"]],
)  # fmt: skip
def test_absurd_normalize_target_is_refused_before_any_copy(
    option: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_dir = tmp_path / "n"
    args = ["temp", "normalize", "--db", str(tmp_path / "t.sqlite"), "--out", str(out_dir)]
    code, _, err = run_cli(monkeypatch, capsys, *args, *option)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and option[0] in lines[0], err
    assert not out_dir.exists()


def test_huge_worker_count_is_a_usage_error_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["temp", "add", str(tmp_path), "--db", str(tmp_path / "t.sqlite")]
    code, _, err = run_cli(monkeypatch, capsys, *args, "--workers", "99999999999999")
    assert code == 2, err
    assert "internal error" not in err and "--workers" in err
