"""The CMX3600 reader on the shapes real lists take, and the writer's round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_list
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edl.cmx3600 import build_cut, decode, read_edl, statements, write_edl
from edl.errors import CutError
from edl.io import read_cut
from edl.rate import parse_rate

R24 = parse_rate("24")

AVID = """
TITLE: REEL 2 v7
FCM: NON-DROP FRAME
001  A001C003 V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME:  12A-3
* LOC: 01:00:01:00 RED     2M3 door slam
002  A001C003 V     C        10:00:05:00 10:00:05:00 01:00:02:00 01:00:02:00
002  B002C010 V     D    012 11:00:00:00 11:00:03:00 01:00:02:00 01:00:05:00
* FROM CLIP NAME:  12A-3
* TO CLIP NAME:  12B-1
003  B002C011 AA/V  C        11:10:00:00 11:10:01:00 01:00:05:00 01:00:06:00
AUD  3 4
004  MUSIC01  A2    C        00:00:10:00 00:00:14:00 01:00:00:00 01:00:04:00
* FROM CLIP NAME:  temp score.wav
005  B002C012 V     C        11:20:00:00 11:20:00:01 01:00:06:00 01:00:07:00
M2   B002C012       000.0                11:20:00:00
"""


def test_avid_list_reads_picture_audio_hits_and_transitions(tmp_path: Path) -> None:
    cut = read_edl(write_list(tmp_path, AVID), R24)
    assert [e.number for e in cut.events] == ["001", "002", "003", "005"]
    assert [e.number for e in cut.audio_events] == ["004"]
    dissolve = cut.events[1]
    assert (dissolve.transition.kind, dissolve.transition.frames) == ("dissolve", 12)
    assert dissolve.transition.from_clip == "12A-3" and dissolve.clip_name == "12B-1"
    assert (dissolve.record_in, dissolve.record_out) == (86400 + 48, 86400 + 120)
    assert cut.events[2].audio_tracks == (1, 2, 3, 4)
    assert cut.events[3].speed is not None and cut.events[3].speed.freeze
    assert [(h.name, h.colour, cut.timecode(h.frame)) for h in cut.hits] == [
        ("2M3 door slam", "RED", "01:00:01:00")
    ]


def test_long_reel_names_and_six_digit_event_numbers(tmp_path: Path) -> None:
    text = """
TITLE: File128
000001  C_0022C003_241016_092821_h1F4X    V     C        09:33:31:12 09:33:33:14 01:00:06:20 01:00:08:22
"""  # noqa: E501
    cut = read_edl(write_list(tmp_path, text), R24)
    assert cut.events[0].reel == "C_0022C003_241016_092821_h1F4X"
    assert cut.timecode(cut.events[0].record_out) == "01:00:08:22"


def test_crlf_cr_and_latin1_are_normal_input(tmp_path: Path) -> None:
    event = "001  AX       V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00"
    body = "TITLE: caf\xe9\r" + event + "\r"
    path = tmp_path / "mac.edl"
    path.write_bytes(body.encode("latin-1") + b"\x1a\x00\x00")
    cut = read_edl(path, R24)
    assert cut.title == "caf\xe9" and len(cut.events) == 1
    assert any("Latin-1" in w for w in cut.warnings)


def test_frame_number_too_high_names_line_and_lowest_rate(tmp_path: Path) -> None:
    text = """
TITLE: 25 list
001  AX       V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00
002  AX       V     C        00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:24
"""
    path = write_list(tmp_path, text)
    with pytest.raises(CutError) as caught:
        read_edl(path, R24)
    assert caught.value.line == 3
    assert "lowest rate that fits is 25" in str(caught.value)
    auto = read_edl(path, None)
    assert str(auto.rate) == "25" and "chosen automatically" in auto.warnings[0]


def test_drop_frame_from_fcm_and_semicolons(tmp_path: Path) -> None:
    text = """
TITLE: DF
FCM: DROP FRAME
001  AX       V     C        00:00:00;00 00:01:00;02 00:59:59;28 01:01:00;02
"""
    cut = read_edl(write_list(tmp_path, text), None)
    assert str(cut.rate) == "29.97 DF"
    assert cut.timecode(cut.events[0].record_out) == "01:01:00;02"
    assert cut.events[0].duration == 1800 + 2


def test_drop_frame_list_at_a_non_ntsc_rate_is_an_error(tmp_path: Path) -> None:
    text = "FCM: DROP FRAME\n001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"
    with pytest.raises(CutError, match="drop frame"):
        read_edl(write_list(tmp_path, text), R24)


def test_record_out_before_record_in_is_an_error_with_line(tmp_path: Path) -> None:
    text = "TITLE: x\n\n001  AX V C 00:00:00:00 00:00:01:00 01:00:01:00 01:00:00:00\n"
    with pytest.raises(CutError) as caught:
        read_edl(write_list(tmp_path, text), R24)
    assert caught.value.line == 3 and "cut.edl:3:" in str(caught.value)


def test_unreadable_event_line_is_an_error_with_line(tmp_path: Path) -> None:
    text = "TITLE: x\n001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00\n"
    with pytest.raises(CutError) as caught:
        read_edl(write_list(tmp_path, text), R24)
    assert caught.value.line == 2


def test_written_list_reads_back_identically(tmp_path: Path) -> None:
    cut = read_edl(write_list(tmp_path, AVID), R24)
    again = read_edl(write_list(tmp_path, write_edl(cut), "again.edl"), R24)
    key = lambda c: [  # noqa: E731
        (
            e.reel,
            e.record_in,
            e.record_out,
            e.source_in,
            e.transition.kind,
            e.transition.frames,
            e.audio_tracks,
            e.speed,
        )
        for e in (*c.events, *c.audio_events)
    ]
    assert key(again) == key(cut)
    assert [(h.frame, h.name, h.colour) for h in again.hits] == [
        (h.frame, h.name, h.colour) for h in cut.hits
    ]


TIMECODE = st.builds(
    lambda h, m, s, f, sep: f"{h:02d}:{m:02d}:{s:02d}{sep}{f:02d}",
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 35),
    st.sampled_from([":", ";"]),
)
TOKEN = st.one_of(
    TIMECODE,
    st.sampled_from(
        [
            "V",
            "A",
            "AA/V",
            "B",
            "NONE",
            "C",
            "D",
            "W001",
            "012",
            "BL",
            "AX",
            "*",
            "M2",
            "AUD",
            "FCM:",
            "TITLE:",
            "* LOC:",
            "* FROM CLIP NAME:",
            "RED",
        ]
    ),
    st.text(max_size=8),
)
LINE = st.lists(TOKEN, max_size=10).map(" ".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=25), st.sampled_from([None, R24, parse_rate("29.97")]))
def test_random_lines_raise_only_cut_errors(lines: list[str], rate) -> None:  # noqa: ANN001
    try:
        build_cut(statements("\n".join(lines)), rate)
    except CutError as error:
        assert "\n" not in str(error)


@settings(max_examples=200)
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_cut_errors(data: bytes) -> None:
    text, _ = decode(data)
    try:
        build_cut(statements(text), None)
    except CutError:
        pass


@settings(max_examples=100)
@given(st.integers(0, len(AVID)))
def test_truncated_lists_raise_only_cut_errors(cut_at: int) -> None:
    try:
        build_cut(statements(AVID[:cut_at]), R24)
    except CutError:
        pass


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.edl"
    path.write_bytes(b"")
    with pytest.raises(CutError, match="no events"):
        read_cut(path)
