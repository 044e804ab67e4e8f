"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path


def write_list(tmp_path: Path, text: str, name: str = "cut.edl") -> Path:
    """Write an EDL (given with \\n line ends) to a file and return its path."""
    path = tmp_path / name
    path.write_text(text.strip("\n") + "\n", encoding="utf-8")
    return path
