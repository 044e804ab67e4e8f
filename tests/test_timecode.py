"""The exact time model: rates, timecode with drop frame, frames <-> samples."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edl.errors import CutError
from edl.rate import STANDARD_RATES, Rate, lowest_rate_fitting, parse_rate
from edl.timecode import (
    format_timecode,
    frames_to_samples,
    parse_timecode,
    samples_to_frames,
)

DF2997 = Rate(Fraction(30000, 1001), drop=True)
DF5994 = Rate(Fraction(60000, 1001), drop=True)
ALL_RATES = [*STANDARD_RATES, DF2997, DF5994]


@pytest.mark.parametrize(
    ("text", "fps", "drop"),
    [
        ("23.976", Fraction(24000, 1001), False),
        ("23.98", Fraction(24000, 1001), False),
        ("24", Fraction(24), False),
        ("25", Fraction(25), False),
        ("29.97", Fraction(30000, 1001), False),
        ("29.97df", Fraction(30000, 1001), True),
        ("29.97 DF", Fraction(30000, 1001), True),
        ("29.97 NDF", Fraction(30000, 1001), False),
        ("30", Fraction(30), False),
        ("47.952", Fraction(48000, 1001), False),
        ("48", Fraction(48), False),
        ("50", Fraction(50), False),
        ("59.94", Fraction(60000, 1001), False),
        ("59.94df", Fraction(60000, 1001), True),
        ("60", Fraction(60), False),
        ("24000/1001", Fraction(24000, 1001), False),
        ("30000/1001 DF", Fraction(30000, 1001), True),
    ],
)
def test_rates_parse_to_exact_fractions(text: str, fps: Fraction, drop: bool) -> None:
    assert parse_rate(text) == Rate(fps, drop)


@pytest.mark.parametrize("text", ["17", "23.9", "30df", "24df", "fast", "1/0", ""])
def test_unknown_or_impossible_rates_are_errors(text: str) -> None:
    with pytest.raises(CutError):
        parse_rate(text)


@pytest.mark.parametrize(
    ("tc", "rate", "frames"),
    [
        ("01:00:00:00", parse_rate("23.976"), 86400),
        ("01:00:00:00", parse_rate("25"), 90000),
        ("00:01:00;02", DF2997, 1800),
        ("00:00:59;29", DF2997, 1799),
        ("00:10:00;00", DF2997, 17982),
        ("01:00:00;00", DF2997, 107892),
        ("00:01:00;04", DF5994, 3600),
        ("23:59:59;29", DF2997, 2589407),
    ],
)
def test_known_timecodes_give_known_frames(tc: str, rate: Rate, frames: int) -> None:
    assert parse_timecode(tc, rate) == frames
    assert format_timecode(frames, rate) == tc


@pytest.mark.parametrize("tc", ["00:01:00;00", "00:01:00;01", "00:02:00;01"])
def test_dropped_labels_do_not_exist(tc: str) -> None:
    with pytest.raises(CutError):
        parse_timecode(tc, DF2997)


def test_frame_number_over_the_rate_is_an_error() -> None:
    with pytest.raises(CutError, match="impossible at 24"):
        parse_timecode("01:00:00:24", parse_rate("24"))


@given(st.sampled_from(ALL_RATES), st.integers(min_value=0, max_value=24 * 3600 * 60))
def test_timecode_round_trips_every_frame(rate: Rate, frames: int) -> None:
    assert parse_timecode(format_timecode(frames, rate), rate) == frames


@given(st.integers(min_value=0, max_value=2_589_407))
def test_drop_frame_timecode_stays_within_a_frame_of_clock_time(frames: int) -> None:
    h, m, s, f = (int(x) for x in format_timecode(frames, DF2997).replace(";", ":").split(":"))
    label_seconds = h * 3600 + m * 60 + s + Fraction(f, 30)
    real_seconds = Fraction(frames) / DF2997.fps
    # within a day: at most two dropped labels of lead plus 86 ms of residual drift
    assert abs(label_seconds - real_seconds) < Fraction(2, 10)


def test_bwf_time_reference_of_one_hour_at_23976() -> None:
    assert (
        frames_to_samples(
            parse_timecode("01:00:00:00", parse_rate("23.976")), parse_rate("23.976"), 48000
        )
        == 172_972_800
    )


def test_2997_frame_boundaries_round_to_nearest_sample() -> None:
    rate = parse_rate("29.97")
    assert [frames_to_samples(f, rate) for f in range(6)] == [0, 1602, 3203, 4805, 6406, 8008]


@given(st.sampled_from(ALL_RATES), st.integers(0, 10**7), st.sampled_from([44100, 48000, 96000]))
def test_samples_back_to_frames_is_the_same_frame(rate: Rate, frame: int, sr: int) -> None:
    assert samples_to_frames(frames_to_samples(frame, rate, sr), rate, sr) == frame


def test_lowest_rate_fitting() -> None:
    assert lowest_rate_fitting(23) == parse_rate("23.976")
    assert lowest_rate_fitting(24) == parse_rate("25")
    assert lowest_rate_fitting(25) == parse_rate("29.97")
    assert lowest_rate_fitting(10, drop=True) == DF2997
    assert lowest_rate_fitting(45, drop=True) == DF5994
    assert lowest_rate_fitting(60) is None
