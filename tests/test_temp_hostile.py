"""The temp library under hostile input, interruption and concurrency (issues 10 and 11)."""

from __future__ import annotations

import json
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audiogen import cue_stems
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temp_library.audio.bwf import Audio, AudioError, read_audio, write_audio
from temp_library.audio.limiter import true_peak_limit
from temp_library.catalog import Catalog, CatalogError
from temp_library.normalize import normalize_catalog
from temp_library.scan import scan

SR = 48000
MIX = sum(cue_stems(SR, 4.0, 100.0).values()).astype(np.float32)
MCONFORM = str(Path(sys.executable).with_name("mconform"))


def wav(path: Path, seconds: float = 1.0, gain: float = 0.5) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), MIX[: int(seconds * SR)] * gain, SR, "PCM_16")
    return path


def patched(path: Path, rate: int | None = None, channels: int | None = None) -> Path:
    """A canonical WAV whose fmt chunk says another rate or channel count."""
    data = bytearray(path.read_bytes())
    assert data[12:16] == b"fmt "
    if channels is not None:
        data[22:24] = struct.pack("<H", channels)
    if rate is not None:
        data[24:28] = struct.pack("<I", rate)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("rate", "channels", "says"),
    [(1, None, "sample rate 1 Hz"), (999, None, "sample rate 999 Hz"),
     (800000, None, "sample rate 800000 Hz"), (None, 0, "channels"), (None, 65, "65 channels")],
)  # fmt: skip
def test_absurd_headers_are_refused_by_name(
    tmp_path: Path, rate: int | None, channels: int | None, says: str
) -> None:
    path = patched(wav(tmp_path / "bad.wav"), rate, channels)
    with pytest.raises(AudioError) as caught:
        read_audio(path)
    text = str(caught.value)
    assert "bad.wav" in text and "\n" not in text
    if channels != 0:  # libsndfile itself refuses 0 channels, in its own words
        assert says in text


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(min_size=0, max_size=80), st.integers(min_value=0, max_value=60))
def test_fuzzed_wav_headers_give_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    junk: bytes, at: int,
) -> None:  # fmt: skip
    good = wav(tmp_path / "seed.wav", 0.5).read_bytes()
    path = tmp_path / "fuzz.wav"
    path.write_bytes(good[:at] + junk + good[at + len(junk) :])
    code, out, err = run_cli(monkeypatch, capsys, "temp", "measure", "--json", str(path))
    if code == 0:
        for row in json.loads(out):  # accepted: valid JSON figures, never Infinity
            assert all(v is None or np.isfinite(v) for k, v in row.items() if k != "path")
    else:
        assert code == 2 and len(err.strip().splitlines()) == 1 and "fuzz.wav" in err
        assert "Traceback" not in err


def test_one_bad_file_does_not_stop_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(4):
        wav(tmp_path / "lib" / f"good{n}.wav", 0.5, 0.2 + n / 10)
    patched(wav(tmp_path / "lib" / "one_hertz.wav", 0.5, 0.9), rate=1)
    db = str(tmp_path / "c.sqlite")
    code, out, err = run_cli(monkeypatch, capsys, "temp", "add", str(tmp_path / "lib"),
                             "--db", db, "--workers", "1")  # fmt: skip
    assert code == 2 and "4 added" in out and "1 failed" in out
    assert "one_hertz.wav" in err and "sample rate 1 Hz" in err and "Traceback" not in err
    code, out, err = run_cli(monkeypatch, capsys, "temp", "measure", "--json",
                             str(tmp_path / "lib"))  # fmt: skip
    assert code == 2 and len(json.loads(out)) == 4 and err.count("one_hertz.wav") == 1


def test_a_wav_cut_short_is_refused_not_read_as_a_shorter_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = wav(tmp_path / "lib" / "whole.wav", 1.0, 0.3)
    data = whole.read_bytes()
    (tmp_path / "lib" / "short.wav").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(AudioError, match="truncated: the data chunk declares"):
        read_audio(tmp_path / "lib" / "short.wav")
    code, out, err = run_cli(monkeypatch, capsys, "temp", "add", str(tmp_path / "lib"),
                             "--db", str(tmp_path / "c.sqlite"), "--workers", "1")  # fmt: skip
    assert code == 2 and "1 added" in out and "1 failed" in out
    assert "short.wav" in err and "copy the file again" in err and "Traceback" not in err
    # a size that declares nothing (recording in progress, RF64's placeholder) is not refused
    at = data.index(b"data")
    for placeholder in (0, 0xFFFFFFFF):
        open_ended = data[: at + 4] + struct.pack("<I", placeholder) + data[at + 8 :]
        (tmp_path / "open.wav").write_bytes(open_ended[: len(data) * 2 // 3])
        assert read_audio(tmp_path / "open.wav").sample_rate == SR  # whatever libsndfile reads


def test_undecodable_files_are_named_by_their_path_not_by_a_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "noise.mp3").write_bytes(np.random.default_rng(1).bytes(5000))
    (tmp_path / "lib" / "empty.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunk")
    for command in (["temp", "add", str(tmp_path / "lib"), "--db", str(tmp_path / "c.sqlite")],
                    ["temp", "measure", str(tmp_path / "lib")]):  # fmt: skip
        code, _, err = run_cli(monkeypatch, capsys, *command)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 2 and "<_io" not in err and "Error opening" not in err
        assert "noise.mp3: cannot read audio: not an audio format" in err and "empty.wav" in err


def test_silence_and_nan_in_measure_and_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    sf.write(str(lib / "silent.wav"), np.zeros((SR * 10, 2)), SR, "PCM_24")
    bad = np.full((SR * 4, 2), 0.1, np.float32)
    bad[SR, 0] = np.inf
    sf.write(str(lib / "inf.wav"), bad, SR, "FLOAT")
    code, out, err = run_cli(monkeypatch, capsys, "temp", "measure", "--json", str(lib))
    rows = json.loads(out)  # strict JSON: Infinity would not parse back as a number
    assert "Infinity" not in out and [Path(r["path"]).name for r in rows] == ["silent.wav"]
    assert rows[0]["integrated_lufs"] is None and rows[0]["true_peak_dbtp"] is None
    assert code == 2 and "inf.wav" in err and "non-finite samples" in err
    code, out, _ = run_cli(monkeypatch, capsys, "temp", "measure", str(lib / "silent.wav"))
    assert "silent: below the -70 LUFS gate" in out and "shorter than 3 s" not in out
    with Catalog(tmp_path / "c.sqlite") as catalog:
        report = scan(catalog, [lib], workers=1)
        assert [Path(p).name for p, _ in report.failed] == ["inf.wav"]
        (track,) = catalog.tracks()
        assert track.integrated_lufs is None and track.loudness_note.startswith("silent")


def test_a_foreign_database_is_never_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE accounts (id INTEGER, name TEXT)")
    before = foreign.read_bytes()
    for args in (["list"], ["set", "1", "--licence", "cleared"], ["add", str(tmp_path)]):
        code, _, err = run_cli(monkeypatch, capsys, "temp", *args, "--db", str(foreign))
        assert code == 2 and "not an mconform catalog" in err, args
    assert foreign.read_bytes() == before
    with pytest.raises(CatalogError, match="no catalog here"):
        Catalog(tmp_path / "missing.sqlite", write=False)
    assert not (tmp_path / "missing.sqlite").exists()


def test_catalog_ids_and_search_text_are_taken_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for n, name in enumerate(("q%z.wav", "q_z.wav", "qxz.wav")):
        wav(tmp_path / "lib" / name, 0.5, 0.2 + n / 10)
    db = str(tmp_path / "c.sqlite")
    run_cli(monkeypatch, capsys, "temp", "add", str(tmp_path / "lib"), "--db", db)
    code, out, err = run_cli(monkeypatch, capsys, "temp", "set", "9" * 23, "--note", "x",
                             "--db", db)  # fmt: skip
    assert code == 2 and "no track 99999999999999999999999" in err and "Traceback" not in err
    for text, expected in (("q%z", ["q%z.wav"]), ("q_z", ["q_z.wav"]), ("QXZ", ["qxz.wav"])):
        code, out, _ = run_cli(monkeypatch, capsys, "temp", "list", "--db", db, "--search",
                               text, "--json")  # fmt: skip
        assert [Path(t["path"]).name for t in json.loads(out)] == expected, text


def test_normalize_replaces_only_its_own_files_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wav(tmp_path / "lib" / "cue.wav", 4.0)
    db = str(tmp_path / "c.sqlite")
    run_cli(monkeypatch, capsys, "temp", "add", str(tmp_path / "lib"), "--db", db)
    out_dir = tmp_path / "norm"
    out_dir.mkdir()
    theirs = out_dir / "0001_cue.wav"
    theirs.write_bytes(b"an editor's own file")
    code, out, _ = run_cli(monkeypatch, capsys, "temp", "normalize", "--db", db, "--out",
                           str(out_dir), "--workers", "1")  # fmt: skip
    assert code == 2 and "already exists" in out and theirs.read_bytes() == b"an editor's own file"
    code, _, _ = run_cli(monkeypatch, capsys, "temp", "normalize", "--db", db, "--out",
                         str(out_dir), "--workers", "1", "--force")  # fmt: skip
    assert code == 0 and sf.info(str(theirs)).samplerate == SR
    code, out, _ = run_cli(monkeypatch, capsys, "temp", "normalize", "--db", db, "--out",
                           str(out_dir), "--workers", "1", "--target", "-20")  # fmt: skip
    assert code == 0 and "on target" in out  # its own earlier copy: replaced


def test_float_writes_keep_the_value_and_refuse_nan(tmp_path: Path) -> None:
    values = np.array([[1.5, -2.25], [1e-30, 0.333333]], np.float32)
    write_audio(tmp_path / "f.wav", Audio(values, SR, "FLOAT"))
    back, rate = sf.read(str(tmp_path / "f.wav"), dtype="float32")  # an independent reader
    assert rate == SR and np.array_equal(back, values)
    for bad in (np.nan, np.inf):
        broken = values.copy()
        broken[1, 1] = bad
        for subtype in ("FLOAT", "PCM_24"):
            with pytest.raises(AudioError, match="non-finite samples"):
                write_audio(tmp_path / f"{subtype}.wav", Audio(broken, SR, subtype))
            assert not (tmp_path / f"{subtype}.wav").exists()


def test_the_limiter_keeps_the_first_and_last_samples_level() -> None:
    quiet = np.full((SR, 2), 0.25, np.float32)
    quiet[SR // 2] = 0.99  # one peak in the middle needs limiting
    limited, reduction = true_peak_limit(quiet, SR, -6.0)
    assert reduction > 5.0
    assert np.allclose(limited[:200], 0.25, atol=1e-6) and np.allclose(limited[-200:], 0.25)


def test_scan_and_normalize_through_a_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    for n in range(3):
        wav(tmp_path / "lib" / f"t{n}.wav", 0.5, 0.2 + n / 10)
    patched(wav(tmp_path / "lib" / "bad.wav", 0.5, 0.9), rate=3)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:  # fmt: skip
        with Catalog(tmp_path / "c.sqlite") as catalog:
            report = scan(catalog, [tmp_path / "lib"], scheduler=cluster.scheduler_address)
            rows = normalize_catalog(catalog, tmp_path / "norm", target=-30.0,
                                     scheduler=cluster.scheduler_address)  # fmt: skip
            recorded = [t.normalized_path for t in catalog.tracks()]
    assert sorted(t.name for t in report.added) == ["t0.wav", "t1.wav", "t2.wav"]
    assert [Path(p).name for p, _ in report.failed] == ["bad.wav"]
    assert [r.status for r in rows] == ["on target"] * 3  # written by the cluster's worker
    assert recorded == [r.output for r in rows] and all(Path(p).is_file() for p in recorded)


def test_an_unreachable_scheduler_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import temp_library.workers

    monkeypatch.setattr(temp_library.workers, "CONNECT_TIMEOUT", 1.0)
    wav(tmp_path / "lib" / "t.wav", 0.5)
    db = str(tmp_path / "c.sqlite")
    code, _, err = run_cli(monkeypatch, capsys, "temp", "add", str(tmp_path / "lib"), "--db", db,
                           "--scheduler", "tcp://127.0.0.1:9")  # fmt: skip
    assert code == 2 and "cannot reach the Dask scheduler" in err
    assert len(err.strip().splitlines()) == 1


_SCAN = (
    "import sys; from temp_library.catalog import Catalog; from temp_library.scan import scan\n"
    "with Catalog(sys.argv[2]) as c: scan(c, [sys.argv[1]], workers=1)"
)


def _add(folder: Path, db: Path) -> subprocess.Popen:
    """`temp add` through the library in its own process (no CLI start-up to wait for)."""
    return subprocess.Popen([sys.executable, "-c", _SCAN, str(folder), str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def test_two_concurrent_adds_of_the_same_file_catalogue_it_once(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        wav(tmp_path / folder / "same.wav", 1.0)
        for n in range(2):
            wav(tmp_path / folder / f"{folder}{n}.wav", 0.5, 0.1 + n / 10 + (folder == "b") / 20)
    db = tmp_path / "c.sqlite"
    runs = [_add(tmp_path / "a", db), _add(tmp_path / "b", db)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    with Catalog(db, write=False) as catalog:
        names = sorted(t.name for t in catalog.tracks())
    assert names == ["a0.wav", "a1.wav", "b0.wav", "b1.wav", "same.wav"]


def test_a_killed_add_leaves_a_sound_catalog_that_the_next_run_completes(tmp_path: Path) -> None:
    for n in range(5):
        wav(tmp_path / "lib" / f"t{n}.wav", 2.0, 0.1 + n / 20)
    db = tmp_path / "c.sqlite"
    rng = np.random.default_rng(int(time.time()))
    run = _add(tmp_path / "lib", db)
    time.sleep(float(rng.uniform(0.5, 2.0)))
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=60)
    if db.exists():
        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = _add(tmp_path / "lib", db)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    with Catalog(db, write=False) as catalog:
        assert len(catalog.tracks()) == 5
