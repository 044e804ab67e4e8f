"""Re-conform of cues: parts, statuses and notes against ground truth, and bad cue lists."""

from __future__ import annotations

import copy
import csv
import io
import random
from pathlib import Path

import opentimelineio as otio
import pytest
from cutgen import STRUCTURAL, Story, full_truth, truth, truth_status
from hypothesis import given, settings
from hypothesis import strategies as st

from conform.cues.conformed_io import conformed_csv, music_timeline
from conform.cues.cuelist import Cue, CueError, SyncPoint, parse_cues, read_cues
from conform.cues.reconform import conform_cue, conform_cues
from edl.changes import compare
from edl.cmx3600 import read_edl
from edl.rate import STANDARD_RATES, Rate, parse_rate
from edl.timecode import format_timecode, parse_timecode

R24 = parse_rate("24")
RATES = [*STANDARD_RATES, parse_rate("29.97df"), parse_rate("59.94df")]


def random_cues(rng: random.Random, story: Story, count: int) -> list[Cue]:
    start = story.record_start
    end = start + sum(s.length for s in story.shots)
    cues = []
    for n in range(count):
        a = rng.randrange(start, end - 2)
        b = rng.randrange(a + 1, min(end, a + 900) + 1)
        sync = (SyncPoint(rng.randrange(a, b), "hit"),)
        cues.append(Cue(f"1M{n + 1}", a, b, f"cue {n}", sync))
    return cues


def random_cues_with_edges(rng: random.Random, story: Story, count: int) -> list[Cue]:
    """Cues anywhere, some starting before the first frame (pre-laps) or ending after the last."""
    start, end = story.record_start, story.record_end
    cues = []
    for n in range(count):
        a = rng.randrange(start - 300, end - 2)
        b = rng.randrange(a + 1, min(end + 300, a + 900) + 1)
        sync = (SyncPoint(rng.randrange(a, b), "hit"),)
        cues.append(Cue(f"1M{n + 1}", a, b, f"cue {n}", sync))
    return cues


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(RATES))
def test_every_cue_frame_lands_where_the_truth_says(seed: int, rate: Rate) -> None:
    rng = random.Random(seed)
    story = Story(rng, 30)
    before = copy.deepcopy(story)
    story.mutate(rng.randrange(0, 6), STRUCTURAL)
    story.mutate_slots(rng.randrange(0, 6))
    changes = compare(before.cut(rate), story.cut(rate))
    frames = full_truth(before, story)
    for cue in random_cues_with_edges(rng, before, 12):
        result = conform_cue(cue, changes)
        expected = truth_status(cue.start, cue.end, frames)
        assert result.status == expected, (cue, story.ops, result.parts)
        # parts tile the cue, in order, each offset into the cue's audio
        assert result.parts[0].old_start == cue.start and result.parts[-1].old_end == cue.end
        for a, b in zip(result.parts, result.parts[1:], strict=False):
            assert a.old_end == b.old_start
        for part in result.parts:
            assert part.offset == part.old_start - cue.start
            for f in range(part.old_start, part.old_end):
                new, _ = frames[f]
                if new is None:
                    continue
                assert part.new_start is not None, (f, story.ops)
                assert _mapped(changes, part, f) == new, (f, story.ops)
        for part in result.parts:
            for point in part.sync:
                source = next(p for p in cue.sync if p.name == point.name)
                if frames[source.frame][0] is not None:
                    assert point.frame == frames[source.frame][0]


def _mapped(changes, part, frame: int) -> int:  # noqa: ANN001
    """Where the tool puts an old frame of a part: straight through, or by slot position."""
    segment = changes.segment_at(frame)
    if segment is not None and segment.old_frames != segment.new_frames:
        mapped = segment.map(frame)
        assert mapped is not None
        return mapped
    return part.new_start + frame - part.old_start


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9))
def test_conforming_twice_equals_conforming_once(seed: int) -> None:
    rng = random.Random(seed)
    story = Story(rng, 25)
    v1 = copy.deepcopy(story)
    story.mutate(rng.randrange(1, 5))
    v2 = copy.deepcopy(story)
    story.mutate(rng.randrange(1, 5))
    c12 = compare(v1.cut(R24), v2.cut(R24))
    c23 = compare(v2.cut(R24), story.cut(R24))
    c13 = compare(v1.cut(R24), story.cut(R24))
    t12, t13 = truth(v1.frames(), v2.frames()), truth(v1.frames(), story.frames())
    for cue in random_cues(rng, v1, 8):
        first, direct = conform_cue(cue, c12), conform_cue(cue, c13)
        for f in range(cue.start, cue.end):
            if t12[f] is None or t13[f] is None:
                continue
            n2 = _through(first.parts, f)
            part = next(p for p in first.parts if p.old_start <= f < p.old_end)
            assert part.new_start is not None and part.new_end is not None
            second = conform_cue(Cue(cue.number, part.new_start, part.new_end), c23)
            assert _through(second.parts, n2) == _through(direct.parts, f) == t13[f]


def _through(parts, frame: int) -> int:  # noqa: ANN001
    part = next(p for p in parts if p.old_start <= frame < p.old_end)
    assert part.new_start is not None
    return part.new_start + frame - part.old_start


def test_identity_conform_is_all_unchanged() -> None:
    rng = random.Random(5)
    story = Story(rng, 20)
    changes = compare(story.cut(R24), story.cut(R24))
    results = conform_cues(random_cues(rng, story, 10), changes)
    assert {r.status for r in results} == {"unchanged"}


SAMPLES = Path(__file__).resolve().parents[1] / "samples"
R23 = parse_rate("23.976")


@pytest.fixture(scope="module")
def sample_result():  # noqa: ANN201
    changes = compare(
        read_edl(SAMPLES / "reel1_v1.edl", R23), read_edl(SAMPLES / "reel1_v2.edl", R23)
    )
    cues = read_cues(SAMPLES / "cues.csv", R23)
    return changes, cues, conform_cues(cues.cues, changes)


def test_sample_reel_statuses_and_notes(sample_result) -> None:  # noqa: ANN001
    _, _, results = sample_result
    by_cue = {r.cue.number: r for r in results}
    assert {k: v.status for k, v in by_cue.items()} == {
        "1M1": "unchanged",
        "1M2": "changed",
        "1M3": "moved",
        "1M4": "moved",
        "1M4A": "moved",
        "1M5": "changed",
        "1M6": "moved",
        "1M7": "changed",
        "1M8": "changed",
    }
    assert "12 frames of 12C-1 trimmed at old 01:00:19:12 / new 01:00:19:12" in by_cue["1M2"].notes
    assert any("8 frames longer" in n for n in by_cue["1M7"].notes)
    assert by_cue["1M4A"].layer == 2 and by_cue["1M4"].layer == 1
    removed = [p for p in by_cue["1M2"].parts if not p.exists]
    assert [(p.old_end - p.old_start) for p in removed] == [12, 288]


def test_sample_cues_csv_has_the_design_columns_and_keeps_extras(sample_result) -> None:  # noqa: ANN001
    changes, cues, results = sample_result
    text = conformed_csv(results, cues, changes.old, changes.new)
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[:9] == [
        "cue",
        "part",
        "status",
        "old_start",
        "old_end",
        "new_start",
        "new_end",
        "offset",
        "note",
    ]
    assert "spotting note" in header and "composer" in header
    m3 = next(r for r in rows if r["cue"] == "1M3")
    assert m3["status"] == "moved" and m3["sync"] == "door=01:01:01:18"
    gone = [r for r in rows if r["cue"] == "1M2" and r["new_start"] == ""]
    assert len(gone) == 2 and gone[0]["offset"] == "00:00:01:12"


def test_sample_music_timeline_reads_in_otio(sample_result) -> None:  # noqa: ANN001
    changes, cues, results = sample_result
    timeline = music_timeline(results, changes.new, cues)
    text = otio.adapters.write_to_string(timeline, "otio_json")
    again = otio.adapters.read_from_string(text, "otio_json")
    clips = list(again.find_clips())
    parts = [p for r in results for p in r.parts if p.exists]
    assert len(clips) == len(parts)
    m3 = next(c for c in clips if c.name.startswith("1M3"))
    start = m3.range_in_parent().start_time + again.global_start_time
    assert start.to_timecode(R23.fps.numerator / R23.fps.denominator) == "01:00:57:12"
    assert [m.name for m in m3.markers] == ["door"]


def test_cue_before_first_shot_and_past_the_last_moves_with_the_reel() -> None:
    rng = random.Random(2)
    story = Story(rng, 10)
    before = copy.deepcopy(story)
    story.restart()
    changes = compare(before.cut(R24), story.cut(R24))
    shift = story.record_start - before.record_start
    first = Cue("0M1", before.record_start - 48, before.record_start + 10)
    end = before.record_start + sum(s.length for s in before.shots)
    last = Cue("9M9", end - 10, end + 200)
    for cue in (first, last):
        result = conform_cue(cue, changes)
        assert result.status in ("moved", "unchanged")
        assert result.parts[0].new_start == cue.start + shift


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cue,start,end\n1M1,01:00:10:00,01:00:05:00\n", "before or where it starts"),
        ("cue,start,end\n1M1,01:00:00:00,01:00:05:00\n1M1,01:00:10:00,01:00:15:00\n", "twice"),
        ("cue,start\n1M1,01:00:00:00\n", "no 'end' or 'duration'"),
        ("title,start,end\nx,01:00:00:00,01:00:05:00\n", "no 'cue' column"),
        ("cue,start,end\n1M1,01:00:00:30,01:00:05:00\n", "impossible at 24"),
        ("cue,start,end\n1M1,soon,01:00:05:00\n", "not a timecode"),
        ("", "empty"),
    ],
)
def test_bad_cue_lists_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(CueError, match=message):
        parse_cues(text, R24, "cues.csv")


def test_duration_column_and_case_insensitive_headers() -> None:
    cues = parse_cues("CUE,Start,Duration,Extra\n1M1,01:00:00:00,00:00:10:00,x\n", R24)
    assert cues.cues[0].length == 240 and cues.extra_columns == ("Extra",)
    assert format_timecode(cues.cues[0].end, R24) == "01:00:10:00"


def test_drop_frame_conform_from_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from helpers import run_cli

    from edl.cmx3600 import write_edl

    rate = parse_rate("29.97df")
    story = Story(random.Random(11), 20)
    before = copy.deepcopy(story)
    story.mutate(5)
    (tmp_path / "v1.edl").write_text(write_edl(before.cut(rate)))
    (tmp_path / "v2.edl").write_text(write_edl(story.cut(rate)))
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    start = before.record_start + 1000
    (tmp_path / "cues.csv").write_text(
        f"cue,title,start,end,sync\n1M1,Test,{tc(start)},{tc(start + 900)},hit={tc(start + 450)}\n"
    )
    code, _, err = run_cli(
        monkeypatch, capsys, "conform", str(tmp_path / "v1.edl"), str(tmp_path / "v2.edl"),
        "--cues", str(tmp_path / "cues.csv"), "--rate", "29.97df", "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(open(tmp_path / "o" / "cues.csv")))
    truth_map = truth(before.frames(), story.frames())
    for row in rows:
        assert ";" in row["old_start"]  # drop-frame timecode out
        if row["new_start"]:
            old = parse_timecode(row["old_start"], rate)
            expected = truth_map.get(old)
            if expected is not None:
                assert parse_timecode(row["new_start"], rate) == expected
