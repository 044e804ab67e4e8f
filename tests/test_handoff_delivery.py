"""The handoff as a mix stage receives it: read by tools we did not write, safe under
hostile names, interruption and a second run, and the same bytes every time."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st

from edl.rate import parse_rate
from edl.timecode import format_timecode, frames_to_samples, parse_timecode
from temp_library.audio.bwf import Audio, write_audio

SR = 48000
ROOT = Path(__file__).resolve().parents[1]
MCONFORM = str(Path(sys.executable).parent / "mconform")


def _project(root: Path, rate_text: str, channels: dict[str, int], overlap: bool = True) -> Path:
    """A cut and a cue list whose cues overlap (when asked), stems of the given widths."""
    rate = parse_rate(rate_text)
    base = rate.timecode_base
    hour = parse_timecode("01:00:00:00" if not rate.drop else "01:00:00;00", rate)
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    edl = [f"TITLE: GEN {rate_text}", "FCM: DROP FRAME" if rate.drop else "FCM: NON-DROP FRAME"]
    edl.append(f"001  A001     V     C        {tc(hour)} {tc(hour + 20 * base)} "
               f"{tc(hour)} {tc(hour + 20 * base)}")  # fmt: skip
    (root / "cut.edl").write_text("\n".join(edl) + "\n")
    rows = ["cue,title,start,end,stems,sync"]
    spans = [(1, 2, 7), (2, 5 if overlap else 9, 12), (3, 14, 18)]
    rng = np.random.default_rng(7)
    for n, a, b in spans:
        refs = []
        frames = frames_to_samples(hour + b * base, rate, SR) - frames_to_samples(
            hour + a * base, rate, SR
        )
        for stem, width in channels.items():
            data = np.clip(0.1 * rng.standard_normal((frames, width)), -0.9, 0.9).astype(np.float32)
            path = root / f"c{n}_{stem}.wav"
            write_audio(path, Audio(data, SR))
            refs.append(f"{stem}={path.name}")
        sync = tc(hour + a * base + base)
        rows.append(f"1M{n},Cue {n},{tc(hour + a * base)},{tc(hour + b * base)},"
                    f"{';'.join(refs)},hit={sync}")  # fmt: skip
    (root / "cues.csv").write_text("\n".join(rows) + "\n")
    return root


def _handoff(monkeypatch, capsys, project: Path, out: Path, rate: str, *extra: str):  # noqa: ANN001, ANN202
    return run_cli(monkeypatch, capsys, "handoff", str(project / "cues.csv"), "--cut",
                   str(project / "cut.edl"), "--rate", rate, "--out", str(out), *extra)  # fmt: skip


@pytest.mark.parametrize(
    "rate, channels, extra",
    [
        ("23.976", {"Strings": 2, "Pads": 6}, ()),
        ("24", {"Strings": 2}, ("--stems-layout", "reel", "--two-pop")),
        ("25", {"Pads": 6}, ("--multi-mono", "--channel-order", "film")),
        ("29.97DF", {"Strings": 2, "Bass": 1}, ("--stems-layout", "reel", "--multi-mono")),
    ],
)
def test_every_timeline_is_read_by_independent_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, rate: str, channels, extra
) -> None:  # noqa: ANN001
    project = _project(tmp_path, rate, channels)
    package = tmp_path / "package"
    code, _, err = _handoff(monkeypatch, capsys, project, package, rate, *extra)
    assert code == 0, err
    stems = sorted((package / "stems").glob("*.wav"))
    stamps = {p.name: _reference(p) for p in stems}
    # otio-aaf-adapter reads the AAF: every file at its record position, on its own track
    import otio_aaf_adapter.adapters.aaf_adapter  # noqa: F401 - registers the adapter

    aaf_timeline = otio.adapters.read_from_file(str(package / "timeline" / "music.aaf"))
    placed = {}
    start = aaf_timeline.global_start_time
    for track in aaf_timeline.audio_tracks():
        for clip in track.find_clips():
            url = clip.media_reference.target_url
            at = (clip.range_in_parent().start_time + start).rescaled_to(SR).value
            placed.setdefault(Path(url).name, set()).add(round(at))
    for name, stamp in stamps.items():
        assert placed.get(name) == {stamp}, name
    # pyaaf2 against the Pro Tools reference: edit rates, timecode, lengths, track numbers
    import aaf2

    fps = parse_rate(rate).fps
    with aaf2.open(str(package / "timeline" / "music.aaf"), "r") as aaf:
        ident = aaf.header["IdentificationList"].value[0]
        assert ident["ProductName"].value == "mconform"
        comp = next(aaf.content.toplevel())
        sound = [s for s in comp.slots if s.media_kind == "Sound"]
        assert [s["PhysicalTrackNumber"].value for s in sound] == list(range(1, len(sound) + 1))
        assert {s.segment.length for s in sound} == {sound[0].segment.length} != {0}
        tc_slot = next(s for s in comp.slots if s.media_kind == "Timecode")
        assert tc_slot.edit_rate == fps and tc_slot.segment.drop == parse_rate(rate).drop
        for mob in aaf.content.sourcemobs():
            if isinstance(mob.descriptor, aaf2.essence.TapeDescriptor):
                tc = next(s for s in mob.slots if s.media_kind == "Timecode")
                assert tc.edit_rate == fps and tc.segment.start == 0
            elif "Locator" in mob.descriptor.keys():
                url = str(mob.descriptor["Locator"][0]["URLString"].value)
                assert url.startswith("../stems/")
                assert mob.slots[0].segment.start == stamps[Path(url).name]
    # OTIO's own CMX adapter and pycmx read every EDL; no two events overlap on one list
    import pycmx

    for edl in sorted((package / "timeline").glob("*.edl")):
        cmx = otio.adapters.read_from_file(str(edl), rate=float(fps))
        assert len(list(cmx.find_clips())) >= 1
        with open(edl) as handle:
            events = [ed for ev in pycmx.parse_cmx3600(handle).events for ed in ev.edits]
        assert events
    # wavinfo reads bext v2 loudness and the iXML time stamp agreeing with TimeReference
    from wavinfo import WavInfoReader

    for path in stems[:3]:
        info = WavInfoReader(str(path))
        assert info.bext.version == 2 and info.bext.loudness_value < 0
        assert info.bext.max_true_peak > -30 and info.bext.originator_ref.startswith("MCF")
        xml = info.ixml.raw_xml
        hi = int(xml.find(".//TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI").text)
        lo = int(xml.find(".//TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO").text)
        assert (hi << 32) | lo == info.bext.time_reference == stamps[path.name]
        assert int(xml.find(".//TIMESTAMP_SAMPLE_RATE").text) == SR
        assert len(xml.findall(".//TRACK_LIST/TRACK")) == sf.info(str(path)).channels
    # the package moved elsewhere still verifies
    moved = tmp_path / "moved" / "elsewhere"
    moved.parent.mkdir()
    package.rename(moved)
    code, out, err = run_cli(monkeypatch, capsys, "verify", str(moved))
    assert code == 0, err


def _reference(path: Path) -> int:
    from temp_library.audio.bwf import parse_bext, read_chunks

    return parse_bext(read_chunks(path)["bext"]).time_reference


def test_overlapping_cues_go_on_further_lanes_in_every_timeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "23.976", {"Strings": 2})
    package = tmp_path / "p"
    assert _handoff(monkeypatch, capsys, project, package, "23.976")[0] == 0
    edls = sorted(p.name for p in (package / "timeline").glob("*.edl"))
    assert edls == ["Strings.edl", "Strings_2.edl"]
    timeline = otio.adapters.read_from_file(str(package / "timeline" / "music.otio"))
    assert [t.name for t in timeline.tracks] == ["Strings", "Strings 2"]
    assert len(list(timeline.find_clips())) == 3
    kinds = [m.metadata["mconform"]["kind"] for m in timeline.tracks.markers]
    assert kinds.count("cue") == 3 and kinds.count("sync") == 3


def test_deleting_a_clip_from_the_aaf_makes_verify_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    import aaf2

    project = _project(tmp_path, "24", {"Strings": 2})
    package = tmp_path / "p"
    assert _handoff(monkeypatch, capsys, project, package, "24")[0] == 0
    with aaf2.open(str(package / "timeline" / "music.aaf"), "rw") as aaf:
        comp = next(aaf.content.toplevel())
        components = comp.slots[0].segment.components
        clips = [i for i, c in enumerate(components) if isinstance(c, aaf2.components.SourceClip)]
        clip = clips[0]
        filler = aaf.create.Filler("sound", components[clip].length)
        components[clip] = filler
    _refresh_manifest(package)
    code, _, err = run_cli(monkeypatch, capsys, "verify", str(package))
    assert code == 1 and "music.aaf" in err


def _refresh_manifest(package: Path) -> None:
    """Re-seal the manifest, so only the timeline check can find the damage."""
    import json

    entries = json.loads((package / "MANIFEST.json").read_text())
    for e in entries:
        data = (package / e["path"]).read_bytes()
        e["md5"], e["size"] = hashlib.md5(data).hexdigest(), len(data)  # noqa: S324
    (package / "MANIFEST.json").write_text(json.dumps(entries))


@pytest.mark.parametrize("damage", ["manifest", "otio", "edl"])
def test_verify_reports_truncated_files_as_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, damage: str
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "25", {"Strings": 2}, overlap=False)
    package = tmp_path / "p"
    assert _handoff(monkeypatch, capsys, project, package, "25")[0] == 0
    path = {
        "manifest": package / "MANIFEST.json",
        "otio": package / "timeline" / "music.otio",
        "edl": package / "timeline" / "Strings.edl",
    }[damage]
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    if damage != "manifest":
        _refresh_manifest(package)
    code, _, err = run_cli(monkeypatch, capsys, "verify", str(package))
    # a damaged manifest leaves nothing to check against: bad input (2); else a failure (1)
    assert code == (2 if damage == "manifest" else 1) and "Traceback" not in err
    assert path.name in err


def test_hostile_names_stay_inside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "24", {"Strings": 2}, overlap=False)
    text = (project / "cues.csv").read_text().splitlines()
    text[1] = text[1].replace("1M1,Cue 1", '"../../../victim","A/B\nC"', 1)
    text[2] = text[2].replace("1M2,Cue 2", "1m2,..", 1).replace("Strings=", "../x=")
    text[3] = text[3].replace("1M3,Cue 3", "1M2,CON", 1)
    (project / "cues.csv").write_text("\n".join(text) + "\n")
    package = tmp_path / "deep" / "p"
    code, _, err = _handoff(monkeypatch, capsys, project, package, "24")
    assert code == 0, err
    assert not (tmp_path / "victim.wav").exists() and not list(tmp_path.glob("*victim*"))
    names = sorted(p.name for p in (package / "stems").iterdir())
    assert all("/" not in n and "\n" not in n and not n.startswith(".") for n in names)
    assert len(names) == 3 and any(n.startswith("victim_AB") for n in names)
    result = subprocess.run(["md5sum", "-c", "--quiet", "MANIFEST.md5"], cwd=package)
    assert result.returncode == 0


def test_the_same_inputs_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "23.976", {"Strings": 2})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    digests = []
    for name in ("a", "b"):
        package = tmp_path / name
        assert _handoff(monkeypatch, capsys, project, package, "23.976", "--multi-mono")[0] == 0
        files = [p for p in sorted(package.rglob("*")) if p.is_file()]
        digests.append({
            p.relative_to(package).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()  # noqa: S324
            for p in files if not p.relative_to(package).as_posix().startswith("ascmhl/")
        })  # fmt: skip
    assert digests[0] == digests[1] and "timeline/music.aaf" in digests[0]


def test_a_receiver_checks_the_asc_mhl_with_ascmhl_and_verify_still_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "24", {"Strings": 2}, overlap=False)
    package = tmp_path / "pkg"
    assert _handoff(monkeypatch, capsys, project, package, "24")[0] == 0
    ascmhl = str(Path(sys.executable).parent / "ascmhl")
    sealed = subprocess.run([ascmhl, "create", "-h", "xxh64", str(package)], capture_output=True)
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    assert len(list((package / "ascmhl").glob("*.mhl"))) == 2  # ours, then the receiver's
    code, _, err = run_cli(monkeypatch, capsys, "verify", str(package))
    assert code == 0, err
    (package / "cuesheet.csv").write_text("changed\n")
    damaged = subprocess.run([ascmhl, "create", "-h", "xxh64", str(package)], capture_output=True)
    assert damaged.returncode != 0


def test_refusals_and_warnings_instead_of_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    # handles reaching before midnight: refused by name, no struct.error
    project = _project(tmp_path, "24", {"Strings": 2, "Bass": 1}, overlap=False)
    cues = (project / "cues.csv").read_text().replace("01:00:", "00:00:")
    (project / "early.csv").write_text(cues)
    (project / "cut.edl").write_text((project / "cut.edl").read_text().replace("01:00:", "00:00:"))
    code, _, err = run_cli(monkeypatch, capsys, "handoff", str(project / "early.csv"), "--cut",
                           str(project / "cut.edl"), "--rate", "24", "--out",
                           str(tmp_path / "x"), "--handles", "72")  # fmt: skip
    assert code == 2 and "before 00:00:00:00" in err and not (tmp_path / "x").exists()
    # mixed channel counts in one cue (mono + stereo) are fine; the cue mix is measured
    code, _, err = run_cli(monkeypatch, capsys, "handoff", str(project / "early.csv"), "--cut",
                           str(project / "cut.edl"), "--rate", "24", "--out",
                           str(tmp_path / "y"))  # fmt: skip
    assert code == 0, err
    # a cue before the reel's first frame: reel stems start at the cue, with a warning
    lines = (project / "early.csv").read_text().splitlines()
    lines[1] = lines[1].replace("00:00:02:00", "00:00:00:12")
    (project / "before.csv").write_text("\n".join(lines) + "\n")
    (project / "late.edl").write_text(
        "TITLE: LATE\nFCM: NON-DROP FRAME\n"
        "001  A001     V     C        00:00:01:00 00:00:20:00 00:00:01:00 00:00:20:00\n"
    )
    code, _, err = run_cli(monkeypatch, capsys, "handoff", str(project / "before.csv"), "--cut",
                           str(project / "late.edl"), "--rate", "24", "--out",
                           str(tmp_path / "z"), "--stems-layout", "reel")  # fmt: skip
    assert code == 0 and "start before the reel's first frame" in err, err
    left = sf.info(str(tmp_path / "z" / "stems" / "R1_Strings.wav"))
    assert _reference(tmp_path / "z" / "stems" / "R1_Strings.wav") == 12 * 2000
    assert left.frames == (20 * 24 - 12) * 2000


def test_film_order_on_interleaved_24_bit_five_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "25", {"Pads": 6}, overlap=False)
    source, _ = sf.read(str(project / "c1_Pads.wav"), dtype="float32")
    package = tmp_path / "p"
    code, _, err = _handoff(monkeypatch, capsys, project, package, "25", "--channel-order", "film")
    assert code == 0, err
    written, _ = sf.read(str(package / "stems" / "1M1_Cue1_Pads.wav"), dtype="float32")
    assert sf.info(str(package / "stems" / "1M1_Cue1_Pads.wav")).subtype == "PCM_24"
    # L C R Ls Rs LFE from L R C LFE Ls Rs, within 24-bit rounding, past the fades
    mid = slice(SR, 2 * SR)
    np.testing.assert_allclose(written[mid], source[mid][:, [0, 2, 1, 4, 5, 3]], atol=2e-7)
    timeline = otio.adapters.read_from_file(str(package / "timeline" / "music.otio"))
    clip = next(iter(timeline.find_clips()))
    assert list(clip.metadata["mconform"]["channels"]) == ["L", "C", "R", "Ls", "Rs", "LFE"]


def test_a_killed_handoff_leaves_no_debris_and_no_half_file(tmp_path: Path) -> None:
    project = _project(tmp_path, "24", {"Strings": 2})
    out = tmp_path / "out" / "pkg"
    out.parent.mkdir()
    command = [MCONFORM, "handoff", str(project / "cues.csv"), "--cut",
               str(project / "cut.edl"), "--rate", "24", "--out", str(out), "--stems-layout",
               "reel"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(3)
    for _ in range(2):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.8, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if out.exists():  # it finished first: the package is whole
            check = subprocess.run(["md5sum", "-c", "--quiet", "MANIFEST.md5"], cwd=out)
            assert check.returncode == 0
            break
    done = subprocess.run([*command, "--force"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["pkg"]  # no staging, no lock
    assert subprocess.run(["md5sum", "-c", "--quiet", "MANIFEST.md5"], cwd=out).returncode == 0
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_two_handoffs_into_one_folder_one_wins_the_other_says_why(tmp_path: Path) -> None:
    project = _project(tmp_path, "24", {"Strings": 2})
    out = tmp_path / "pkg"
    command = [MCONFORM, "handoff", str(project / "cues.csv"), "--cut",
               str(project / "cut.edl"), "--rate", "24", "--out", str(out)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]  # fmt: skip
    results = [(r.wait(), r.stderr.read()) for r in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert len(loser.strip().splitlines()) == 1 and ("another run" in loser or "exists" in loser)
    assert subprocess.run(["md5sum", "-c", "--quiet", "MANIFEST.md5"], cwd=out).returncode == 0


def test_a_cue_too_long_to_render_is_refused_with_the_limit_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    import conform.handoff.stems as stems

    project = _project(tmp_path, "24", {"Strings": 2}, overlap=False)
    monkeypatch.setattr(stems, "MAX_STEM_BYTES", 1 << 20)  # 1 MiB: these 5 s cues are over
    code, _, err = _handoff(monkeypatch, capsys, project, tmp_path / "p", "24")
    assert code == 2 and "at most 1 MiB in memory" in err
    assert "cue 1M1: stem Strings" in err and not (tmp_path / "p").exists()


@given(st.text(max_size=80))
def test_safe_names_are_one_plain_file_name(text: str) -> None:
    from conform.handoff.names import NameBook, safe_name

    name = safe_name(text)
    assert name and len(name) <= 61 and "/" not in name and "\\" not in name
    assert not name.startswith(".") and name == name.strip() and name.isascii()
    assert all(c.isalnum() or c in "_-+" for c in name)
    book = NameBook()
    assert book.claim(name) == name and book.claim(name.upper()) == f"{name.upper()}_2"


def test_cue_layout_two_pop_has_head_and_tail_pops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    project = _project(tmp_path, "25", {"Strings": 2}, overlap=False)
    package = tmp_path / "p"
    code, _, err = _handoff(monkeypatch, capsys, project, package, "25", "--two-pop")
    assert code == 0, err
    path = package / "stems" / "1M1_Cue1_Strings.wav"
    data, _ = sf.read(str(path), dtype="float32")
    rate = parse_rate("25")
    start = parse_timecode("01:00:02:00", rate)  # cue 1M1 runs 2 s to 7 s
    assert _reference(path) == frames_to_samples(start - 75, rate, SR)  # 3 s of leader
    frame = SR // 25
    head = 25 * frame  # 2 s before the first frame, from a file start 3 s before it
    assert np.max(np.abs(data[head : head + frame])) == pytest.approx(0.1, abs=0.002)
    assert np.max(np.abs(data[:head])) == 0 and np.max(np.abs(data[head + frame : 3 * SR])) == 0
    tail = data.shape[0] - 3 * SR + 2 * SR - frame  # the last frame of action + 2 s
    assert np.max(np.abs(data[tail : tail + frame])) == pytest.approx(0.1, abs=0.002)
    assert np.max(np.abs(data[tail + frame :])) == 0
    code, _, err = _handoff(monkeypatch, capsys, project, tmp_path / "q", "25", "--two-pop",
                            "--handles", "50")  # fmt: skip
    assert code == 2 and "2-pop" in err
