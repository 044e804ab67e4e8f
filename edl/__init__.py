"""Cuts in and out: exact time model, EDL and OTIO readers and writers, change lists.

This package knows nothing about music.
"""

from edl.cut import Cut, Event, Hit, Speed, Transition
from edl.errors import CutError
from edl.rate import STANDARD_RATES, Rate, parse_rate
from edl.timecode import format_timecode, frames_to_samples, parse_timecode

__all__ = [
    "Cut",
    "CutError",
    "Event",
    "Hit",
    "Rate",
    "STANDARD_RATES",
    "Speed",
    "Transition",
    "format_timecode",
    "frames_to_samples",
    "parse_rate",
    "parse_timecode",
]
