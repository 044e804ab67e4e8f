"""EBU Tech 3341 (cases 1-6, 9, 10, 12, 13, 15-19) and Tech 3342 (cases 1-4), synthesised."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from temp_library.audio.loudness import LoudnessMeter

RATES = [44100, 48000, 96000]


def sine(level_db: float | list[float], seconds: float, rate: int, channels: int = 2) -> np.ndarray:
    """A 1 kHz sine whose peak is ``level_db`` dBFS (per channel when a list)."""
    t = np.arange(int(round(seconds * rate))) / rate
    wave = np.sin(2 * np.pi * 1000 * t)
    levels = level_db if isinstance(level_db, list) else [level_db] * channels
    return np.stack([10 ** (db / 20) * wave for db in levels], axis=1)


def silence(seconds: float, rate: int, channels: int = 2) -> np.ndarray:
    return np.zeros((int(round(seconds * rate)), channels))


def join(*parts: np.ndarray) -> np.ndarray:
    return np.concatenate(parts)


@pytest.mark.parametrize("rate", RATES)
def test_3341_cases_1_to_5_integrated(rate: int) -> None:
    meter = LoudnessMeter(rate)
    cases = {
        1: (join(sine(-23, 20, rate)), -23.0),
        2: (join(sine(-33, 20, rate)), -33.0),
        3: (join(sine(-36, 10, rate), sine(-23, 60, rate), sine(-36, 10, rate)), -23.0),
        4: (
            join(
                sine(-72, 10, rate),
                sine(-36, 10, rate),
                sine(-23, 60, rate),
                sine(-36, 10, rate),
                sine(-72, 10, rate),
            ),
            -23.0,
        ),
        5: (join(sine(-26, 20, rate), sine(-20, 20.1, rate), sine(-26, 20, rate)), -23.0),
    }
    for case, (signal, expected) in cases.items():
        result = meter.measure(signal)
        assert result.integrated_lufs == pytest.approx(expected, abs=0.1), case
    one = meter.measure(cases[1][0])
    assert one.max_momentary_lufs == pytest.approx(-23, abs=0.1)
    assert one.max_short_term_lufs == pytest.approx(-23, abs=0.1)


@pytest.mark.parametrize("rate", RATES)
def test_3341_case_6_five_channels_and_the_same_as_51_without_lfe(rate: int) -> None:
    five = sine([-28, -28, -24, -30, -30], 20, rate, 5)  # L R C Ls Rs
    assert LoudnessMeter(rate).measure(five).integrated_lufs == pytest.approx(-23, abs=0.1)
    lfe = sine(-10, 20, rate, 1)  # a loud LFE must not count
    smpte = np.concatenate([five[:, :3], lfe, five[:, 3:]], axis=1)  # L R C LFE Ls Rs
    film = np.concatenate([five[:, [0, 2, 1, 3, 4]], lfe], axis=1)  # L C R Ls Rs LFE
    assert LoudnessMeter(rate).measure(smpte).integrated_lufs == pytest.approx(-23, abs=0.1)
    assert LoudnessMeter(rate, "film").measure(film).integrated_lufs == pytest.approx(-23, abs=0.1)


@pytest.mark.parametrize("rate", RATES)
def test_3341_cases_9_10_short_term(rate: int) -> None:
    meter = LoudnessMeter(rate)
    case9 = join(*[join(sine(-20, 1.34, rate), sine(-30, 1.66, rate)) for _ in range(5)])
    assert meter.measure(case9).max_short_term_lufs == pytest.approx(-23, abs=0.1)
    parts = []
    for i in range(20):
        parts += [silence(0.15 * i, rate), sine(-23, 3, rate), silence(1, rate)]
    assert meter.measure(join(*parts)).max_short_term_lufs == pytest.approx(-23, abs=0.1)


@pytest.mark.parametrize("rate", RATES)
def test_3341_cases_12_13_momentary(rate: int) -> None:
    meter = LoudnessMeter(rate)
    case12 = join(*[join(sine(-20, 0.18, rate), sine(-30, 0.22, rate)) for _ in range(25)])
    assert meter.measure(case12).max_momentary_lufs == pytest.approx(-23, abs=0.1)
    parts = []
    for i in range(20):
        parts += [silence(0.02 * i, rate), sine(-23, 0.4, rate), silence(1, rate)]
    assert meter.measure(join(*parts)).max_momentary_lufs == pytest.approx(-23, abs=0.1)


def true_peak_signal(rate: int, divisor: int, phase_deg: float, amplitude: float) -> np.ndarray:
    """A sine at rate/divisor, sampled with a phase offset so its peaks fall between samples."""
    n = np.arange(rate)
    wave = amplitude * np.sin(2 * np.pi * n / divisor + np.deg2rad(phase_deg))
    return np.stack([wave, wave], axis=1)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(
    ("case", "divisor", "phase", "amplitude", "expected"),
    [
        (15, 4, 0.0, 0.5, -6.0),
        (16, 4, 45.0, 0.5, -6.0),
        (17, 6, 60.0, 0.5, -6.0),
        (18, 8, 67.5, 0.5, -6.0),
        (19, 4, 45.0, 1.41, 3.0),
    ],
)
def test_3341_cases_15_to_19_true_peak(
    rate: int, case: int, divisor: int, phase: float, amplitude: float, expected: float
) -> None:
    result = LoudnessMeter(rate).measure(true_peak_signal(rate, divisor, phase, amplitude))
    assert expected - 0.4 <= result.true_peak_dbtp <= expected + 0.2, case
    if case == 16:
        assert result.sample_peak_dbfs < -8.9  # the samples miss the peak by 3 dB


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(
    ("levels", "expected"),
    [((-20, -30), 10), ((-20, -15), 5), ((-40, -20), 20), ((-50, -35, -20, -35, -50), 15)],
)
def test_3342_cases_1_to_4_loudness_range(
    rate: int, levels: tuple[int, ...], expected: float
) -> None:
    signal = join(*[sine(level, 20, rate) for level in levels])
    assert LoudnessMeter(rate).measure(signal).loudness_range_lu == pytest.approx(expected, abs=1)


def test_integrated_matches_pyloudnorm_on_noise() -> None:
    rng = np.random.default_rng(3)
    signal = rng.normal(0, 0.1, (48000 * 7, 2)) * np.linspace(0.1, 1, 48000 * 7)[:, None]
    ours = LoudnessMeter(48000).measure(signal).integrated_lufs
    assert ours == pytest.approx(pyloudnorm.Meter(48000).integrated_loudness(signal), abs=0.01)


def test_blocks_give_the_same_figures_as_the_whole() -> None:
    rng = np.random.default_rng(4)
    signal = rng.normal(0, 0.1, (48000 * 12, 2))
    meter = LoudnessMeter(48000)
    whole = meter.measure(signal)
    pieces = meter.measure_blocks(np.array_split(signal, 7))
    assert pieces.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=1e-6)
    assert pieces.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=0.01)


def test_short_and_silent_files_get_clear_answers() -> None:
    meter = LoudnessMeter(48000)
    short = meter.measure(sine(-20, 0.2, 48000))
    assert short.integrated_lufs is None and "400 ms" in short.note
    assert short.sample_peak_dbfs == pytest.approx(-20, abs=0.01)
    quiet = meter.measure(silence(5, 48000))
    assert quiet.integrated_lufs is None and "silent" in quiet.note
    mono = meter.measure(sine(-23, 10, 48000, 1))
    assert mono.integrated_lufs == pytest.approx(-26, abs=0.1)  # one channel, BS.1770 weight 1


def test_71_excludes_the_lfe_and_weights_every_surround_like_51() -> None:
    from temp_library.audio.loudness import channel_weights

    base = sine(-26, 5, 48000, 1)[:, 0]
    smpte = np.zeros((len(base), 8))
    smpte[:, 0] = base  # L
    smpte[:, 3] = base * 3.0  # LFE: loud, and not measured
    alone = LoudnessMeter(48000).measure(smpte).integrated_lufs
    smpte[:, 3] = 0.0
    assert LoudnessMeter(48000).measure(smpte).integrated_lufs == pytest.approx(alone, abs=1e-6)
    for layout, lfe in (("smpte", 3), ("film", 7)):
        weights = channel_weights(8, layout)
        assert weights[lfe] == 0.0 and sorted(weights) == [0, 1, 1, 1, 1.41, 1.41, 1.41, 1.41]
    surround = np.zeros((len(base), 8))
    surround[:, 6] = base  # a side surround: +1.5 dB against a front channel
    louder = LoudnessMeter(48000).measure(surround).integrated_lufs
    assert louder - alone == pytest.approx(10 * np.log10(1.41), abs=0.01)


def test_layouts_it_cannot_weight_are_refused_by_name() -> None:
    from temp_library.audio.bwf import AudioError

    for channels in (4, 7, 12):
        with pytest.raises(AudioError, match=f"cannot weight {channels} channels"):
            LoudnessMeter(48000).measure(np.zeros((48000, channels)))


def test_non_finite_samples_are_refused_with_where() -> None:
    from temp_library.audio.bwf import AudioError

    for bad in (np.nan, np.inf, -np.inf):
        signal = sine(-20, 4, 48000)
        signal[96000, 1] = bad
        with pytest.raises(AudioError, match=r"non-finite samples \(NaN or Inf\) at 2.000 s"):
            LoudnessMeter(48000).measure(signal)


def test_ten_seconds_of_silence_is_silent_not_short() -> None:
    quiet = LoudnessMeter(48000).measure(silence(10, 48000))
    assert quiet.note == "silent: below the -70 LUFS gate"
    assert quiet.true_peak_dbtp is None and quiet.max_short_term_lufs is None


def test_streamed_memory_stays_flat_whatever_the_length() -> None:
    import tracemalloc

    rng = np.random.default_rng(5)
    block = rng.normal(0, 0.1, (1 << 19, 2)).astype(np.float32)
    meter = LoudnessMeter(48000)

    def peak_for(blocks: int) -> int:
        tracemalloc.start()
        meter.measure_blocks(block for _ in range(blocks))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    short, long = peak_for(2), peak_for(12)  # 22 s and 131 s
    assert long < 60e6 and long < short * 1.3


@pytest.mark.parametrize("rate", [8000, 44100, 48000, 96000, 192000])
def test_k_weighting_coefficients_are_pyloudnorms(rate: int) -> None:
    import math

    from pyloudnorm.iirfilter import IIRfilter

    from temp_library.audio.loudness import k_weighting_sections

    stages = [
        IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    ]
    expected = np.array([np.r_[stage.b, stage.a] for stage in stages])
    np.testing.assert_allclose(k_weighting_sections(rate), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("rate", [44100, 96000])
def test_block_iir_matches_sosfilt_across_any_block_sizes(rate: int) -> None:
    from scipy.signal import sosfilt

    from temp_library.audio.loudness import _BlockIIR, k_weighting_sections

    sections = k_weighting_sections(rate)
    signal = np.random.default_rng(3).standard_normal((3, 150_000)).astype(np.float32)
    signal[1, 40_000:41_000] = 1.0  # a step: the state carries across blocks and chunks
    sizes, outputs, state, at = [1, 63, 64, 65, 4097, 70_000, 10_000], [], None, 0
    for size in sizes:
        out, state = _BlockIIR(sections).apply(
            np.ascontiguousarray(signal[:, at : at + size]), state
        )
        outputs.append(out)
        at += size
    expected = sosfilt(sections, signal[:, :at].astype(np.float64), axis=-1)
    # float32 samples and products: within 1e-4 of a float64 sosfilt on a signal peaking near 8
    np.testing.assert_allclose(np.concatenate(outputs, axis=1), expected, atol=1e-4)


def test_interpolator_is_scipys_kaiser_firwin() -> None:
    from scipy.signal import firwin

    taps, factor = LoudnessMeter(48000).interpolator
    expected = firwin(len(taps), 1.0 / factor, window=("kaiser", 8.0)) * factor
    np.testing.assert_allclose(taps, expected, rtol=1e-12, atol=1e-15)


def test_measuring_a_file_imports_neither_scipy_signal_nor_pyloudnorm(tmp_path) -> None:
    import subprocess
    import sys

    import soundfile as sf

    path = tmp_path / "tone.wav"
    sf.write(str(path), sine(-20.0, 4.0, 48000).astype(np.float32), 48000, subtype="PCM_24")
    code = (
        "import sys; from temp_library.scan import measure_file; "
        f"print(round(measure_file({str(path)!r})[0].integrated_lufs, 1)); "
        "heavy = ('scipy.signal', 'pyloudnorm', 'scipy.fft', 'numpy.ma'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loudness, modules = result.stdout.split("\n")[:2]
    assert loudness == str(round(pyloudnorm.Meter(48000).integrated_loudness(
        sine(-20.0, 4.0, 48000)), 1))  # fmt: skip
    assert modules == "[]"


def test_loudness_range_percentiles_are_numpys() -> None:
    from temp_library.audio.loudness import _percentile

    for values in (np.array([-30.0]), np.random.default_rng(5).normal(-23, 4, 1001)):
        for q in (0, 10, 95, 100):
            assert _percentile(values, q) == pytest.approx(float(np.percentile(values, q)), 1e-12)
