"""report.html: one self-contained page an editor works from after a conform.

Timecode ruler, the old and the new cut as shot strips (changes highlighted and linked),
one lane per cue with its old and new positions labelled, then the cue worklist
(filterable, sortable), warnings, sync report, stem list and the change list folded into
runs. No network: style and script are inline; a print stylesheet makes it a legible PDF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from conform.cues.placed import StemCue
from edl.cut import Cut
from edl.errors import CutError
from edl.timecode import format_duration, parse_timecode

__all__ = ["report_html", "ChangeRow", "read_changes", "fold_changes"]

STATUS_COLOUR = {
    "unchanged": "#8a8f98", "moved": "#3b82c4", "changed": "#e08a1e", "removed": "#c43b3b",
    "spotted": "#2a9d8f",
}  # fmt: skip
KIND_COLOUR = {
    "same": "#b9bec6", "shifted": "#cfd8e6", "moved": "#3b82c4", "inserted": "#2a9d8f",
    "deleted": "#c43b3b", "replaced": "#e08a1e", "retimed": "#8e5bd6",
}  # fmt: skip
_QUIET = ("same", "shifted")  # kinds folded into runs and not linked between the strips

_STYLE = """
:root{--ink:#1d2330;--muted:#5d6575;--line:#d5d9e0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;
color:var(--ink);background:#fff}
h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid
var(--line);padding-bottom:3px}
.meta{color:var(--muted);margin:0 0 10px}
.chips span{display:inline-block;padding:1px 8px;margin:0 6px 4px 0;border-radius:10px;
color:#fff;font-size:12px}
.timeline{width:100%;overflow-x:auto;border:1px solid var(--line);border-radius:4px}
.timeline svg{display:block;width:100%;min-width:900px;height:auto}
svg text{font-size:10px;fill:var(--ink);font-family:inherit}
svg .inside{fill:#fff}svg .lane-label{font-weight:600;font-size:11px}
svg .tick{stroke:#9aa1ad;stroke-width:1}svg .grid{stroke:#eef0f3;stroke-width:1}
svg .old{fill:none;stroke-dasharray:4 3;stroke-width:1.5}
svg [data-seg],svg [data-cue]{cursor:pointer}
svg .lit{stroke:#111;stroke-width:2}svg .link{opacity:.35}svg .link.lit{opacity:.8}
table{border-collapse:collapse;margin:6px 0;width:100%}
td,th{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top;
font-variant-numeric:tabular-nums}
th{background:#f1f3f6;position:sticky;top:0}
th.sort{cursor:pointer;user-select:none}th.sort::after{content:" \\2195";color:#9aa1ad}
th[aria-sort=ascending]::after{content:" \\2191"}th[aria-sort=descending]::after{content:" \\2193"}
td.tc,td.num{white-space:nowrap}td.num{text-align:right}
.status{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
tr.picked td{background:#fff6d6}
.controls{margin:6px 0;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
.controls input[type=search]{padding:2px 6px}
ul.warnings li{margin:2px 0}.none{color:var(--muted)}
details summary{cursor:pointer;font-weight:600}
.parts{margin:0;padding:0;list-style:none}
.hidden{display:none}
@media print{
@page{size:A4 landscape;margin:10mm}
body{margin:0;font-size:10px}
.controls,.noprint{display:none!important}
tr.hidden{display:table-row!important}
.timeline{overflow:visible;border:none}.timeline svg{min-width:0}
th{position:static}th.sort::after{content:none}
tr,li{break-inside:avoid}
h2{break-after:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

_SCRIPT = """
(function(){
var table=document.getElementById('worklist');
function apply(){
  var hide=document.getElementById('hide-unchanged').checked;
  var status=document.getElementById('status-filter').value;
  var text=document.getElementById('cue-search').value.toLowerCase();
  var shown=0,rows=table.tBodies[0].rows;
  for(var i=0;i<rows.length;i++){
    var r=rows[i],s=r.getAttribute('data-status');
    var off=(hide&&s==='unchanged')||(status&&s!==status)||
      (text&&r.textContent.toLowerCase().indexOf(text)<0);
    r.classList.toggle('hidden',off);if(!off){shown++;}
  }
  document.getElementById('shown').textContent=shown+' of '+rows.length+' cues shown';
}
['hide-unchanged','status-filter','cue-search'].forEach(function(id){
  var el=document.getElementById(id);el.addEventListener('input',apply);
  el.addEventListener('change',apply);});
var heads=table.tHead.rows[0].cells;
for(var c=0;c<heads.length;c++){(function(col){
  heads[col].addEventListener('click',function(){
    var th=heads[col],asc=th.getAttribute('aria-sort')!=='ascending';
    for(var k=0;k<heads.length;k++){heads[k].removeAttribute('aria-sort');}
    th.setAttribute('aria-sort',asc?'ascending':'descending');
    var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[col].getAttribute('data-sort'),y=b.cells[col].getAttribute('data-sort');
      var nx=parseFloat(x),ny=parseFloat(y),d;
      if(x!==''&&y!==''&&!isNaN(nx)&&!isNaN(ny)){d=nx-ny;}
      else if(x===''||y===''){d=(x==='')-(y==='');return d;}
      else{d=x<y?-1:(x>y?1:0);}
      return asc?d:-d;});
    rows.forEach(function(r){body.appendChild(r);});
  });})(c);}
function pick(cue){
  var rows=table.tBodies[0].rows,hit=null;
  for(var i=0;i<rows.length;i++){var on=rows[i].getAttribute('data-cue')===cue;
    rows[i].classList.toggle('picked',on);if(on){hit=rows[i];}}
  if(hit){hit.classList.remove('hidden');hit.scrollIntoView({block:'center'});}
}
function light(seg,on){
  var els=document.querySelectorAll('[data-seg="'+seg+'"]');
  for(var i=0;i<els.length;i++){els[i].classList.toggle('lit',on);}
}
var svg=document.getElementById('strip');
if(svg){
  svg.addEventListener('click',function(e){var t=e.target.closest('[data-cue]');
    if(t){pick(t.getAttribute('data-cue'));}});
  svg.addEventListener('mouseover',function(e){var t=e.target.closest('[data-seg]');
    if(t){light(t.getAttribute('data-seg'),true);}});
  svg.addEventListener('mouseout',function(e){var t=e.target.closest('[data-seg]');
    if(t){light(t.getAttribute('data-seg'),false);}});
}
var opened=[];
window.addEventListener('beforeprint',function(){
  opened=Array.prototype.filter.call(document.querySelectorAll('details'),
    function(d){return !d.open;});
  opened.forEach(function(d){d.open=true;});});
window.addEventListener('afterprint',function(){opened.forEach(function(d){d.open=false;});});
apply();
})();
"""


@dataclass(frozen=True)
class ChangeRow:
    """One row of changes.csv, in frames (old or new range empty for inserts and deletes)."""

    kind: str
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    frames: int
    reel: str
    clip: str

    @property
    def offset(self) -> int | None:
        """How far the picture moved (new - old), for rows that exist in both cuts."""
        if self.old_end > self.old_start and self.new_end > self.new_start:
            return self.new_start - self.old_start
        return None


def read_changes(text: str, cut: Cut) -> tuple[list[ChangeRow], str]:
    """changes.csv text -> rows; a problem is returned as a note, never raised (a report)."""
    if not text.strip():
        return [], ""
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in rows[0]]
    found = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (c.strip() for c in row), strict=False))
        try:
            frames = {k: parse_timecode(values[k], cut.rate)
                      for k in ("old_start", "old_end", "new_start", "new_end")}  # fmt: skip
            found.append(
                ChangeRow(values.get("kind", ""), frames["old_start"], frames["old_end"],
                          frames["new_start"], frames["new_end"],
                          int(values.get("frames") or 0), values.get("reel", ""),
                          values.get("clip", ""))
            )  # fmt: skip
        except (KeyError, ValueError, CutError) as err:
            return [], f"changes.csv line {line} could not be read ({err}); change list left out"
    return found, ""


@dataclass(frozen=True)
class FoldedChange:
    """A change-list line: one row, or a run of same/shifted rows folded into one."""

    kind: str
    count: int
    first: ChangeRow
    last: ChangeRow
    frames: int
    offsets: tuple[int, ...]


def fold_changes(rows: Sequence[ChangeRow]) -> list[FoldedChange]:
    """Consecutive rows of a quiet kind (same, shifted) by the same offset become one line."""
    folded: list[FoldedChange] = []
    for row in rows:
        offset = () if row.offset is None else (row.offset,)
        last = folded[-1] if folded else None
        if (
            last is not None
            and row.kind in _QUIET
            and last.kind == row.kind
            and last.offsets == offset
        ):
            offsets = tuple(sorted(set(last.offsets + offset)))
            folded[-1] = FoldedChange(row.kind, last.count + 1, last.first, row,
                                      last.frames + row.frames, offsets)  # fmt: skip
        else:
            folded.append(FoldedChange(row.kind, 1, row, row, row.frames, offset))
    return folded


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


class _Axis:
    """Frames -> x in the SVG, with a gutter for the lane labels."""

    gutter = 120
    width = 1400

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, max(hi, lo + 1)
        self.scale = (self.width - self.gutter - 10) / (self.hi - self.lo)

    def x(self, frame: int) -> float:
        return self.gutter + (frame - self.lo) * self.scale

    def w(self, start: int, end: int) -> float:
        return max((end - start) * self.scale, 1.0)


def _ruler(axis: _Axis, cut: Cut, height: int) -> list[str]:
    """Ticks on whole timecode seconds, a step that gives about ten labels."""
    base = cut.rate.timecode_base
    span = (axis.hi - axis.lo) / base
    steps = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
    step = next((s for s in steps if span / s <= 12), steps[-1]) * base
    out = ['<g class="ruler">']
    first = -(-axis.lo // step) * step
    for frame in range(first, axis.hi + 1, step):
        x = axis.x(frame)
        out.append(f'<line class="grid" x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{height}"/>')
        out.append(f'<line class="tick" x1="{x:.1f}" y1="14" x2="{x:.1f}" y2="22"/>')
        edge = ' text-anchor="end"' if x + 70 > axis.width else ""  # the last label stays in
        tx = x - 2 if edge else x + 2
        out.append(f'<text{edge} x="{tx:.1f}" y="11">{_e(cut.timecode(frame))}</text>')
    out.append("</g>")
    return out


def _label(x: float, width: float, y: float, text: str) -> str:
    """A label inside its bar when it fits, else just after it."""
    inside = width > 6.2 * len(text) + 6
    tx = x + 3 if inside else x + width + 3
    cls = ' class="inside"' if inside else ""
    return f'<text{cls} x="{tx:.1f}" y="{y:.1f}">{_e(text)}</text>'


def _strips(axis: _Axis, cut: Cut, changes: list[ChangeRow], old_cut: Cut | None) -> list[str]:
    """The old and the new cut as shot strips, changes coloured, changed shots linked.

    Runs of same/shifted segments are drawn as one block each and shot boundaries closer
    than 2 px are left out, so a 100 000-event cut still gives a page a browser can open.
    """
    out = ['<text class="lane-label" x="6" y="44">old cut</text>',
           '<text class="lane-label" x="6" y="102">new cut</text>']  # fmt: skip
    old_y, new_y, h = 30, 88, 22
    tc = cut.timecode
    for n, f in enumerate(fold_changes(changes)):
        colour = KIND_COLOUR.get(f.kind, "#999")
        if f.count == 1:
            what = f"{f.kind} {f.first.reel} {f.first.clip}".strip()
        else:
            what = f"{f.kind}, {f.count} shots"
        spans = ((old_y, "old", f.first.old_start, f.last.old_end),
                 (new_y, "new", f.first.new_start, f.last.new_end))  # fmt: skip
        for y, label, start, end in spans:
            if end > start:
                out.append(
                    f'<rect data-seg="{n}" x="{axis.x(start):.1f}" y="{y}" '
                    f'width="{axis.w(start, end):.1f}" height="{h}" fill="{colour}">'
                    f"<title>{_e(what)}: {label} {tc(start)} - {tc(end)}</title></rect>"
                )
        row = f.first
        if f.kind not in _QUIET and row.offset is not None:
            a, b = axis.x(row.old_start), axis.x(row.old_end)
            c, d = axis.x(row.new_start), axis.x(row.new_end)
            out.append(
                f'<polygon class="link" data-seg="{n}" fill="{colour}" points="{a:.1f},'
                f'{old_y + h} {b:.1f},{old_y + h} {d:.1f},{new_y} {c:.1f},{new_y}"/>'
            )
    if not changes:
        out[0] = '<text class="lane-label" x="6" y="44">(no change list)</text>'
    old_events = old_cut.events if old_cut is not None else ()
    for y, events in ((old_y, old_events), (new_y, cut.events)):
        if not changes and events:
            if len(events) <= 2000:
                for n, event in enumerate(events):
                    fill = "#9aa1ad" if n % 2 else "#c2c7cf"
                    out.append(
                        f'<rect x="{axis.x(event.record_in):.1f}" y="{y}" '
                        f'width="{axis.w(event.record_in, event.record_out):.1f}" height="{h}" '
                        f'fill="{fill}"><title>{_e(event.name)} {tc(event.record_in)}</title>'
                        "</rect>"
                    )
            else:
                lo, hi = events[0].record_in, max(e.record_out for e in events)
                out.append(f'<rect x="{axis.x(lo):.1f}" y="{y}" width="{axis.w(lo, hi):.1f}" '
                           f'height="{h}" fill="#b4bac4"/>')  # fmt: skip
        last = -10.0
        for event in events:
            x = axis.x(event.record_in)
            if x - last >= 2:
                out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + h}" stroke="#fff"/>')
                last = x
    return out


def _lanes(axis: _Axis, cut: Cut, cues: list[StemCue], top: int) -> list[str]:
    """One lane per cue: the old position dashed above, the new parts filled below."""
    out = []
    tc = cut.timecode
    for lane, cue in enumerate(cues):
        y = top + lane * 44
        status = cue.status or "spotted"
        colour = STATUS_COLOUR.get(status, "#2a9d8f")
        note = cue.columns.get("note", "") or cue.columns.get("Note", "")
        key = _e(cue.number)
        out.append(f'<g data-cue="{key}"><title>{_e(cue.number)} {_e(cue.title)} ({status})'
                   f"{': ' + _e(note) if note else ''}</title>")  # fmt: skip
        if lane % 2:
            out.append(f'<rect x="0" y="{y - 3}" width="{axis.width}" height="44" fill="#f7f8fa"/>')
        out.append(f'<text class="lane-label" x="6" y="{y + 24}">{key}</text>')
        olds = [p for p in cue.parts if p.old_start is not None and p.old_end is not None]
        if olds and status != "unchanged":
            lo = min(p.old_start for p in olds if p.old_start is not None)
            hi = max(p.old_end for p in olds if p.old_end is not None)
            x, w = axis.x(lo), axis.w(lo, hi)
            out.append(f'<rect class="old" x="{x:.1f}" y="{y}" width="{w:.1f}" height="15" '
                       f'stroke="{colour}"/>')  # fmt: skip
            out.append(_label(x, w, y + 11, f"{cue.number} old {tc(lo)}").replace(
                ' class="inside"', ""))  # fmt: skip
        for part in sorted(cue.parts, key=lambda p: p.start):
            x, w = axis.x(part.start), axis.w(part.start, part.end)
            out.append(f'<rect x="{x:.1f}" y="{y + 19}" width="{w:.1f}" height="17" '
                       f'fill="{colour}"><title>{_e(cue.number)} part {part.index}: '
                       f"{tc(part.start)} - {tc(part.end)}</title></rect>")  # fmt: skip
        first = min(cue.parts, key=lambda p: p.start)
        x, w = axis.x(first.start), axis.w(first.start, first.end)
        where = "new" if olds and status != "unchanged" else "at"
        out.append(_label(x, w, y + 31, f"{cue.number} {where} {tc(first.start)}"))
        out.append("</g>")
    return out


def _timeline(cut: Cut, cues: list[StemCue], changes: list[ChangeRow], old_cut: Cut | None) -> str:
    points = [cut.record_start or 0, cut.record_end or 1]
    for cue in cues:
        points += [cue.start, cue.end]
        points += [p.old_start for p in cue.parts if p.old_start is not None]
        points += [p.old_end for p in cue.parts if p.old_end is not None]
    for row in changes:
        points += [row.old_start, row.old_end, row.new_start, row.new_end]
    if old_cut is not None and old_cut.events:
        points += [old_cut.record_start or 0, old_cut.record_end or 0]
    axis = _Axis(min(points), max(points))
    top = 124
    height = top + 44 * len(cues) + 6
    out = [
        f'<svg id="strip" viewBox="0 0 {axis.width} {height}" role="img" '
        'aria-label="timeline of the cut and its cues" preserveAspectRatio="xMinYMin meet">'
    ]
    out += _ruler(axis, cut, height)
    out += _strips(axis, cut, changes, old_cut)
    out += _lanes(axis, cut, cues, top)
    out.append("</svg>")
    return '<div class="timeline">' + "\n".join(out) + "</div>"


def _table(
    header: Sequence[str], rows: Iterable[Sequence[object]], classes: Sequence[str] = ()
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
            cells.append(f"<td{cls}>{_e(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _signed(frames: int | None, cut: Cut) -> str:
    if frames is None:
        return ""
    if frames == 0:
        return "0"
    return ("+" if frames > 0 else "-") + format_duration(abs(frames), cut.rate)


def _worklist(cut: Cut, cues: list[StemCue], sample_rate: int) -> str:
    tc = cut.timecode
    statuses = sorted({c.status or "spotted" for c in cues})
    options = "".join(f'<option value="{_e(s)}">{_e(s)}</option>' for s in statuses)
    head = ("cue", "title", "status", "old start", "new start", "offset", "parts", "note")
    rows = []
    for cue in cues:
        status = cue.status or "spotted"
        olds = [p.old_start for p in cue.parts if p.old_start is not None]
        old = min(olds) if olds else None
        offset = None if old is None else cue.start - old
        parts = "".join(
            f"<li>part {p.index}: {_e(tc(p.start))}&ndash;{_e(tc(p.end))}"
            + (f", audio from {p.offset_samples / sample_rate:.3f} s" if p.offset_samples else "")
            + "</li>"
            for p in sorted(cue.parts, key=lambda p: (p.index, p.start))
        )
        note = cue.columns.get("note", "") or next(
            (v for k, v in cue.columns.items() if k.lower() == "note"), "")  # fmt: skip
        colour = STATUS_COLOUR.get(status, "#2a9d8f")
        cells = [
            (cue.number, cue.number, ""),
            (cue.title, cue.title, ""),
            (f'<span class="status" style="background:{colour}">{_e(status)}</span>', status, ""),
            (_e(tc(old)) if old is not None else "&mdash;", old if old is not None else "", "tc"),
            (_e(tc(cue.start)), cue.start, "tc"),
            (_e(_signed(offset, cut)), offset if offset is not None else "", "tc"),
            (f'<ul class="parts">{parts}</ul>', len(cue.parts), ""),
            (_e(note), note, ""),
        ]
        tds = "".join(
            f'<td data-sort="{_e(key)}"{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>'
            f"{html if i > 1 else _e(html)}</td>"
            for i, (html, key, cls) in enumerate(cells)
        )
        rows.append(f'<tr data-cue="{_e(cue.number)}" data-status="{_e(status)}">{tds}</tr>')
    ths = "".join(f'<th class="sort" scope="col">{_e(h)}</th>' for h in head)
    return (
        '<div class="controls"><label><input type="checkbox" id="hide-unchanged"> hide '
        'unchanged</label><label>status <select id="status-filter"><option value="">all'
        f'</option>{options}</select></label><label>find <input type="search" id="cue-search" '
        'placeholder="cue, title, note"></label><span id="shown" class="none"></span></div>'
        f'<table id="worklist"><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _sync_section(cut: Cut, cues: list[StemCue], sync_csv: str) -> tuple[str, str]:
    """The sync report: from `mconform sync`'s sync.csv, or checked here against the cut."""
    head = ("cue", "part", "sync point", "at", "hit", "hit at", "matched by",
            "drift before (frames)", "drift after (frames)", "status")  # fmt: skip
    rows: list[list[object]] = []
    if sync_csv.strip():
        table = list(csv.DictReader(io.StringIO(sync_csv)))
        for r in table:
            rows.append([r.get("cue", ""), r.get("part", ""), r.get("sync", ""),
                         r.get("sync_tc", ""), r.get("hit", ""), r.get("hit_tc", ""),
                         r.get("matched_by", ""), r.get("drift_before_frames", ""),
                         r.get("drift_after_frames", ""), r.get("status", "")])  # fmt: skip
        source = "from the sync report (sync.csv)"
    else:
        from conform.cues.cuelist import parse_sync
        from conform.cues.sync import SyncRow, status, sync_rows

        found = []
        for cue in cues:
            text = next((v for k, v in cue.columns.items() if k.lower() == "sync"), "")
            try:
                points = parse_sync(text, cut.rate) if text.strip() else ()
            except CutError:
                points = ()
            if points:
                found.append(SyncRow(cue.number, "", cue.start, cue.end, points, {}, 0))
        for m in sync_rows(found, cut):
            rows.append([m.row.cue, m.row.part, m.point.name, cut.timecode(m.point.frame),
                         m.hit.name if m.hit else "", cut.timecode(m.hit.frame) if m.hit else "",
                         m.how, "" if m.drift_before is None else m.drift_before,
                         "" if m.drift_after is None else m.drift_after,
                         status(m, 2)])  # fmt: skip
        source = ("checked against the cut's locators: drift before is as placed, after is "
                  "where `mconform sync` would move the cue")  # fmt: skip
    if not rows:
        return '<p class="none">No sync points.</p>', source
    classes = ("", "", "", "tc", "", "tc", "", "num", "num", "")
    return _table(head, rows, classes), source


def _stems_section(
    cut: Cut, stems: Sequence[tuple[str, int, int]], loudness: list[dict[str, object]]
) -> str:
    figures = {str(r.get("name")): r for r in loudness if r.get("kind") == "stem"}
    head = ("file", "start", "channels", "integrated LUFS", "true peak dBTP", "note")
    rows: list[list[object]] = []
    if stems:
        for path, start, channels in sorted(stems, key=lambda s: (s[1], s[0])):
            name = path.rsplit("/", 1)[-1].rsplit(".wav", 1)[0].split(".")[0]
            r = figures.get(name, {})
            rows.append([path, cut.timecode(start), channels, r.get("integrated_lufs", ""),
                         r.get("true_peak_dbtp", ""), r.get("note", "")])  # fmt: skip
    else:
        for r in figures.values():
            rows.append([r.get("name"), "", "", r.get("integrated_lufs", ""),
                         r.get("true_peak_dbtp", ""), r.get("note", "")])  # fmt: skip
    cues = [r for r in loudness if r.get("kind") == "cue"]
    out = _table(head, rows, ("", "tc", "num", "num", "num", "")) if rows else (
        '<p class="none">No stems.</p>')  # fmt: skip
    if cues:
        out += "<h3>Cue mixes</h3>" + _table(
            ("cue", "integrated LUFS", "true peak dBTP", "note"),
            [[r.get("name"), r.get("integrated_lufs"), r.get("true_peak_dbtp"), r.get("note")]
             for r in cues],
            ("", "num", "num", ""),
        )  # fmt: skip
    return out


def _changes_section(cut: Cut, changes: list[ChangeRow]) -> str:
    folded = fold_changes(changes)
    counts: dict[str, int] = {}
    for row in changes:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    tc = cut.timecode
    rows = []
    for f in folded:
        kind = f.kind if f.count == 1 else f"{f.kind} \u00d7{f.count} (run)"
        offset = _signed(f.offsets[0], cut) if f.offsets else ""
        what = f"{f.first.reel} {f.first.clip}".strip() if f.count == 1 else f"{f.count} shots"
        rows.append([kind, tc(f.first.old_start), tc(f.last.old_end), tc(f.first.new_start),
                     tc(f.last.new_end), offset, f.frames, what])  # fmt: skip
    table = _table(("kind", "old start", "old end", "new start", "new end", "offset", "frames",
                    "shot"), rows, ("", "tc", "tc", "tc", "tc", "tc", "num", ""))  # fmt: skip
    return (
        f"<details><summary>{_e(len(changes))} segments: {_e(summary)} "
        f"({_e(len(folded))} lines, runs of shifted shots folded)</summary>{table}</details>"
    )


def report_html(
    title: str,
    cut: Cut,
    cues: list[StemCue],
    loudness: list[dict[str, object]],
    changes_csv: str = "",
    *,
    warnings: Sequence[str] = (),
    stems: Sequence[tuple[str, int, int]] = (),
    sync_csv: str = "",
    old_cut: Cut | None = None,
    sample_rate: int = 48000,
) -> str:
    """The page: ``stems`` are (path, start frame, channels); ``warnings`` those to list.

    The old cut is drawn from ``old_cut`` when given, else from the change list's old
    ranges; the sync report comes from ``sync_csv`` when given, else is checked here.
    """
    tc = cut.timecode
    cues = sorted(cues, key=lambda c: (c.start, c.number))
    changes, change_note = read_changes(changes_csv, cut)
    notes = list(dict.fromkeys([*warnings, *([change_note] if change_note else [])]))
    counts: dict[str, int] = {}
    for cue in cues:
        counts[cue.status or "spotted"] = counts.get(cue.status or "spotted", 0) + 1
    chips = "".join(
        f'<span style="background:{STATUS_COLOUR.get(s, "#2a9d8f")}">{n} {_e(s)}</span>'
        for s, n in counts.items()
    )
    kinds = "".join(
        f'<span style="background:{c};color:#111">{_e(k)}</span>' for k, c in KIND_COLOUR.items()
    )
    sync_table, sync_source = _sync_section(cut, cues, sync_csv)
    warning_list = (
        '<ul class="warnings">' + "".join(f"<li>{_e(w)}</li>" for w in notes) + "</ul>"
        if notes else '<p class="none">No warnings.</p>'
    )  # fmt: skip
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}: music report</title><style>{_STYLE}</style></head><body>",
        f"<h1>Music report: {_e(title)}</h1>",
        f'<p class="meta">{_e(cut.rate)} &middot; record {_e(tc(cut.record_start or 0))} '
        f"&ndash; {_e(tc(cut.record_end or 0))} &middot; {len(cut.events)} shots &middot; "
        f"{len(cues)} cues &middot; {len(notes)} warnings</p>",
        f'<div class="chips">{chips}</div>',
        f'<div class="chips noprint">picture: {kinds}</div>' if changes else "",
        _timeline(cut, cues, changes, old_cut),
        '<p class="meta noprint">Hover a cue or a shot for its note; click a cue to find it '
        "in the worklist. Dashed: where a cue was in the old cut.</p>",
        "<h2>Cue worklist</h2>",
        _worklist(cut, cues, sample_rate),
        f'<h2 id="warnings">Warnings ({len(notes)})</h2>',
        warning_list,
        "<h2>Sync report</h2>",
        f'<p class="meta">{_e(sync_source)}</p>',
        sync_table,
        "<h2>Stems</h2>",
        _stems_section(cut, stems, loudness),
        "<h2>Picture changes</h2>",
        _changes_section(cut, changes) if changes else '<p class="none">No change list.</p>',
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
