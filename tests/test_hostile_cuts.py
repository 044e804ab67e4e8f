"""Hostile cuts through the real command line: one line naming file and line, exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
FIXTURE = HealthCheck.function_scoped_fixture
GOOD = "001  A001     V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00"


def _assert_one_line_error(code: int, err: str, name: str, line: int | None) -> None:
    lines = [text for text in err.splitlines() if text.strip()]
    errors = [text for text in lines if "error:" in text]
    assert code == 2, err
    assert len(errors) == 1 and "Traceback" not in err, err
    assert len(errors[0]) < 400, errors[0]
    where = f"{name}:{line}:" if line is not None else f"{name}"
    assert where in errors[0], (where, errors[0])


HOSTILE_EDLS = [
    (f"001  A001     V     C        {'9' * 5000} 10:00:02:00 01:00:00:00 01:00:02:00", 2),
    (f"001  A001     V     C        10:00:00:00 10:00:02:00 01:00:00:00 {'1' * 5000}", 2),
    (f"001  A001     V     D {'7' * 5000} 10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00", 2),
    ("001  A001     V     D ²  10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00", 2),
    (f"{GOOD}\nM2   A001       1/0                10:00:00:00", 3),
    (f"{GOOD}\nM2   A001       1e400                10:00:00:00", 3),
    (f"{GOOD}\nM2   A001       1e999999999                10:00:00:00", 3),
    (f"{GOOD}\nAUD  {'3' * 5000}", 3),
    (f"{GOOD}\n* LOC: ²² RED hit", 3),
    ("001  A001     A²    C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00", 2),
]


@pytest.mark.parametrize(("body", "line"), HOSTILE_EDLS)
def test_hostile_edl_fields_are_one_line_errors(
    body: str, line: int, tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    path = tmp_path / "hostile.edl"
    path.write_text("TITLE: x\n" + body + "\n", encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    _assert_one_line_error(code, err, "hostile.edl", line)


def _otio_with(tmp_path: Path, old: bytes, new: bytes) -> Path:
    data = (CORPUS / "otio/opentimelineio/clip_example.otio").read_bytes()
    assert old in data
    path = tmp_path / "hostile.otio"
    path.write_bytes(data.replace(old, new, 1))
    return path


def test_otio_with_infinite_duration_names_the_line(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    source = (CORPUS / "otio/opentimelineio/clip_example.otio").read_text()
    value = re.search(r'"duration": \{[^}]*?"value": ([0-9.]+)', source, re.S)
    assert value is not None
    start = value.start(1)
    line = source[:start].count("\n") + 1
    path = tmp_path / "hostile.otio"
    path.write_text(source[:start] + "Infinity" + source[value.end(1) :])
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    _assert_one_line_error(code, err, "hostile.otio", line)


def test_otio_with_invalid_utf8_name_names_the_line(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = _otio_with(tmp_path, b'"name": "', b'"name": "\xff\xfe')
    data = path.read_bytes()
    line = data[: data.index(b"\xff\xfe")].count(b"\n") + 1
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    _assert_one_line_error(code, err, "hostile.otio", line)


def test_utf16_edl_keeps_its_title(tmp_path: Path) -> None:
    from edl.io import read_cut

    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        path = tmp_path / f"{codec}.edl"
        path.write_bytes(bom + f"TITLE: Reel 2 v7 é\r\n{GOOD}\r\n".encode(codec))
        cut = read_cut(path)
        assert cut.title == "Reel 2 v7 é" and len(cut.events) == 1


def test_lenient_skips_an_event_it_cannot_read(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "slug.edl"
    bad = "002  BL       V     C        00:00:00:00 00:00:01:00 01:00:03:00 01:00:02:00"
    path.write_text(f"TITLE: fcp\n{GOOD}\n{bad}\n")
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    _assert_one_line_error(code, err, "slug.edl", 3)
    code, out, err = run_cli(monkeypatch, capsys, "cut", "show", "--lenient", str(path))
    assert code == 0, err
    assert "line 3: skipped event 002" in err
    assert "1 picture events" in out


FIELD = st.one_of(
    st.sampled_from(["001", "A001", "V", "C", "D", "012", "10:00:00:00", "01:00:02:00", "M2",
                     "AUD", "* LOC:", "²", "1e400", "1/0", "-0", "NaN", "9" * 60, "A9999", "AA/V",
                     "FCM: DROP FRAME", "01:00:00;00", "24.0", "000.0"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    st.integers(-(10**30), 10**30).map(str),
)  # fmt: skip
LINE = st.lists(FIELD, min_size=1, max_size=9).map("  ".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[FIXTURE])
@given(st.lists(LINE, min_size=1, max_size=6))
def test_fuzzed_edls_through_the_cli_fail_in_one_line(
    tmp_path: Path, monkeypatch, capsys, lines: list[str]
) -> None:  # noqa: ANN001
    path = tmp_path / "fuzz.edl"
    path.write_text("TITLE: fuzz\n" + GOOD + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    if code == 0:
        return
    assert code == 2, err
    errors = [text for text in err.splitlines() if "error:" in text]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert re.search(r"fuzz\.edl(:\d+)?: ", errors[0]), errors[0]
    if "no events" not in errors[0] and "fits no standard rate" not in errors[0]:
        assert re.search(r"fuzz\.edl:\d+: ", errors[0]), errors[0]


OTIO_VALUES = st.sampled_from(
    [b"Infinity", b"-Infinity", b"NaN", b"1e400", b"-1", b"0", b'"x"', b"null", b"\xff", b"[]",
     b"99999999999999999999999999"]
)  # fmt: skip


@settings(max_examples=20, deadline=None, suppress_health_check=[FIXTURE])
@given(st.data())
def test_fuzzed_otio_through_the_cli_fail_in_one_line(
    tmp_path: Path, monkeypatch, capsys, data: st.DataObject
) -> None:  # noqa: ANN001
    source = (CORPUS / "otio/opentimelineio/clip_example.otio").read_bytes()
    numbers = [m.span() for m in re.finditer(rb"(?<=: )-?[0-9][0-9.e+-]*", source)]
    start, end = data.draw(st.sampled_from(numbers))
    value = data.draw(OTIO_VALUES)
    path = tmp_path / "fuzz.otio"
    path.write_bytes(source[:start] + value + source[end:])
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    if code == 0:
        return
    assert code == 2, err
    errors = [text for text in err.splitlines() if "error:" in text]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert "fuzz.otio" in errors[0], errors[0]
    if value in (b"Infinity", b"-Infinity", b"NaN", b"\xff"):
        line = source[:start].count(b"\n") + 1
        assert f"fuzz.otio:{line}:" in errors[0] or "fuzz.otio:" in errors[0], errors[0]


@pytest.mark.parametrize(("start", "duration", "words"), [
    (0, -10, "negative length"),
    (-50, 10, "before 00:00:00:00 in source time"),
])  # fmt: skip
def test_otio_clip_no_editor_could_cut_is_refused_not_shown_as_negative_timecode(
    start: int, duration: int, words: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    import opentimelineio as otio

    rt = otio.opentime.RationalTime
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Clip(name="ok", source_range=otio.opentime.TimeRange(
        rt(0, 24), rt(48, 24))))  # fmt: skip
    track.append(otio.schema.Clip(name="bad", source_range=otio.opentime.TimeRange(
        rt(start, 24), rt(duration, 24))))  # fmt: skip
    timeline = otio.schema.Timeline()
    timeline.tracks.append(track)
    path = tmp_path / "bad.otio"
    otio.adapters.write_to_file(timeline, str(path))
    for args in (("cut", "show", str(path)), ("diff", str(path), str(path))):
        code, out, err = run_cli(monkeypatch, capsys, *args)
        _assert_one_line_error(code, err, "bad.otio", None)
        assert words in err and "'bad'" in err and "-00:" not in out + err


def test_otio_of_the_wrong_shape_is_told_in_words_not_cxx_type_names(
    tmp_path: Path, monkeypatch, capsys
) -> None:  # noqa: ANN001
    path = tmp_path / "shape.otio"
    path.write_text('{"OTIO_SCHEMA": "Timeline.1",\n "tracks": 5}\n')
    code, _, err = run_cli(monkeypatch, capsys, "cut", "show", str(path))
    _assert_one_line_error(code, err, "shape.otio", None)
    assert "Timeline" in err and "opentimelineio" not in err and "N14" not in err
