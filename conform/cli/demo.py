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
    sample_rate: Annotated[
        int,
        typer.Option(
            "--sample-rate",
            min=8000,
            max=192000,
            help="The project's audio rate; a low one (e.g. 8000) runs the same job quicker.",
        ),
    ] = 48000,
) -> None:
    """The whole job on the bundled sample reel, from two locked cuts to a verified handoff."""
    from conform.demo.narration import run_demo

    if not run_demo(out_dir, sample_rate):
        raise typer.Exit(1)
