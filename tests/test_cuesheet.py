"""The cue sheet: uses, parties, rounding, warnings, CSV/XLSX outputs and CSV-injection safety."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from conform.cues.cuelist import CueError
from conform.cues.placed import Placement, StemCue, read_stem_cues
from conform.paperwork.cuesheet import (
    USAGES,
    Production,
    cue_sheet,
    cue_sheet_csv,
    cue_sheet_files,
    production_csv,
    whole_seconds,
)
from conform.paperwork.parties import parties_from_columns, read_parties
from edl.csvsafe import FORMULA_STARTS, safe_cell
from edl.io import read_cut
from edl.rate import parse_rate

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
RATE = parse_rate("23.976")


@pytest.fixture(scope="module")
def cut():  # noqa: ANN201
    return read_cut(SAMPLES / "reel1_v1.edl", RATE)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _cue(number: str, spans: list[tuple[int, int]], **columns: str) -> StemCue:
    parts = tuple(Placement(i, a, b, 0) for i, (a, b) in enumerate(spans, start=1))
    return StemCue(number, f"title {number}", "", parts, {}, {"usage": "BI", **columns}, 2)


def test_a_cue_heard_twice_is_two_rows_in_order_and_total_is_the_sum(cut) -> None:  # noqa: ANN001
    start = cut.record_start
    cues = [
        # parts 1 and 2 touch (one use); part 3 after a gap is a second use
        _cue(
            "2M1",
            [(start + 240, start + 300), (start + 300, start + 372), (start + 960, start + 990)],
        ),
        _cue("1M1", [(start, start + 12)]),  # half a second: rounds to 1 s, not 0
    ]
    sheet = cue_sheet(cues, cut)
    assert [(u.sequence, u.cue) for u in sheet.uses] == [(1, "1M1"), (2, "2M1"), (3, "2M1")]
    assert [u.frames for u in sheet.uses] == [12, 132, 30]
    assert [u.seconds for u in sheet.uses] == [1, 6, 1]  # 5.505 s -> 6, 1.25 s -> 1
    rows = _rows(cue_sheet_csv(sheet))
    assert [r["seq"] for r in rows] == ["1", "2", "3"] and rows[1]["duration"] == "00:06"
    header = dict(csv.reader(io.StringIO(production_csv(sheet))))
    assert header["Total Music"] == "00:08" == f"00:{sum(int(r['seconds']) for r in rows):02d}"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 800)), min_size=1, max_size=8))
def test_uses_cover_exactly_the_parts_and_round_consistently(spans: list[tuple[int, int]]) -> None:
    from edl.cut import Cut

    parts = [(a, a + n) for a, n in spans]
    sheet = cue_sheet([_cue("1M1", parts)], Cut(RATE, ()))
    heard = set().union(*(range(a, b) for a, b in parts))
    uses = [(u.start, u.end) for u in sheet.uses]
    gaps = zip(uses, uses[1:], strict=False)
    assert uses == sorted(uses) and all(b < c for (_, b), (c, _) in gaps)
    assert set().union(*(range(a, b) for a, b in uses)) == heard
    for use in sheet.uses:
        exact = Fraction(use.frames) / RATE.fps
        assert use.seconds >= 1 and abs(use.seconds - exact) <= Fraction(1, 2) or use.seconds == 1
    assert sheet.music_seconds == sum(u.seconds for u in sheet.uses)


def test_whole_seconds_rounds_halves_up() -> None:
    rate = parse_rate("24")
    assert [whole_seconds(f, rate) for f in (1, 11, 12, 35, 36, 60)] == [1, 1, 1, 1, 2, 3]
    assert whole_seconds(0, rate, at_least_one=False) == 0


def test_numbered_party_columns_with_roles_societies_ipi_and_shares() -> None:
    parties = parties_from_columns({
        "writer1": "Ana Reyes", "writer1_role": "composer", "writer1_society": "ASCAP",
        "writer1_ipi": "00123456789", "writer1_share": "50",
        "writer2": "Bo Lind", "writer2_role": "A", "writer2_society": "STIM",
        "writer2_share": "50%",
        "publisher1": "Lighthouse Music", "publisher1_society": "ASCAP", "publisher1_share": "60",
        "publisher2": "Admin Co", "publisher2_role": "administrator", "publisher2_share": "40",
    })  # fmt: skip
    assert [(p.side, p.name, p.role, p.society, p.share) for p in parties] == [
        ("publisher", "Lighthouse Music", "E", "ASCAP", 60),
        ("publisher", "Admin Co", "AM", "", 40),
        ("writer", "Ana Reyes", "C", "ASCAP", 50),
        ("writer", "Bo Lind", "A", "STIM", 50),
    ]


def test_shares_that_do_not_add_up_and_missing_rights_are_warned(cut) -> None:  # noqa: ANN001
    s = cut.record_start
    cues = [
        _cue("1M1", [(s, s + 48)], writer1="A", writer1_share="60", writer1_society="BMI",
             writer1_ipi="1", publisher1="P", publisher1_share="100", publisher1_society="BMI",
             publisher1_ipi="2"),
        _cue("1M2", [(s + 100, s + 148)], source="temp"),
    ]  # fmt: skip
    warnings = cue_sheet(cues, cut).warnings
    assert "cue 1M1: writers' shares add up to 60 %, not 100 %" in warnings
    assert "cue 1M2: no writer (composer/author)" in warnings
    assert "cue 1M2: no publisher" in warnings
    assert any(w.startswith("cue 1M2: temp music in the locked cut") for w in warnings)
    assert not any("1M1: no" in w for w in warnings)


def test_music_past_the_end_and_overlapping_cues_are_warned(cut) -> None:  # noqa: ANN001
    end = cut.record_end
    cues = [_cue("1M8", [(end - 48, end + 48)]), _cue("1M9", [(end - 24, end - 1)])]
    warnings = cue_sheet(cues, cut).warnings
    assert any("1M8 (use 1) runs past the last frame of picture" in w for w in warnings)
    assert any(w.startswith("cues 1M8 and 1M9 overlap") for w in warnings)


def test_parties_csv_keyed_by_cue_wins_over_columns_and_reads_excel_cp1252(
    tmp_path: Path,
) -> None:
    path = tmp_path / "parties.csv"
    path.write_bytes(
        "cue,role,name,society,ipi,share\n1M1,CA,Zoë Müller,GEMA,00987654321,100\n"
        "1M1,publisher,Édition Phare,SACEM,,100\n".encode("cp1252")
    )
    parties = read_parties(path)
    assert [(p.name, p.side) for p in parties["1M1"]] == [
        ("Zoë Müller", "writer"), ("Édition Phare", "publisher")
    ]  # fmt: skip
    path.write_text("cue,role,name\n1M1,drummer,X\n")
    with pytest.raises(CueError, match=r"parties.csv:2: role 'drummer' is not a cue-sheet role"):
        read_parties(path)


def test_csv_cells_from_user_data_cannot_start_a_formula(tmp_path: Path, cut) -> None:  # noqa: ANN001
    s = cut.record_start
    hostile = _cue("=1+1", [(s, s + 48)], writer1="@SUM(A1)", writer1_share="100",
                   publisher1="+cmd|' /C calc'!A0", publisher1_share="100",
                   source="-2+3", title="\tx")  # fmt: skip
    hostile = StemCue(hostile.number, "=HYPERLINK(\"http://x\")", "", hostile.parts, {},
                      hostile.columns, 2)  # fmt: skip
    sheet = cue_sheet([hostile], cut, Production(title="=cmd"))
    rows = _rows(cue_sheet_csv(sheet))
    for column in ("cue", "title", "source", "writer1", "publisher1"):
        assert rows[0][column].startswith("'"), column
    assert rows[0]["in"] == cut.timecode(s) and rows[0]["seconds"] == "2"  # figures untouched
    assert "'=cmd" in production_csv(sheet)
    assert [safe_cell(c + "x") for c in FORMULA_STARTS] == ["'" + c + "x" for c in FORMULA_STARTS]
    assert safe_cell("Ana") == "Ana" and safe_cell("") == ""
    # the workbook holds them as typed text, never formulas (read by openpyxl)
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(cue_sheet_files(sheet)["cuesheet.xlsx"]))
    cells = [c for row in book["Cue Sheet"].iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == "=1+1" and c.data_type == "s" for c in cells)


def test_workbook_has_the_societies_layout_and_is_byte_identical(cut) -> None:  # noqa: ANN001
    openpyxl = pytest.importorskip("openpyxl")
    cues = read_stem_cues(SAMPLES / "cues.csv", RATE)
    production = Production("Lighthouse", "The Light", "Pilot", "101", "P-77", "Harbour Films",
                            "music@harbour.example", "2027-03-01")  # fmt: skip
    first = cue_sheet_files(cue_sheet(cues, cut, production))
    again = cue_sheet_files(cue_sheet(cues, cut, production))
    assert first == again
    book = openpyxl.load_workbook(io.BytesIO(first["cuesheet.xlsx"]))
    assert book.sheetnames == ["Production", "Cue Sheet"]
    header = {r[0].value: r[1].value for r in book["Production"].iter_rows(min_row=3)}
    assert header["Episode Number"] == "101" and header["Programme Length"] == "04:35"
    table = list(book["Cue Sheet"].iter_rows(min_row=3, values_only=True))
    assert table[0][:7] == ("Seq #", "Cue #", "Cue Title", "Usage", "Timing In", "Timing Out",
                            "Duration")  # fmt: skip
    seq_rows = [r for r in table[1:] if isinstance(r[0], int)]
    assert [r[1] for r in seq_rows][:3] == ["1M1", "1M2", "1M3"]
    # a party line under its use: role, name, society, share
    assert table[1][7:12] == ("CA", "Ana Reyes", "ASCAP", None, 100)
    assert table[2][7:12] == ("E", "Lighthouse Music", "ASCAP", None, 100)
    total = next(r for r in table if r[5] == "Total Music")
    assert total[6] == header["Total Music"]


def test_cli_writes_csv_header_and_workbook_and_refuses_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    out = tmp_path / "sheet.csv"
    args = ["cuesheet", str(SAMPLES / "cues.csv"), "--cut", str(SAMPLES / "reel1_v1.edl"),
            "--rate", "23.976", "--out", str(out), "--title", "Lighthouse",
            "--episode", "3"]  # fmt: skip
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 0, err
    assert "cue 1M6: temp music in the locked cut" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sheet.csv", "sheet.production.csv", "sheet.xlsx"
    ]  # fmt: skip
    rows = _rows(out.read_text())
    assert [r["cue"] for r in rows] == ["1M1", "1M2", "1M3", "1M4", "1M4A", "1M5", "1M6", "1M7",
                                        "1M8"]  # fmt: skip
    assert all(r["usage"] in USAGES for r in rows)
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "already exists" in err  # no overwrite without --force
    bad = tmp_path / "bad.csv"
    for body, message in (
        ("1M1,x,01:00:10:00,01:00:05:00,BI", "ends (01:00:05:00) before or where it starts"),
        ("1M1,x,01:00:10:00,01:00:15:00,XX", "usage 'XX' is not a cue-sheet usage"),
    ):
        bad.write_text("cue,title,start,end,usage\n" + body + "\n")
        code, _, err = run_cli(monkeypatch, capsys, "cuesheet", str(bad), "--cut",
                               str(SAMPLES / "reel1_v1.edl"), "--rate", "23.976", "--out",
                               str(tmp_path / "x.csv"))  # fmt: skip
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
        assert f"{bad}:2:" in err
    assert not (tmp_path / "x.csv").exists()


def test_temp_tracks_from_the_catalog_and_stray_parties_are_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    from temp_library.catalog import Catalog

    db = tmp_path / "temp.sqlite"
    with Catalog(db) as catalog:
        for name, licence in (("TEMP_Harbour_Theme.mp3", "temp-only"), ("TEMP_Door_Hit.wav",
                                                                         "cleared")):  # fmt: skip
            catalog.add({"path": f"/lib/{name}", "hash": name, "size": 1, "mtime_ns": 0,
                         "format": "MP3", "subtype": "", "sample_rate": 48000, "channels": 2,
                         "duration_s": 10.0, "licence": licence})  # fmt: skip
    parties = tmp_path / "parties.csv"
    parties.write_text("cue,role,name,society,ipi,share\n9M9,C,Nobody,PRS,1,100\n")
    code, _, err = run_cli(monkeypatch, capsys, "cuesheet", str(SAMPLES / "cues.csv"), "--cut",
                           str(SAMPLES / "reel1_v1.edl"), "--rate", "23.976", "--out",
                           str(tmp_path), "--db", str(db), "--parties", str(parties))  # fmt: skip
    assert code == 0, err
    assert "temp track TEMP_Harbour_Theme.mp3 is temp-only but plays in the locked cut" in err
    assert "TEMP_Door_Hit" not in err and "parties file: cue 9M9 is not in the cue list" in err
    assert (tmp_path / "cuesheet.xlsx").is_file()  # --out a folder: cuesheet.* in it


@pytest.mark.parametrize("given", ["garbage", "2027-02-30", "12/03/2027", "2027-3-1"])
def test_a_release_date_that_is_not_an_iso_date_is_refused_before_writing(
    monkeypatch,
    capsys,
    tmp_path: Path,
    given: str,  # noqa: ANN001
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "cuesheet", str(SAMPLES / "cues.csv"), "--cut",
                           str(SAMPLES / "reel1_v1.edl"), "--rate", "23.976", "--out",
                           str(tmp_path), "--release-date", given)  # fmt: skip
    assert code == 2 and "is not a date" in err and "YYYY-MM-DD" in err
    assert len(err.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_an_iso_release_date_is_written_in_the_header(monkeypatch, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    code, _, err = run_cli(monkeypatch, capsys, "cuesheet", str(SAMPLES / "cues.csv"), "--cut",
                           str(SAMPLES / "reel1_v1.edl"), "--rate", "23.976", "--out",
                           str(tmp_path), "--release-date", " 2027-03-01 ")  # fmt: skip
    assert code == 0, err
    assert "Air/Release Date,2027-03-01" in (tmp_path / "cuesheet.production.csv").read_text()
