"""The `mconform` command line: one module per command group, all thin.

Library code raises `edl.errors.MconformError` (and its subclasses); `main` turns them into
one line on stderr and exit code 2, and anything unexpected into one line and exit 3.

A run imports only the module of the command it was given (`mconform temp measure` never
loads the re-conform code, `mconform conform` never the audio code): start-up is most of a
small command's time. `mconform --help`, a bare `mconform` or an unknown command load them
all, in the order the help lists them; so does ``from conform.cli import app``.
"""

from __future__ import annotations

import importlib
from typing import Any

from conform.cli.common import main

__all__ = ["app", "main", "load_commands"]

MODULES = ("changes", "demo", "duck", "fit", "handoff", "paperwork", "sync", "cuts", "temp")
"""Every command module, in the order their commands appear in `mconform --help`."""

COMMANDS = {
    "diff": "changes", "conform": "changes", "demo": "demo", "duck": "duck", "fit": "fit",
    "handoff": "handoff", "verify": "handoff", "cuesheet": "paperwork", "sync": "sync",
    "cut": "cuts", "temp": "temp",
}  # fmt: skip
"""Command (or group) name -> the module that registers it."""


def load_commands(command: str | None = None) -> None:
    """Register ``command``'s module only; every module when it is None or unknown."""
    module = COMMANDS.get(command or "")
    for name in (module,) if module else MODULES:
        importlib.import_module(f"conform.cli.{name}")


def __getattr__(name: str) -> Any:  # noqa: ANN401 - the module's lazy attributes
    if name == "app":
        load_commands()
        from conform.cli.common import app

        return app
    raise AttributeError(f"module 'conform.cli' has no attribute {name!r}")
