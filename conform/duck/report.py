"""``duck_report.html``: the phrases, what each stem got, and the measured benefit and cost."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from edl.cut import Cut

if TYPE_CHECKING:  # the result type only; run.py imports this module
    from conform.duck.run import DuckResult

__all__ = ["duck_report_html"]

_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}th{background:#eee}"
)


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def duck_report_html(result: DuckResult, cut: Cut, title: str) -> str:
    """The report section on dialogue and music, as one self-contained HTML page."""
    tc = cut.timecode
    parts = [f"<h1>{escape(title)}: music under dialogue</h1>"]
    if result.figures:
        parts.append("<h2>Measured over the speech</h2>")
        rows = [[f.name, _fmt(f.stoi), _fmt(f.estoi), _fmt(f.index), _fmt(f.loudness_drop_lu, 2),
                 _fmt(f.outside_change_db, 2)] for f in result.figures]  # fmt: skip
        parts.append(_table(["music", "STOI", "ESTOI", "speech-band index",
                             "music loudness drop (LU)", "change outside 250 Hz-4 kHz (dB)"],
                            rows))  # fmt: skip
        ours = next((f for f in result.figures if f.name == "ours"), None)
        for f in result.figures:
            if ours is None or not f.name.startswith("whole-mix") or f.loudness_drop_lu <= 0:
                continue
            same = "speech-band index" if f.name == "whole-mix duck" else "ESTOI"
            ratio = ours.loudness_drop_lu / f.loudness_drop_lu
            parts.append(f"<p>For the same {same}, the per-stem treatment costs the music "
                         f"{ours.loudness_drop_lu:.2f} LU during speech, the whole-mix duck "
                         f"{f.loudness_drop_lu:.2f} LU ({ratio:.0%} of it; target: at most "
                         f"50%).</p>")  # fmt: skip
    for warning in result.warnings:
        parts.append(f"<p><b>Note:</b> {escape(warning)}</p>")
    parts.append("<h2>Phrases</h2>")
    rows = [[r.phrase.index, tc(r.phrase.start), tc(r.phrase.speech_start),
             tc(r.phrase.speech_end), tc(r.phrase.end), "; ".join(r.cues),
             _fmt(r.index_before), _fmt(r.index_after), _fmt(r.drop_lu, 2),
             _fmt(r.whole_mix_db, 1), _fmt(r.whole_mix_drop_lu, 2)]
            for r in result.phrases]  # fmt: skip
    rows += [[p.index, tc(p.start), tc(p.speech_start), tc(p.speech_end), tc(p.end),
              "(no music)", "", "", "", "", ""] for p in result.unscored]  # fmt: skip
    parts.append(_table(["phrase", "ramp in", "speech", "to", "ramp out", "cues", "index before",
                         "index after", "music drop (LU)", "whole-mix duck (dB)",
                         "its drop (LU)"], sorted(rows, key=lambda r: int(r[0]))))  # fmt: skip
    parts.append("<h2>Treatments</h2>")
    rows = [[t.phrase, t.stem, _fmt(t.masking), t.kind,
             f"{t.eq_freq_hz:.0f} Hz, Q {t.eq_q:.2f}, {t.eq_gain_db:g} dB" if t.eq_gain_db < 0
             else "", f"{t.gain_db:g} dB" if t.gain_db < 0 else ""]
            for r in result.phrases for t in r.treatments]  # fmt: skip
    parts.append(_table(["phrase", "stem", "masking", "treatment", "band cut", "level duck"],
                        rows))  # fmt: skip
    parts.append("<p>Automation: automation.csv (gain and EQ breakpoints per stem), "
                 "timeline/duck.otio (Effects on the clips), timeline/duck.aaf (clip gain "
                 "only).</p>")  # fmt: skip
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{escape(title)}"
            f"</title><style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n")  # fmt: skip
