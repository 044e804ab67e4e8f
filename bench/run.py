"""`make bench`: run every benchmark in bench/ and print one table (and JSON in results/).

Each `bench_*.py` module has `run() -> dict` with keys task, ours_s, other, other_s, ratio,
target, ok and optionally detail. Comparisons are measured in the same run.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE))
    results = []
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        result = module.run()
        results.append(result if isinstance(result, list) else [result])
    rows = [row for group in results for row in group]
    table = Table(title="mconform benchmarks", title_justify="left")
    for column in ("task", "ours", "comparison", "theirs", "ratio", "target", "ok"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["task"],
            f"{row['ours_s']:.3f} s",
            str(row["other"]),
            f"{row['other_s']:.3f} s",
            f"{row['ratio']:.2f}",
            row["target"],
            "yes" if row["ok"] else "NO",
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    console.print(table)
    for row in rows:
        if row.get("detail"):
            details = ", ".join(f"{k} {v:.3f}" for k, v in row["detail"].items())
            console.print(f"{row['task']}: {details}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
