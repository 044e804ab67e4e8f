"""Frame by frame against an independent reading: pycmx parses both lists, OTIO's opentime
counts the frames, and a brute-force source lookup says where each old frame went."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from edl.changes import compare
from edl.cmx3600 import read_edl, write_edl

pycmx = pytest.importorskip("pycmx")
otio = pytest.importorskip("opentimelineio")
CORPUS = Path(__file__).resolve().parent / "data" / "corpus" / "edl"


def _frame(value: str, fps: float) -> int:
    return int(value) if ":" not in value else round(otio.opentime.from_timecode(value, fps).value)


def _sources(path: Path, fps: float) -> dict[int, tuple[str, int]]:
    """Record frame -> (clip or reel, source frame), from pycmx, for picture cuts."""
    with open(path, encoding="latin-1") as handle:
        events = pycmx.parse_cmx3600(handle).events
    frames = {}
    for event in events:
        for edit in event.edits:
            if not edit.channels.video or edit.source in ("BL", "BLK"):
                continue
            rec_in, rec_out = _frame(edit.record_in, fps), _frame(edit.record_out, fps)
            src_in = _frame(edit.source_in, fps)
            key = edit.clip_name if edit.source.upper() in ("AX", "") else edit.source
            for k in range(rec_out - rec_in):
                frames[rec_in + k] = (key, src_in + k)
    return frames


def _agree(old_path: Path, new_path: Path, fps: float) -> int:
    old, new = _sources(old_path, fps), _sources(new_path, fps)
    where: dict[tuple[str, int], list[int]] = {}
    for frame, source in new.items():
        where.setdefault(source, []).append(frame)
    changes = compare(read_edl(old_path), read_edl(new_path))
    checked = 0
    for frame, source in old.items():
        places = where.get(source, [])
        if len(places) == 1:  # the source shows once in the new cut: that is where it went
            assert changes.map(frame) == places[0], (old_path.name, frame)
            checked += 1
    return checked


def test_corpus_version_pairs_frame_by_frame() -> None:
    for kind in ("absolute", "relative"):
        old = CORPUS / f"sg-otio/jrun_demo_{kind}_frames1.edl"
        new = CORPUS / f"sg-otio/jrun_demo_{kind}_frames2.edl"
        assert _agree(old, new, 24) > 50


@pytest.mark.parametrize(
    "name",
    ["sg-otio/SR001.edl", "sg-otio/R7v26.0_Turnover001_WiP_VFX__1_.edl", "sg-otio/pxy5.edl"],
)
def test_hand_made_pairs_from_corpus_lists_frame_by_frame(name: str, tmp_path: Path) -> None:
    cut = read_edl(CORPUS / name)
    rng = random.Random(name)
    events = list(cut.events)
    for _ in range(min(4, len(events) // 3)):  # delete shots and close the gap
        i = rng.randrange(len(events))
        gone = events.pop(i)
        events[i:] = [
            replace(
                e, record_in=e.record_in - gone.duration, record_out=e.record_out - gone.duration
            )
            for e in events[i:]
        ]
    if len(events) > 4:  # swap two shots' order
        a, b = events[1], events[3]
        events[1] = replace(b, record_in=a.record_in, record_out=a.record_in + b.duration)
    events = [e for e in events if e.record_out > e.record_in]
    events.sort(key=lambda e: e.record_in)
    new = replace(cut, events=tuple(events), audio_events=(), hits=())
    old_path, new_path = tmp_path / "old.edl", tmp_path / "new.edl"
    old_path.write_text(write_edl(replace(cut, audio_events=(), hits=())))
    new_path.write_text(write_edl(new))
    assert _agree(old_path, new_path, float(cut.rate.fps)) > 0
