"""The `mconform` command line: one module per command group, all thin.

Library code raises `edl.errors.MconformError` (and its subclasses); `main` turns them into
one line on stderr and exit code 2, and anything unexpected into one line and exit 3.
"""

from __future__ import annotations

from conform.cli import (  # noqa: F401 - importing a module registers its commands
    changes,
    cuts,
    demo,
    duck,
    fit,
    handoff,
    paperwork,
    sync,
    temp,
)
from conform.cli.common import app, main

__all__ = ["app", "main"]
