"""Start-up: a command loads only its own module and libraries (most of a small run's time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EDL = "TITLE: x\n001  A001 V C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n"
PROBE = """
import sys
sys.argv = ["mconform", *sys.argv[1:]]
from conform.cli import main
try:
    main()
except SystemExit:
    pass
heavy = ("numpy", "soundfile", "scipy", "pydantic", "conform.cli.handoff", "conform.cli.temp",
         "conform.music.fit", "multiprocessing")
loaded = [m for m in heavy if m in sys.modules]
print("LOADED", " ".join(loaded), file=sys.stderr)
"""


def _loaded(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          check=True)  # fmt: skip
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED"))
    return set(line.split()[1:])


@pytest.mark.parametrize("command", [("cut", "show"), ("diff",)])
def test_cut_commands_load_no_audio_code_and_no_other_commands(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "a.edl"
    path.write_text(EDL)
    args = (*command, str(path)) + ((str(path),) if command == ("diff",) else ())
    assert _loaded(*args) == set()


def test_top_level_help_still_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, "--help"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    for name in ("diff", "conform", "demo", "duck", "fit", "handoff", "verify", "cuesheet",
                 "sync", "cut", "temp"):  # fmt: skip
        assert f" {name} " in done.stdout, name
