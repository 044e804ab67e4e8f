"""Fit to length on synthesised cues of known tempo: exact lengths, beats, no clicks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audiogen import beat_samples, cue_stems
from helpers import run_cli

from conform.music.fit import FitError, FitPlan, Join, analyse, apply_plan, plan_fit, plan_fits
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


@pytest.mark.parametrize("bars", [1, 2, 3, 4])
def test_cutting_whole_bars_joins_on_beats_with_no_rhythm_error(bars: int) -> None:
    removed = bars * 4 * SR // 2  # four beats a bar at 120 BPM
    plan = plan_fit(MIX, SR, MIX.shape[0] - removed, "cut")
    (join,) = plan.joins
    assert join.beat_aligned and abs(join.rhythm_ms) < 5 and join.beats == 4 * bars
    for point in (join.at, join.to):
        assert np.min(np.abs(BEATS - point)) < SR * 0.005
    if bars == 4:  # the whole four-chord loop: the two sides are the same music
        assert join.similarity > 0.8


def test_an_odd_length_cuts_whole_bars_and_trims_the_remainder_from_the_tail() -> None:
    target = MIX.shape[0] - 2 * SR - SR // 3  # one bar and a third of a second
    plan = plan_fit(MIX, SR, target, "cut")
    (join,) = plan.joins
    assert join.beat_aligned and join.beats % 4 == 0
    assert plan.trim_from == "tail" and plan.trim == (MIX.shape[0] - target) - (join.to - join.at)
    assert apply_plan(MIX, plan).shape[0] == target


def test_keep_end_never_trims_the_tail_and_reports_the_rhythm_error() -> None:
    target = MIX.shape[0] - 2 * SR - SR // 3
    plan = plan_fit(MIX, SR, target, "cut", keep_end=True)
    out = apply_plan(MIX, plan)
    assert not plan.trim_from and np.array_equal(out[-1000:], MIX[-1000:])
    (join,) = plan.joins
    assert join.to - join.at == MIX.shape[0] - target
    assert not join.beat_aligned or abs(join.rhythm_ms) <= 25
    assert "ms" in plan.describe()[1]


def test_the_grid_follows_tempo_drift() -> None:
    # A click whose tempo glides from 100 to 125 BPM: one fixed grid would slide off it.
    n, times, t = 30 * SR, [], 0.0
    while t < 29.5:
        times.append(t)
        t += 60.0 / (100.0 + 25.0 * t / 30.0)
    clicks = np.zeros(n, dtype=np.float32)
    burst = np.random.default_rng(1).standard_normal(400) * np.exp(-np.arange(400) / 80)
    for s in times:
        clicks[int(s * SR) : int(s * SR) + 400] += 0.5 * burst
    analysis = analyse(np.stack([clicks, clicks], axis=1), SR)
    truth = np.asarray(times[2:-2]) * SR
    found = analysis.beats
    errors = np.array([np.min(np.abs(found - b)) for b in truth]) / SR
    assert analysis.grid.pulsed and np.mean(errors < 0.035) > 0.9


def test_a_pad_without_pulse_is_said_so_and_joined_with_a_long_crossfade() -> None:
    pad = STEMS["pad"]
    plan = plan_fit(pad, SR, 18 * SR, "cut")
    assert not analyse(pad, SR).grid.pulsed
    (join,) = plan.joins
    assert join.material == "legato" and 0.15 * SR <= join.crossfade <= 0.5 * SR
    assert "no steady pulse" in " ".join(plan.describe())
    assert apply_plan(pad, plan).shape[0] == 18 * SR


def test_no_join_comes_within_two_seconds_of_either_end() -> None:
    for target in (8 * SR, 15 * SR, 31 * SR):
        for plan in plan_fits(MIX, SR, target, "auto", keep_end=True, alternatives=3):
            for join in plan.joins:
                assert min(join.at, join.to) - join.crossfade >= 2 * SR
                assert max(join.at, join.to) <= MIX.shape[0] - 2 * SR


def test_alternatives_are_distinct_ranked_and_exact() -> None:
    plans = plan_fits(MIX, SR, 15 * SR, "cut", alternatives=3)
    assert len(plans) == 3
    costs = [p.cost for p in plans]
    assert costs == sorted(costs)
    starts = [p.joins[0].at for p in plans]
    assert min(abs(a - b) for i, a in enumerate(starts) for b in starts[i + 1 :]) > SR
    assert all(apply_plan(MIX, p).shape[0] == 15 * SR for p in plans)


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


def test_a_plan_that_does_not_add_up_is_a_project_error_not_an_assert() -> None:
    bad = FitPlan("cut", MIX.shape[0], 10 * SR, SR, (Join(5 * SR, 6 * SR, 100, "linear", 1, True),))
    with pytest.raises(FitError, match="not 480000"):
        apply_plan(MIX, bad)


def test_alignment_finds_the_lag_where_an_irregular_rhythm_repeats() -> None:
    from conform.music.rhythm import align, fine_onsets

    rng = np.random.default_rng(7)
    pattern = np.sort(rng.uniform(0, 2.0, 9))  # an uneven two-second figure, played four times
    hits = np.concatenate([pattern + 2.0 * k for k in range(4)]) + 0.5
    signal = np.zeros(int(9.0 * SR), dtype=np.float32)
    decay = np.exp(-np.arange(2400) / 300.0).astype(np.float32)
    for t in hits:
        s = int(round(t * SR))
        signal[s : s + 2400] += decay * rng.standard_normal(2400).astype(np.float32) * 0.3
    onsets = fine_onsets(signal, SR)
    at = int(round(hits[9] * SR))  # first hit of the second playing
    truth = at + 2 * SR  # same place one playing later
    to, corr = align(onsets, at, truth + int(0.037 * SR), int(0.06 * SR), SR // 2)
    assert abs(to - truth) <= SR // 500  # within 2 ms
    assert corr > 0.8
    _, unrelated = align(onsets, at, at + int(0.61 * SR), int(0.03 * SR), SR // 2)
    assert unrelated < corr
