"""Fit to length on synthesised cues of known tempo: exact lengths, beats, no clicks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audiogen import beat_samples, cue_stems
from helpers import run_cli

from conform.music.fit import FitError, analyse, apply_plan, plan_fit
from temp_library.audio.bwf import Audio, read_audio, write_audio

SR = 48000
STEMS = cue_stems(SR, 24.0, 120.0)
MIX = sum(STEMS.values())
BEATS = beat_samples(SR, 24.0, 120.0)


def _largest_step(x: np.ndarray) -> float:
    return float(np.max(np.abs(np.diff(x, axis=0))))


def test_tempo_and_beats_are_found() -> None:
    analysis = analyse(MIX, SR)
    assert abs(analysis.tempo - 120.0) < 0.5
    errors = [np.min(np.abs(BEATS - b)) for b in analysis.beats[1:-1]]
    assert max(errors) < SR * 0.005  # within 5 ms of the true beats


@pytest.mark.parametrize("seconds", [6.0, 10.0, 13.37, 16.0, 18.5, 20.0, 21.9, 23.5])
def test_shorter_lengths_are_exact_and_click_free(seconds: float) -> None:
    target = round(seconds * SR)
    plan = plan_fit(MIX, SR, target)
    out = apply_plan(MIX, plan)
    assert out.shape == (target, 2)
    for join in plan.joins:
        around = out[max(join.at - join.crossfade - 200, 0) : join.at + 200]
        assert _largest_step(around) <= _largest_step(MIX) + 1e-6
    if plan.mode == "trim":
        assert np.max(np.abs(out[-10:])) < 0.01  # faded out


@pytest.mark.parametrize("seconds", [25.0, 27.5, 30.0, 33.3, 40.0])
def test_longer_lengths_are_exact_and_click_free(seconds: float) -> None:
    target = round(seconds * SR)
    plan = plan_fit(MIX, SR, target, "extend")
    out = apply_plan(MIX, plan)
    assert out.shape == (target, 2) and plan.mode == "extend"
    join = plan.joins[0]
    around = out[join.at - join.crossfade - 200 : join.at + 200]
    assert _largest_step(around) <= _largest_step(MIX) + 1e-6


@pytest.mark.parametrize("bars", [1, 2, 3])
def test_cutting_whole_bars_joins_on_beats(bars: int) -> None:
    removed = bars * 4 * SR // 2  # four beats a bar at 120 BPM
    plan = plan_fit(MIX, SR, MIX.shape[0] - removed, "cut")
    (join,) = plan.joins
    assert join.beat_aligned and join.similarity > 0.8
    for point in (join.at, join.to):
        assert np.min(np.abs(BEATS - point)) < SR * 0.005


def test_stems_get_the_same_edit_and_still_sum_to_the_mix() -> None:
    plan = plan_fit(MIX, SR, round(17.25 * SR), "cut")
    fitted = [apply_plan(stem, plan) for stem in STEMS.values()]
    assert np.max(np.abs(sum(fitted) - apply_plan(MIX, plan))) < 1e-5


def test_keep_end_trims_the_head() -> None:
    plan = plan_fit(MIX, SR, 12 * SR, "trim", keep_end=True)
    out = apply_plan(MIX, plan)
    assert np.array_equal(out[-1000:], MIX[-1000:])


def test_bad_requests_are_clear_errors() -> None:
    with pytest.raises(FitError, match="at most"):
        plan_fit(MIX, SR, 60 * SR, "extend")
    with pytest.raises(FitError, match="silent"):
        plan_fit(np.zeros((SR * 5, 2), np.float32), SR, SR * 4, "cut")
    with pytest.raises(FitError, match="too short"):
        plan_fit(MIX[:40], SR, 30, "cut")
    with pytest.raises(FitError, match="only shortens"):
        plan_fit(MIX, SR, 30 * SR, "trim")
    plan = plan_fit(MIX, SR, 20 * SR, "cut")
    with pytest.raises(FitError, match="same length"):
        apply_plan(MIX[:-1], plan)


def test_cli_fits_stems_keeping_rate_channels_and_bit_depth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for name, samples in STEMS.items():
        paths.append(write_audio(tmp_path / f"{name}.wav", Audio(samples, SR, "PCM_16")))
    out_dir = tmp_path / "fitted"
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "fit",
        *map(str, paths),
        "--length",
        "00:00:20:00",
        "--rate",
        "24",
        "--out",
        str(out_dir),
    )
    assert code == 0 and "cut out" in out
    for path in paths:
        info = sf.info(str(out_dir / path.name))
        assert (info.frames, info.samplerate, info.channels, info.subtype) == (
            20 * SR,
            SR,
            2,
            "PCM_16",
        )
    assert read_audio(out_dir / "drums.wav").bext is not None


def test_cli_rejects_mismatched_stems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write_audio(tmp_path / "a.wav", Audio(STEMS["drums"], SR))
    b = write_audio(tmp_path / "b.wav", Audio(STEMS["bass"][:-10], SR))
    code, _, err = run_cli(
        monkeypatch, capsys, "fit", str(a), str(b), "--length", "20s", "--out", str(tmp_path / "o")
    )
    assert code == 2 and "samples" in err and not (tmp_path / "o").exists()


def test_a_cut_never_removes_a_kept_sync_point() -> None:
    free = plan_fit(MIX, SR, 16 * SR, "cut")
    (join,) = free.joins
    hit = (join.at + join.to) // 2  # a sync point right inside what it chose to cut
    kept = plan_fit(MIX, SR, 16 * SR, "cut", keep=(hit,))
    (other,) = kept.joins
    assert not (other.at - other.crossfade <= hit < other.to)
    assert apply_plan(MIX, kept).shape[0] == 16 * SR
