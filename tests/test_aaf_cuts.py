"""AAFs written with pyaaf2 (through the OTIO AAF adapter's writer), read back as cuts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from edl.changes import compare
from edl.cut import Cut, Transition
from edl.io import read_cut

otio = pytest.importorskip("opentimelineio")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _write_aaf(cut: Cut, path: Path) -> None:
    """The cut's picture as an Avid-style AAF: composition, master clips, source timecode."""
    from edl.otio_io import cut_to_timeline

    timeline = cut_to_timeline(cut)
    for clip in timeline.find_clips():
        start = clip.source_range.start_time
        clip.media_reference.available_range = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, start.rate),
            otio.opentime.RationalTime(start.value + clip.source_range.duration.value, start.rate),
        )
    otio.adapters.write_to_file(timeline, str(path), adapter_name="AAF", use_empty_mob_ids=True)


def _picture(cut: Cut) -> Cut:
    events = tuple(replace(e, transition=Transition()) for e in cut.events)
    return replace(cut, events=events, audio_events=(), hits=())


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cut, Cut, Path, Path]:
    folder = tmp_path_factory.mktemp("aaf")
    v1 = _picture(read_cut(SAMPLES / "reel1_v1.edl", None))
    v2 = _picture(read_cut(SAMPLES / "reel1_v2.edl", v1.rate))
    _write_aaf(v1, folder / "v1.aaf")
    _write_aaf(v2, folder / "v2.aaf")
    return v1, v2, folder / "v1.aaf", folder / "v2.aaf"


def test_written_aaf_reads_back_with_record_and_source_times(versions) -> None:  # noqa: ANN001
    v1, _, path, _ = versions
    cut = read_cut(path)
    assert cut.rate == v1.rate
    assert [(e.record_in, e.record_out) for e in cut.events] == [
        (e.record_in, e.record_out) for e in v1.events
    ]
    assert [e.source_in for e in cut.events] == [e.source_in for e in v1.events]


def test_diff_and_conform_across_edl_and_aaf(versions, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from helpers import run_cli

    v1, v2, v1_aaf, v2_aaf = versions
    from_aaf = compare(read_cut(v1_aaf), read_cut(v2_aaf))
    from_edl = compare(v1, v2, "clip")
    key = lambda c: [(s.kind, s.old_start, s.old_end, s.new_start, s.new_end) for s in c.segments]  # noqa: E731
    assert key(compare(v1, read_cut(v2_aaf), "clip")) == key(from_edl)
    assert key(from_aaf) == key(from_edl)
    code, out, err = run_cli(
        monkeypatch, capsys, "conform", str(SAMPLES / "reel1_v1.edl"), str(v2_aaf),
        "--cues", str(SAMPLES / "cues.csv"), "--rate", "23.976", "--match", "clip",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "out" / "changes.json").exists()
