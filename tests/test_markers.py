"""Avid marker lists (Markers window text export) read as picture hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from edl.errors import CutError
from edl.markers import looks_like_avid_markers, read_avid_markers
from edl.rate import parse_rate

R24 = parse_rate("24")
LIST = (
    "jdoe\t01:00:05:12\tV1\tred\t2M3 door slam\t1\n"
    "jdoe\t01:00:01:00\tTC1\tyellow\t\t1\n"
    "\n"
    "asst\t01:02:00:00\tA1\tCyan\tcut to exterior\n"
)


def test_marker_list_reads_as_hits_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "markers.txt"
    path.write_bytes(b"\xff\xfe" + LIST.encode("utf-16-le"))  # Media Composer writes UTF-16 too
    hits = read_avid_markers(path, R24)
    assert [(h.frame - 86400, h.name, h.colour, h.line) for h in hits] == [
        (24, "jdoe", "YELLOW", 2),
        (132, "2M3 door slam", "RED", 1),
        (2880, "cut to exterior", "CYAN", 4),
    ]
    assert looks_like_avid_markers(LIST) and not looks_like_avid_markers("name,tc\nx,01:00:00:00")


@pytest.mark.parametrize(
    ("text", "line", "cause"),
    [("jdoe\tsoon\tV1\tred\tx\n", 1, "not a marker line"),
     ("ok\t01:00:00:00\tV1\tred\tx\nbad\t01:00:00:30\tV1\tred\n", 2, "impossible at 24")],
)  # fmt: skip
def test_bad_marker_lines_name_file_and_line(
    tmp_path: Path, text: str, line: int, cause: str
) -> None:
    path = tmp_path / "m.txt"
    path.write_text(text)
    with pytest.raises(CutError) as caught:
        read_avid_markers(path, R24)
    assert caught.value.line == line and cause in str(caught.value) and "m.txt" in str(caught.value)


def test_sync_hits_reader_takes_an_avid_marker_list(tmp_path: Path) -> None:
    from conform.cues.sync import read_hits

    path = tmp_path / "markers.txt"
    path.write_text(LIST)
    hits = read_hits(path, R24)
    assert [(h.name, c) for h, c in hits] == [
        ("jdoe", ""),
        ("2M3 door slam", ""),
        ("cut to exterior", ""),
    ]
