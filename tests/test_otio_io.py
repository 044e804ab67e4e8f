"""OTIO in and out: round trips through our writer and OTIO's own reader."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest
from helpers import write_list

from edl.cmx3600 import read_edl
from edl.io import read_cut, write_cut
from edl.rate import parse_rate

LIST = """
TITLE: round trip
FCM: NON-DROP FRAME
001  A001C003 V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME:  12A-3
* LOC: 01:00:01:00 RED     2M3 door slam
002  A001C003 V     C        10:00:02:00 10:00:02:00 01:00:02:00 01:00:02:00
002  B002C010 V     D    012 11:00:00:00 11:00:03:00 01:00:02:00 01:00:05:00
* FROM CLIP NAME:  12A-3
* TO CLIP NAME:  12B-1
003  B002C011 V     C        11:10:00:00 11:10:01:00 01:00:07:00 01:00:08:00
* FROM CLIP NAME:  12C-1
004  MUSIC01  A2    C        00:00:10:00 00:00:14:00 01:00:00:00 01:00:04:00
"""


def _key(cut):  # noqa: ANN001, ANN202
    return [
        (e.reel, e.record_in, e.record_out, e.source_in, e.transition.kind, e.transition.frames)
        for e in cut.events
    ]


def test_edl_to_otio_and_back_keeps_record_times(tmp_path: Path) -> None:
    cut = read_edl(write_list(tmp_path, LIST), parse_rate("23.976"))
    out = write_cut(cut, tmp_path / "cut.otio")
    again = read_cut(out)
    assert again.rate == cut.rate
    assert _key(again) == _key(cut)
    assert [(h.frame, h.name) for h in again.hits] == [(h.frame, h.name) for h in cut.hits]
    assert [(e.record_in, e.record_out) for e in again.audio_events] == [
        (e.record_in, e.record_out) for e in cut.audio_events
    ]


def test_written_otio_is_read_by_opentimelineio_with_gap_and_positions(tmp_path: Path) -> None:
    cut = read_edl(write_list(tmp_path, LIST), parse_rate("24"))
    timeline = otio.adapters.read_from_file(str(write_cut(cut, tmp_path / "cut.otio")))
    assert timeline.global_start_time.to_timecode() == "01:00:00:00"
    video = timeline.video_tracks()[0]
    clips = list(video.find_clips())
    assert [c.name for c in clips] == ["12A-3", "12B-1", "12C-1"]
    third = clips[2].range_in_parent()
    assert (third.start_time.value, third.duration.value) == (7 * 24, 24)  # after a 2 s gap
    assert any(isinstance(item, otio.schema.Transition) for item in video)


def test_fcp_xml_is_read_through_the_otio_adapter(tmp_path: Path) -> None:
    cut = read_edl(write_list(tmp_path, LIST), parse_rate("24"))
    xml = tmp_path / "cut.xml"
    timeline = otio.adapters.read_from_file(str(write_cut(cut, tmp_path / "cut.otio")))
    otio.adapters.write_to_file(timeline, str(xml), adapter_name="fcp_xml")
    from_xml = read_cut(xml)
    assert [(e.record_in, e.record_out) for e in from_xml.events if e.transition.is_cut][:1] == [
        (cut.events[0].record_in, cut.events[0].record_out)
    ]
    assert len(from_xml.events) == len(cut.events)


FCPXML = Path(__file__).resolve().parent / "data" / "fcpxml"


def test_fcpxml_is_read_through_the_otio_adapter_with_markers_as_hits() -> None:
    from edl.io import read_cut

    cut = read_cut(FCPXML / "reel_24.fcpxml")
    assert str(cut.rate) == "24"
    assert [
        (e.clip_name, cut.timecode(e.record_in), cut.timecode(e.source_in)) for e in cut.events
    ] == [
        ("12A-3", "01:00:00:00", "00:00:10:00"),
        ("12B-1", "01:00:04:00", "00:00:20:00"),
    ]
    assert [(cut.timecode(h.frame), h.name) for h in cut.hits] == [("01:00:01:00", "door slam")]


def test_fcpxml_at_23976_is_refused_rather_than_read_at_23(tmp_path: Path) -> None:
    from edl.errors import CutError
    from edl.io import read_cut

    with pytest.raises(CutError, match="not a standard") as caught:
        read_cut(FCPXML / "reel_2398.fcpxml")
    assert "FCP 7 XML" in str(caught.value) and "reel_2398.fcpxml" in str(caught.value)
