"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path


def write_list(tmp_path: Path, text: str, name: str = "cut.edl") -> Path:
    """Write an EDL (given with \\n line ends) to a file and return its path."""
    path = tmp_path / name
    path.write_text(text.strip("\n") + "\n", encoding="utf-8")
    return path


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    """Run `mconform ARGS` in-process as a user would; return (exit code, stdout, stderr)."""
    import sys

    from conform.cli import main

    monkeypatch.setattr(sys, "argv", ["mconform", *args])
    code = 0
    try:
        main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else int(bool(stop.code))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
