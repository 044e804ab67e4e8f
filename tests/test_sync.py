"""Sync to picture hits: positions by arithmetic at film and TV rates, matching, drift."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conform.cues.sync import (
    parse_tolerance,
    read_hits,
    read_sync_rows,
    report_csv,
    sync_rows,
    synced_csv,
)
from edl.cut import Cut, Event, Hit
from edl.rate import Rate, parse_rate
from edl.timecode import format_timecode, frames_to_samples, parse_timecode


def _cut(rate: Rate, hits: list[Hit]) -> Cut:
    start = parse_timecode("01:00:00:00" if not rate.drop else "01:00:00;00", rate)
    event = Event("001", "A001", "V", start, start + 10_000, 0, 10_000)
    return Cut(rate=rate, events=(event,), hits=tuple(hits))


def _rows(tmp_path: Path, text: str, rate: Rate):  # noqa: ANN202
    path = tmp_path / "cues.csv"
    path.write_text(text)
    return read_sync_rows(path, rate)


@pytest.mark.parametrize("rate_text", ["23.976", "24", "25", "29.97df"])
def test_cue_moves_so_its_hit_lands_on_the_locator(tmp_path: Path, rate_text: str) -> None:
    rate = parse_rate(rate_text)
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    start = parse_timecode(tc(_cut(rate, []).events[0].record_in + 240), rate)
    sync_at = start + 100
    hit_at = sync_at + 7  # the door now slams 7 frames later
    cut = _cut(rate, [Hit(hit_at, "2M3 door slam", "RED")])
    header, rows = _rows(
        tmp_path,
        f"cue,start,end,sync\n2M3,{tc(start)},{tc(start + 500)},door={tc(sync_at)}\n",
        rate,
    )
    (match,) = sync_rows(rows, cut)
    assert (match.how, match.drift_before, match.drift_after) == ("named", 7, 0)
    out = list(csv.DictReader(io.StringIO(synced_csv(header, rows, [match], rate))))
    assert out[0]["start"] == tc(start + 7) and out[0]["sync"] == f"door={tc(hit_at)}"
    report = list(csv.DictReader(io.StringIO(report_csv([match], rate, 2, 48000))))[0]
    # the new start's sample is the frame boundary by exact arithmetic
    expected = (start + 7) * 48000 * rate.fps.denominator / rate.fps.numerator
    assert int(report["new_start_sample"]) == round(expected)
    assert int(report["new_start_sample"]) == frames_to_samples(start + 7, rate, 48000)
    assert float(report["drift_before_ms"]) == pytest.approx(7000 / float(rate.fps), abs=0.05)


def test_nearest_hit_within_tolerance_and_none_beyond(tmp_path: Path) -> None:
    rate = parse_rate("24")
    cut = _cut(rate, [Hit(86400 + 300, "slam")])
    text = "cue,start,end,sync\n1M1,01:00:10:00,01:00:20:00,01:00:12:10\n"
    header, rows = _rows(tmp_path, text, rate)
    (near,) = sync_rows(rows, cut, tolerance=2)
    assert near.how == "nearest" and near.drift_before == 2
    (far,) = sync_rows(rows, cut, tolerance=1)
    assert far.hit is None and far.shift == 0


def test_hits_file_with_cue_column_wins(tmp_path: Path) -> None:
    rate = parse_rate("25")
    (tmp_path / "hits.csv").write_text("name,tc,cue\nknock,01:00:12:05,1M1\n")
    hits = read_hits(tmp_path / "hits.csv", rate)
    header, rows = _rows(
        tmp_path, "cue,start,end,sync\n1M1,01:00:10:00,01:00:20:00,knock=01:00:12:00\n", rate
    )
    (match,) = sync_rows(rows, _cut(rate, []), hits)
    assert match.how == "hits file" and match.drift_before == 5


def test_conformed_list_flags_a_hit_that_moved_relative_to_the_cue(tmp_path: Path) -> None:
    rate = parse_rate("24")
    text = (
        "cue,part,status,old_start,old_end,new_start,new_end,offset,note,sync\n"
        "1M1,1,moved,01:00:10:00,01:00:20:00,01:00:08:00,01:00:18:00,00:00:00:00,,hit=01:00:12:00\n"
        "1M1,2,changed,01:00:20:00,01:00:21:00,,,00:00:10:00,,\n"
    )
    header, rows = _rows(tmp_path, text, rate)
    cut = _cut(rate, [Hit(parse_timecode("01:00:12:03", rate), "1M1 hit")])
    matches = sync_rows(rows, cut)
    assert [m.drift_before for m in matches] == [3]
    out = list(csv.DictReader(io.StringIO(synced_csv(header, rows, matches, rate))))
    assert out[0]["new_start"] == "01:00:08:03" and out[1]["new_start"] == ""


@pytest.mark.parametrize(("text", "frames"), [("2f", 2), ("80ms", 2), ("0.5s", 12), ("3", 3)])
def test_tolerance_units(text: str, frames: int) -> None:
    assert parse_tolerance(text, parse_rate("24")) == frames
