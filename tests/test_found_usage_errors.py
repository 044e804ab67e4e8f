"""Option-parser errors (missing argument, unknown option, out of range) are one line, exit 2."""

from __future__ import annotations

import pytest
from helpers import run_cli


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--sample-rate", "0"],
        ["temp", "set", "-1"],
        ["nosuch"],
        ["diff"],
        ["cut", "show", "--no-such-option"],
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args: list[str], monkeypatch, capsys) -> None:  # noqa: ANN001
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "--help" in lines[0]


def test_help_still_exits_0(monkeypatch, capsys) -> None:  # noqa: ANN001
    code, out, _ = run_cli(monkeypatch, capsys, "--help")
    assert code == 0 and "conform" in out
