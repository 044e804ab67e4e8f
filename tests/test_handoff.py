"""Stems and the handoff package, read back with independent readers."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf
from audiogen import cue_stems
from helpers import run_cli

from edl.cmx3600 import read_edl
from edl.rate import parse_rate
from edl.timecode import frames_to_samples, parse_timecode
from temp_library.audio.bwf import Audio, write_audio

RATE = parse_rate("23.976")
SR = 48000
CUT = """TITLE: REEL 1 LOCKED
FCM: NON-DROP FRAME
001  A001     V     C        10:00:00:00 10:00:10:00 01:00:00:00 01:00:10:00
002  A002     V     C        11:00:00:00 11:00:10:00 01:00:10:00 01:00:20:00
003  A003     V     C        12:00:00:00 12:00:10:00 01:00:20:00 01:00:30:00
"""
CUT_V2 = """TITLE: REEL 1 v2
FCM: NON-DROP FRAME
001  A001     V     C        10:00:00:00 10:00:10:00 01:00:00:00 01:00:10:00
002  A002     V     C        11:00:00:00 11:00:04:00 01:00:10:00 01:00:14:00
003  A002     V     C        11:00:06:00 11:00:10:00 01:00:14:00 01:00:18:00
004  A003     V     C        12:00:00:00 12:00:10:00 01:00:18:00 01:00:28:00
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "v1.edl").write_text(CUT)
    (root / "v2.edl").write_text(CUT_V2)
    (root / "audio").mkdir()
    rows = ["cue,title,start,end,stems,composer,publisher,pro,share,usage"]
    for number, start, seconds, seed in (
        ("1M1", "01:00:02:00", 14, 1),
        ("1M2", "01:00:21:00", 6, 2),
    ):
        stems = cue_stems(SR, seconds, 110, seed)
        refs = []
        for name, samples in stems.items():
            path = root / "audio" / f"{number}_{name}.wav"
            write_audio(path, Audio(samples * 0.8, SR))
            refs.append(f"{name}=audio/{path.name}")
        mix = sum(stems.values()) * 0.8
        write_audio(root / "audio" / f"{number}_mix.wav", Audio(mix, SR, "FLOAT"))
        end_frame = parse_timecode(start, RATE) + round(seconds * 24)
        end = f"01:00:{(end_frame - 86400) // 24:02d}:{(end_frame - 86400) % 24:02d}"
        rights = "Ana Reyes,Lighthouse,ASCAP,100,BI" if number == "1M1" else ",,,,BI"
        rows.append(f"{number},Cue {number},{start},{end},{';'.join(refs)},{rights}")
    (root / "cues.csv").write_text("\n".join(rows) + "\n")
    return root


def _time_reference(path: Path) -> int:
    raw = path.read_bytes()
    at = raw.index(b"bext") + 8
    low, high = struct.unpack("<II", raw[at + 338 : at + 346])
    return low | (high << 32)


def test_per_cue_package_reads_back_everywhere(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    conformed = tmp_path / "conformed"
    code, _, _ = run_cli(
        monkeypatch,
        capsys,
        "conform",
        str(project / "v1.edl"),
        str(project / "v2.edl"),
        "--cues",
        str(project / "cues.csv"),
        "--rate",
        "23.976",
        "--out",
        str(conformed),
    )
    assert code == 0
    # conform rewrote the stem paths relative to conformed/cues.csv: hand off from there
    package = tmp_path / "package"
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(conformed / "cues.csv"),
        "--cut",
        str(project / "v2.edl"),
        "--rate",
        "23.976",
        "--out",
        str(package),
    )
    assert code == 0, err
    stems = sorted(p.name for p in (package / "stems").iterdir())
    assert "1M1_Cue1M1_Drums.wav" in stems and len(stems) == 6
    # BWF time stamps by a plain chunk parser: 1M1 starts at 01:00:02:00 in v2
    start = parse_timecode("01:00:02:00", RATE)
    drums = package / "stems" / "1M1_Cue1M1_Drums.wav"
    assert _time_reference(drums) == frames_to_samples(start, RATE, SR)
    assert sf.info(str(drums)).subtype == "PCM_24" and sf.info(str(drums)).samplerate == SR
    # OTIO
    timeline = otio.adapters.read_from_file(str(package / "timeline" / "music.otio"))
    clip = next(c for c in timeline.find_clips() if c.name == drums.name)
    placed = clip.range_in_parent().start_time + timeline.global_start_time
    assert placed.rate == SR and placed.value == frames_to_samples(start, RATE, SR)
    # EDL per stem, with our reader and with pycmx
    edl = package / "timeline" / "Drums.edl"
    ours = read_edl(edl, RATE)
    assert [e.record_in for e in ours.audio_events][0] == start
    import pycmx

    with open(edl) as handle:
        theirs = [ed.record_in for ev in pycmx.parse_cmx3600(handle).events for ed in ev.edits]
    assert theirs[0] == "01:00:02:00"
    # AAF with pyaaf2: a top-level composition, a track per channel, clips link the files
    import aaf2

    with aaf2.open(str(package / "timeline" / "music.aaf"), "r") as aaf:
        comp = next(aaf.content.toplevel())
        sound = [s for s in comp.slots if s.media_kind == "Sound"]
        assert len(sound) == 3 * 2  # three stems, stereo, one track per channel
        first = [c for c in sound[0].segment.components]
        clips = [c for c in first if isinstance(c, aaf2.components.SourceClip)]
        assert clips and clips[0].mob.name.startswith("1M1_Cue1M1_")
        locators = [
            str(loc["URLString"].value)
            for m in aaf.content.sourcemobs()
            if m.descriptor is not None and "Locator" in m.descriptor.keys()
            for loc in m.descriptor["Locator"]
        ]
        assert any(url.endswith("1M1_Cue1M1_Bass.wav") for url in locators)
    # manifest, checked by md5sum itself, and by verify
    result = subprocess.run(
        ["md5sum", "-c", "--quiet", "MANIFEST.md5"], cwd=package, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    code, out, err = run_cli(monkeypatch, capsys, "verify", str(package))
    assert code == 0 and "all" in out, err
    for name in ("cuesheet.csv", "loudness.csv", "changes.csv", "report.html", "README.txt"):
        assert (package / name).is_file(), name
    html = (package / "report.html").read_text()
    assert "<svg" in html and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_rendered_stems_sum_to_the_rendered_mix(project: Path, tmp_path: Path) -> None:
    from conform.cues.placed import StemCue, read_stem_cues
    from conform.handoff.stems import RenderSettings, load_stems, render_cue

    cues = read_stem_cues(project / "cues.csv", RATE)
    cue = cues[0]
    parts = (
        cue.parts[0].__class__(1, cue.start, cue.start + 100, 0),
        cue.parts[0].__class__(2, cue.start + 100, cue.start + 200, SR * 6),
    )
    split = StemCue(cue.number, cue.title, "changed", parts, cue.stems)
    settings = RenderSettings()
    _, stems = render_cue(split, load_stems(split, settings), RATE, settings)
    mix_cue = StemCue(
        cue.number, cue.title, "changed", parts, {"mix": project / "audio" / "1M1_mix.wav"}
    )
    _, mix = render_cue(mix_cue, load_stems(mix_cue, settings), RATE, settings)
    difference = np.max(np.abs(sum(stems.values()) - mix["mix"]))
    assert 20 * np.log10(difference + 1e-12) < -90


def test_reel_layout_with_two_pop_and_multi_mono(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    package = tmp_path / "reel"
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(project / "cues.csv"),
        "--cut",
        str(project / "v1.edl"),
        "--rate",
        "23.976",
        "--out",
        str(package),
        "--stems-layout",
        "reel",
        "--two-pop",
        "--multi-mono",
        "--reel",
        "R1",
    )
    assert code == 0, err
    names = sorted(p.name for p in (package / "stems").iterdir())
    assert names == [f"R1_{s}.{c}.wav" for s in ("Bass", "Drums", "Pad") for c in ("L", "R")]
    left = package / "stems" / "R1_Drums.L.wav"
    data, _ = sf.read(str(left))
    ffoa = parse_timecode("01:00:00:00", RATE)
    origin = frames_to_samples(ffoa - 72, RATE, SR)
    assert _time_reference(left) == origin
    pop = frames_to_samples(ffoa - 48, RATE, SR) - origin
    one_frame = frames_to_samples(ffoa - 47, RATE, SR) - origin - pop
    assert np.max(np.abs(data[pop : pop + one_frame])) == pytest.approx(0.1, abs=0.002)
    assert (
        np.max(np.abs(data[:pop])) == 0
        and np.max(np.abs(data[pop + one_frame : pop + one_frame + 2000])) == 0
    )
    code, _, _ = run_cli(monkeypatch, capsys, "verify", str(package))
    assert code == 0


def test_verify_finds_a_changed_file(project: Path, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    package = tmp_path / "p"
    run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(project / "cues.csv"),
        "--cut",
        str(project / "v1.edl"),
        "--rate",
        "23.976",
        "--out",
        str(package),
    )
    (package / "cuesheet.csv").write_text("changed\n")
    code, _, err = run_cli(monkeypatch, capsys, "verify", str(package))
    assert code == 1 and "cuesheet.csv" in err


def test_bad_input_is_one_line_and_leaves_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    bad = tmp_path / "cues.csv"
    bad.write_text(
        "cue,title,start,end,stems\n1M1,x,01:00:02:00,01:00:08:00,"
        f"a={project / 'audio' / '1M1_drums.wav'};b={tmp_path / 'missing.wav'}\n"
    )
    package = tmp_path / "out"
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(bad),
        "--cut",
        str(project / "v1.edl"),
        "--rate",
        "23.976",
        "--out",
        str(package),
    )
    assert code == 2 and "missing" in err and not package.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    short = tmp_path / "short.wav"
    write_audio(short, Audio(np.zeros((SR, 2), np.float32), SR))
    bad.write_text(
        "cue,title,start,end,stems\n1M1,x,01:00:02:00,01:00:08:00,"
        f"a={project / 'audio' / '1M1_drums.wav'};b={short}\n"
    )
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(bad),
        "--cut",
        str(project / "v1.edl"),
        "--rate",
        "23.976",
        "--out",
        str(package),
    )
    assert code == 2 and "differ in length" in err and not package.exists()
    package.mkdir()
    (package / "x").write_text("mine")
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "handoff",
        str(project / "cues.csv"),
        "--cut",
        str(project / "v1.edl"),
        "--rate",
        "23.976",
        "--out",
        str(package),
    )
    assert code == 2 and "--force" in err and (package / "x").read_text() == "mine"
