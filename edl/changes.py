"""Change lists: what happened to picture between two versions of a cut.

Old and new picture are matched by source identity (a key such as the reel, plus source
frames), never by list position. The longest chain of matches in the same order in both
cuts (a heaviest increasing subsequence) is what stayed in place, so one insertion does
not mark everything after it as changed; matches off that chain were moved. What is left
is deleted, inserted, or, where an old and a new run sit between the same neighbours:
``speed`` (the same picture at another speed, or frozen: same source, overlapping source
frames), ``lifted`` (picture replaced by black of the same length) or ``replaced`` (other
picture in the slot). ``retimed`` is black that got longer or shorter.

The result, `ChangeList`, is an ordered mapping of old record ranges to new ones;
`ChangeList.map(old_frame)` is what everything downstream uses.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from edl.cut import Cut, Event
from edl.errors import CutError

__all__ = [
    "KINDS",
    "MATCH_KEYS",
    "Segment",
    "ChangeList",
    "compare",
    "match_key",
]

KINDS = (
    "same", "shifted", "moved", "inserted", "deleted", "replaced", "retimed", "speed", "lifted",
)  # fmt: skip
PROPORTIONAL = ("replaced", "retimed", "speed")
"""Kinds whose frames map by position in the slot (old and new lengths may differ)."""
MATCH_KEYS = ("auto", "reel", "clip", "file", "reel+clip")
_ANONYMOUS_REELS = {"", "AX", "AUX"}


@dataclass(frozen=True)
class Segment:
    """One row of a change list: an old record range and where it went.

    ``old_start == old_end`` for an insertion, ``new_start == new_end`` for a deletion
    (both then give the position of the change in the other cut). ``detail`` says what
    happened in words a music editor uses ("trimmed", "shot deleted", ...).
    """

    kind: str
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    reel: str = ""
    clip: str = ""
    detail: str = ""
    old_reel: str = ""
    old_clip: str = ""
    old_source: int | None = None
    new_source: int | None = None
    old_speed: Fraction | int = 1
    new_speed: Fraction | int = 1
    tags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The new shot as an editor calls it (clip, else reel)."""
        return self.clip or self.reel

    @property
    def old_name(self) -> str:
        return self.old_clip or self.old_reel

    @property
    def old_frames(self) -> int:
        return self.old_end - self.old_start

    @property
    def new_frames(self) -> int:
        return self.new_end - self.new_start

    @property
    def frames(self) -> int:
        """Length of the segment: new frames, or old frames for a deletion."""
        return self.old_frames if self.kind == "deleted" else self.new_frames

    @property
    def offset(self) -> int:
        return self.new_start - self.old_start

    def map(self, frame: int) -> int | None:
        """New frame for an old frame inside this segment."""
        if self.kind in ("deleted", "inserted"):
            return None
        if self.new_frames != self.old_frames:
            return self.new_start + (frame - self.old_start) * self.new_frames // self.old_frames
        return frame + self.offset


@dataclass(frozen=True)
class ChangeList:
    """The old->new mapping of two cuts: rows in new-cut order, lookups by old frame."""

    old: Cut
    new: Cut
    segments: tuple[Segment, ...]
    key: str = "auto"
    _by_old: tuple[Segment, ...] = field(default=(), repr=False, compare=False)
    _old_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    _new_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        by_old = sorted((s for s in self.segments if s.old_frames > 0), key=lambda s: s.old_start)
        object.__setattr__(self, "_by_old", tuple(by_old))
        object.__setattr__(self, "_old_starts", tuple(s.old_start for s in by_old))
        object.__setattr__(self, "_new_starts", tuple(s.new_start for s in self.segments))

    def starting_between(self, new_lo: int, new_hi: int) -> tuple[Segment, ...]:
        """Segments whose new start lies in ``[new_lo, new_hi)`` (rows are in new order)."""
        lo = bisect.bisect_left(self._new_starts, new_lo)
        hi = bisect.bisect_left(self._new_starts, new_hi)
        return self.segments[lo:hi]

    def segment_at(self, old_frame: int) -> Segment | None:
        """The segment holding an old record frame (None outside the old picture)."""
        index = bisect.bisect_right(self._old_starts, old_frame) - 1
        if index >= 0 and old_frame < self._by_old[index].old_end:
            return self._by_old[index]
        return None

    def map(self, old_frame: int) -> int | None:
        """The new record frame of an old one, or None where that picture was removed.

        Frames before the old picture (a pre-lap) stay anchored to the reel's first frame
        of picture, frames after it (a tail) to its last, whatever happened to the shots
        at either end.
        """
        segment = self.segment_at(old_frame)
        if segment is not None:
            return segment.map(old_frame)
        if not self._by_old:
            return None
        if old_frame < self._by_old[0].old_start:
            return old_frame + self.head_offset
        if old_frame >= self._by_old[-1].old_end:
            return old_frame + self.tail_offset
        return None

    @property
    def head_offset(self) -> int:
        """How far the reel's first frame of picture moved (what a pre-lap moves by)."""
        return (self.new.record_start or 0) - (self.old.record_start or 0)

    @property
    def tail_offset(self) -> int:
        """How far the frame after the reel's last picture moved (what a tail moves by)."""
        return (self.new.record_end or 0) - (self.old.record_end or 0)

    def pieces(self, old_start: int, old_end: int) -> list[tuple[int, int, Segment | None]]:
        """Split an old range at segment boundaries: (start, end, segment or None)."""
        result: list[tuple[int, int, Segment | None]] = []
        frame = old_start
        index = max(bisect.bisect_right(self._old_starts, frame) - 1, 0)
        while frame < old_end:
            while index < len(self._by_old) and self._by_old[index].old_end <= frame:
                index += 1
            if index >= len(self._by_old):
                result.append((frame, old_end, None))
                break
            segment = self._by_old[index]
            if segment.old_start > frame:
                stop = min(segment.old_start, old_end)
                result.append((frame, stop, None))
                frame = stop
                continue
            stop = min(segment.old_end, old_end)
            result.append((frame, stop, segment))
            frame = stop
        return result

    def totals(self) -> dict[str, int]:
        """Frames added and removed, and the picture's length before and after."""
        added = sum(s.new_frames for s in self.segments if s.kind == "inserted")
        removed = sum(s.old_frames for s in self.segments if s.kind == "deleted")
        for s in self.segments:
            if s.kind in PROPORTIONAL:
                added += max(s.new_frames - s.old_frames, 0)
                removed += max(s.old_frames - s.new_frames, 0)
        return {
            "added": added,
            "removed": removed,
            "old_length": self.old.length,
            "new_length": self.new.length,
        }

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for s in self.segments:
            counts[s.kind] += 1
        return counts


def match_key(name: str) -> Callable[[Event], str | None]:
    """The source identity of an event for matching; None for black, which never matches."""
    if name not in MATCH_KEYS:
        raise CutError(f"unknown match key {name!r}", hint=f"use one of {', '.join(MATCH_KEYS)}")

    def key(event: Event) -> str | None:
        reel = event.reel.strip()
        if event.is_black:
            return None
        clip = (event.clip_name or "").strip()
        if name == "reel":
            return reel
        if name == "clip":
            return clip or reel
        if name == "file":
            return event.source_file or clip or reel
        if name == "reel+clip":
            return f"{reel}\x00{clip}"
        if reel.upper() in _ANONYMOUS_REELS:  # auto: Premiere and FCP write AX for every clip
            return event.source_file or clip or reel
        return reel

    return key


@dataclass(frozen=True)
class _Piece:
    """A run of record frames of one cut showing one run of source frames.

    ``key`` matches frame for frame (it names the speed when there is one); ``base`` is
    the source alone, and ``source_lo``/``source_hi`` the source frames shown at any
    speed, so that the same picture at another speed can still be recognised.
    """

    record_in: int
    record_out: int
    key: str | None
    source_in: int
    event: Event
    base: str | None = None
    source_lo: Fraction | int = 0
    source_hi: Fraction | int = 0
    speed: Fraction | int = 1
    fps: Fraction | int = 24

    @property
    def length(self) -> int:
        return self.record_out - self.record_in

    def source_at(self, record: int) -> int | None:
        """The source frame shown at a record frame of this piece (None without a source)."""
        event = self.event
        if event.source_in is None:
            return None
        return event.source_in + ((record - event.record_in) * self.speed).__floor__()


def _pieces(cut: Cut, key: Callable[[Event], str | None]) -> list[_Piece]:
    """Picture as non-overlapping pieces (an event hidden under an earlier one is cut back)."""
    pieces: list[_Piece] = []
    fps = cut.rate.fps
    end = None
    for event in cut.events:
        if end is not None and event.record_in > end:  # a record gap plays as black
            gap = Event(
                number="", reel="BL", channels="V", record_in=end, record_out=event.record_in
            )
            pieces.append(_Piece(end, event.record_in, None, 0, gap))
        start = event.record_in if end is None else max(event.record_in, end)
        if event.record_out <= start:
            continue
        identity = key(event)
        base = identity
        source_in = event.source_in if event.source_in is not None else 0
        skipped = start - event.record_in
        if event.speed is None:  # plain integers: Fractions cost seconds on 30 000 shots
            ratio: Fraction | int = 1
            source_lo, source_hi = source_in + skipped, source_in + event.record_out - start
        elif event.speed.freeze:
            ratio, source_lo, source_hi = 0, source_in, source_in + 1
        else:
            ratio = event.speed.source_fps / fps
            shown = (event.record_out - start) * ratio
            lo = source_in + skipped * ratio
            source_lo, source_hi = min(lo, lo + shown), max(lo, lo + shown)
        if event.speed is not None:
            # A speed change maps source to record non-linearly: match it only as a whole.
            speed = f"{event.speed.source_fps}@{source_in}"
            identity = None if identity is None else f"{identity}\x00speed {speed}"
            source_in = 0
        elif event.source_in is None and identity is not None:
            identity = f"{identity}\x00no source"
            base = None
        source_in += skipped
        pieces.append(
            _Piece(start, event.record_out, identity, source_in, event, base,
                   source_lo, source_hi, ratio, fps)
        )  # fmt: skip
        end = event.record_out if end is None else max(end, event.record_out)
    return pieces


@dataclass
class _Match:
    old_start: int
    new_start: int
    length: int
    old_piece: _Piece
    new_piece: _Piece

    @property
    def old_end(self) -> int:
        return self.old_start + self.length

    @property
    def new_end(self) -> int:
        return self.new_start + self.length


def _candidates(old: list[_Piece], new: list[_Piece]) -> list[_Match]:
    """Every overlap of source frames between an old piece and a new one with the same key."""
    by_key: dict[str, list[_Piece]] = {}
    for piece in new:
        name = piece.key
        if name is not None:
            group = by_key.get(name)
            if group is None:
                by_key[name] = [piece]
            else:
                group.append(piece)
    index: dict[str, tuple[list[_Piece], list[int], int]] = {}
    for name, pieces in by_key.items():
        if len(pieces) > 1:
            pieces.sort(key=_source_in)
        longest = max(p.record_out - p.record_in for p in pieces)
        index[name] = (pieces, [p.source_in for p in pieces], longest)
    matches = []
    found = index.get
    for o in old:
        entry = None if o.key is None else found(o.key)
        if entry is None:
            continue
        o_in = o.source_in
        o_end = o_in + o.record_out - o.record_in
        pieces, starts, longest = entry
        if len(pieces) == 1:  # most keys: one shot, no search
            first, last = 0, 1
        else:
            # Only pieces starting within the longest piece's length before o can overlap
            # it: a bisection, not a scan of the reel (one-reel lists have thousands).
            first = bisect.bisect_right(starts, o_in - longest)
            last = bisect.bisect_left(starts, o_end, first)  # no slice copy of the tail
        for j in range(first, last):
            n = pieces[j]
            n_in = n.source_in
            lo = o_in if o_in > n_in else n_in
            n_end = n_in + n.record_out - n.record_in
            hi = o_end if o_end < n_end else n_end
            if hi > lo:
                matches.append(
                    _Match(o.record_in + lo - o_in, n.record_in + lo - n_in, hi - lo, o, n)
                )
    return matches


def _source_in(piece: _Piece) -> int:
    return piece.source_in


def _in_order_chain(matches: list[_Match]) -> list[_Match]:
    """The heaviest chain of matches increasing in both cuts (O(n log n) with a Fenwick tree)."""
    if not matches:
        return []
    matches = sorted(matches, key=lambda m: (m.old_start, m.new_start))
    ends = sorted({m.new_end for m in matches})
    size = len(ends)
    tree_best = [0] * (size + 1)
    tree_index = [-1] * (size + 1)

    def update(position: int, value: int, index: int) -> None:
        position += 1
        while position <= size:
            if value > tree_best[position]:
                tree_best[position], tree_index[position] = value, index
            position += position & -position

    def query(position: int) -> tuple[int, int]:
        best, index = 0, -1
        while position > 0:
            if tree_best[position] > best:
                best, index = tree_best[position], tree_index[position]
            position -= position & -position
        return best, index

    score = [0] * len(matches)
    parent = [-1] * len(matches)
    pending: list[tuple[int, int]] = []  # (old_end, index) waiting until the old range closes
    for i, m in enumerate(matches):
        while pending and pending[0][0] <= m.old_start:
            _, j = heapq.heappop(pending)
            update(bisect.bisect_left(ends, matches[j].new_end), score[j], j)
        best, j = query(bisect.bisect_right(ends, m.new_start))
        score[i], parent[i] = best + m.length, j
        heapq.heappush(pending, (m.old_end, i))
    i = max(range(len(matches)), key=lambda k: score[k])
    chain = []
    while i >= 0:
        chain.append(matches[i])
        i = parent[i]
    return chain[::-1]


def _subtract(ranges: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """Parts of [start, end) not covered by sorted, non-overlapping ``ranges``."""
    result = []
    index = bisect.bisect_right(ranges, (start, start)) - 1
    index = max(index, 0)
    frame = start
    while index < len(ranges) and frame < end:
        lo, hi = ranges[index]
        if hi <= frame:
            index += 1
            continue
        if lo >= end:
            break
        if lo > frame:
            result.append((frame, lo))
        frame = max(frame, hi)
        index += 1
    if frame < end:
        result.append((frame, end))
    return result


def _add_range(ranges: list[tuple[int, int]], start: int, end: int) -> None:
    bisect.insort(ranges, (start, end))


def _moved(candidates: list[_Match], chain: list[_Match]) -> list[_Match]:
    """Matches off the chain, longest first, trimmed to frames still free in both cuts."""
    used_old = sorted((m.old_start, m.old_end) for m in chain)
    used_new = sorted((m.new_start, m.new_end) for m in chain)
    in_chain = {id(m) for m in chain}
    moved: list[_Match] = []
    for m in sorted(candidates, key=lambda m: (-m.length, m.old_start, m.new_start)):
        if id(m) in in_chain:
            continue
        offset = m.new_start - m.old_start
        for lo, hi in _subtract(used_old, m.old_start, m.old_end):
            for nlo, nhi in _subtract(used_new, lo + offset, hi + offset):
                part = _Match(nlo - offset, nlo, nhi - nlo, m.old_piece, m.new_piece)
                moved.append(part)
                _add_range(used_old, part.old_start, part.old_end)
                _add_range(used_new, part.new_start, part.new_end)
    return moved


def _unmatched(pieces: list[_Piece], used: list[tuple[int, int]]) -> list[tuple[int, int, _Piece]]:
    """Runs of a cut's picture no match covers, with the piece they belong to."""
    runs = []
    for piece in pieces:
        for lo, hi in _subtract(used, piece.record_in, piece.record_out):
            runs.append((lo, hi, piece))
    return runs


def compare(old: Cut, new: Cut, key: str = "auto") -> ChangeList:
    """The change list from ``old`` to ``new`` (picture only; audio events are ignored)."""
    if old.rate.fps != new.rate.fps:
        raise CutError(f"the cuts are at different rates: {old.rate} and {new.rate}")
    if old.rate.drop != new.rate.drop:
        raise CutError(
            f"one cut is drop frame and the other is not ({old.rate} and {new.rate})",
            hint="re-export both versions with the same timecode, or give --rate",
        )
    identity = match_key(key)
    old_pieces, new_pieces = _pieces(old, identity), _pieces(new, identity)
    candidates = _candidates(old_pieces, new_pieces)
    chain = _in_order_chain(candidates)
    moved = _moved(candidates, chain)
    segments: list[Segment] = []
    for m in chain:
        kind = "same" if m.old_start == m.new_start else "shifted"
        segments.append(
            _segment(kind, m.old_start, m.old_end, m.new_start, m.new_end, m.new_piece,
                     old_piece=m.old_piece)
        )  # fmt: skip
    for m in moved:
        segments.append(
            _segment("moved", m.old_start, m.old_end, m.new_start, m.new_end, m.new_piece,
                     old_piece=m.old_piece)
        )  # fmt: skip
    matched = chain + moved
    used_old = sorted((m.old_start, m.old_end) for m in matched)
    used_new = sorted((m.new_start, m.new_end) for m in matched)
    lost = _unmatched(old_pieces, used_old)
    added = _unmatched(new_pieces, used_new)
    segments += _pair_unmatched(lost, added, chain, old, new, used_old, used_new, matched)
    segments.sort(key=lambda s: (s.new_start, s.new_end != s.new_start, s.old_start))
    return ChangeList(old, new, tuple(segments), key)


def _segment(
    kind: str, old_start: int, old_end: int, new_start: int, new_end: int, piece: _Piece,
    detail: str = "", old_piece: _Piece | None = None,
) -> Segment:  # fmt: skip
    """A segment naming the new shot and the old one (the same piece when only one exists)."""
    old_piece = old_piece or piece
    event, old_event = piece.event, old_piece.event
    has_new, has_old = new_end > new_start, old_end > old_start
    return Segment(
        kind, old_start, old_end, new_start, new_end, event.reel, event.clip_name or "", detail,
        old_reel=old_event.reel, old_clip=old_event.clip_name or "",
        old_source=old_piece.source_at(old_start) if has_old else None,
        new_source=piece.source_at(new_start) if has_new else None,
        old_speed=old_piece.speed, new_speed=piece.speed,
        tags=_tags(event) if has_new else _tags(old_event),
    )  # fmt: skip


_TAG_RE = re.compile(r"\b(?:VFX|SHOT|LOC)\s*[:#]?\s*([A-Za-z0-9_.-]*[0-9][A-Za-z0-9_.-]*)", re.I)


def _tags(event: Event) -> tuple[str, ...]:
    """VFX shot tags from an event's comments (``* LOC: ... VFX_010``, ``* VFX: AB_0120``)."""
    if not event.comments:
        return ()
    found = []
    for comment in event.comments:
        found += [m.group(1) for m in _TAG_RE.finditer(comment)]
    return tuple(dict.fromkeys(found))


def _pair_unmatched(
    lost: list[tuple[int, int, _Piece]],
    added: list[tuple[int, int, _Piece]],
    chain: list[_Match],
    old: Cut,
    new: Cut,
    used_old: list[tuple[int, int]],
    used_new: list[tuple[int, int]],
    matched: list[_Match],
) -> list[Segment]:
    """Deleted and inserted runs, paired into slot changes where they share neighbours.

    Runs are grouped by the gap of the in-order chain they fall in. In a gap, whole old and
    new shots of the same source with overlapping source frames are the same picture at
    another speed; one whole old shot and one whole new shot left are a replacement (or a
    lift, when the new one is black); runs of shots that partly survive are trims and
    extensions.
    """
    old_bounds = [m.old_end for m in chain]
    new_bounds = [m.new_end for m in chain]
    old_gaps: dict[int, list[tuple[int, int, _Piece]]] = defaultdict(list)
    new_gaps: dict[int, list[tuple[int, int, _Piece]]] = defaultdict(list)
    for run in lost:
        old_gaps[bisect.bisect_right(old_bounds, run[0])].append(run)
    for run in added:
        new_gaps[bisect.bisect_right(new_bounds, run[0])].append(run)
    segments: list[Segment] = []
    leftovers = []  # (gap, old runs with partial flag, new runs with partial flag)
    for gap in sorted(set(old_gaps) | set(new_gaps)):
        olds = [(run, _overlaps(used_old, run[2])) for run in old_gaps.get(gap, [])]
        news = [(run, _overlaps(used_new, run[2])) for run in new_gaps.get(gap, [])]
        whole_olds = [run for run, partial in olds if not partial]
        whole_news = [run for run, partial in news if not partial]
        pairs = []
        for o in list(whole_olds):
            same = next((n for n in whole_news if _same_picture(o[2], n[2])), None)
            if same is not None:
                pairs.append((o, same))
                whole_olds.remove(o)
                whole_news.remove(same)
        if len(whole_olds) == 1 and len(whole_news) == 1:
            pairs.append((whole_olds[0], whole_news[0]))
        for (olo, ohi, opiece), (nlo, nhi, npiece) in pairs:
            segments.append(_replacement(olo, ohi, opiece, nlo, nhi, npiece))
        paired_old = {id(o) for o, _ in pairs}
        paired_new = {id(n) for _, n in pairs}
        olds = [(run, partial) for run, partial in olds if id(run) not in paired_old]
        news = [(run, partial) for run, partial in news if id(run) not in paired_new]
        leftovers.append((gap, olds, news))
    # A deletion sits, in the new cut, right after whatever held the old frame before it;
    # an insertion likewise in the old cut. Failing that, after the chain's previous match.
    spans = [(m.old_end, m.new_end) for m in matched] + [(s.old_end, s.new_end) for s in segments]
    after_old = dict(spans)
    after_new = {new_end: old_end for old_end, new_end in spans}
    for gap, olds, news in leftovers:
        new_at = chain[gap - 1].new_end if gap > 0 else (new.record_start or 0)
        old_at = chain[gap - 1].old_end if gap > 0 else (old.record_start or 0)
        for (lo, hi, piece), partial in olds:
            black = piece.key is None
            detail = "trimmed" if partial else ("black removed" if black else "shot deleted")
            at = after_old.get(lo, new_at)
            segments.append(_segment("deleted", lo, hi, at, at, piece, detail))
        for (lo, hi, piece), partial in news:
            black = piece.key is None
            detail = "extended" if partial else ("black added" if black else "shot inserted")
            at = after_new.get(lo, old_at)
            segments.append(_segment("inserted", at, at, lo, hi, piece, detail))
    return segments


def _same_picture(old: _Piece, new: _Piece) -> bool:
    """The same source shown in both, at different speeds, with source frames in common."""
    return (
        old.base is not None
        and old.base == new.base
        and old.speed != new.speed
        and old.source_lo < new.source_hi
        and new.source_lo < old.source_hi
    )


def _replacement(olo: int, ohi: int, opiece: _Piece, nlo: int, nhi: int, npiece: _Piece) -> Segment:
    """An old run and a new one in the same slot: speed, lifted, replaced, or black for black."""
    difference = (nhi - nlo) - (ohi - olo)
    build = lambda kind, detail: _segment(  # noqa: E731
        kind, olo, ohi, nlo, nhi, npiece, detail, old_piece=opiece
    )
    if opiece.key is None and npiece.key is None:  # black (or a gap) where black was
        if difference == 0:
            return build("same" if olo == nlo else "shifted", "black")
        return build("retimed", f"black {_signed(difference)}")
    if npiece.key is None:
        if difference == 0:
            return build("lifted", f"{_name(opiece)} lifted (black, timing kept)")
        return build("replaced", f"{_name(opiece)} replaced by black {_signed(difference)}")
    if _same_picture(opiece, npiece):
        return build("speed", _speed_detail(opiece, npiece, difference))
    if opiece.key is None:
        return build("replaced", f"black replaced by {_name(npiece)}")
    what = f"{_name(opiece)} -> {_name(npiece)}"
    if _another_take(opiece, npiece):
        what += " (another take)"
    return build("replaced", what if difference == 0 else f"{what}, {_signed(difference)}")


def _name(piece: _Piece) -> str:
    return piece.event.name


def _fps(piece: _Piece) -> str:
    return f"{float(piece.speed * piece.fps):.3f}".rstrip("0").rstrip(".")


def _speed_detail(old: _Piece, new: _Piece, difference: int) -> str:
    """'slowed 24 -> 12 fps', 'sped up', 'frozen', 'reversed', with the length change."""
    if new.event.speed is not None and new.event.speed.freeze:
        what = "frozen"
    elif new.speed < 0 <= old.speed:
        what = "reversed"
    elif abs(new.speed) < abs(old.speed):
        what = "slowed"
    else:
        what = "sped up"
    if what != "frozen":
        what += f" {_fps(old)} -> {_fps(new)} fps"
    return what if difference == 0 else f"{what}, {_signed(difference)}"


_TAKE_RE = re.compile(r"(?:[-_ .]?(?:t|tk|take)?[-_ .]?\d{1,3})$", re.IGNORECASE)


def _another_take(old: _Piece, new: _Piece) -> bool:
    """Whether clip names say the new shot is another take of the old (``12A-3`` / ``12A-4``)."""
    a, b = (old.event.clip_name or "").strip(), (new.event.clip_name or "").strip()
    if not a or not b or a == b:
        return False
    stem_a, stem_b = _TAKE_RE.sub("", a), _TAKE_RE.sub("", b)
    return bool(stem_a) and stem_a == stem_b


def _signed(difference: int) -> str:
    return f"{abs(difference)} frames {'longer' if difference > 0 else 'shorter'}"


def _overlaps(ranges: list[tuple[int, int]], piece: _Piece) -> bool:
    """Whether any matched range covers part of ``piece`` (so it was trimmed, not deleted)."""
    index = bisect.bisect_right(ranges, (piece.record_out, piece.record_out))
    return any(
        lo < piece.record_out and hi > piece.record_in
        for lo, hi in ranges[max(index - 2, 0) : index]
    )
