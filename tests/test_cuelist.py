"""The one cue-list reader: every command's view agrees, and bad lists fail by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from conform.cues import cuelist
from conform.cues.cuelist import CueError, read_cues, read_table, read_timecode
from conform.cues.placed import read_stem_cues
from conform.cues.sync import read_hits, read_sync_rows
from edl.rate import Rate, parse_rate
from edl.timecode import format_timecode, parse_timecode

R24 = parse_rate("24")
NDF2997 = parse_rate("29.97")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "cues.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _error(call, *args) -> CueError:  # noqa: ANN001
    with pytest.raises(CueError) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize("reader", [read_cues, read_stem_cues, read_sync_rows])
def test_every_view_reads_an_excel_cp1252_list(tmp_path: Path, reader) -> None:  # noqa: ANN001
    text = "cue,title,start,end,composer\n1M1,Café Noir – Thème,01:00:00:00,01:00:05:00,Müller\n"
    path = _write(tmp_path, text, "cp1252")
    result = reader(path, R24)
    title = {
        read_cues: lambda r: r.cues[0].title,
        read_stem_cues: lambda r: r[0].title,
        read_sync_rows: lambda r: r[1][0].values["title"],
    }[reader](result)
    assert title == "Café Noir – Thème"


def test_rows_keep_the_line_they_start_on() -> None:
    table = cuelist.parse_table("cue,start,end\n1M1,01:00:00:00,01:00:01:00\n")
    assert table.header == ("cue", "start", "end") and table.rows[0].line == 2


def test_a_utf16_list_with_a_bom_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffcue,start,end\n1M1,01:00:00:00,01:00:01:00\n", "utf-16-le")
    assert read_cues(path, R24).cues[0].end == parse_timecode("01:00:01:00", R24)


def test_the_three_views_agree_on_numbers_ranges_and_lines() -> None:
    rate = parse_rate("23.976")
    path = SAMPLES / "cues.csv"
    spotted = read_cues(path, rate).cues
    stems = read_stem_cues(path, rate)
    _, rows = read_sync_rows(path, rate)
    want = [(c.number, c.start, c.end, c.line) for c in spotted]
    assert [(c.number, c.start, c.end, c.line) for c in stems] == want
    assert [(r.cue, r.start, r.end, r.line) for r in rows] == want
    assert [r.sync for r in rows] == [c.sync for c in spotted]


def test_a_sync_point_outside_its_cue_is_refused_with_the_line(tmp_path: Path) -> None:
    text = "cue,start,end,sync\n1M1,01:00:00:00,01:00:10:00,door=01:00:12:00\n"
    path = _write(tmp_path, text)
    for reader in (read_cues, read_stem_cues, read_sync_rows):
        error = _error(reader, path, R24)
        assert error.line == 2 and "outside the cue" in error.cause and "door" in error.cause


def test_a_sync_point_on_the_exclusive_end_is_outside(tmp_path: Path) -> None:
    path = _write(tmp_path, "cue,start,end,sync\n1M1,01:00:00:00,01:00:10:00,01:00:10:00\n")
    assert "outside the cue" in _error(read_cues, path, R24).cause


def test_drop_frame_timecodes_under_a_non_drop_2997_cut_are_read_as_drop_frame() -> None:
    drop = parse_rate("29.97df")
    assert read_timecode("01:00:00;00", NDF2997) == parse_timecode("01:00:00;00", drop)
    assert read_timecode("01:00:00;00", NDF2997) != parse_timecode("01:00:00:00", NDF2997)
    assert read_timecode("01:00:00:00", NDF2997) == 108000


def test_drop_frame_sync_in_a_list_lands_on_the_same_frame_as_the_drop_cut(tmp_path: Path) -> None:
    text = "cue,start,end,sync\n1M1,01:00:00;00,01:01:00;02,hit=01:00:59;29\n"
    path = _write(tmp_path, text)
    cue = read_cues(path, NDF2997).cues[0]
    drop = parse_rate("29.97df")
    assert cue.start == parse_timecode("01:00:00;00", drop)
    assert cue.sync[0].frame == parse_timecode("01:00:59;29", drop)
    assert format_timecode(cue.end, drop) == "01:01:00;02"


def test_drop_frame_timecode_at_a_rate_without_drop_frame_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "cue,start,end\n1M1,01:00:00;00,01:00:10:00\n")
    error = _error(read_cues, path, R24)
    assert error.line == 2 and "drop frame" in error.cause


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("1M1,01:00:00:00,,²f", "not a length"),
        ("1M1,01:00:10:00,01:00:05:00,", "before or where it starts"),
        ("1M1,01:00:10:00,01:00:10:00,", "before or where it starts"),
        ("1M1,01:00:00:00,,99999999999999999999f", "not a length"),
        (",01:00:00:00,01:00:05:00,", "no cue number"),
        ("1M1,1:00:00:00:00,01:00:05:00,", "not a timecode"),
        ("1M1,01:00:00:00,01:00:05:00,,extra", "header names 4 columns"),
    ],
)
def test_bad_spotting_rows_name_file_and_line(tmp_path: Path, row: str, words: str) -> None:
    path = _write(tmp_path, f"cue,start,end,duration\n\n{row}\n")
    for reader in (read_cues, read_stem_cues, read_sync_rows):
        error = _error(reader, path, R24)
        assert error.path == str(path) and error.line == 3 and words in error.cause, error


CONFORMED = "cue,part,status,old_start,old_end,new_start,new_end,offset,note\n"


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("1M1,a,moved,01:00:00:00,01:00:05:00,01:00:01:00,01:00:06:00,00:00:00:00,", "part"),
        ("1M1,1,moved,01:00:00:00,01:00:05:00,01:00:06:00,01:00:01:00,00:00:00:00,", "before"),
        ("1M1,1,moved,01:00:00:00,01:00:05:00,01:00:01:00,01:00:06:00,²f,", "not a length"),
    ],
)
def test_bad_conformed_rows_name_file_and_line(tmp_path: Path, row: str, words: str) -> None:
    path = _write(tmp_path, CONFORMED + row + "\n")
    for reader in (read_stem_cues, read_sync_rows):
        error = _error(reader, path, R24)
        assert error.line == 2 and words in error.cause, error


def test_a_cell_over_128_kib_is_one_error_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "cue,start,end,title\n1M1,01:00:00:00,01:00:01:00,x\n"
                  f'1M2,01:00:02:00,01:00:03:00,"{"x" * 200_000}"\n')  # fmt: skip
    error = _error(read_cues, path, R24)
    assert error.line == 3 and "128 KiB" in error.cause


def test_too_many_rows_are_refused_with_the_limit_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cuelist, "MAX_ROWS", 3)
    rows = "".join(f"1M{n},01:00:0{n}:00,01:00:0{n}:10\n" for n in range(5))
    error = _error(read_table, _write(tmp_path, "cue,start,end\n" + rows))
    assert "more than 3 rows" in error.cause and error.line == 5


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"\x00\x01\x02garbage", "not a text file"), (b"\n\n  \n", "empty")],
)
def test_empty_or_binary_files_are_refused(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "cues.csv"
    path.write_bytes(content)
    assert words in _error(read_cues, path, R24).cause


def test_a_folder_is_not_a_cue_list(tmp_path: Path) -> None:
    assert "folder" in _error(read_cues, tmp_path, R24).cause


def test_hits_file_reads_drop_frame_and_refuses_bad_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "name,tc,cue\ndoor,01:00:10;00,1M1\n", name="hits.csv")
    hit, cue = read_hits(path, NDF2997)[0]
    assert hit.frame == parse_timecode("01:00:10;00", parse_rate("29.97df")) and cue == "1M1"
    bad = _write(tmp_path, "name,tc\ndoor,01:00:10:00\nslam,²\n", "cp1252", name="bad.csv")
    error = _error(read_hits, bad, R24)
    assert error.line == 3 and error.path == str(bad)


def test_conform_then_handoff_finds_the_stems_through_the_new_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stems = tmp_path / "project" / "audio"
    stems.mkdir(parents=True)
    for name in ("a.wav", "b.wav", "mix.wav"):
        (stems / name).write_bytes(b"")
    cues = _write(
        tmp_path / "project",
        "cue,start,end,stems,file\n"
        "1M1,01:00:00:00,01:00:10:00,strings=audio/a.wav; brass=audio/b.wav,audio/mix.wav\n",
    )
    out_dir = tmp_path / "elsewhere" / "out"
    code, _, err = run_cli(
        monkeypatch, capsys, "conform", str(SAMPLES / "reel1_v1.edl"),
        str(SAMPLES / "reel1_v2.edl"), "--cues", str(cues), "--rate", "23.976",
        "--out", str(out_dir),
    )  # fmt: skip
    assert code == 0, err
    placed = read_stem_cues(out_dir / "cues.csv", parse_rate("23.976"))
    assert placed and {name: p.resolve() for name, p in placed[0].stems.items()} == {
        "strings": (stems / "a.wav").resolve(),
        "brass": (stems / "b.wav").resolve(),
    }
    assert "../../project/audio/a.wav" in (out_dir / "cues.csv").read_text()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(1, 2_000), st.integers(0, 1_999)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["23.976", "24", "25", "29.97", "29.97df", "59.94df"]),
)
def test_spotting_lists_round_trip_through_every_view(
    cues: list[tuple[int, int, int]], rate_text: str
) -> None:
    rate: Rate = parse_rate(rate_text)
    origin = parse_timecode("01:00:00;00" if rate.drop else "01:00:00:00", rate)
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    lines = ["cue,start,end,sync"]
    for n, (start, length, sync) in enumerate(cues):
        s = origin + start
        lines.append(f"{n}M1,{tc(s)},{tc(s + length)},x={tc(s + sync % length)}")
    table = cuelist.parse_table("\n".join(lines) + "\n", "cues.csv")
    read = cuelist.spotting_cues(table, rate).cues
    assert [(c.start - origin, c.length, c.sync[0].frame - c.start) for c in read] == [
        (start, length, sync % length) for start, length, sync in cues
    ]


def test_a_cue_split_in_parts_keeps_the_sync_points_of_every_part(tmp_path: Path) -> None:
    """Re-conform puts a sync point on the part it falls in; the cue must not lose it."""
    head = "cue,part,status,old_start,old_end,new_start,new_end,offset,title,sync\n"
    text = head + (
        "1M8,1,changed,01:04:10:00,01:04:13:00,01:03:30:02,01:03:33:02,00:00:00:00,End,\n"
        "1M8,2,changed,01:04:13:00,01:04:40:00,01:04:04:02,01:04:31:02,00:00:03:00,End,"
        "turn=01:04:06:02\n"
        "1M9,1,unchanged,01:05:00:00,01:05:10:00,01:05:00:00,01:05:10:00,00:00:00:00,Tag,"
        "a=01:05:01:00\n"
        "1M9,2,unchanged,01:05:10:00,01:05:20:00,01:05:10:00,01:05:20:00,00:00:00:00,Tag,"
        "b=01:05:12:00\n"
    )
    cues = {c.number: c for c in read_stem_cues(_write(tmp_path, text), R24)}
    assert cues["1M8"].columns["sync"] == "turn=01:04:06:02"
    assert cues["1M9"].columns["sync"] == "a=01:05:01:00; b=01:05:12:00"
    assert cues["1M9"].columns["title"] == "Tag" and len(cues["1M9"].parts) == 2
