"""`mconform sync`: cues moved so their sync points land on picture hits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from conform.cli.common import (
    ForceOption,
    RateOption,
    app,
    fail,
    load_cut,
)
from conform.cues.sync import (
    parse_tolerance,
    read_hits,
    read_sync_rows,
    report_csv,
    sync_rows,
    synced_csv,
)
from conform.cues.sync import status as sync_status
from conform.terminal import (
    out,
)
from edl.files import OutputDir


@app.command("sync")
def sync(
    cues_path: Annotated[
        Path, typer.Argument(metavar="CUES", help="Cue list or conformed cues.csv")
    ],
    cut_path: Annotated[Path, typer.Option("--cut", help="The cut whose locators are the hits")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")],
    hits_path: Annotated[
        Path | None, typer.Option("--hits", help="Extra hits: CSV with name, tc[, cue]")
    ] = None,
    tolerance_text: Annotated[
        str, typer.Option("--tolerance", help="Nearest-hit reach: 2f, 80ms or 0.5s")
    ] = "2f",
    rate: RateOption = "auto",
    sample_rate: Annotated[int, typer.Option("--sample-rate", help="Project rate")] = 48000,
    force: ForceOption = False,
) -> None:
    """Move cues so their sync points land on picture hits; report drift before and after."""
    if not 8000 <= sample_rate <= 384_000:  # it numbers the new starts in samples
        fail(f"--sample-rate {sample_rate}: give the project rate in Hz, e.g. 48000")
    output = OutputDir(out_dir, force)
    cut = load_cut(cut_path, rate)
    tolerance = parse_tolerance(tolerance_text, cut.rate)
    header, rows = read_sync_rows(cues_path, cut.rate)
    extra = read_hits(hits_path, cut.rate) if hits_path else []
    matches = sync_rows(rows, cut, extra, tolerance)
    with output:
        output.write_text("cues.csv", synced_csv(header, rows, matches, cut.rate))
        output.write_text("sync.csv", report_csv(matches, cut.rate, tolerance, sample_rate))
    table = Table(title="Sync points", title_justify="left")
    for name in ("cue", "sync", "at", "hit", "drift before", "after", "new start", "status"):
        table.add_column(name, no_wrap=name != "hit")
    ms = lambda f: f"{f:+d}f ({float(f * 1000 / cut.rate.fps):+.0f} ms)"  # noqa: E731
    for m in matches:
        table.add_row(
            m.row.cue + (f".{m.row.part}" if m.row.part else ""),
            m.point.name,
            cut.timecode(m.point.frame),
            f"{m.hit.name} ({m.how})" if m.hit else "[red]none[/]",
            "" if m.drift_before is None else ms(m.drift_before),
            "" if m.drift_after is None else ms(m.drift_after),
            cut.timecode(m.row.start + m.shift),
            sync_status(m, tolerance),
        )
    out.print(table)
    out.print(f"wrote {output.target}/cues.csv and sync.csv")
