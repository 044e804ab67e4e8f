"""Every file in tests/data/corpus gives a cut whose record times match the list, or one error."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from edl.errors import CutError
from edl.io import read_cut

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


class Error(NamedTuple):
    """The reader must stop at this line with a cause that contains this text."""

    line: int | None
    cause: str


# (rate chosen by --rate auto, picture events, audio events, hits, first record tc, end tc)
EXPECTED: dict[str, tuple[str, int, int, int, str, str] | Error] = {
    "aaf/otio-aaf-adapter/2997fps-DFTC.aaf": ("29.97 DF", 1, 6, 0, "05:00:00;00", "05:01:39;21"),
    "aaf/otio-aaf-adapter/30fps.aaf": ("30", 2, 4, 0, "01:00:00:00", "01:00:05:08"),
    "aaf/otio-aaf-adapter/duplicates.aaf": ("24", 4, 0, 0, "01:00:00:00", "01:01:04:22"),
    "aaf/otio-aaf-adapter/linear_speed_effects.aaf": ("24", 20, 0, 0, "01:00:00:00", "01:00:02:02"),
    "aaf/otio-aaf-adapter/multiple_markers.aaf": ("24", 22, 0, 3, "01:00:00:00", "01:01:34:19"),
    "aaf/otio-aaf-adapter/multitrack.aaf": ("24", 5, 16, 2, "01:00:00:00", "01:01:51:13"),
    "aaf/otio-aaf-adapter/one_audio_clip.aaf": ("24", 0, 1, 0, "01:00:00:00", "01:00:30:00"),
    "aaf/otio-aaf-adapter/one_clip.aaf": ("24", 1, 1, 2, "01:00:00:00", "01:00:00:10"),
    "aaf/otio-aaf-adapter/simple.aaf": ("24", 5, 10, 0, "01:00:00:00", "01:02:16:18"),
    "aaf/otio-aaf-adapter/timecode_test.aaf": ("24", 2, 0, 0, "01:00:00:00", "01:00:02:00"),
    "aaf/otio-aaf-adapter/transitions.aaf": ("24", 4, 8, 0, "01:00:00:00", "01:00:21:17"),
    "aaf/otio-aaf-adapter/trims.aaf": ("24", 5, 10, 0, "01:00:00:00", "01:01:56:13"),
    "aaf/otio-aaf-adapter/utf8.aaf": ("24", 1, 1, 2, "01:00:00:00", "01:00:00:10"),
    "aaf/pyaaf2/protools_12.8_export.aaf": Error(None, "48000 is not a standard film or TV rate"),
    "edl/otio-cmx3600-adapter/25fps.edl": ("25", 4, 0, 0, "00:00:00:00", "00:00:19:21"),
    "edl/otio-cmx3600-adapter/avid_example.edl": ("23.976", 2, 0, 0, "00:59:53:11", "00:59:56:20"),
    "edl/otio-cmx3600-adapter/cdl.edl": ("23.976", 2, 0, 0, "00:00:00:00", "00:00:02:14"),
    "edl/otio-cmx3600-adapter/dissolve_test.edl": ("23.976", 3, 0, 0, "01:00:00:00", "01:00:00:20"),
    "edl/otio-cmx3600-adapter/dissolve_test_2.edl": (
        "23.976",
        3,
        0,
        0,
        "01:00:00:00",
        "01:00:00:20",
    ),
    "edl/otio-cmx3600-adapter/dissolve_test_3.edl": (
        "23.976",
        3,
        0,
        0,
        "01:00:00:00",
        "01:00:05:17",
    ),
    "edl/otio-cmx3600-adapter/dissolve_test_4.edl": (
        "23.976",
        6,
        0,
        0,
        "01:04:11:17",
        "01:04:31:14",
    ),
    "edl/otio-cmx3600-adapter/dissolve_test_fail.edl": (
        "23.976",
        3,
        0,
        0,
        "01:00:00:00",
        "01:00:00:20",
    ),
    "edl/otio-cmx3600-adapter/enabled.otio": ("24", 3, 0, 0, "00:00:00:00", "00:00:00:06"),
    "edl/otio-cmx3600-adapter/gap_test.edl": ("23.976", 3, 0, 0, "00:00:00:00", "00:00:05:06"),
    "edl/otio-cmx3600-adapter/multi_audio.edl": ("23.976", 0, 1, 0, "00:00:00:00", "00:56:55:22"),
    "edl/otio-cmx3600-adapter/no_spaces_test.edl": (
        "23.976",
        9,
        0,
        3,
        "00:59:53:11",
        "01:00:37:04",
    ),
    "edl/otio-cmx3600-adapter/nucoda_example.edl": (
        "23.976",
        2,
        0,
        0,
        "00:59:53:11",
        "00:59:56:20",
    ),
    "edl/otio-cmx3600-adapter/premiere_example.edl": (
        "23.976",
        2,
        0,
        0,
        "00:59:53:11",
        "00:59:56:20",
    ),
    "edl/otio-cmx3600-adapter/screening_example.edl": (
        "23.976",
        9,
        0,
        3,
        "00:59:53:11",
        "01:00:37:04",
    ),
    "edl/otio-cmx3600-adapter/speed_effects.edl": (
        "23.976",
        548,
        0,
        0,
        "01:00:00:00",
        "01:21:03:18",
    ),
    "edl/otio-cmx3600-adapter/speed_effects_small.edl": (
        "23.976",
        5,
        0,
        0,
        "01:00:00:00",
        "01:11:33:04",
    ),
    "edl/otio-cmx3600-adapter/timecode_mismatch.edl": (
        "25",
        20,
        0,
        0,
        "00:00:00:00",
        "00:01:11:14",
    ),
    "edl/otio-cmx3600-adapter/transition_duration.edl": (
        "23.976",
        4,
        0,
        0,
        "01:00:48:20",
        "01:01:05:20",
    ),
    "edl/otio-cmx3600-adapter/wipe_test.edl": ("23.976", 3, 0, 0, "01:00:00:00", "01:00:00:20"),
    "edl/pycmx/INS4_R1_010417.edl": ("23.976", 287, 0, 0, "01:00:00:00", "01:19:18:13"),
    "edl/pycmx/INS4_R1_DX_092117.edl": ("23.976", 0, 466, 3, "01:00:00:00", "01:18:14:13"),
    "edl/pycmx/INS4_R2_DX_092117.edl": ("23.976", 0, 458, 0, "02:00:00:00", "02:20:49:04"),
    "edl/pycmx/INS4_R3_DX_092117.edl": ("23.976", 0, 475, 0, "03:00:00:00", "03:20:30:15"),
    "edl/pycmx/INS4_R4_DX_092117.edl": ("23.976", 0, 575, 0, "04:00:00:00", "04:22:48:14"),
    "edl/pycmx/INS4_R5_DX_092117.edl": ("23.976", 0, 525, 3, "05:00:00:00", "05:18:06:08"),
    "edl/pycmx/ISSUE_14_conform_edl_issue_01.edl": (
        "23.976",
        3,
        0,
        0,
        "01:00:06:20",
        "01:01:42:14",
    ),
    "edl/pycmx/ISSUE_14_conform_edl_issue_02.edl": (
        "23.976",
        10,
        0,
        0,
        "02:04:48:10",
        "02:18:32:23",
    ),
    "edl/pycmx/ISSUE_14_conform_edl_issue_03.edl": (
        "23.976",
        42,
        0,
        0,
        "01:00:20:23",
        "01:12:23:19",
    ),
    "edl/pycmx/ISSUE_19_unusual01.edl": ("23.976", 38, 0, 0, "00:00:00:00", "00:02:51:09"),
    "edl/pycmx/STP R1 v082517.edl": ("23.976", 250, 0, 0, "01:00:00:00", "01:16:57:20"),
    "edl/pycmx/TEST.edl": ("23.976", 0, 120, 0, "01:00:00:00", "01:16:55:17"),
    "edl/pycmx/ToD_R4_LOCK3.1_030618_Video.edl": (
        "23.976",
        376,
        0,
        0,
        "04:00:00:00",
        "04:20:12:01",
    ),
    "edl/pycmx/adobe_dai109_test.txt": Error(19, "event 004 ends (00:00:00:00) b"),
    "edl/pycmx/cdl_example01.edl": ("23.976", 39, 0, 37, "02:13:08:12", "02:14:52:08"),
    "edl/pycmx/cdl_example02.cdl": ("23.976", 3, 0, 0, "03:09:09:03", "03:10:01:05"),
    "edl/pycmx/cdl_frmc_example01.edl": ("23.976", 1, 0, 0, "01:00:00:00", "01:00:04:06"),
    "edl/pycmx/cdl_frmc_example02.edl": ("23.976", 25, 0, 0, "01:00:00:00", "01:04:43:04"),
    "edl/pycmx/test_24psf.edl": ("25", 7, 3, 0, "00:00:00:00", "00:02:40:22"),
    "edl/pycmx/test_25.edl": ("25", 7, 4, 0, "00:00:00:00", "00:02:40:22"),
    "edl/pycmx/test_edl_cdl.edl": ("23.976", 3, 0, 3, "01:00:00:00", "01:00:06:00"),
    "edl/sg-otio/20200121_BB_R1_FF3_v2_TEST.edl": (
        "23.976",
        32,
        0,
        0,
        "01:04:15:03",
        "01:18:43:07",
    ),
    "edl/sg-otio/DD_509_LOCKED_VFX_LINK.edl": ("23.976", 3, 0, 1, "01:00:45:00", "01:01:17:16"),
    "edl/sg-otio/ER_00119.edl": ("23.976", 6, 0, 6, "01:01:02:17", "01:01:10:16"),
    "edl/sg-otio/ER_00119_with_comments.edl": ("23.976", 6, 0, 6, "01:01:02:17", "01:01:10:16"),
    "edl/sg-otio/FINALSCHECK_EDL_TEST_140318-2.edl": (
        "23.976",
        245,
        0,
        0,
        "00:00:00:00",
        "00:14:52:22",
    ),
    "edl/sg-otio/FINALSCHECK_EDL_TEST_140318.edl": (
        "23.976",
        245,
        0,
        0,
        "00:00:00:00",
        "00:14:52:22",
    ),
    "edl/sg-otio/HSM_SATL_v001_shotNameNote.edl": ("23.976", 5, 0, 0, "00:00:00:00", "00:00:03:18"),
    "edl/sg-otio/JA_DIEDL_SG_TEST_140212.edl": ("23.976", 6, 0, 2, "09:00:00:00", "09:03:44:01"),
    "edl/sg-otio/R7v26.0_Turnover001_WiP_VFX__1_.edl": (
        "23.976",
        32,
        0,
        0,
        "07:00:00:00",
        "07:02:21:06",
    ),
    "edl/sg-otio/SR001.edl": ("23.976", 1, 0, 1, "00:00:00:00", "00:00:04:06"),
    "edl/sg-otio/SR002.edl": ("23.976", 1, 0, 1, "00:00:00:00", "00:00:04:06"),
    "edl/sg-otio/SR_008.edl": ("23.976", 2, 0, 2, "01:03:33:20", "01:03:42:03"),
    "edl/sg-otio/SR_010.edl": ("23.976", 39, 0, 39, "01:00:00:00", "01:03:24:03"),
    "edl/sg-otio/SR_011.edl": ("23.976", 1, 0, 1, "01:00:00:00", "01:00:05:10"),
    "edl/sg-otio/audio-at-end.edl": ("23.976", 2, 2, 0, "00:00:00:00", "01:50:52:21"),
    "edl/sg-otio/audio-follows-video.edl": ("23.976", 2, 0, 0, "00:00:00:00", "01:50:52:21"),
    "edl/sg-otio/audio-separately.edl": ("23.976", 2, 2, 0, "00:00:00:00", "01:50:52:21"),
    "edl/sg-otio/black_slug_avid1.edl": ("23.976", 7, 0, 5, "01:01:10:22", "01:01:23:23"),
    "edl/sg-otio/black_slug_avid2.edl": ("23.976", 601, 0, 90, "01:00:00:00", "01:50:22:05"),
    "edl/sg-otio/black_slug_fcp.edl": Error(1315, "event 413 ends (00:59:50:00) b"),
    "edl/sg-otio/cut_import_example.edl": ("23.976", 32, 0, 32, "07:00:00:00", "07:02:21:06"),
    "edl/sg-otio/duplicate_cut_items.edl": ("23.976", 3, 0, 0, "07:00:00:00", "07:00:18:16"),
    "edl/sg-otio/jrun_demo_absolute_frames1.edl": ("23.976", 3, 0, 0, "00:00:00:00", "00:00:04:12"),
    "edl/sg-otio/jrun_demo_absolute_frames2.edl": ("23.976", 3, 0, 1, "00:00:00:00", "00:00:04:08"),
    "edl/sg-otio/jrun_demo_relative_frames1.edl": ("23.976", 3, 0, 0, "00:00:00:00", "00:00:04:12"),
    "edl/sg-otio/jrun_demo_relative_frames2.edl": ("23.976", 3, 0, 1, "00:00:00:00", "00:00:04:08"),
    "edl/sg-otio/konmari_relative1.edl": ("23.976", 2, 0, 0, "00:00:00:00", "00:00:03:15"),
    "edl/sg-otio/pxy5.edl": ("23.976", 2, 0, 0, "00:00:00:00", "00:00:04:13"),
    "edl/sg-otio/raphe_temp1_rfe_R01_v01_TRANSITIONS.edl": (
        "23.976",
        4,
        0,
        0,
        "01:00:03:14",
        "01:00:23:14",
    ),
    "edl/sg-otio/scan_request_test.edl": ("23.976", 4, 0, 4, "01:00:00:00", "01:44:39:21"),
    "otio/opentimelineio/big_int.otio": ("24", 1, 0, 0, "00:00:00:00", "00:00:01:00"),
    "otio/opentimelineio/clip_example.otio": ("24", 1, 0, 0, "00:00:00:08", "00:00:00:11"),
    "otio/opentimelineio/effects.otio": ("24", 20, 17, 0, "01:00:00:00", "01:00:46:21"),
    "otio/opentimelineio/generator_reference_test.otio": (
        "24",
        1,
        0,
        0,
        "00:00:00:00",
        "00:00:02:02",
    ),
    "otio/opentimelineio/multiple_track.otio": ("24", 5, 0, 0, "00:00:00:00", "00:00:00:19"),
    "otio/opentimelineio/multitrack.otio": ("24", 5, 0, 0, "00:00:00:00", "00:01:51:13"),
    "otio/opentimelineio/nested_example.otio": ("24", 7, 0, 0, "00:00:00:00", "00:00:26:12"),
    "otio/opentimelineio/preflattened.otio": ("24", 5, 0, 0, "00:00:00:00", "00:01:51:13"),
    "otio/opentimelineio/premiere_example.otio": ("30", 8, 7, 4, "00:00:00:13", "00:00:41:16"),
    "otio/opentimelineio/screening_example.otio": ("24", 9, 0, 3, "00:00:00:00", "00:00:43:17"),
    "otio/opentimelineio/simple_cut.otio": ("24", 4, 0, 0, "00:00:00:00", "00:00:00:19"),
    "otio/opentimelineio/transition.otio": ("24", 4, 0, 0, "00:00:00:00", "00:00:00:19"),
    "otio/opentimelineio/transition_test.otio": ("24", 3, 0, 0, "00:00:00:00", "00:00:06:06"),
}


def corpus_files() -> list[str]:
    skip = {"LICENSE", "LICENSE.txt", "README.md"}
    # This table is for EDL and OTIO; the AAF files are read by the AAF tests.
    return sorted(
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name not in skip
    )


def test_every_corpus_file_has_an_expectation() -> None:
    assert corpus_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_reads_as_expected(name: str) -> None:
    expected = EXPECTED[name]
    if isinstance(expected, Error):
        with pytest.raises(CutError) as caught:
            read_cut(CORPUS / name)
        message = str(caught.value)
        assert caught.value.line == expected.line
        assert expected.cause in caught.value.cause
        assert name.split("/")[-1] in message and "\n" not in message
        return
    cut = read_cut(CORPUS / name)
    rate, picture, audio, hits, first, end = expected
    assert str(cut.rate) == rate
    assert (len(cut.events), len(cut.audio_events), len(cut.hits)) == (picture, audio, hits)
    assert cut.timecode(cut.record_start) == first
    assert cut.timecode(cut.record_end) == end


EDLS = [n for n in sorted(EXPECTED) if n.startswith("edl/") and not isinstance(EXPECTED[n], Error)]
EDLS = [n for n in EDLS if not n.endswith(".otio")]


@pytest.mark.parametrize("name", EDLS)
def test_every_event_keeps_the_record_times_of_its_line(name: str) -> None:
    path = CORPUS / name
    lines = path.read_bytes().decode("latin-1").splitlines()
    cut = read_cut(path)
    for event in (*cut.events, *cut.audio_events):
        assert event.line is not None
        tokens = lines[event.line - 1].split()
        record_in, record_out = tokens[-2], tokens[-1]
        if ":" in record_in:
            assert cut.timecode(event.record_in).replace(";", ":") == record_in.replace(";", ":")
            assert cut.timecode(event.record_out).replace(";", ":") == record_out.replace(";", ":")
        else:
            assert (event.record_in, event.record_out) == (int(record_in), int(record_out))


# pycmx, read independently, gives the same record ranges for picture, except where it
# cannot read the list or pairs transitions differently (checked by hand, noted here).
PYCMX_DIFFERS = {
    "edl/otio-cmx3600-adapter/dissolve_test_4.edl": "drops the first event of the list",
    "edl/otio-cmx3600-adapter/transition_duration.edl": "drops the first event of the list",
    "edl/otio-cmx3600-adapter/wipe_test.edl": "drops the wipe's incoming event",
    "edl/pycmx/ISSUE_19_unusual01.edl": "reads no events from four-digit event numbers",
    "edl/sg-otio/ER_00119.edl": "reads no events from CR-only line ends",
    "edl/sg-otio/ER_00119_with_comments.edl": "reads no events from CR-only line ends",
    "edl/sg-otio/scan_request_test.edl": "reads no events from six-digit event numbers",
}


@pytest.mark.parametrize("name", [n for n in EDLS if n not in PYCMX_DIFFERS])
def test_record_ranges_agree_with_pycmx(name: str) -> None:
    pycmx = pytest.importorskip("pycmx")
    with open(CORPUS / name, encoding="latin-1") as handle:
        theirs = sorted(
            (edit.record_in, edit.record_out)
            for event in pycmx.parse_cmx3600(handle).events
            for edit in event.edits
            if edit.channels.video and edit.record_in != edit.record_out
        )
    cut = read_cut(CORPUS / name)
    ours = sorted(
        (cut.timecode(e.record_in), cut.timecode(e.record_out)) for e in cut.events if e.duration
    )
    assert ours == theirs


def test_aaf_source_timecode_clip_names_and_markers() -> None:
    cut = read_cut(CORPUS / "aaf/otio-aaf-adapter/one_clip.aaf")
    event = cut.events[0]
    assert event.reel == "ppjoshm_1 (SIM1)" and cut.timecode(event.source_in) == "01:00:04:05"
    assert len(cut.hits) == 2
    trims = read_cut(CORPUS / "aaf/otio-aaf-adapter/trims.aaf")
    assert [e.clip_name for e in trims.events][:2] == [
        "tech.fux (loop)-HD.mp4",
        "t-hawk (loop)-HD.mp4",
    ]


def test_aaf_versions_diff_and_conform_across_formats(tmp_path: Path) -> None:
    from edl.changes import compare
    from edl.cmx3600 import read_edl, write_edl

    simple = read_cut(CORPUS / "aaf/otio-aaf-adapter/simple.aaf")
    trims = read_cut(CORPUS / "aaf/otio-aaf-adapter/trims.aaf")
    (tmp_path / "simple.edl").write_text(write_edl(simple))
    from_edl = read_edl(tmp_path / "simple.edl", simple.rate)
    # old as an EDL, new as an AAF: the same change list as AAF against AAF
    key = lambda c: [(s.kind, s.old_start, s.old_end, s.new_start, s.new_end) for s in c.segments]  # noqa: E731
    assert key(compare(from_edl, trims)) == key(compare(simple, trims))
    assert {s.kind for s in compare(from_edl, simple).segments} == {"same"}
    kinds = [s.kind for s in compare(simple, trims).segments]
    assert kinds.count("deleted") == 5 and "same" in kinds and "shifted" in kinds
