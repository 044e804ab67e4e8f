"""`mconform demo`: the whole job on the sample reel (narration in conform/demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conform.cli.common import app


@app.command("demo")
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the demo writes")] = Path(
        "mconform-demo"
    ),
) -> None:
    """The whole job on the bundled sample reel, from two locked cuts to a verified handoff."""
    from conform.demo.narration import run_demo

    if not run_demo(out_dir):
        raise typer.Exit(1)
