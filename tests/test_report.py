"""report.html: everything is on the page (parsed), and it renders in a real browser."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from conform.cues.conformed_io import conformed_csv
from conform.cues.cuelist import read_cues
from conform.cues.placed import read_stem_cues
from conform.cues.reconform import conform_cues
from conform.paperwork.cuesheet import cue_sheet
from conform.paperwork.report import fold_changes, read_changes, report_html
from edl.changes import compare
from edl.changes_io import changes_csv
from edl.io import read_cut
from edl.rate import parse_rate

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
RATE = parse_rate("23.976")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The sample reel conformed v1 -> v2, with a hostile title, as the report sees it."""
    folder = tmp_path_factory.mktemp("report")
    old, new = read_cut(SAMPLES / "reel1_v1.edl", RATE), read_cut(SAMPLES / "reel1_v2.edl", RATE)
    changes = compare(old, new)
    spotting = read_cues(SAMPLES / "cues.csv", RATE)
    text = conformed_csv(conform_cues(spotting.cues, changes), spotting, old, new)
    text = text.replace("Door Slam", "<script>alert('x')</script> & Door")
    (folder / "cues.csv").write_text(text)
    cues = read_stem_cues(folder / "cues.csv", RATE)
    sheet = cue_sheet(cues, new)
    stems = [(f"stems/{c.number}_mix.wav", c.start, 2) for c in cues]
    loudness = [{"kind": "stem", "name": f"{c.number}_mix", "integrated_lufs": -23.1,
                 "true_peak_dbtp": -3.2, "note": ""} for c in cues]  # fmt: skip
    warnings = [*sheet.warnings, "stem 1M9 is 'odd' <b>"]
    html = report_html("Lighthouse R1", new, cues, loudness, changes_csv(changes),
                       warnings=warnings, stems=stems)  # fmt: skip
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return {"html": html, "cues": cues, "warnings": [*sheet.warnings, "stem 1M9 is 'odd' <b>"],
            "changes": changes, "path": path, "new": new}  # fmt: skip


class _Page(HTMLParser):
    """What a reader sees: worklist rows, their part lines, warnings, lanes, scripts, links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.lanes: list[str] = []
        self.parts: list[str] = []
        self.warnings: list[str] = []
        self.external: list[str] = []
        self.scripts = 0
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-cue"):
            self.rows.append(str(a["data-cue"]))
        if tag == "g" and a.get("data-cue"):
            self.lanes.append(str(a["data-cue"]))
        if tag == "script":
            self.scripts += 1
        if tag in ("link", "img", "iframe") or any(k in ("src", "href") for k in a):
            self.external.append(tag)
        self.stack.append((tag, a))
        self.text = [] if tag == "li" else self.text

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            parents = [a.get("class") for t, a in self.stack if t == "ul"]
            item = "".join(self.text)
            (self.warnings if "warnings" in parents else self.parts).append(item)
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_every_cue_part_and_warning_is_on_the_page(page: dict[str, object]) -> None:
    parsed = _Page()
    parsed.feed(str(page["html"]))
    cues = page["cues"]
    new = page["new"]
    numbers = [c.number for c in cues]  # type: ignore[attr-defined]
    assert sorted(parsed.rows) == sorted(numbers) and sorted(parsed.lanes) == sorted(numbers)
    for cue in cues:  # type: ignore[attr-defined]
        for part in cue.parts:
            line = f"part {part.index}: {new.timecode(part.start)}\u2013{new.timecode(part.end)}"
            assert any(p.startswith(line) for p in parsed.parts), (cue.number, line)
    assert parsed.warnings == list(dict.fromkeys(page["warnings"]))  # type: ignore[arg-type]
    assert parsed.scripts == 1 and not parsed.external  # self-contained, title escaped
    assert "http" not in str(page["html"])


def test_shifted_runs_fold_into_one_line_each(page: dict[str, object]) -> None:
    rows, note = read_changes(changes_csv(page["changes"]), page["new"])  # type: ignore[arg-type]
    folded = fold_changes(rows)
    assert not note and sum(f.count for f in folded) == len(rows)
    shifted = [r for r in rows if r.kind == "shifted"]
    assert len([f for f in folded if f.kind == "shifted"]) < len(shifted)
    for a, b in zip(folded, folded[1:], strict=False):
        # two runs touch only where the picture's offset changes
        assert not (a.kind == b.kind == "shifted" and a.offsets == b.offsets)
        assert len(a.offsets) <= 1
    assert "runs of shifted shots folded" in str(page["html"])


def _browser() -> str | None:
    return next(
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
         if shutil.which(n)), None,
    )  # fmt: skip


def _screenshot(browser: str, page: Path, png: Path, profile: Path) -> str:
    """Render ``page`` headless and offline; return the browser's log (console lines in it)."""
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
         "--window-size=1400,1800", "--force-device-scale-factor=0.5", f"--screenshot={png}",
         page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]
    return result.stderr


def _pixels(png: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) to an array (height, width, 3)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prev = np.zeros(stride, np.int64)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int64)
        if kind == 1:  # sub: a running sum per channel
            line = np.cumsum(line.reshape(width, channels), axis=0).reshape(-1)
        elif kind == 2:  # up
            line = line + prev
        elif kind in (3, 4):  # average, paeth: sequential along the row
            cur, up = line.tolist(), prev.tolist()
            for i in range(stride):
                left = cur[i - channels] if i >= channels else 0
                if kind == 3:
                    cur[i] = (cur[i] + (left + up[i]) // 2) & 255
                    continue
                corner = up[i - channels] if i >= channels else 0
                p = left + up[i] - corner
                pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
                best = left if pa <= pb and pa <= pc else (up[i] if pb <= pc else corner)
                cur[i] = (cur[i] + best) & 255
            line = np.array(cur, np.int64)
        prev = line & 255
        out[y] = prev
    return out.reshape(height, width, channels)[:, :, :3]


def test_renders_in_headless_chromium_not_blank_and_without_console_errors(
    page: dict[str, object], tmp_path: Path
) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium) to render report.html")
    log = _screenshot(browser, page["path"], tmp_path / "report.png", tmp_path / "profile")  # type: ignore[arg-type]
    # Chromium logs every console message and uncaught error as "...:CONSOLE(n)] text"
    # (seen with a page calling an undefined function): none may appear
    assert [line for line in log.splitlines() if ":CONSOLE" in line] == []
    image = _pixels(tmp_path / "report.png")
    assert image.shape[1] >= 700 and image.shape[0] >= 900
    colours = np.unique(image.reshape(-1, 3)[::7], axis=0)
    inked = np.any(image != 255, axis=2).mean()
    assert len(colours) > 30 and inked > 0.05, (len(colours), inked)
