"""Hostile cue lists and hits files through the real command line: one line, exit 2, file:line.

Fuzzing starts from a good list and spoils one cell (or the header) with hostile text; the
command either succeeds or fails with one line on stderr that names the file and the line
that was spoiled.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EDL = str(SAMPLES / "reel1_v1.edl")
R = ["--rate", "23.976"]
HEADER = ["cue", "title", "start", "end", "sync"]
GOOD = [
    ["1M1", "Main Title", "01:00:00:00", "01:00:18:00", "title=01:00:00:00"],
    ["1M2", "Harbour", "01:00:18:00", "01:01:05:00", "gull=01:00:33:16"],
    ["1M3", "Lamp Room", "01:01:05:00", "01:01:30:00", ""],
]

HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "²",
            "²f",
            "1e400",
            "9" * 5000,
            "-1",
            "01:00:00;00",
            "99:99:99:99",
            "01:00:00:00:00",
            "x=",
            "=01:00:00:00",
            ";;;",
            '"',
            'a"b',
            "01:00:00.00",
            "١٢:٠٠:٠٠:٠٠",
            "\x00",
            "NaN",
            "inf",
            "[bold]x[/]",
            "01:00:10:00; zz",
            "0f",
            "10.5.5s",
        ]
    ),  # fmt: skip
    st.text(alphabet="0123456789:;.,f=s ", max_size=20),
)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith("mconform: error: "), err
    assert len(lines[0]) < 400, lines[0]
    return lines[0]


def _spoiled(tmp_path: Path, row: int, column: int, value: str) -> tuple[Path, int]:
    """The good list with one cell replaced; returns its path and the spoiled line."""
    rows = [list(HEADER), *(list(r) for r in GOOD)]
    rows[row][column] = value
    path = tmp_path / "cues.csv"
    path.write_bytes(
        ("\n".join(",".join(_csv_cell(c) for c in r) for r in rows) + "\n").encode("utf-8")
    )
    return path, row + 1


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, len(GOOD)), st.integers(0, len(HEADER) - 1), HOSTILE)
def test_fuzzed_cue_list_through_sync_is_one_line_with_file_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    row: int,
    column: int,
    value: str,
) -> None:
    path, line = _spoiled(tmp_path, row, column, value)
    out_dir = tmp_path / "out"
    code, _, err = run_cli(
        monkeypatch, capsys, "sync", str(path), "--cut", EDL, "--out", str(out_dir), *R,
        "--force",
    )  # fmt: skip
    if code == 0:
        return
    message = _one_line_error(err)
    assert code == 2
    if "\x00" not in value:  # a NUL makes it a binary file: an error about the whole file
        assert f"{path}:{line}:" in message, message


@pytest.mark.parametrize("command", ["conform", "handoff", "cuesheet"])
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, len(GOOD)), st.sampled_from([2, 3, 4]), HOSTILE)
def test_fuzzed_cue_list_in_every_reader_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    row: int,
    column: int,
    value: str,
) -> None:
    path, line = _spoiled(tmp_path, row, column, value)
    args = {
        "conform": ["conform", EDL, str(SAMPLES / "reel1_v2.edl"), "--cues", str(path)],
        "handoff": ["handoff", str(path), "--cut", EDL],
        "cuesheet": ["cuesheet", str(path), "--cut", EDL],
    }[command]
    out = tmp_path / ("sheet.csv" if command == "cuesheet" else "out")
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(out), *R, "--force")
    if code == 0:
        return
    message = _one_line_error(err)
    assert code == 2
    if re.search(r"cues\.csv:\d+:", message) and "\x00" not in value:
        assert f"{path}:{line}:" in message, message


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(["name", "tc", "cue"]), HOSTILE)
def test_fuzzed_hits_file_is_one_line_with_file_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str,
) -> None:
    cells = {"name": "door", "tc": "01:00:33:16", "cue": "1M2", column: value}
    hits = tmp_path / "hits.csv"
    hits.write_text(
        "name,tc,cue\n" + "slam,01:00:10:00,1M1\n"
        + ",".join(_csv_cell(cells[c]) for c in ("name", "tc", "cue")) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    code, _, err = run_cli(
        monkeypatch, capsys, "sync", str(SAMPLES / "cues.csv"), "--cut", EDL, "--hits",
        str(hits), "--out", str(tmp_path / "out"), *R, "--force",
    )  # fmt: skip
    if code == 0:
        return
    message = _one_line_error(err)
    assert code == 2
    if "\x00" not in value:
        assert f"{hits}:3:" in message, message


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    return run_cli(monkeypatch, capsys, *args, *R)


CP1252 = (
    "cue,title,start,end,composer,publisher,pro,share,usage,file\n"
    "1M1,Café – Thème,01:00:00:00,01:00:02:00,Zoë Müller,Éditions,SACEM,100,BI,mix.wav\n"
).encode("cp1252")


@pytest.mark.parametrize("command", ["sync", "cuesheet", "handoff"])
def test_excel_cp1252_cue_list_is_read_by_every_command(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    import numpy as np

    from temp_library.audio.bwf import Audio, write_audio

    cues = tmp_path / "cues.csv"
    cues.write_bytes(CP1252)
    write_audio(tmp_path / "mix.wav", Audio(np.zeros((96096, 2), np.float32), 48000))
    out = tmp_path / ("sheet.csv" if command == "cuesheet" else "out")
    code, _, err = _run(monkeypatch, capsys, command, str(cues), "--cut", EDL, "--out", str(out))
    assert code == 0, err
    written = {"cuesheet": out, "sync": out / "cues.csv", "handoff": out / "cuesheet.csv"}[command]
    assert "Café – Thème" in written.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ("1M1,01:00:10:00,01:00:05:00,", "before or where it starts"),
        ("1M1,01:00:00:00,,²f", "not a length"),
        ("1M1,01:00:00:00,01:00:05:00,,x", "header names 4 columns"),
    ],
)
@pytest.mark.parametrize("command", ["conform", "sync", "handoff", "cuesheet"])
def test_bad_rows_are_refused_by_every_command_with_file_and_line(
    command: str, rows: str, words: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    cues = tmp_path / "cues.csv"
    cues.write_text("cue,start,end,duration\n" + rows + "\n")
    args = {
        "conform": ["conform", EDL, str(SAMPLES / "reel1_v2.edl"), "--cues", str(cues)],
        "sync": ["sync", str(cues), "--cut", EDL],
        "handoff": ["handoff", str(cues), "--cut", EDL],
        "cuesheet": ["cuesheet", str(cues), "--cut", EDL],
    }[command]
    code, _, err = _run(monkeypatch, capsys, *args, "--out", str(tmp_path / "o"))
    message = _one_line_error(err)
    assert code == 2 and f"{cues}:2:" in message and words in message


def test_conformed_list_with_part_a_is_refused_by_handoff(
    tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    cues = tmp_path / "cues.csv"
    cues.write_text(
        "cue,part,status,old_start,old_end,new_start,new_end,offset,note\n"
        "1M1,a,moved,01:00:00:00,01:00:05:00,01:00:01:00,01:00:06:00,00:00:00:00,\n"
    )
    code, _, err = _run(monkeypatch, capsys, "handoff", str(cues), "--cut", EDL, "--out",
                        str(tmp_path / "o"))  # fmt: skip
    assert code == 2 and f"{cues}:2:" in _one_line_error(err) and "part" in err


def test_a_huge_cell_and_a_huge_list_are_refused_with_the_limit_named(
    tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    big = tmp_path / "big.csv"
    big.write_text(f'cue,start,end,title\n1M1,01:00:00:00,01:00:01:00,"{"x" * 140_000}"\n')
    code, _, err = _run(monkeypatch, capsys, "sync", str(big), "--cut", EDL, "--out",
                        str(tmp_path / "o"))  # fmt: skip
    assert code == 2 and "128 KiB" in _one_line_error(err) and f"{big}:2:" in err
    many = tmp_path / "many.csv"
    with many.open("w") as handle:
        handle.write("cue,start,end\n")
        handle.writelines(f"C{n},01:00:00:00,01:00:01:00\n" for n in range(10_050))
    code, _, err = _run(monkeypatch, capsys, "sync", str(many), "--cut", EDL, "--out",
                        str(tmp_path / "o"))  # fmt: skip
    assert code == 2 and "more than 10000 rows" in _one_line_error(err)


def test_a_4000_character_token_is_cut_in_the_message(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001,E501
    cues = tmp_path / "cues.csv"
    cues.write_text("cue,start,end\n1M1," + "9" * 4000 + ",01:00:01:00\n")
    code, _, err = _run(monkeypatch, capsys, "sync", str(cues), "--cut", EDL, "--out",
                        str(tmp_path / "o"))  # fmt: skip
    assert code == 2 and len(_one_line_error(err)) < 300 and f"{cues}:2:" in err
