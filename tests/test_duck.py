"""`mconform duck`: speech found to the frame, only masking stems treated, automation that
reads back in OTIO and AAF (pyaaf2), and intelligibility (STOI from pystoi) bought for less
music loudness than a whole-mix duck. All audio is made here: formant-filtered pulse trains
with a syllabic envelope as speech, stems with known band energy as music."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import butter, lfilter, sosfilt

from conform.duck.automation import clip_points, read_otio_automation
from conform.duck.speech import SpeechSettings, phrases, speech_regions
from conform.duck.treatment import Treatment, apply_treatments
from edl.rate import parse_rate
from edl.timecode import frames_to_samples
from temp_library.audio.bwf import Audio, Bext, write_audio

SR = 48000
RATE = parse_rate("24")
HOUR = 86400  # 01:00:00:00 at 24 fps
SECONDS = 10
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (530, 1840, 2480), (570, 840, 2410),
          (300, 870, 2240), (660, 1720, 2410))  # fmt: skip


def _resonator(x: np.ndarray, freq: float, bandwidth: float) -> np.ndarray:
    r = np.exp(-np.pi * bandwidth / SR)
    return lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * freq / SR), r * r], x)


def speech_like(n: int, words: list[tuple[int, int]], seed: int = 0) -> np.ndarray:
    """Voiced 'words' at sample ranges: a 120 Hz pulse train through three formants that
    change every 180 ms, under a 4 Hz syllabic envelope, over -80 dBFS room tone."""
    rng = np.random.default_rng(seed)
    out = np.zeros(n)
    for a, b in words:
        m = b - a
        t = np.arange(m) / SR
        phase = np.cumsum(120 * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6))) / SR)
        excitation = (np.diff(np.floor(phase), prepend=0) > 0) + 0.02 * rng.standard_normal(m)
        word = np.zeros(m)
        step = int(0.18 * SR)
        for k in range(0, m, step):
            f1, f2, f3 = VOWELS[rng.integers(len(VOWELS))]
            e = excitation[k : k + step]
            word[k : k + step] = (_resonator(e, f1, 90) + 0.7 * _resonator(e, f2, 110)
                                  + 0.4 * _resonator(e, f3, 170))  # fmt: skip
        envelope = 0.55 - 0.45 * np.cos(2 * np.pi * 4.0 * t)
        edge = int(0.005 * SR)
        envelope[:edge] *= np.linspace(0, 1, edge)
        envelope[-edge:] *= np.linspace(1, 0, edge)
        out[a:b] = word * envelope
    out *= 0.3 / np.max(np.abs(out))
    return out + 1e-4 * rng.standard_normal(n)


def music_stems(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """A low pad (all below 250 Hz), a brass line (440 Hz and harmonics: the speech band),
    and hats (noise above 10 kHz): only the brass masks speech."""
    t = np.arange(n) / SR
    rng = np.random.default_rng(seed)
    pad = sum(0.05 * np.sin(2 * np.pi * f * t) for f in (55.0, 82.4, 110.0, 164.8))
    brass = sum((0.02 / k) * np.sin(2 * np.pi * 440 * k * t) for k in range(1, 8))
    hats = 0.05 * sosfilt(butter(8, 10000, "highpass", fs=SR, output="sos"),
                          rng.standard_normal(n))  # fmt: skip
    return {"pad": pad, "brass": brass, "hats": hats}


WORDS_FRAMES = [(24, 72), (84, 108), (156, 216)]  # record frames from the hour, half-open


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("duck")
    seconds = SECONDS
    n = seconds * SR
    (root / "cut.edl").write_text(
        "TITLE: REEL 1\nFCM: NON-DROP FRAME\n"
        "001  A001     V     C        10:00:00:00 10:00:10:00 01:00:00:00 01:00:10:00\n"
    )
    words = [(frames_to_samples(a, RATE, SR), frames_to_samples(b, RATE, SR))
             for a, b in WORDS_FRAMES]  # fmt: skip
    dialogue = speech_like(n, words)[:, None].astype(np.float32)
    stamp = frames_to_samples(HOUR, RATE, SR)
    write_audio(root / "dial.wav", Audio(dialogue, SR), bext=Bext(time_reference=stamp))
    for name, x in music_stems(n).items():
        write_audio(root / f"{name}.wav", Audio(np.stack([x, x], 1).astype(np.float32), SR))
    (root / "cues.csv").write_text(
        "cue,title,start,end,stems\n"
        "1M1,Main,01:00:00:00,01:00:10:00,pad=pad.wav;brass=brass.wav;hats=hats.wav\n"
    )
    return root


@pytest.fixture(scope="module")
def ducked(project: Path) -> Path:
    """One run of the command, with pre-ducked stems rendered (the AAF links the stems)."""
    mp = pytest.MonkeyPatch()
    out = project / "out"
    import sys

    from conform.cli import main

    mp.setattr(sys, "argv", ["mconform", "duck", str(project / "cues.csv"), "--cut",
                             str(project / "cut.edl"), "--dialogue", str(project / "dial.wav"),
                             "--out", str(out), "--rate", "24", "--render"])  # fmt: skip
    try:
        main()
    except SystemExit as stop:
        assert not stop.code
    finally:
        mp.undo()
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


@pytest.mark.parametrize("rate_text", ["24", "29.97", "25"])
def test_speech_regions_land_on_the_frames_the_words_occupy(rate_text: str) -> None:
    rate = parse_rate(rate_text)
    frames = [(30, 90), (140, 170), (230, 300)]
    words = [(frames_to_samples(a, rate, SR), frames_to_samples(b, rate, SR)) for a, b in frames]
    n = frames_to_samples(340, rate, SR)
    signal = speech_like(n, words, seed=3)
    tight = SpeechSettings(merge_ms=0, preroll_ms=0, postroll_ms=0)
    found = phrases(speech_regions(signal, SR, tight), 0, rate, SR, tight)
    assert [(p.speech_start, p.speech_end) for p in found] == frames


def test_steady_hum_tone_and_noise_are_not_speech() -> None:
    t = np.arange(6 * SR) / SR
    rng = np.random.default_rng(0)
    hum = 0.1 * np.sin(2 * np.pi * 60 * t) + 0.05 * np.sin(2 * np.pi * 1000 * t)
    noise = 0.05 * rng.standard_normal(len(t))
    assert speech_regions(hum + noise, SR) == []
    assert speech_regions(np.zeros(len(t)), SR) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2_000_000), st.integers(1, 200_000)), max_size=12))
def test_phrases_are_ordered_and_their_ramps_never_overlap(spans: list[tuple[int, int]]) -> None:
    regions = sorted((a, a + length) for a, length in spans)
    found = phrases(regions, frames_to_samples(HOUR, RATE, SR), RATE, SR)
    for p in found:
        assert p.start < p.speech_start < p.speech_end < p.end
    for p, q in zip(found, found[1:], strict=False):
        assert p.end <= q.start


def test_only_the_masking_stem_is_treated(ducked: Path) -> None:
    rows = _rows(ducked / "treatments.csv")
    assert {r["phrase"] for r in rows} == {"1", "2"}  # words 1 and 2 are one phrase
    for r in rows:
        if r["stem"] == "Brass":
            assert r["treatment"] in ("band cut", "cut+duck")
            assert 250 <= float(r["eq_freq_hz"]) <= 4000 and float(r["eq_gain_db"]) < 0
        else:
            assert r["treatment"] == "none" and float(r["gain_db"]) == 0, r
    stems = {r["stem"] for r in _rows(ducked / "automation.csv")}
    assert stems == {"Brass"}


def test_automation_is_frame_accurate_around_the_speech(ducked: Path) -> None:
    points = [r for r in _rows(ducked / "automation.csv") if r["parameter"] == "eq_gain_db"]
    speech = {(r["phrase"], int(r["frame"])) for r in points if float(r["value_db"]) < 0}
    first = HOUR + WORDS_FRAMES[0][0]
    assert ("1", first) in speech and ("1", HOUR + WORDS_FRAMES[1][1]) in speech
    assert ("2", HOUR + WORDS_FRAMES[2][0]) in speech and ("2", HOUR + WORDS_FRAMES[2][1]) in speech
    ramps = [int(r["frame"]) for r in points if r["phrase"] == "1" and float(r["value_db"]) == 0]
    assert ramps == [first - 6, HOUR + WORDS_FRAMES[1][1] + 10]  # 250 ms and 400 ms at 24 fps
    for r in points:
        assert int(r["sample"]) == frames_to_samples(int(r["frame"]), RATE, SR)


def test_intelligibility_rises_for_less_music_loudness_than_a_whole_mix_duck(
    ducked: Path,
) -> None:
    figures = {f["name"]: f for f in json.loads((ducked / "duck.json").read_text())["figures"]}
    before, ours = figures["before"], figures["ours"]
    assert ours["index"] > before["index"] + 0.15
    assert ours["stoi"] > before["stoi"] + 0.03 and ours["estoi"] > before["estoi"] + 0.05
    for name in ("whole-mix duck", "whole-mix duck, same ESTOI"):
        whole = figures[name]
        assert ours["loudness_drop_lu"] <= 0.5 * whole["loudness_drop_lu"], name
    assert abs(figures["whole-mix duck"]["index"] - ours["index"]) < 0.02
    assert abs(figures["whole-mix duck, same ESTOI"]["estoi"] - ours["estoi"]) < 0.01
    # the pad and the hats are untouched: nothing changes outside the speech band
    assert ours["outside_change_db"] < 0.5 < figures["whole-mix duck"]["outside_change_db"]


def test_automation_reads_back_from_otio_and_the_aaf(ducked: Path) -> None:
    import aaf2

    csv_points = {(r["stem"], r["parameter"], int(r["frame"]), float(r["value_db"]))
                  for r in _rows(ducked / "automation.csv")}  # fmt: skip
    timeline = otio.adapters.read_from_file(str(ducked / "timeline" / "duck.otio"))
    back = {(b.stem, b.parameter, b.frame, b.value_db) for b in read_otio_automation(timeline)}
    assert back == csv_points
    gains = sorted((f, v) for s, p, f, v in csv_points if p == "gain_db")
    with aaf2.open(str(ducked / "timeline" / "duck.aaf"), "r") as aaf:
        comp = next(aaf.content.toplevel())
        groups = [c for slot in comp.slots if slot.name.startswith("Brass")
                  for c in slot.segment.components
                  if isinstance(c, aaf2.components.OperationGroup)]  # fmt: skip
        others = [c for slot in comp.slots if not slot.name.startswith("Brass")
                  and slot.media_kind == "Sound" for c in slot.segment.components
                  if isinstance(c, aaf2.components.OperationGroup)]  # fmt: skip
        assert gains and len(groups) == 2 and not others  # one per channel of the stereo brass
        for group in groups:
            assert group.operation.name == "Audio Gain"
            curve = next(iter(group.parameters))
            first = frames_to_samples(HOUR, RATE, SR)
            span = frames_to_samples(HOUR + SECONDS * 24, RATE, SR) - first
            for frame, db in gains:
                at = (frames_to_samples(frame, RATE, SR) - first) / span
                assert curve.value_at(at) == pytest.approx(10 ** (db / 20), rel=1e-6)


def test_pre_ducked_stems_sit_beside_untouched_ones(project: Path, ducked: Path) -> None:
    for name in ("Pad", "Brass", "Hats"):
        plain, sr = sf.read(ducked / "stems" / f"1M1_Main_{name}.wav", dtype="int32")
        treated, _ = sf.read(ducked / "preducked" / f"1M1_Main_{name}.wav", dtype="int32")
        assert sf.info(str(ducked / "preducked" / f"1M1_Main_{name}.wav")).subtype == "PCM_24"
        source, _ = sf.read(project / f"{name.lower()}.wav", dtype="int32")
        assert np.array_equal(plain, source)  # the untouched stem is the source, placed
        if name != "Brass":
            assert np.array_equal(treated, plain)
    plain, _ = sf.read(ducked / "stems" / "1M1_Main_Brass.wav")
    treated, _ = sf.read(ducked / "preducked" / "1M1_Main_Brass.wav")
    ramp_in = frames_to_samples(WORDS_FRAMES[0][0] - 6, RATE, SR)
    assert np.array_equal(treated[:ramp_in], plain[:ramp_in])  # nothing before the first ramp
    speech = slice(frames_to_samples(30, RATE, SR), frames_to_samples(70, RATE, SR))
    assert np.sqrt(np.mean(treated[speech] ** 2)) < 0.8 * np.sqrt(np.mean(plain[speech] ** 2))
    assert (project / "brass.wav").read_bytes()[:4] == b"RIFF"  # inputs left alone


def test_a_zero_treatment_leaves_a_stem_bit_identical() -> None:
    x = np.random.default_rng(2).uniform(-0.5, 0.5, (4800, 2)).astype(np.float32)
    none = Treatment(1, "s", 0.0)
    assert np.array_equal(apply_treatments(x, 0, [(none, (100, 200, 300, 400))], SR), x)
    assert clip_points([(10, 0.0), (20, -6.0), (30, -6.0), (40, 0.0)], 15, 35) == [
        (15, -3.0), (20, -6.0), (30, -6.0), (35, -3.0)]  # fmt: skip


def test_bad_dialogue_is_one_line_and_nothing_is_written(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    code, _, err = run_cli(monkeypatch, capsys, "duck", str(project / "cues.csv"), "--cut",
                           str(project / "cut.edl"), "--dialogue", str(tmp_path / "none.wav"),
                           "--out", str(out), "--rate", "24")  # fmt: skip
    assert code == 2 and "none.wav" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_phrase_across_two_cue_clips_is_split_between_them() -> None:
    from conform.duck.automation import Breakpoint, annotate_otio
    from conform.handoff.timeline import StemFile, timeline_otio
    from edl.cut import Cut

    cut = Cut(rate=RATE, events=(), title="t")
    files = [StemFile("stems/1M1_Brass.wav", "Brass", "1M1", 1000, 1100, 200_000, 2),
             StemFile("stems/1M2_Brass.wav", "Brass", "1M2", 1100, 1200, 200_000, 2),
             StemFile("stems/1M1_Pad.wav", "Pad", "1M1", 1000, 1100, 200_000, 2)]  # fmt: skip
    curve = [(1090, 0.0), (1096, -6.0), (1104, -6.0), (1114, 0.0)]
    points = [Breakpoint("Brass", 1, "gain_db", f, v) for f, v in curve]
    timeline = timeline_otio(files, cut, "t")
    annotate_otio(timeline, points)
    back = otio.adapters.read_from_string(otio.adapters.write_to_string(timeline, "otio_json"))
    effects = {c.name: [(p["frame"], p["db"]) for e in c.effects for p in e.metadata["mconform"]
                        ["points"]] for c in back.find_clips()}  # fmt: skip
    assert effects["1M1_Brass.wav"] == [(90, 0.0), (96, -6.0), (100, -6.0)]
    assert effects["1M2_Brass.wav"] == [(0, -6.0), (4, -6.0), (14, 0.0)]
    assert effects["1M1_Pad.wav"] == []


def test_reel_layout_puts_the_automation_on_reel_stems(project: Path, tmp_path: Path) -> None:
    from conform.cues.placed import read_stem_cues
    from conform.duck.run import DuckSettings, duck_music
    from edl.files import OutputDir
    from edl.io import read_cut

    cut = read_cut(project / "cut.edl", RATE)
    cues = read_stem_cues(project / "cues.csv", RATE)
    settings = DuckSettings(layout="reel", reel="R2", preducked=True, stoi=False)
    with OutputDir(tmp_path / "reel") as out:
        result = duck_music(cues, cut, project / "dial.wav", settings, out)
    assert "preducked/R2_Brass.wav" in result.files and "stems/R2_Brass.wav" not in result.files
    timeline = otio.adapters.read_from_file(str(tmp_path / "reel" / "timeline" / "duck.otio"))
    clips = {c.name: c for c in timeline.find_clips()}
    assert set(clips) == {"R2_Brass.wav", "R2_Hats.wav", "R2_Pad.wav"}
    gain = [e for e in clips["R2_Brass.wav"].effects if e.effect_name == "AudioGainAutomation"]
    frames = [p["frame"] for p in gain[0].metadata["mconform"]["points"]]
    assert frames[:2] == [WORDS_FRAMES[0][0] - 6, WORDS_FRAMES[0][0]]  # from the reel start
    assert not clips["R2_Pad.wav"].effects
    treated = tmp_path / "reel" / "preducked" / "R2_Brass.wav"
    raw = treated.read_bytes()
    at = raw.index(b"bext") + 8 + 338
    assert int.from_bytes(raw[at : at + 8], "little") == frames_to_samples(HOUR, RATE, SR)


def test_handoff_with_dialogue_writes_the_duck_inside_a_verified_package(
    project: Path, tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    from helpers import run_cli

    package = tmp_path / "pkg"
    code, _, err = run_cli(monkeypatch, capsys, "handoff", str(project / "cues.csv"), "--cut",
                           str(project / "cut.edl"), "--rate", "24", "--dialogue",
                           str(project / "dial.wav"), "--out", str(package))  # fmt: skip
    assert code == 0, err
    assert (package / "duck" / "automation.csv").is_file()
    manifest = (package / "MANIFEST.md5").read_text()
    assert "duck/automation.csv" in manifest
    code, _, err = run_cli(monkeypatch, capsys, "verify", str(package))
    assert code == 0, err


def test_duck_aaf_keeps_overlapping_cues_links_relatively_and_is_byte_identical(
    project: Path, tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    import aaf2
    from helpers import run_cli

    (project / "overlap.csv").write_text(
        "cue,title,start,end,stems\n"
        "1M1,Main,01:00:00:00,01:00:10:00,pad=pad.wav;brass=brass.wav\n"
        "1M2,Under,01:00:04:00,01:00:09:00,brass=brass.wav\n"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outs = []
    for name in ("a", "b"):
        outs.append(tmp_path / name)
        code, _, err = run_cli(monkeypatch, capsys, "duck", str(project / "overlap.csv"), "--cut",
                               str(project / "cut.edl"), "--dialogue", str(project / "dial.wav"),
                               "--out", str(outs[-1]), "--rate", "24", "--render")  # fmt: skip
        assert code == 0, err
    first, second = (o / "timeline" / "duck.aaf" for o in outs)
    assert first.read_bytes() == second.read_bytes()
    moved = tmp_path / "moved"
    outs[0].rename(moved)
    timeline = otio.adapters.read_from_file(str(moved / "timeline" / "duck.aaf"))
    names = sorted(c.name for c in timeline.find_clips())
    stems = sorted(p.stem for p in (moved / "stems").glob("*.wav"))
    assert sorted(set(names)) == stems and len(stems) == 3  # the overlapping 1M2 is there too
    with aaf2.open(str(moved / "timeline" / "duck.aaf"), "r") as aaf:
        for mob in aaf.content.sourcemobs():
            for locator in getattr(mob.descriptor, "locator", []) or []:
                url = locator["URLString"].value
                assert url.startswith("../stems/")
                assert (moved / "timeline" / url).resolve().is_file()
        comp = next(aaf.content.toplevel())
        lanes = {s.name for s in comp.slots if s.media_kind == "Sound"}
        assert "Brass 2" in lanes  # the overlapping cue on a further lane, not dropped
