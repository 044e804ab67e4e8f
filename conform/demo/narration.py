"""The demo's narration: each step of the job on the sample reel, told on the terminal.

The steps are ordinary library calls (see `conform.demo.project`); this module only
chooses what to show. `mconform demo` (conform/cli/demo.py) calls `run_demo`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.table import Table

from conform.cues.conformed_io import write_conform_outputs
from conform.cues.cuelist import read_cues
from conform.cues.reconform import conform_cues
from conform.cues.sync import (
    read_sync_rows,
    report_csv,
    sync_rows,
    synced_csv,
)
from conform.terminal import (
    STATUS_STYLE,
    changes_table,
    err,
    out,
    print_conform_summary,
    print_totals,
    progress_bar,
    scan_with_progress,
    tracks_table,
)
from edl.changes import compare
from edl.changes_io import changes_csv
from edl.errors import OutputExists
from edl.files import OutputDir
from edl.io import read_cut
from edl.rate import parse_rate
from edl.timecode import format_duration
from temp_library.catalog import Catalog

DEMO_MARK = ".mconform-demo"


def run_demo(out_dir: Path, sample_rate: int = 48000) -> bool:
    """The whole job on the bundled sample reel; True when the handoff verified.

    ``sample_rate`` is the project's audio rate; a low one makes the same job on less
    audio (the test suite runs it at 8 kHz).
    """
    import time

    from conform.cues.placed import read_stem_cues
    from conform.demo.project import final_cue_list, fit_changed_cues, prepare_project
    from conform.handoff.package import HandoffSettings, build_handoff, verify_package
    from conform.handoff.stems import RenderSettings
    from temp_library.normalize import normalize_catalog
    from temp_library.usage import RISKY, find_usage, is_locked

    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / DEMO_MARK).exists():
        raise OutputExists(
            "folder exists and was not made by the demo", path=out_dir, hint="choose --out"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DEMO_MARK).write_text("made by mconform demo; the next demo run replaces it\n")
    began = time.perf_counter()
    summary: list[tuple[str, str]] = []

    def step(number: int, title: str, story: str) -> None:
        out.rule(f"[bold]{number}. {title}[/]")
        out.print(f"[dim]{story}[/]")

    step(
        1,
        "The sample project",
        "A 4½-minute reel at 23.976: locked cut v1, a re-cut v2, nine "
        "cues with stems, and a temp library. Its audio is synthesised once and cached.",
    )
    with out.status("synthesising audio (first run only)..."):
        folder = "project" if sample_rate == 48000 else f"project-{sample_rate}"
        project = prepare_project(out_dir / folder, sample_rate)
    out.print(f"project in {project.folder}")
    rate = "23.976"
    old = read_cut(project.v1, parse_rate(rate))
    new = read_cut(project.v2, parse_rate(rate))
    for name, cut in (("v1", old), ("v2", new)):
        out.print(
            f"{name}: {cut.title}, {len(cut.events)} shots, {len(cut.hits)} hits, "
            f"{format_duration(cut.length, cut.rate)} at {cut.rate}"
        )
    summary.append(("cuts read", f"v1 {len(old.events)} shots, v2 {len(new.events)} shots"))

    step(
        2,
        "What changed in picture",
        "Shots are matched by reel and source frames, not by "
        "list position, so one insertion does not make everything after it a change.",
    )
    changes = compare(old, new)
    out.print(changes_table(changes))
    print_totals(changes)
    counts = changes.counts()
    summary.append(
        ("picture changes", ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "same"))
    )

    step(
        3,
        "Re-conform of the cues",
        "Every cue moves with its picture; cues that straddle a "
        "change are split into parts, each with its offset into the cue's audio.",
    )
    cues = read_cues(project.cues, old.rate)
    conformed = conform_cues(cues.cues, changes)
    with OutputDir(out_dir / "conform", force=True) as output:
        write_conform_outputs(output, conformed, cues, changes)
    print_conform_summary(conformed, changes, out_dir / "conform")
    statuses = {s: sum(1 for c in conformed if c.status == s) for s in STATUS_STYLE}
    summary.append(("cues conformed", ", ".join(f"{n} {s}" for s, n in statuses.items() if n)))

    step(
        4,
        "Fit the cues that no longer fit their scenes",
        "Changed cues whose surviving "
        "parts sit together are re-cut to the new scene length on beats, stems alike.",
    )
    fitted = fit_changed_cues(
        conformed, changes, project.cues, project.folder / "fitted", sample_rate
    )
    for item in fitted:
        out.print(f"[bold]{item.cue}[/]: " + "; ".join(item.plan.describe()))
    final = final_cue_list(
        (out_dir / "conform" / "cues.csv").read_text(), fitted, new.rate, out_dir / "conform"
    )
    with OutputDir(out_dir / "final", force=True) as output:
        output.write_text("cues.csv", final)
        output.write_text("changes.csv", changes_csv(changes))
    summary.append(("cues fitted", ", ".join(f.cue for f in fitted) or "none"))

    step(
        5,
        "Re-sync to picture hits",
        "Each cue's sync points are checked against the new "
        "cut's locators; a hit that moved relative to its cue shows as drift.",
    )
    header, rows = read_sync_rows(out_dir / "final" / "cues.csv", new.rate)
    matches = sync_rows(rows, new)
    with OutputDir(out_dir / "sync", force=True) as output:
        output.write_text("cues.csv", synced_csv(header, rows, matches, new.rate))
        output.write_text("sync.csv", report_csv(matches, new.rate, 2, sample_rate))
        output.write_text("changes.csv", changes_csv(changes))
    on_hit = sum(1 for m in matches if m.drift_after == 0)
    out.print(
        f"{len(matches)} sync points: {on_hit} on their hits after sync; "
        f"{sum(1 for m in matches if m.hit is None)} without a hit"
    )
    summary.append(("sync points", f"{on_hit} of {len(matches)} on their hits"))

    step(
        6,
        "The temp library",
        "Placeholder tracks are catalogued, measured to EBU R 128 and "
        "loudness-matched to -24 LUFS as copies; licence status is checked against the cut.",
    )
    with Catalog(out_dir / "temp_library.sqlite") as catalog:
        report = scan_with_progress(catalog, [project.temp], None)
        for track in catalog.tracks():
            licence = {
                "TEMP_Harbour_Theme.mp3": "temp-only",
                "TEMP_Door_Hit.wav": "cleared",
                "TEMP_Brakes_Sting.wav": "licensed",
            }.get(track.name)
            if licence and track.licence != licence:
                catalog.update(track.id, licence=licence)
        tracks = catalog.tracks()
        out.print(tracks_table(tracks))
        normalized = normalize_catalog(catalog, out_dir / "normalized", target=-24, ceiling=-2)
        uses = find_usage(catalog, old)
    missed = [r for r in normalized if r.status == "missed target"]
    out.print(
        f"normalised {len(normalized)} copies to -24 LUFS in {out_dir / 'normalized'}; "
        f"{len(missed)} stopped at the -2 dBTP ceiling"
    )
    if is_locked(old):
        for use in (u for u in uses if u.track.licence in RISKY):
            err.print(
                f"[yellow]warning:[/] {use.track.name} is {use.track.licence} but plays in "
                f"the locked cut at {old.timecode(use.event.record_in)}"
            )
    summary.append(
        (
            "temp library",
            f"{len(tracks)} tracks ({len(report.added)} new), "
            f"{len([u for u in uses if u.track.licence in RISKY])} uncleared in the cut",
        )
    )

    step(
        7,
        "The handoff package",
        "Stems are rendered to their places in the new cut as "
        "time-stamped BWF, with the music timeline (OTIO, EDL, AAF), cue sheet, loudness, "
        "a report and a checksum manifest, then verified.",
    )
    stem_cues = read_stem_cues(out_dir / "sync" / "cues.csv", new.rate, sample_rate)
    package = out_dir / "handoff"
    if package.exists():
        shutil.rmtree(package)  # the demo's own previous package
    with OutputDir(package) as output, progress_bar() as bar:
        task = bar.add_task("rendering cues", total=len(stem_cues))
        result = build_handoff(
            stem_cues,
            new,
            output,
            HandoffSettings(RenderSettings(sample_rate), title="Lighthouse R1"),
            out_dir / "sync" / "changes.csv",
            progress=lambda done: bar.update(task, completed=done),
        )
    problems = verify_package(package)
    out.print(
        f"{len(result.files)} stem files; verify: "
        + ("all files match" if not problems else f"{len(problems)} differences")
    )
    summary.append(
        ("handoff", f"{len(result.files)} stems, verified" if not problems else "verify failed")
    )

    table = Table(title="mconform demo: summary", title_justify="left")
    table.add_column("step")
    table.add_column("result")
    for name, value in summary:
        table.add_row(name, value)
    out.print(table)
    out.print(f"finished in {time.perf_counter() - began:.1f} s; open {package / 'report.html'}")
    return not problems
