"""`mconform verify`: a handoff package checked as the receiving mix stage would.

Checksums and sizes against MANIFEST.json (a missing, damaged or truncated manifest means
nothing can be checked: one line and exit 2, like any bad input); no file added except an
ASC MHL history (``ascmhl/``) that a receiver made with ``ascmhl create``; then every
timeline (music.otio, music.aaf, each EDL) read back on its own: every stem file must
appear in each, at its BWF time stamp, for its length, and every cue of the cue sheet must
have a marker in the OTIO.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote

from edl.csvsafe import FORMULA_STARTS
from edl.errors import MconformError
from edl.rate import Rate
from edl.timecode import frames_to_samples
from temp_library.audio.bwf import parse_bext, read_chunks

__all__ = ["verify_package", "MANIFEST", "file_md5"]

MANIFEST = ("MANIFEST.md5", "MANIFEST.json")


def file_md5(path: Path) -> str:
    """MD5 of a file read in 1 MiB blocks (what MANIFEST.md5 records)."""
    digest = hashlib.md5()  # noqa: S324 - md5sum -c is what a mix stage checks with
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entries(folder: Path) -> tuple[list[dict], list[str]]:
    manifest = folder / "MANIFEST.json"
    if not manifest.is_file():
        raise MconformError("no MANIFEST.json: not a handoff package", path=folder,
                            hint="give the package folder that handoff wrote")  # fmt: skip
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        if not isinstance(entries, list):
            raise ValueError("not a list")
        for e in entries:
            kinds = {"path": str, "md5": str, "size": int}
            if not isinstance(e, dict) or any(
                not isinstance(e.get(k), t) for k, t in kinds.items()
            ):
                raise ValueError(f"entry {e!r:.60} lacks path, md5 or size")
    except (ValueError, UnicodeDecodeError) as err:
        raise MconformError(f"damaged or truncated, so nothing can be checked ({str(err)[:80]})",
                            path=manifest, hint="copy the package again from its source",
                            ) from None  # fmt: skip
    return entries, []


class _Stem:
    """What a stem file says about itself: time stamp, length, channels, rate."""

    def __init__(self, path: Path) -> None:
        import soundfile as sf

        chunks = read_chunks(path)
        self.reference = parse_bext(chunks["bext"]).time_reference if "bext" in chunks else None
        info = sf.info(str(path))
        self.samples, self.channels, self.rate = info.frames, info.channels, info.samplerate


def verify_package(folder: str | Path) -> list[str]:
    """Every difference from the manifest and the timelines; an empty list when all is well."""
    folder = Path(folder)
    entries, problems = _entries(folder)
    if problems:
        return problems
    listed = {e["path"] for e in entries}
    root = folder.resolve()
    for entry in entries:
        path = folder / entry["path"]
        if not path.resolve().is_relative_to(root):
            problems.append(f"{entry['path']}: outside the package")
        elif not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["size"]:
            problems.append(
                f"{entry['path']}: size {path.stat().st_size}, manifest {entry['size']}"
            )
        elif file_md5(path) != entry["md5"]:
            problems.append(f"{entry['path']}: checksum differs from the manifest")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative in listed or relative in MANIFEST or relative.startswith("ascmhl/"):
            continue
        problems.append(f"{relative}: not in the manifest")
    stems: dict[str, _Stem] = {}
    for relative in sorted(listed):
        if relative.startswith("stems/") and (folder / relative).is_file():
            try:
                stems[relative] = _Stem(folder / relative)
            except Exception as err:  # noqa: BLE001 - a damaged file is a finding, not a crash
                problems.append(f"{relative}: cannot read ({str(err)[:80]})")
    if not stems:
        return problems + ["stems/: no stem file in the manifest"]
    rate = _rate(folder, problems)
    problems += _check_otio(folder, stems, rate)
    problems += _check_aaf(folder, stems)
    if rate is not None:
        problems += _check_edls(folder, stems, rate)
    return problems


def _rate(folder: Path, problems: list[str]) -> Rate | None:
    """The picture rate, from the OTIO's metadata (written by handoff)."""
    try:
        data = json.loads((folder / "timeline" / "music.otio").read_text(encoding="utf-8"))
        meta = data["metadata"]["mconform"]
        return Rate(Fraction(meta["rate"]), bool(meta["drop_frame"]))
    except Exception:  # noqa: BLE001 - reported by the OTIO check
        return None


def _placement_problems(
    where: str, found: dict[str, list[tuple[int, int]]], stems: dict[str, _Stem], tolerance: int
) -> list[str]:
    """Each stem must appear in ``found`` (path -> [(first sample, samples)]) where it says."""
    problems = []
    for relative, stem in stems.items():
        places = found.get(relative, [])
        if not places:
            problems.append(f"{where}: {relative} is not in it")
            continue
        if stem.reference is None:
            problems.append(f"{relative}: no bext time stamp")
            continue
        if not any(abs(first - stem.reference) <= tolerance for first, _ in places):
            problems.append(
                f"{where}: {relative} at sample {places[0][0]}, its time stamp {stem.reference}"
            )
        elif not any(abs(length - stem.samples) <= tolerance for _, length in places):
            problems.append(f"{where}: {relative} for {places[0][1]} samples, file {stem.samples}")
    return problems


def _check_otio(folder: Path, stems: dict[str, _Stem], rate: Rate | None) -> list[str]:
    import opentimelineio as otio

    path = folder / "timeline" / "music.otio"
    try:
        timeline = otio.adapters.read_from_file(str(path))
    except Exception as err:  # noqa: BLE001 - a damaged timeline is a finding
        return [f"timeline/music.otio: cannot read ({str(err).splitlines()[0][:80]})"]
    found: dict[str, list[tuple[int, int]]] = {}
    start = timeline.global_start_time or otio.opentime.RationalTime(0, 48000)
    sample_rate = next(iter(stems.values())).rate
    for clip in timeline.find_clips():
        url = getattr(clip.media_reference, "target_url", "") or ""
        relative = (Path("timeline") / unquote(url)).as_posix()
        relative = Path(relative).as_posix().replace("timeline/../", "")
        placed = (clip.range_in_parent().start_time + start).rescaled_to(sample_rate)
        length = clip.source_range.duration.rescaled_to(sample_rate)
        found.setdefault(relative, []).append((round(placed.value), round(length.value)))
    problems = _placement_problems("timeline/music.otio", found, stems, 1)
    cues = _cue_sheet_cues(folder)
    marked = {str(m.metadata.get("mconform", {}).get("cue", m.name.split(" ")[0]))
              for m in timeline.tracks.markers}  # fmt: skip
    problems += [f"timeline/music.otio: cue {cue} of the cue sheet has no marker"
                 for cue in cues if cue not in marked]  # fmt: skip
    return problems


def _cue_sheet_cues(folder: Path) -> list[str]:
    path = folder / "cuesheet.csv"
    if not path.is_file():
        return []
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8", errors="replace"))))
    header = next((i for i, r in enumerate(rows) if r[1:2] == ["cue"]), None)
    if header is None:
        return []
    cells = [r[1] for r in rows[header + 1 :] if len(r) > 1]
    # undo the spreadsheet-safe quote (edl/csvsafe.py) to compare with the cue number
    return sorted({c[1:] if c[:1] == "'" and c[1:2] in FORMULA_STARTS else c for c in cells})


def _check_aaf(folder: Path, stems: dict[str, _Stem]) -> list[str]:
    path = folder / "timeline" / "music.aaf"
    found: dict[str, list[tuple[int, int]]] = {}
    channels: dict[str, set[int]] = {}
    tape: list[str] = []
    try:
        import aaf2

        with aaf2.open(str(path), "r") as aaf:
            comp = next(aaf.content.toplevel())
            tc_slot = next(s for s in comp.slots if s.media_kind == "Timecode")
            tc = tc_slot.segment
            tc_rate = Rate(Fraction(str(tc_slot.edit_rate)), bool(tc.drop))
            for slot in comp.slots:
                if slot.media_kind != "Sound":
                    continue
                sr = int(Fraction(str(slot.edit_rate)))
                origin = frames_to_samples(tc.start, tc_rate, sr)
                position = 0
                for component in slot.segment.components:
                    if isinstance(component, aaf2.components.SourceClip) and component.mob:
                        relative, channel, first = _aaf_file(component)
                        if relative is not None:
                            if first != origin + position:
                                at = origin + position
                                tape.append(f"timeline/music.aaf: {relative} placed at sample "
                                            f"{at}, its source at {first}")  # fmt: skip
                            found.setdefault(relative, []).append((origin + position,
                                                                   component.length))  # fmt: skip
                            channels.setdefault(relative, set()).add(channel)
                    position += component.length
    except Exception as err:  # noqa: BLE001 - a damaged AAF is a finding
        said = str(err).splitlines()[0][:80] if str(err) else type(err).__name__
        return [f"timeline/music.aaf: cannot read ({said})"]
    problems = sorted(set(tape)) + _placement_problems("timeline/music.aaf", found, stems, 0)
    for relative, stem in stems.items():
        have = channels.get(relative, set())
        if have and len(have) != stem.channels:
            problems.append(f"timeline/music.aaf: {relative} has {len(have)} of {stem.channels} "
                            "channels on tracks")  # fmt: skip
    return problems


def _aaf_file(clip: object) -> tuple[str | None, int, int]:
    """A composition clip followed to its file: (package-relative path, channel, tape start)."""
    master = clip.mob
    slot = master.slot_at(clip.slot_id)
    source_clip = slot.segment
    source = source_clip.mob
    if source is None or "Locator" not in source.descriptor.keys():
        return None, 0, 0
    url = str(source.descriptor["Locator"][0]["URLString"].value)
    relative = unquote(url.removeprefix("../")) if url.startswith("../") else unquote(url)
    file_slot = source.slot_at(source_clip.slot_id)
    tape_start = file_slot.segment.start if hasattr(file_slot.segment, "start") else 0
    return relative, clip.slot_id, tape_start


def _check_edls(folder: Path, stems: dict[str, _Stem], rate: Rate) -> list[str]:
    from edl.cmx3600 import read_edl

    found: dict[str, list[tuple[int, int]]] = {}
    edls = sorted((folder / "timeline").glob("*.edl"))
    if not edls:
        return ["timeline/: no EDL"]
    problems = []
    sample_rate = next(iter(stems.values())).rate
    by_name = {Path(r).name: r for r in stems}
    for path in edls:
        try:
            cut = read_edl(path, rate)
        except Exception as err:  # noqa: BLE001 - a damaged EDL is a finding
            problems.append(f"timeline/{path.name}: cannot read ({str(err)[:80]})")
            continue
        events = sorted(cut.audio_events, key=lambda e: e.record_in)
        for a, b in zip(events, events[1:], strict=False):
            if b.record_in < a.record_out:
                problems.append(f"timeline/{path.name}: events {a.number} and {b.number} overlap")
        for event in events:
            relative = by_name.get(event.source_file or event.clip_name or "")
            if relative is None:
                continue
            first = frames_to_samples(event.record_in, rate, sample_rate)
            length = frames_to_samples(event.record_out, rate, sample_rate) - first
            found.setdefault(relative, []).append((first, length))
    # an EDL places on frames: a file's length is its frames, to within one frame
    frame = -(-sample_rate * rate.fps.denominator // rate.fps.numerator)
    problems += [p for p in _placement_problems("timeline/*.edl", found, stems, 1)
                 if "samples, file" not in p]  # fmt: skip
    for relative, stem in stems.items():
        places = found.get(relative, [])
        if places and not any(abs(length - stem.samples) <= frame for _, length in places):
            problems.append(f"timeline/*.edl: {relative} for {places[0][1]} samples, "
                            f"file {stem.samples}")  # fmt: skip
    return problems
