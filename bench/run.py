"""`make bench`: run every benchmark in bench/ and print one table; write JSON and Markdown.

Each `bench_*.py` module has `run()` returning a dict or a list of dicts with keys task,
ours_s, other, other_s, ratio, target, ok and optionally detail (a dict). Comparisons are
measured in the same run. A module that fails becomes a failed row, and the others still
run. `python bench/run.py loudness scan` runs only the modules whose names contain those
words. Results go to bench/results/latest.json (rows plus the machine) and latest.md (the
table for the README). Exit 1 when any row misses its target.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ("task", "ours", "comparison", "theirs", "ratio", "target", "ok")


def machine() -> dict[str, object]:
    """What the figures were measured on (they mean nothing without it)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_1min": round(load[0], 2),
    }


def _failed_row(name: str, error: BaseException) -> dict[str, object]:
    last = traceback.format_exception_only(type(error), error)[-1].strip()
    return {"task": f"{name}: benchmark failed", "ours_s": float("nan"), "other": "-",
            "other_s": float("nan"), "ratio": float("nan"), "target": "runs",
            "ok": False, "detail": {"error": last[:200]}}  # fmt: skip


def collect(words: list[str]) -> list[dict[str, object]]:
    """Every row of every selected module, in module order."""
    sys.path.insert(0, str(HERE))
    rows: list[dict[str, object]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if words and not any(word in path.stem for word in words):
            continue
        print(f"running {path.stem} ...", file=sys.stderr, flush=True)
        try:
            result = importlib.import_module(path.stem).run()
        except Exception as error:  # noqa: BLE001 - one broken module must not hide the rest
            result = _failed_row(path.stem, error)
        rows.extend(result if isinstance(result, list) else [result])
    return rows


def _cells(row: dict[str, object]) -> list[str]:
    def seconds(value: object) -> str:
        return f"{value:.3f} s" if isinstance(value, int | float) and value == value else "-"

    ratio = row["ratio"]
    return [
        str(row["task"]),
        seconds(row["ours_s"]),
        str(row["other"]),
        seconds(row["other_s"]),
        f"{ratio:.2f}" if isinstance(ratio, int | float) and ratio == ratio else "-",
        str(row["target"]),
        "pass" if row["ok"] else "FAIL",
    ]


def _detail(row: dict[str, object]) -> str:
    detail = row.get("detail") or {}
    if not isinstance(detail, dict):
        return str(detail)
    parts = []
    for key, value in detail.items():
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        parts.append(f"{key} {text}")
    return ", ".join(parts)


def markdown(rows: list[dict[str, object]], where: dict[str, object]) -> str:
    """The table as Markdown, with the machine, for the README."""
    lines = [
        f"Measured {where['date_utc']} UTC on {where['cpu']}, {where['cores']} cores, "
        f"Python {where['python']}, load average {where['load_average_1min']} "
        "(a shared machine: ratios are within one run).",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in _cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    rows = collect(list(sys.argv[1:] if argv is None else argv))
    where = machine()
    table = Table(title="mconform benchmarks", title_justify="left")
    for column in COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*_cells(row))
    console = Console() if sys.stdout.isatty() else Console(width=200)
    console.print(table)
    for row in rows:
        if row.get("detail"):
            console.print(f"{row['task']}: {_detail(row)}", soft_wrap=True)
    console.print(", ".join(f"{k} {v}" for k, v in where.items()))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    payload = {"machine": where, "rows": rows}
    text = json.dumps(payload, indent=2, default=str).replace("NaN", "null") + "\n"
    (out / "latest.json").write_text(text)
    (out / "latest.md").write_text(markdown(rows, where))
    console.print(f"wrote {out / 'latest.json'} and {out / 'latest.md'}")
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
