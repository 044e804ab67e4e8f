"""Change lists against ground truth, and named picture changes a music editor meets."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from cutgen import Story, truth
from helpers import write_list
from hypothesis import given, settings
from hypothesis import strategies as st

from edl.changes import compare
from edl.changes_io import changes_csv, changes_edl
from edl.cmx3600 import read_edl, write_edl
from edl.rate import STANDARD_RATES, Rate, parse_rate
from edl.timecode import parse_timecode

R24 = parse_rate("24")
RATES = [*STANDARD_RATES, parse_rate("29.97df"), parse_rate("59.94df")]


def story_pair(seed: int, shots: int = 30, changes: int = 6) -> tuple[Story, Story]:
    story = Story(random.Random(seed), shots)
    before = copy.deepcopy(story)
    story.mutate(changes)
    return before, story


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(RATES), st.integers(1, 12))
def test_every_old_frame_lands_where_the_truth_says(seed: int, rate: Rate, count: int) -> None:
    before, after = story_pair(seed, changes=count)
    changes = compare(before.cut(rate), after.cut(rate))
    new_frames = after.frames()
    new_sources = set(new_frames.values())
    old_sources = set(before.frames())
    fresh = {frame for source, frame in new_frames.items() if source not in old_sources}
    for old, expected in truth(before.frames(), new_frames).items():
        got = changes.map(old)
        if expected is not None:
            assert got == expected, (old, after.ops)
        else:  # its picture is gone: unmapped, or mapped into the shot that replaced it
            assert got is None or got in fresh, (old, got, after.ops)
    assert new_sources  # the generated cut is never empty


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**9), rate=st.sampled_from(RATES))
def test_edl_round_trip_gives_the_same_change_list(
    tmp_path_factory: pytest.TempPathFactory, seed: int, rate: Rate
) -> None:
    before, after = story_pair(seed)
    folder = tmp_path_factory.mktemp("pair")
    old_path, new_path = folder / "old.edl", folder / "new.edl"
    old_path.write_text(write_edl(before.cut(rate)))
    new_path.write_text(write_edl(after.cut(rate)))
    from_text = compare(read_edl(old_path, rate), read_edl(new_path, rate))
    direct = compare(before.cut(rate), after.cut(rate))
    assert [
        (s.kind, s.old_start, s.old_end, s.new_start, s.new_end) for s in from_text.segments
    ] == [(s.kind, s.old_start, s.old_end, s.new_start, s.new_end) for s in direct.segments]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9))
def test_composition_v1_v2_v3_matches_v1_v3(seed: int) -> None:
    rng = random.Random(seed)
    story = Story(rng, 25)
    v1 = copy.deepcopy(story)
    story.mutate(rng.randrange(1, 6))
    v2 = copy.deepcopy(story)
    story.mutate(rng.randrange(1, 6))
    v3 = story
    c12 = compare(v1.cut(R24), v2.cut(R24))
    c23 = compare(v2.cut(R24), v3.cut(R24))
    c13 = compare(v1.cut(R24), v3.cut(R24))
    t12, t13 = truth(v1.frames(), v2.frames()), truth(v1.frames(), v3.frames())
    for frame, expected in t13.items():
        if expected is not None and t12[frame] is not None:
            middle = c12.map(frame)
            assert middle is not None and c23.map(middle) == c13.map(frame) == expected


def test_identical_cuts_are_all_same() -> None:
    before, _ = story_pair(1)
    changes = compare(before.cut(R24), before.cut(R24))
    assert {s.kind for s in changes.segments} == {"same"}


def test_change_list_is_deterministic() -> None:
    before, after = story_pair(7, changes=10)
    first = changes_csv(compare(before.cut(R24), after.cut(R24)))
    assert first == changes_csv(compare(before.cut(R24), after.cut(R24)))


OLD = """
TITLE: v1
001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00
002  A002     V     C        11:00:00:00 11:00:04:00 01:00:04:00 01:00:08:00
003  A003     V     C        12:00:00:00 12:00:04:00 01:00:08:00 01:00:12:00
004  A004     V     C        13:00:00:00 13:00:04:00 01:00:12:00 01:00:16:00
005  A005     V     C        14:00:00:00 14:00:04:00 01:00:16:00 01:00:20:00
006  MUSIC    A2    C        00:00:00:00 00:00:20:00 01:00:00:00 01:00:20:00
"""


def _kinds(new_text: str, tmp_path: Path) -> list[tuple[str, str, str, int]]:
    old = read_edl(write_list(tmp_path, OLD, "old.edl"), R24)
    new = read_edl(write_list(tmp_path, new_text, "new.edl"), R24)
    changes = compare(old, new)
    return [(s.kind, s.reel, s.detail, s.frames) for s in changes.segments if s.kind != "same"]


def _edit(*events: str) -> str:
    lines = ["TITLE: v2"]
    record = parse_timecode("01:00:00:00", R24)
    for n, spec in enumerate(events, start=1):
        reel, source_in, length = spec.split()
        src = parse_timecode(source_in, R24)
        length_frames = int(length)
        tc = lambda f: write_tc(f)  # noqa: E731
        lines.append(
            f"{n:03d}  {reel:<8} V     C        {tc(src)} {tc(src + length_frames)} "
            f"{tc(record)} {tc(record + length_frames)}"
        )
        record += length_frames
    return "\n".join(lines)


def write_tc(frames: int) -> str:
    from edl.timecode import format_timecode

    return format_timecode(frames, R24)


def test_trimmed_tail_is_a_trim_and_later_shots_shift(tmp_path: Path) -> None:
    new = _edit(
        "A001 10:00:00:00 96",
        "A002 11:00:00:00 84",
        "A003 12:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    rows = _kinds(new, tmp_path)
    assert rows[0] == ("deleted", "A002", "trimmed", 12)
    assert [r[0] for r in rows[1:]] == ["shifted"] * 3


def test_head_extension_is_an_insertion(tmp_path: Path) -> None:
    new = _edit(
        "A001 10:00:00:00 96",
        "A002 10:59:59:18 102",
        "A003 12:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    assert _kinds(new, tmp_path)[0] == ("inserted", "A002", "extended", 6)


def test_deleted_and_inserted_shots(tmp_path: Path) -> None:
    new = _edit(
        "A001 10:00:00:00 96",
        "A003 12:00:00:00 96",
        "NEW1 15:00:00:00 48",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    rows = _kinds(new, tmp_path)
    assert ("deleted", "A002", "shot deleted", 96) in rows
    assert ("inserted", "NEW1", "shot inserted", 48) in rows


def test_one_insertion_does_not_mark_everything_after_it_moved(tmp_path: Path) -> None:
    new = _edit(
        "NEW1 15:00:00:00 48",
        "A001 10:00:00:00 96",
        "A002 11:00:00:00 96",
        "A003 12:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    rows = _kinds(new, tmp_path)
    assert [r[0] for r in rows] == ["inserted"] + ["shifted"] * 5


def test_moved_block_is_moved_and_the_rest_stays(tmp_path: Path) -> None:
    new = _edit(
        "A001 10:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
        "A002 11:00:00:00 96",
        "A003 12:00:00:00 96",
    )
    rows = _kinds(new, tmp_path)
    assert sorted(r[0] for r in rows) == ["moved", "moved", "shifted", "shifted"]


def test_replaced_take_same_length_and_other_length(tmp_path: Path) -> None:
    same = _edit(
        "A001 10:00:00:00 96",
        "B002 16:00:00:00 96",
        "A003 12:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    assert _kinds(same, tmp_path) == [("replaced", "B002", "A002 -> B002", 96)]
    longer = _edit(
        "A001 10:00:00:00 96",
        "B002 16:00:00:00 104",
        "A003 12:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    rows = _kinds(longer, tmp_path)
    assert rows[0] == ("replaced", "B002", "A002 -> B002, 8 frames longer", 104)


SHOT2 = "002  A002     V     C        11:00:00:00 11:00:04:00 01:00:04:00 01:00:08:00"


def test_another_take_only_when_the_clip_names_say_so(tmp_path: Path) -> None:
    old = OLD.replace(SHOT2, SHOT2 + "\n* FROM CLIP NAME:  12A-3")
    new = old.replace("A002     V     C        11:00:00:00 11:00:04:00", "B002     V     C  "
                      "      16:00:00:00 16:00:04:00").replace("12A-3", "12A-4")  # fmt: skip
    a = read_edl(write_list(tmp_path, old, "a.edl"), R24)
    b = read_edl(write_list(tmp_path, new, "b.edl"), R24)
    rows = [(s.kind, s.old_clip, s.clip, s.detail) for s in compare(a, b).segments]
    rows = [row for row in rows if row[0] != "same"]
    assert rows == [("replaced", "12A-3", "12A-4", "12A-3 -> 12A-4 (another take)")]


def _with(old_line: str, *new_lines: str) -> str:
    return OLD.replace(old_line, "\n".join(new_lines))


def test_slowed_shot_is_a_speed_change_mapped_by_position(tmp_path: Path) -> None:
    new = _with(
        SHOT2,
        "002  A002     V     C        11:00:00:00 11:00:02:00 01:00:04:00 01:00:08:00",
        "M2   A002       012.0                11:00:00:00",
    )
    old = read_edl(write_list(tmp_path, OLD, "old.edl"), R24)
    changes = compare(old, read_edl(write_list(tmp_path, new, "new.edl"), R24))
    rows = [(s.kind, s.detail, s.frames) for s in changes.segments if s.kind != "same"]
    assert rows == [("speed", "slowed 24 -> 12 fps", 96)]
    at = parse_timecode("01:00:06:00", R24)
    assert changes.map(at) == at  # same cut points: every frame keeps its place


SPEED_NEW = """
TITLE: v2
001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00
002  A002     V     C        11:00:00:00 11:00:04:00 01:00:04:00 01:00:12:00
M2   A002       012.0                11:00:00:00
003  A003     V     C        12:00:00:00 12:00:00:01 01:00:12:00 01:00:16:00
M2   A003       000.0                12:00:00:00
004  A004     V     C        13:00:00:00 13:00:04:00 01:00:16:00 01:00:20:00
005  A005     V     C        14:00:00:00 14:00:04:00 01:00:20:00 01:00:24:00
"""


def test_slowed_and_longer_shot_maps_proportionally_and_frozen_shot_is_speed(
    tmp_path: Path,
) -> None:
    old = read_edl(write_list(tmp_path, OLD, "old.edl"), R24)
    changes = compare(old, read_edl(write_list(tmp_path, SPEED_NEW, "new.edl"), R24))
    rows = [(s.kind, s.detail) for s in changes.segments if s.kind not in ("same", "shifted")]
    assert rows == [
        ("speed", "slowed 24 -> 12 fps, 96 frames longer"),
        ("speed", "frozen"),
    ]
    middle = parse_timecode("01:00:06:00", R24)
    assert changes.map(middle) == parse_timecode("01:00:08:00", R24)


def test_shot_replaced_by_black_of_the_same_length_is_lifted(tmp_path: Path) -> None:
    for black in (
        "002  BL       V     C        00:00:00:00 00:00:04:00 01:00:04:00 01:00:08:00",
        "",  # a record gap plays as black too
    ):
        new = _with(SHOT2, black)
        old = read_edl(write_list(tmp_path, OLD, "old.edl"), R24)
        changes = compare(old, read_edl(write_list(tmp_path, new, "new.edl"), R24))
        rows = [(s.kind, s.old_reel, s.frames) for s in changes.segments if s.kind != "same"]
        assert rows == [("lifted", "A002", 96)]
        at = parse_timecode("01:00:05:00", R24)
        assert changes.map(at) == at


def test_same_source_used_twice_keeps_the_in_place_use(tmp_path: Path) -> None:
    new = _edit(
        "A001 10:00:00:00 96",
        "A002 11:00:00:00 96",
        "A003 12:00:00:00 96",
        "A002 11:00:00:00 48",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    old = read_edl(write_list(tmp_path, OLD, "old.edl"), R24)
    changes = compare(old, read_edl(write_list(tmp_path, new, "new.edl"), R24))
    assert changes.map(parse_timecode("01:00:04:00", R24)) == parse_timecode("01:00:04:00", R24)
    assert [s.kind for s in changes.segments if s.kind != "same"] == ["inserted"] + ["shifted"] * 2


def test_split_shot_maps_unchanged(tmp_path: Path) -> None:
    new = _edit(
        "A001 10:00:00:00 40",
        "A001 10:00:01:16 56",
        "A002 11:00:00:00 96",
        "A003 12:00:00:00 96",
        "A004 13:00:00:00 96",
        "A005 14:00:00:00 96",
    )
    assert _kinds(new, tmp_path) == []


def test_record_start_change_shifts_everything(tmp_path: Path) -> None:
    old = read_edl(write_list(tmp_path, OLD, "old.edl"), R24)
    moved = OLD.replace(" 01:00:", " 02:00:")
    changes = compare(old, read_edl(write_list(tmp_path, moved, "new.edl"), R24))
    assert {s.kind for s in changes.segments} == {"shifted"}
    assert changes.map(old.record_start) == old.record_start + 3600 * 24


def test_mixed_drop_and_non_drop_is_an_error(tmp_path: Path) -> None:
    from edl.errors import CutError

    df = "FCM: DROP FRAME\n001  A V C 00:00:00;00 00:00:01;00 01:00:00;00 01:00:01;00"
    ndf = "001  A V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00"
    a = read_edl(write_list(tmp_path, df, "a.edl"), parse_rate("29.97"))
    b = read_edl(write_list(tmp_path, ndf, "b.edl"), parse_rate("29.97"))
    with pytest.raises(CutError, match="drop frame"):
        compare(a, b)


def test_change_edl_reads_back_with_our_reader(tmp_path: Path) -> None:
    before, after = story_pair(3, changes=8)
    text = changes_edl(compare(before.cut(R24), after.cut(R24)))
    path = tmp_path / "changes.edl"
    path.write_text(text)
    cut = read_edl(path, R24)
    assert len(cut.events) == text.count("* CHANGE:")


def test_corpus_version_pair_jrun(tmp_path: Path) -> None:
    from test_corpus import CORPUS

    old = read_edl(CORPUS / "edl/sg-otio/jrun_demo_absolute_frames1.edl", R24)
    new = read_edl(CORPUS / "edl/sg-otio/jrun_demo_absolute_frames2.edl", R24)
    rows = [(s.kind, s.clip, s.frames) for s in compare(old, new).segments]
    assert rows == [
        ("same", "RFE_JRUN_0010_Anim_v09.mov", 55),
        ("replaced", "RFE_JRUN_0015_Anim_v01.mov", 32),
        ("deleted", "RFE_JRUN_0030_Anim_v04.mov", 4),
        ("shifted", "RFE_JRUN_0030_Anim_v04.mov", 17),
    ]


def test_corpus_black_slug_versions_match_most_of_the_reel() -> None:
    from test_corpus import CORPUS

    old = read_edl(CORPUS / "edl/sg-otio/black_slug_avid1.edl", None)
    new = read_edl(CORPUS / "edl/sg-otio/black_slug_avid2.edl", None)
    changes = compare(old, new)
    assert changes.counts()["inserted"] > 0 and changes.totals()["new_length"] == new.length


def test_sample_otio_versions_give_the_same_changes_as_the_edls() -> None:
    from edl.io import read_cut

    samples = Path(__file__).resolve().parents[1] / "samples"
    rate = parse_rate("23.976")
    from_edl = compare(
        read_cut(samples / "reel1_v1.edl", rate), read_cut(samples / "reel1_v2.edl", rate)
    )
    from_otio = compare(read_cut(samples / "reel1_v1.otio"), read_cut(samples / "reel1_v2.otio"))
    key = lambda c: [(s.kind, s.old_start, s.old_end, s.new_start, s.new_end) for s in c.segments]  # noqa: E731
    assert key(from_otio) == key(from_edl)


def test_changes_json_is_the_time_map(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    import json

    from helpers import run_cli

    before, after = story_pair(9, changes=8)
    (tmp_path / "a.edl").write_text(write_edl(before.cut(R24)))
    (tmp_path / "b.edl").write_text(write_edl(after.cut(R24)))
    code, out, err = run_cli(
        monkeypatch, capsys, "diff", str(tmp_path / "a.edl"), str(tmp_path / "b.edl"),
        "--rate", "24", "--json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    changes = compare(before.cut(R24), after.cut(R24))
    assert len(document["segments"]) == len(changes.segments)
    for row in document["segments"]:
        if row["map"] == "offset":
            frame = row["old"]["start"]
            assert changes.map(frame) == frame + row["offset"]
    assert document["rate"] == {"fps": "24/1", "drop_frame": False}


def test_long_lists_print_as_plain_rows(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from helpers import run_cli

    before, after = story_pair(4, shots=200, changes=3)
    (tmp_path / "a.edl").write_text(write_edl(before.cut(R24)))
    (tmp_path / "b.edl").write_text(write_edl(after.cut(R24)))
    code, out, err = run_cli(
        monkeypatch, capsys, "diff", str(tmp_path / "a.edl"), str(tmp_path / "b.edl"), "--all"
    )
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.split(" ")[0] in ("same", "shifted")]
    assert len(rows) >= 150 and "Totals" in out
    code, out, err = run_cli(monkeypatch, capsys, "cut", "show", str(tmp_path / "a.edl"))
    assert code == 0 and len([line for line in out.splitlines() if " R0" in line]) == 200
