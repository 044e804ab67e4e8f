"""Loudness-matched copies of temp tracks: the originals are never touched.

Each copy is resampled to the project rate (soxr, very high quality), gained to the
target integrated loudness, and kept under a true-peak ceiling: by stopping the gain at
the ceiling (reported as a missed target) or, with `limit`, by a look-ahead true-peak
limiter whose gain reduction is reported.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soxr

from temp_library.audio.bwf import Audio, Bext, write_audio
from temp_library.audio.decode import decode
from temp_library.audio.limiter import true_peak_limit
from temp_library.audio.loudness import LoudnessMeter
from temp_library.catalog import Catalog, Track

__all__ = ["Normalized", "normalize_track", "normalize_catalog", "true_peak_limit", "FORMATS"]

FORMATS = {"wav16": "PCM_16", "wav24": "PCM_24", "wav32f": "FLOAT"}


@dataclass(frozen=True)
class Normalized:
    """One row of the loudness report."""

    id: int
    file: str
    before_lufs: float | None
    before_true_peak_dbtp: float | None
    gain_db: float | None
    after_lufs: float | None
    after_true_peak_dbtp: float | None
    limiter_reduction_db: float
    status: str  # "on target", "missed target", "unchanged", "failed"
    reason: str
    output: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _key(track: Track, target: float, ceiling: float, rate: int, subtype: str, limit: bool) -> str:
    return f"{track.hash}|{target}|{ceiling}|{rate}|{subtype}|{int(limit)}"


def normalize_track(
    track: Track,
    out_dir: Path,
    *,
    target: float = -24.0,
    ceiling: float = -2.0,
    sample_rate: int = 48000,
    subtype: str = "PCM_24",
    limit: bool = False,
) -> tuple[Normalized, str]:
    """Write one loudness-matched copy; returns the report row and the catalog key."""
    key = _key(track, target, ceiling, sample_rate, subtype, limit)
    output = out_dir / f"{track.id:04d}_{Path(track.path).stem}.wav"
    audio = decode(track.path)
    samples = audio.samples
    if audio.sample_rate != sample_rate:
        samples = soxr.resample(samples, audio.sample_rate, sample_rate, quality="VHQ")
        samples = np.ascontiguousarray(samples, dtype=np.float32)
    meter = LoudnessMeter(sample_rate)
    before = meter.measure(samples)
    name = Path(track.path).name
    if before.integrated_lufs is None:
        row = Normalized(track.id, name, None, before.true_peak_dbtp, None, None, None, 0.0,
                         "failed", before.note or "no loudness", "")  # fmt: skip
        return row, ""
    gain_db = target - before.integrated_lufs
    status, reason, reduction = "on target", "", 0.0
    peak_after = (before.true_peak_dbtp or -120.0) + gain_db
    if peak_after > ceiling and not limit:
        gain_db = ceiling - (before.true_peak_dbtp or 0.0)
        status = "missed target"
        reason = (f"true peak would reach {peak_after:+.1f} dBTP; gain stopped at the "
                  f"{ceiling:+.1f} dBTP ceiling")  # fmt: skip
    gained = samples * np.float32(10 ** (gain_db / 20))
    if limit and peak_after > ceiling:
        gained, reduction = true_peak_limit(gained, sample_rate, ceiling)
        reason = f"limited by up to {reduction:.1f} dB to stay under {ceiling:+.1f} dBTP"
    after = meter.measure(gained)
    if after.integrated_lufs is not None and abs(after.integrated_lufs - target) > 0.5:
        status = "missed target"
    bext = Bext(description=f"{name} normalised to {target:+.1f} LUFS by mconform"[:256])
    write_audio(output, Audio(gained, sample_rate, subtype), subtype=subtype, bext=bext, force=True)
    row = Normalized(
        track.id, name, before.integrated_lufs, before.true_peak_dbtp, gain_db,
        after.integrated_lufs, after.true_peak_dbtp, reduction, status, reason, str(output),
    )  # fmt: skip
    return row, key


def normalize_catalog(
    catalog: Catalog,
    out_dir: str | Path,
    *,
    target: float = -24.0,
    ceiling: float = -2.0,
    sample_rate: int = 48000,
    subtype: str = "PCM_24",
    limit: bool = False,
    tracks: list[Track] | None = None,
) -> list[Normalized]:
    """Normalise every catalogued track not already done with the same settings."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for track in tracks if tracks is not None else catalog.tracks():
        key = _key(track, target, ceiling, sample_rate, subtype, limit)
        if track.normalized_key == key and Path(track.normalized_path).exists():
            rows.append(Normalized(track.id, track.name, None, None, None, None, None, 0.0,
                                   "unchanged", "already normalised with these settings",
                                   track.normalized_path))  # fmt: skip
            continue
        try:
            row, new_key = normalize_track(
                track, out_dir, target=target, ceiling=ceiling, sample_rate=sample_rate,
                subtype=subtype, limit=limit,
            )  # fmt: skip
        except (ValueError, OSError) as err:
            row, new_key = Normalized(track.id, track.name, None, None, None, None, None, 0.0,
                                      "failed", str(err), ""), ""  # fmt: skip
        if new_key:
            catalog.update(track.id, normalized_path=row.output, normalized_key=new_key)
        rows.append(row)
    return rows
