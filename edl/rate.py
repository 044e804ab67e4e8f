"""Frame rates kept exact: a rational frames-per-second and a drop-frame flag.

OpenTimelineIO's opentime keeps rates as doubles, so the time model here is our own;
`edl.otio_io` converts at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from edl.errors import CutError

__all__ = ["Rate", "STANDARD_RATES", "parse_rate", "lowest_rate_fitting"]


@dataclass(frozen=True, order=True)
class Rate:
    """A picture rate: ``fps`` exact (24000/1001 for 23.976) and whether timecode drops frames."""

    fps: Fraction
    drop: bool = False

    def __hash__(self) -> int:
        # Fraction.__hash__ takes a modular inverse each call; rates key hot caches
        try:
            return self.__dict__["_hash"]
        except KeyError:
            value = hash((self.fps, self.drop))
            object.__setattr__(self, "_hash", value)
            return value

    def __post_init__(self) -> None:
        if self.fps <= 0:
            raise CutError(f"frame rate must be positive, not {self.fps}")
        if self.drop and self.fps not in (_ntsc(30), _ntsc(60)):
            raise CutError(
                f"drop frame exists only at 29.97 and 59.94, not at {self.label()}",
                hint="drop the DF flag or use --rate 29.97 / 59.94",
            )

    @cached_property
    def timecode_base(self) -> int:
        """Frames per timecode second: 24 for 23.976, 30 for 29.97."""
        return round(self.fps)

    @cached_property
    def drop_per_minute(self) -> int:
        """Frame labels skipped at the start of each minute not divisible by ten."""
        return self.timecode_base // 15 if self.drop else 0

    @cached_property
    def timecodes(self) -> dict[int, str]:
        """Timecode text by frame count, filled by `edl.timecode.format_timecode`."""
        return {}

    def label(self) -> str:
        """Human form: ``23.976``, ``24``, ``29.97 DF``."""
        if self.fps.denominator == 1:
            text = str(self.fps.numerator)
        else:
            text = f"{float(self.fps):.3f}".rstrip("0").rstrip(".")
        return text + (" DF" if self.drop else "")

    def __str__(self) -> str:
        return self.label()

    def with_drop(self, drop: bool) -> Rate:
        return self if drop == self.drop else Rate(self.fps, drop)


def _ntsc(base: int) -> Fraction:
    return Fraction(base * 1000, 1001)


STANDARD_RATES: tuple[Rate, ...] = (
    Rate(_ntsc(24)),
    Rate(Fraction(24)),
    Rate(Fraction(25)),
    Rate(_ntsc(30)),
    Rate(Fraction(30)),
    Rate(_ntsc(48)),
    Rate(Fraction(48)),
    Rate(Fraction(50)),
    Rate(_ntsc(60)),
    Rate(Fraction(60)),
)
"""The rates a cut may have, lowest first (the order `--rate auto` tries them in)."""

_NAMED: dict[str, Fraction] = {
    "23.976": _ntsc(24),
    "23.98": _ntsc(24),
    "24": Fraction(24),
    "25": Fraction(25),
    "29.97": _ntsc(30),
    "30": Fraction(30),
    "47.952": _ntsc(48),
    "47.95": _ntsc(48),
    "48": Fraction(48),
    "50": Fraction(50),
    "59.94": _ntsc(60),
    "60": Fraction(60),
}


def parse_rate(text: str) -> Rate:
    """Parse ``23.976``, ``29.97df``, ``29.97 NDF``, ``24000/1001`` or ``30000/1001 DF``.

    ``auto`` is not a rate; callers handle it before calling this.
    """
    raw = text.strip().lower().replace("fps", "").strip()
    drop = False
    for suffix, is_drop in (("ndf", False), ("df", True)):
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)].strip().rstrip("-_ ").strip()
            drop = is_drop
            break
    fps: Fraction | None = _NAMED.get(raw)
    if fps is None and "/" in raw:
        num, _, den = raw.partition("/")
        if num.strip().isdigit() and den.strip().isdigit() and int(den) > 0:
            fps = Fraction(int(num), int(den))
    if fps is None or fps not in {r.fps for r in STANDARD_RATES}:
        known = ", ".join(_NAMED) + " or a fraction such as 24000/1001"
        raise CutError(f"unknown frame rate {text[:24]!r}", hint=f"use one of {known}")
    return Rate(fps, drop)


def lowest_rate_fitting(max_frame_label: int, drop: bool = False) -> Rate | None:
    """The lowest standard rate whose timecode allows a frame label this high."""
    for rate in STANDARD_RATES:
        if drop and rate.fps.denominator == 1:
            continue
        if drop and rate.timecode_base not in (30, 60):
            continue
        if max_frame_label < rate.timecode_base:
            return rate.with_drop(drop)
    return None
