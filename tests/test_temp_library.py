"""The temp library as a music assistant uses it: scan, list, set, measure, normalise, usage."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audiogen import cue_stems
from helpers import run_cli

from temp_library.audio.bwf import Audio, write_audio
from temp_library.audio.decode import decode, ffmpeg_exe
from temp_library.catalog import Catalog
from temp_library.normalize import normalize_catalog, true_peak_limit
from temp_library.scan import file_hash, scan

SR = 48000
MIX = sum(cue_stems(SR, 6.0, 100.0).values())


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small temp library at very different loudness, in several formats."""
    root = tmp_path_factory.mktemp("library")
    (root / "score").mkdir()
    write_audio(root / "score" / "loud.wav", Audio(MIX, SR))
    write_audio(root / "score" / "quiet.wav", Audio(MIX * 0.05, 44100, "PCM_16"))
    shutil.copy(root / "score" / "loud.wav", root / "loud_copy.wav")
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(root / "score" / "loud.wav"),
            "-b:a",
            "192k",
            "-metadata",
            "title=Big Theme",
            "-metadata",
            "composer=A. Composer",
            str(root / "theme.mp3"),
        ],
        check=True,
    )
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(root / "score" / "quiet.wav"),
            str(root / "quiet.m4a"),
        ],
        check=True,
    )
    (root / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    return root


def test_scan_adds_measures_reports_duplicates_and_bad_files(library: Path, tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.sqlite") as catalog:
        report = scan(catalog, [library], workers=2)
        names = sorted(t.name for t in report.added)
        assert names == ["loud_copy.wav", "quiet.m4a", "quiet.wav", "theme.mp3"]  # first found
        assert [(Path(a).name, Path(b).name) for a, b in report.duplicates] == [
            ("loud.wav", "loud_copy.wav")
        ]
        assert [Path(p).name for p, _ in report.failed] == ["broken.wav"]
        assert "\n" not in report.failed[0][1]
        theme = next(t for t in report.added if t.name == "theme.mp3")
        assert (theme.title, theme.composer) == ("Big Theme", "A. Composer")
        quiet = next(t for t in report.added if t.name == "quiet.wav")
        loud = next(t for t in report.added if t.name == "loud_copy.wav")
        assert loud.integrated_lufs - quiet.integrated_lufs == pytest.approx(26.0, abs=0.3)
        assert quiet.sample_rate == 44100 and quiet.subtype == "PCM_16"
        again = scan(catalog, [library], workers=1)
        assert again.added == [] and again.skipped == 4


def test_moved_file_is_recognised_by_content(library: Path, tmp_path: Path) -> None:
    work = tmp_path / "lib"
    shutil.copytree(library / "score", work)
    with Catalog(tmp_path / "c.sqlite") as catalog:
        scan(catalog, [work], workers=1)
        (work / "quiet.wav").rename(work / "renamed.wav")
        report = scan(catalog, [work], workers=1)
        assert [t.name for _, t in report.moved] == ["renamed.wav"] and not report.added
        assert len(catalog.tracks()) == 2


def test_a_killed_scan_resumes_where_it_stopped(library: Path, tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.sqlite") as catalog:
        scan(catalog, [library / "score" / "loud.wav"], workers=1)  # as if killed after one
        report = scan(catalog, [library / "score"], workers=1)
        assert [t.name for t in report.added] == ["quiet.wav"] and report.skipped == 1


def test_aac_decodes_through_the_pip_ffmpeg(library: Path) -> None:
    audio = decode(library / "quiet.m4a")
    assert audio.sample_rate == 44100 and audio.channels == 2 and audio.seconds > 5.9


def test_normalised_copies_leave_originals_untouched(library: Path, tmp_path: Path) -> None:
    before = {p.name: file_hash(p) for p in library.rglob("*") if p.is_file()}
    with Catalog(tmp_path / "c.sqlite") as catalog:
        scan(catalog, [library], workers=1)
        rows = normalize_catalog(catalog, tmp_path / "norm", target=-24, ceiling=-2)
        assert {r.status for r in rows} == {"on target"}
        for row in rows:
            info = sf.info(row.output)
            assert (info.samplerate, info.subtype) == (48000, "PCM_24")
            assert row.after_lufs == pytest.approx(-24, abs=0.1)
        again = normalize_catalog(catalog, tmp_path / "norm", target=-24, ceiling=-2)
        assert {r.status for r in again} == {"unchanged"}
        loud = normalize_catalog(catalog, tmp_path / "hot", target=-8, ceiling=-2)
        assert {r.status for r in loud} == {"missed target"}
        assert all(r.after_true_peak_dbtp <= -1.9 for r in loud)
        assert "gain stopped" in loud[0].reason
    after = {p.name: file_hash(p) for p in library.rglob("*") if p.is_file()}
    assert before == after


def test_true_peak_limiter_holds_the_ceiling_without_steps() -> None:
    from temp_library.audio.loudness import LoudnessMeter

    hot = MIX * 3.0
    limited, reduction = true_peak_limit(hot, SR, -2.0)
    assert reduction > 3.0
    assert LoudnessMeter(SR).measure(limited).true_peak_dbtp <= -1.9
    gain = limited[:, 0] / np.where(np.abs(hot[:, 0]) > 1e-3, hot[:, 0], np.nan)
    steps = np.abs(np.diff(gain[np.isfinite(gain)]))
    assert np.nanmax(steps) < 0.05  # the gain moves smoothly


def test_cli_add_list_set_usage_and_measure(
    library: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = str(tmp_path / "c.sqlite")
    code, out, err = run_cli(monkeypatch, capsys, "temp", "add", str(library), "--db", db)
    assert code == 2 and "4 added" in out and "broken.wav" in err  # a bad file: reported, exit 2
    code, out, _ = run_cli(monkeypatch, capsys, "temp", "list", "--db", db, "--json")
    tracks = json.loads(out)
    theme = next(t for t in tracks if t["path"].endswith("theme.mp3"))
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "temp",
        "set",
        str(theme["id"]),
        "--licence",
        "temp-only",
        "--tag",
        "big",
        "--note",
        "album",
        "--db",
        db,
    )
    assert code == 0 and "temp-only" in out
    code, out, _ = run_cli(
        monkeypatch, capsys, "temp", "list", "--db", db, "--licence", "temp-only"
    )
    assert "theme.mp3" in out and "quiet.wav" not in out
    cut = tmp_path / "cut.edl"
    cut.write_text(
        "TITLE: R1 LOCKED\n"
        "001  AX       A     C        00:00:00:00 00:00:06:00 01:00:00:00 01:00:06:00\n"
        "* FROM CLIP NAME:  theme.mp3\n"
    )
    code, out, err = run_cli(monkeypatch, capsys, "temp", "usage", str(cut), "--db", db)
    assert code == 0 and "theme.mp3" in out and "temp-only but plays in the locked cut" in err
    code, out, _ = run_cli(monkeypatch, capsys, "temp", "measure", str(library / "score"), "--json")
    rows = json.loads(out)
    assert list(rows[0]) == [
        "path",
        "integrated_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "max_momentary_lufs",
        "max_short_term_lufs",
        "duration_s",
    ]
    code, _, err = run_cli(monkeypatch, capsys, "temp", "measure", str(library / "broken.wav"))
    assert code == 2 and "broken.wav" in err
