"""The `mconform` command as a user runs it: tables, JSON, conversion, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli
from test_corpus import CORPUS, EXPECTED, Error


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cut_show_on_every_corpus_file_prints_a_table_or_one_line_error(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "cut", "show", str(CORPUS / name))
    if isinstance(EXPECTED[name], Error):
        assert code == 2 and out == ""
        errors = [line for line in err.splitlines() if line.startswith("mconform: error:")]
        assert len(errors) == 1 and "Traceback" not in err
    else:
        assert code == 0 and "record" in out


def test_cut_show_json_lists_events_and_hits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CORPUS / "edl/sg-otio/ER_00119.edl"
    code, out, _ = run_cli(
        monkeypatch, capsys, "cut", "show", str(path), "--rate", "23.976", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["rate"]["fps"] == "24000/1001"
    assert data["events"][0]["record_in"] == "01:01:02:17"
    assert data["hits"][0] == {
        "timecode": "01:01:03:00",
        "frame": data["hits"][0]["frame"],
        "name": "YA0010",
        "colour": "YELLOW",
    }


def test_cut_convert_edl_to_otio_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = CORPUS / "edl/otio-cmx3600-adapter/dissolve_test_4.edl"
    target = tmp_path / "cut.otio"
    code, out, _ = run_cli(monkeypatch, capsys, "cut", "convert", str(src), str(target))
    assert code == 0 and target.exists()
    code, _, err = run_cli(monkeypatch, capsys, "cut", "convert", str(src), str(target))
    assert code == 2 and "--force" in err
    back = tmp_path / "back.edl"
    code, _, _ = run_cli(monkeypatch, capsys, "cut", "convert", str(target), str(back))
    assert code == 0 and "01:04:31:14" in back.read_text()
    assert not list(tmp_path.glob("*.part"))


def test_wrong_rate_is_one_line_with_the_rate_that_fits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CORPUS / "edl/pycmx/test_25.edl"
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path), "--rate", "24")
    assert code == 2
    assert "test_25.edl:" in err and "use --rate 25" in err


def test_unknown_rate_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", "x.edl", "--rate", "17")
    assert code == 2 and "unknown frame rate" in err


def test_demo_runs_the_whole_job_and_can_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real `mconform demo` once as a user runs it, then again quicker at 8 kHz."""
    out_dir = tmp_path / "demo"
    code, out, err = run_cli(monkeypatch, capsys, "demo", "--out", str(out_dir))
    assert code == 0, err
    for words in ("1 unchanged, 4 moved, 4 changed", "cues fitted", "verified", "report.html"):
        assert words in out
    assert "8 of 8 on their hits" in out
    assert "temp-only but plays in the locked cut" in err
    assert (out_dir / "handoff" / "MANIFEST.md5").exists()
    assert (out_dir / "conform" / "cues.csv").exists()
    code, out, err = run_cli(
        monkeypatch, capsys, "demo", "--out", str(out_dir), "--sample-rate", "8000"
    )
    assert code == 0, err
    assert "36 stems, verified" in out and "8 of 8 on their hits" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_demo_refuses_a_folder_it_did_not_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    code, _, err = run_cli(monkeypatch, capsys, "demo", "--out", str(tmp_path))
    assert code == 2 and "not made by the demo" in err


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_diff_prints_changes_and_writes_csv_and_edl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = SAMPLES / "reel1_v1.edl", SAMPLES / "reel1_v2.edl"
    out_dir = tmp_path / "diff"
    code, out, _ = run_cli(
        monkeypatch, capsys, "diff", str(old), str(new), "--rate", "23.976", "--out", str(out_dir)
    )
    assert code == 0
    assert "17A-1 -> 17A-5 (another take), 8 frames longer" in out
    assert "frames added 86, removed 300" in out
    rows = (out_dir / "changes.csv").read_text().splitlines()
    assert rows[0] == "kind,old_start,old_end,new_start,new_end,frames,reel,clip"
    assert any(r.startswith("deleted,01:00:42:00,01:00:54:00,") for r in rows)
    assert (out_dir / "changes.edl").read_text().startswith("TITLE: CHANGES")


def test_conform_writes_outputs_and_refuses_an_existing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "conformed"
    args = [
        "conform",
        str(SAMPLES / "reel1_v1.edl"),
        str(SAMPLES / "reel1_v2.edl"),
        "--cues",
        str(SAMPLES / "cues.csv"),
        "--rate",
        "23.976",
        "--out",
        str(out_dir),
    ]
    code, out, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0 and "1 unchanged, 4 moved, 4 changed, 0 removed" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "changes.csv",
        "changes.edl",
        "changes.json",
        "cues.csv",
        "cues.otio",
    ]
    before = (out_dir / "cues.csv").read_bytes()
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "--force" in err
    code, _, _ = run_cli(monkeypatch, capsys, *args, "--force")
    assert code == 0 and (out_dir / "cues.csv").read_bytes() == before  # deterministic
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_conform_with_a_bad_cue_list_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cues = tmp_path / "cues.csv"
    cues.write_text("cue,start,end\n1M1,01:00:10:00,01:00:05:00\n")
    out_dir = tmp_path / "out"
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "conform",
        str(SAMPLES / "reel1_v1.edl"),
        str(SAMPLES / "reel1_v2.edl"),
        "--cues",
        str(cues),
        "--out",
        str(out_dir),
    )
    assert code == 2 and "cues.csv:2:" in err and "before or where it starts" in err
    assert not out_dir.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_interrupted_output_leaves_nothing(tmp_path: Path) -> None:
    from edl.files import OutputDir

    target = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), OutputDir(target) as output:
        output.write_text("cues.csv", "half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["cut", "show", "{tmp}/nope.edl"],
        ["cut", "convert", "{tmp}/nope.edl", "{tmp}/x.otio"],
        ["diff", "{tmp}/nope.edl", "{tmp}/nope2.edl"],
        ["conform", "{tmp}/a.edl", "{tmp}/b.edl", "--cues", "{tmp}/c.csv", "--out", "{tmp}/o"],
        ["sync", "{tmp}/c.csv", "--cut", "{tmp}/a.edl", "--out", "{tmp}/o"],
        ["fit", "{tmp}/nope.wav", "--length", "10s", "--out", "{tmp}/x.wav"],
        ["temp", "add", "{tmp}/nope"],
        ["temp", "list", "--db", "{tmp}/nope.sqlite"],
        ["temp", "list", "--db", "{tmp}/garbage.sqlite"],
        ["temp", "measure", "{tmp}/nope.wav"],
        ["handoff", "{tmp}/c.csv", "--cut", "{tmp}/a.edl", "--out", "{tmp}/o"],
        ["verify", "{tmp}/nope"],
        ["cuesheet", "{tmp}/c.csv", "--cut", "{tmp}/a.edl", "--out", "{tmp}/s.csv"],
    ],
)
def test_every_command_turns_missing_or_bad_input_into_one_line(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "garbage.sqlite").write_text("not a database")
    code, _, err = run_cli(monkeypatch, capsys, *[a.format(tmp=tmp_path) for a in args])
    assert code == 2
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("mconform: error:")]) == 1
