"""CMX3600 edit decision lists: read (two stages) and write.

Stage one, `statements`, turns text into plain NamedTuples that keep their line numbers
(as pycmx does). Stage two, `build_cut`, turns statements into a `Cut` at a rate.
We parse by tokens rather than fixed columns, because File32/File128 lists and long reel
names break the columns; the OTIO cmx3600 adapter neither keeps line numbers nor separates
audio from picture, so it is not used for reading.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from edl.cut import Cut, Event, Hit, Speed, Transition
from edl.errors import CutError
from edl.rate import Rate, lowest_rate_fitting
from edl.timecode import TIMECODE_RE, format_timecode, timecode_to_frames

__all__ = [
    "Title",
    "Fcm",
    "EventLine",
    "Note",
    "Motion",
    "Aud",
    "Other",
    "Skipped",
    "Statement",
    "decode",
    "statements",
    "build_cut",
    "read_edl",
    "write_edl",
]


class Title(NamedTuple):
    line: int
    text: str


class Fcm(NamedTuple):
    line: int
    drop: bool


class EventLine(NamedTuple):
    line: int
    number: str
    reel: str
    channels: str
    transition: str
    transition_frames: int | None
    source_in: str
    source_out: str
    record_in: str
    record_out: str


class Note(NamedTuple):
    """A comment line: ``* KEY: value`` (key upper-cased, '' for free text)."""

    line: int
    key: str
    value: str


class Motion(NamedTuple):
    """An M2 line: reel, source frames per second, source timecode where the effect starts."""

    line: int
    reel: str
    speed: str
    source_tc: str


class Aud(NamedTuple):
    line: int
    tracks: tuple[int, ...]


class Other(NamedTuple):
    """A line with no meaning for a cut (REM, EFFECTS NAME, >>> SOURCE, SPLIT, unknown)."""

    line: int
    text: str


class Skipped(NamedTuple):
    """A line that could not be read, skipped on request (``--lenient``), and why."""

    line: int
    text: str
    cause: str


Statement = Title | Fcm | EventLine | Note | Motion | Aud | Other | Skipped

_TIME = r"(?:[0-9]{1,2}[:;.,][0-9]{2}[:;.,][0-9]{2}[:;.,][0-9]{2,3}|[0-9]{1,9})"
_TIME_RE = re.compile(rf"^{_TIME}$")
_DIGITS_RE = re.compile(r"^[0-9]{1,6}$")
"""A transition length or a track number: ASCII digits only (``'²'.isdigit()`` is True)."""
_SPEED_RE = re.compile(r"^[+-]?[0-9]{1,4}(?:\.[0-9]{1,6})?$")
"""An M2 speed in frames per second: ``024.0``, ``-48``, ``000.0`` (no exponents, no 1/0)."""
MAX_FRAMES = 10 * 24 * 60 * 60 * 120
"""Absolute frame counts beyond ten days at 120 fps are not a cut."""
_TRANSITION_RE = re.compile(r"^(C|D|W\d{3}|WXXX|W|K|KB|KO)$", re.IGNORECASE)
_CHANNELS_RE = re.compile(r"^(?:B|NONE|V|AA|A\d*)(?:/(?:V|AA|A\d*))*$", re.IGNORECASE)
_NOTE_RE = re.compile(r"^\*+\s*([A-Z][A-Z0-9 _]*?)\s*:\s?(.*)$", re.IGNORECASE)
_KNOWN_KEYS = ("FROM CLIP NAME", "TO CLIP NAME", "SOURCE FILE", "FROM CLIP", "LOC", "FCM")
_COLOURS = {
    "RED", "GREEN", "BLUE", "CYAN", "MAGENTA", "YELLOW", "BLACK", "WHITE", "PINK",
    "ORANGE", "PURPLE", "VIOLET", "LAVENDER", "ROSE", "MINT", "CERULEAN", "FOREST",
}  # fmt: skip


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text of a list as bytes: by its BOM (UTF-16/32), UTF-8, else Latin-1; stops at ^Z."""
    warnings: list[str] = []
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            if "\ufffd" in text:
                warnings.append(f"bytes that are not {codec.upper()} were replaced")
            return text.split("\x1a", 1)[0], warnings
    if b"\x1a" in data:
        data = data[: data.index(b"\x1a")]
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
        warnings.append("NUL bytes in the file were ignored")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        warnings.append("the file is not UTF-8; read as Latin-1")
    return text, warnings


def statements(text: str, lenient: bool = False) -> Iterator[Statement]:
    """Stage one: each meaningful line of a list as a statement with its line number.

    ``lenient`` turns a line that cannot be read into a `Skipped` statement, not an error.
    """
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            yield _statement(number, line)
        except CutError as err:
            if not lenient:
                raise
            yield Skipped(number, line, err.cause)


def _statement(number: int, line: str) -> Statement:
    if "0" <= line[0] <= "9":  # event lines are most of a list: straight to them
        head = line.split(None, 1)[0]
        if head.isdigit():
            return _event_line(number, line)
    upper = line.upper()
    if upper.startswith("TITLE:"):
        return Title(number, line[6:].strip())
    if upper.startswith("FCM:"):
        return Fcm(number, "NON" not in upper and "DROP" in upper)
    head = line.split(None, 1)[0]
    if head.isdigit():  # a non-ASCII digit fails the event-line checks with a clear error
        return _event_line(number, line)
    if upper.startswith("M2 ") or upper.startswith("M2\t"):
        tokens = line.split()
        if len(tokens) < 4 or not _TIME_RE.match(tokens[-1]):
            raise CutError("M2 line needs a reel, a speed and a source timecode", line=number)
        return Motion(number, " ".join(tokens[1:-2]), tokens[-2], tokens[-1])
    if upper.startswith("AUD"):
        numbers = re.findall(r"[0-9]+", line[3:])
        if any(len(t) > 3 for t in numbers):
            raise CutError("AUD track numbers go up to 999", line=number)
        tracks = tuple(int(t) for t in numbers)
        return Aud(number, tracks)
    if line.startswith("*") or upper.split(":", 1)[0] in _KNOWN_KEYS:
        match = _NOTE_RE.match(line if line.startswith("*") else "* " + line)
        if match and (match.group(1).upper() in _KNOWN_KEYS or line.startswith("*")):
            key = match.group(1).upper().strip()
            if key in _KNOWN_KEYS or key in ("COMMENT", "ASC_SOP", "ASC_SAT"):
                return Note(number, key, match.group(2).strip())
        return Note(number, "", line.lstrip("*").strip())
    return Other(number, line)


def _event_line(number: int, line: str) -> EventLine:
    tokens = line.split()
    match = _TIME_RE.match
    if len(tokens) < 7 or not (
        match(tokens[-4]) and match(tokens[-3]) and match(tokens[-2]) and match(tokens[-1])
    ):
        raise CutError(
            "event line needs source in/out and record in/out timecodes",
            line=number,
            hint="expected 'NNN REEL CHANNELS TRANSITION SRC-IN SRC-OUT REC-IN REC-OUT'",
        )
    rest = tokens[1:-4]
    frames: int | None = None
    if len(rest) >= 3 and _DIGITS_RE.match(rest[-1]) and _TRANSITION_RE.match(rest[-2]):
        frames = int(rest[-1])
        rest = rest[:-1]
    if len(rest) < 3 or not _TRANSITION_RE.match(rest[-1]) or not _CHANNELS_RE.match(rest[-2]):
        raise CutError(
            f"cannot read reel, channels and transition from {_clip(' '.join(tokens[1:-4]))!r}",
            line=number,
            hint="channels are V, A, A2, AA, B, NONE or A/V forms; transitions C, D, W001, K",
        )
    transition = rest[-1].upper()
    if transition != "C" and frames is None:
        raise CutError(f"transition {transition} has no length in frames", line=number)
    return EventLine(
        number, tokens[0], " ".join(rest[:-2]), rest[-2].upper(), transition, frames, *tokens[-4:]
    )


def _clip(text: str, limit: int = 40) -> str:
    """Input quoted in an error, cut short so the error stays one short line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@functools.lru_cache(maxsize=256)
def _audio_tracks(channels: str) -> tuple[int, ...]:
    tracks: list[int] = []
    for part in channels.upper().split("/"):
        if part == "AA":
            tracks += [1, 2]
        elif part == "B":
            tracks.append(1)
        elif part.startswith("A"):
            number = part[1:]
            if number and not _DIGITS_RE.match(number):
                raise CutError(f"audio channel {_clip(part)!r} is not a track number")
            tracks.append(int(number) if number else 1)
    return tuple(tracks)


def _frame_labels(stmts: list[Statement]) -> Iterator[tuple[int, str, int, bool, bool]]:
    """(line, timecode, frame label, drop marked, is record) for the list's timecodes.

    Source timecodes count only on picture events: sound lists often carry sources at
    another rate (29.97 dailies in a 23.976 cut).
    """
    split = _split
    for st in stmts:
        if type(st) is not EventLine:
            continue
        picture = "V" in st.channels or st.channels == "B"
        fields = (st.record_in, st.record_out, st.source_in, st.source_out)
        for n in range(4 if picture else 2):
            tc = fields[n]
            parts = split(tc)
            if parts is not None:
                yield st.line, tc, parts[4], parts[3] in ";,", n < 2


def resolve_rate(
    stmts: list[Statement], rate: Rate | None, path: str | None = None
) -> tuple[Rate, str | None]:
    """The rate to read a list at, and a note when it was chosen automatically.

    EDLs carry no rate; drop frame comes from ``FCM:`` lines or ``;`` in record timecodes.
    """
    fcm_drop = next((st.drop for st in stmts if isinstance(st, Fcm)), None)
    labels = list(_frame_labels(stmts))
    drop = bool(fcm_drop)
    highest = record_highest = 0
    for _, _, label, marked, is_record in labels:  # one pass: 240 000 labels at 30 000 shots
        if label > highest:
            highest = label
        if is_record:
            drop = drop or marked
            if label > record_highest:
                record_highest = label
    if rate is None:
        chosen = lowest_rate_fitting(highest, drop)
        if chosen is None:
            raise CutError(f"frame number {highest} fits no standard rate", path=path)
        how = "drop frame" if drop else "frame numbers up to"
        return chosen, f"rate {chosen} chosen automatically ({how} {highest:02d}); "
    if drop and not rate.drop and rate.fps.denominator == 1001:
        rate = rate.with_drop(True)
    if drop and not rate.drop:
        raise CutError(
            f"the list is drop frame but the rate given is {rate}",
            path=path,
            hint="use --rate 29.97 or 59.94, or --rate auto",
        )
    if record_highest < rate.timecode_base:
        return rate, None
    for line, tc, label, _, is_record in labels:
        if is_record and label >= rate.timecode_base:
            fits = lowest_rate_fitting(record_highest, drop)
            hint = f"the lowest rate that fits is {fits}; use --rate {fits}" if fits else ""
            raise CutError(
                f"record timecode {tc} has frame {label}, impossible at {rate}",
                path=path,
                line=line,
                hint=hint or "check the list",
            )
    return rate, None


@functools.lru_cache(maxsize=1 << 16)
def _split(tc: str) -> tuple[int, int, int, str, int] | None:
    """Fields of a timecode (h, m, s, separator, f), parsed once per distinct string.

    A list repeats most timecodes (each record out is the next record in), and reading
    30 000 events parses 240 000 of them.
    """
    match = TIMECODE_RE.match(tc)
    if match is None:
        return None
    h, m, s, sep, f = match.groups()
    return int(h), int(m), int(s), sep, int(f)


@functools.lru_cache(maxsize=1 << 17)
def _frames(tc: str, rate: Rate, drop: bool) -> int:
    """Frames of a timecode (or a frame count) at a rate, once per distinct text."""
    parts = _split(tc)
    if parts is None:
        if _DIGITS_RE.match(tc) or (tc.isascii() and tc.isdigit()):
            frames = int(tc)
            if frames > MAX_FRAMES:
                raise CutError(f"frame count {tc} is more than ten days of picture")
            return frames
        raise CutError(f"{tc[:20]!r} is not a timecode", hint="write it as hh:mm:ss:ff")
    h, m, s, sep, f = parts
    use = _counting(rate, True) if drop or sep in ";," else rate
    return timecode_to_frames(h, m, s, f, use, tc)


@functools.lru_cache(maxsize=64)
def _counting(rate: Rate, drop: bool) -> Rate:
    """The rate to count a timecode at: drop frame where marked and the rate has it."""
    if drop and rate.fps.denominator == 1001 and rate.timecode_base in (30, 60):
        return rate.with_drop(True)
    return rate


class _Draft:
    """An event being assembled from its line and the notes that follow it."""

    __slots__ = ("st", "record_in", "record_out", "source_in", "source_out", "clip_name",
                 "to_clip_name", "source_file", "speed", "audio", "comments",
                 "transition")  # fmt: skip

    def __init__(self, st: EventLine, record_in: int, record_out: int) -> None:
        self.st = st
        self.record_in = record_in
        self.record_out = record_out
        self.source_in: int | None = None
        self.source_out: int | None = None
        self.clip_name: str | None = None
        self.to_clip_name: str | None = None
        self.source_file: str | None = None
        self.speed: Speed | None = None
        self.audio = list(_audio_tracks(st.channels))
        self.comments: list[str] = []
        self.transition = _CUT

    def event(self) -> Event:
        name = self.clip_name
        transition = self.transition
        if not transition.is_cut:
            name = self.to_clip_name or self.clip_name
            from_clip = transition.from_clip or (self.clip_name if self.to_clip_name else None)
            transition = Transition(
                transition.kind, transition.frames, transition.code, from_clip, transition.from_reel
            )
        return Event(
            number=self.st.number,
            reel=self.st.reel,
            channels=self.st.channels,
            record_in=self.record_in,
            record_out=self.record_out,
            source_in=self.source_in,
            source_out=self.source_out,
            clip_name=name,
            source_file=self.source_file,
            transition=transition,
            speed=self.speed,
            audio_tracks=tuple(dict.fromkeys(self.audio)),
            line=self.st.line,
            comments=tuple(self.comments),
        )


_CUT = Transition()
_KINDS = {"C": "cut", "D": "dissolve", "K": "key", "KB": "key", "KO": "key"}


def build_cut(
    stmts: Iterable[Statement],
    rate: Rate | None = None,
    path: str | Path | None = None,
    lenient: bool = False,
) -> Cut:
    """Stage two: a `Cut` from statements. ``rate=None`` picks the lowest rate that fits.

    ``lenient`` skips an event that cannot be built (e.g. out before in) with a warning.
    """
    where = str(path) if path is not None else None
    stmts = list(stmts)
    rate, auto_note = resolve_rate(stmts, rate, where)
    warnings: list[str] = [auto_note.rstrip("; ")] if auto_note else []
    drop = rate.drop
    title = ""
    drafts: list[_Draft] = []
    hits: list[Hit] = []
    other_rate_sources = 0
    try:
        for st in stmts:
            if isinstance(st, EventLine):
                try:
                    drafts.append(_new_draft(st, rate, drop, drafts, warnings))
                except CutError as err:
                    if not lenient:
                        raise
                    warnings.append(f"line {st.line}: skipped event {st.number} ({err.cause})")
                    continue
                draft = drafts[-1]
                try:
                    draft.source_in = _frames(st.source_in, rate, drop)
                    draft.source_out = _frames(st.source_out, rate, drop)
                except CutError:
                    draft.source_in = draft.source_out = None
                    other_rate_sources += 1
            elif isinstance(st, Note):
                _apply_note(st, drafts, hits, rate, drop)
            elif isinstance(st, Title):
                title = title or st.text
            elif isinstance(st, Fcm):
                drop = st.drop and rate.fps.denominator == 1001
            elif isinstance(st, Skipped):
                warnings.append(f"line {st.line}: skipped ({st.cause})")
            elif isinstance(st, Motion):
                _apply_motion(st, drafts, rate)
            elif isinstance(st, Aud):
                if not drafts:
                    raise CutError("AUD line before any event", line=st.line)
                drafts[-1].audio += list(st.tracks)
            elif isinstance(st, Other) and not _is_known_other(st.text):
                warnings.append(f"line {st.line}: ignored {st.text[:40]!r}")
    except CutError as err:
        raise err.located(where) from None
    if other_rate_sources:
        warnings.append(
            f"{other_rate_sources} events have source timecode at another rate; "
            "their source frames are left empty"
        )
    return _assemble(drafts, hits, rate, title, where, warnings)


def _is_known_other(text: str) -> bool:
    upper = text.upper()
    return upper.startswith(("REM", "EFFECTS NAME", ">>>", "SPLIT", "SWM", "GPI", "FRMC", "M1"))


def _new_draft(
    st: EventLine, rate: Rate, drop: bool, drafts: list[_Draft], warnings: list[str]
) -> _Draft:
    try:
        record_in = _frames(st.record_in, rate, drop)
        record_out = _frames(st.record_out, rate, drop)
    except CutError as err:
        raise err.located(line=st.line) from None
    if record_out < record_in:
        raise CutError(
            f"event {st.number} ends ({st.record_out}) before it starts ({st.record_in})",
            line=st.line,
            hint="fix the record out time in the list",
        )
    draft = _Draft(st, record_in, record_out)
    if st.transition != "C":
        kind = "wipe" if st.transition.startswith("W") else _KINDS.get(st.transition, "key")
        previous = drafts[-1] if drafts else None
        from_clip = from_reel = None
        if previous is not None and previous.record_out == record_in and previous.st.line:
            from_clip, from_reel = previous.clip_name, previous.st.reel
            if previous.record_in == previous.record_out:
                drafts.pop()  # the zero-length outgoing side is part of this transition
                if previous.st.number != st.number:
                    warnings.append(
                        f"line {st.line}: {kind} event {st.number} takes its outgoing shot "
                        f"from event {previous.st.number} on line {previous.st.line}"
                    )
        draft.transition = Transition(
            kind, st.transition_frames or 0, st.transition, from_clip, from_reel
        )
    return draft


def _apply_note(st: Note, drafts: list[_Draft], hits: list[Hit], rate: Rate, drop: bool) -> None:
    draft = drafts[-1] if drafts else None
    if st.key == "LOC":
        hits.append(_locator(st, rate, drop))
    elif draft is None:
        return
    elif st.key == "FROM CLIP NAME":
        draft.clip_name = st.value or draft.clip_name
    elif st.key == "TO CLIP NAME":
        draft.to_clip_name = st.value or draft.to_clip_name
    elif st.key == "SOURCE FILE":
        draft.source_file = st.value or draft.source_file
    elif st.key == "FROM CLIP":
        draft.source_file = draft.source_file or st.value or None
    else:
        draft.comments.append(f"{st.key}: {st.value}" if st.key else st.value)


def _locator(st: Note, rate: Rate, drop: bool) -> Hit:
    parts = st.value.split(None, 1)
    if not parts or not _TIME_RE.match(parts[0]):
        raise CutError("locator needs a timecode: '* LOC: 01:00:00:00 RED name'", line=st.line)
    try:
        frame = _frames(parts[0], rate, drop)
    except CutError as err:
        raise err.located(line=st.line) from None
    rest = parts[1].strip() if len(parts) > 1 else ""
    colour = ""
    words = rest.split(None, 1)
    if words and words[0].upper() in _COLOURS:
        colour = words[0].upper()
        rest = words[1].strip() if len(words) > 1 else ""
    return Hit(frame=frame, name=rest, colour=colour, line=st.line)


def _apply_motion(st: Motion, drafts: list[_Draft], rate: Rate) -> None:
    if not drafts:
        raise CutError("M2 line before any event", line=st.line)
    if not _SPEED_RE.match(st.speed):
        raise CutError(
            f"M2 speed {st.speed[:20]!r} is not a speed",
            line=st.line,
            hint="write frames per second, e.g. 012.0, -24.0 or 000.0 for a freeze",
        )
    fps = Fraction(st.speed)
    target = drafts[-1]
    for draft in reversed(drafts):  # M2 names its reel; a dissolve's M2 may follow the pair
        if draft.st.reel == st.reel:
            target = draft
            break
    target.speed = Speed(source_fps=fps, freeze=fps == 0)


def _assemble(
    drafts: list[_Draft],
    hits: list[Hit],
    rate: Rate,
    title: str,
    where: str | None,
    warnings: list[str],
) -> Cut:
    events = [d.event() for d in drafts]
    picture = sorted((e for e in events if e.has_picture), key=lambda e: e.record_in)
    audio = sorted((e for e in events if not e.has_picture), key=lambda e: e.record_in)
    mismatched = [
        e.number
        for e in picture
        if e.speed is None
        and e.source_duration is not None
        and e.source_duration != e.duration
        and e.transition.is_cut
    ]
    if mismatched:
        warnings.append(
            f"{len(mismatched)} events have source and record lengths that differ "
            f"with no M2 speed (first: event {mismatched[0]}); record times are used"
        )
    cut = Cut(rate=rate, events=tuple(picture), audio_events=tuple(audio), title=title,
              source=where or "", hits=tuple(sorted(hits, key=lambda h: h.frame)))  # fmt: skip
    start, end = cut.record_start, cut.record_end  # once: each is a pass over the events
    outside = [h for h in cut.hits if not _inside(start, end, h.frame)]
    if outside:
        warnings.append(
            f"{len(outside)} locators lie outside the cut "
            f"(first at {format_timecode(outside[0].frame, rate)}, line {outside[0].line})"
        )
    return Cut(**{**cut.__dict__, "warnings": tuple(warnings)})


def _inside(start: int | None, end: int | None, frame: int) -> bool:
    return start is not None and end is not None and start <= frame < end


def read_edl(path: str | Path, rate: Rate | None = None, lenient: bool = False) -> Cut:
    """Read a CMX3600 list from disk. ``rate=None`` picks the lowest standard rate that fits."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CutError(f"cannot read: {err.strerror}", path=path) from None
    text, warnings = decode(data)
    try:
        stmts = list(statements(text, lenient))
    except CutError as err:
        raise err.located(path) from None
    if not any(isinstance(st, EventLine) for st in stmts):
        raise CutError("no events found; is this a CMX3600 EDL?", path=path)
    cut = build_cut(stmts, rate, path, lenient)
    return Cut(**{**cut.__dict__, "warnings": tuple(warnings) + cut.warnings})


def write_edl(cut: Cut, title: str | None = None) -> str:
    """The cut as CMX3600 text (picture, then audio events, then locators as LOC notes)."""
    rate = cut.rate
    lines = [f"TITLE: {title or cut.title or 'mconform'}"]
    lines.append("FCM: DROP FRAME" if rate.drop else "FCM: NON-DROP FRAME")
    reel_width = max([8] + [len(e.reel) for e in (*cut.events, *cut.audio_events)])
    tc = lambda f: format_timecode(f, rate)  # noqa: E731
    number = 0
    hits = sorted(cut.hits, key=lambda h: h.frame)
    for event in (*cut.events, *cut.audio_events):
        number += 1
        src_in = event.source_in if event.source_in is not None else 0
        src_out = event.source_out if event.source_out is not None else src_in + event.duration
        chans = _channels_field(event)
        reel = event.reel.ljust(reel_width)
        t = event.transition
        if not t.is_cut:
            from_reel = (t.from_reel or "BL").ljust(reel_width)
            lines.append(
                f"{number:03d}  {from_reel} {chans:<5} C        "
                f"{tc(src_in)} {tc(src_in)} {tc(event.record_in)} {tc(event.record_in)}"
            )
            lines.append(
                f"{number:03d}  {reel} {chans:<5} {t.code:<4} {t.frames:03d} "
                f"{tc(src_in)} {tc(src_out)} {tc(event.record_in)} {tc(event.record_out)}"
            )
        else:
            lines.append(
                f"{number:03d}  {reel} {chans:<5} C        "
                f"{tc(src_in)} {tc(src_out)} {tc(event.record_in)} {tc(event.record_out)}"
            )
        extra = _extra_audio_tracks(event)
        if extra:
            lines.append("AUD  " + " ".join(str(t) for t in extra))
        if event.speed is not None:
            lines.append(
                f"M2   {event.reel.ljust(reel_width)} {float(event.speed.source_fps):05.1f}"
                f"                {tc(src_in)}"
            )
        if not t.is_cut and t.from_clip:
            lines.append(f"* FROM CLIP NAME:  {t.from_clip}")
            if event.clip_name:
                lines.append(f"* TO CLIP NAME:  {event.clip_name}")
        elif event.clip_name:
            lines.append(f"* FROM CLIP NAME:  {event.clip_name}")
        if event.source_file:
            lines.append(f"* SOURCE FILE: {event.source_file}")
        if event.has_picture:
            for hit in hits:
                if event.record_in <= hit.frame < event.record_out:
                    lines.append(f"* LOC: {tc(hit.frame)} {hit.colour or 'YELLOW':<7} {hit.name}")
    placed = lambda h: any(e.record_in <= h.frame < e.record_out for e in cut.events)  # noqa: E731
    orphans = [h for h in hits if not placed(h)]
    for hit in orphans:
        lines.append(f"* LOC: {tc(hit.frame)} {hit.colour or 'YELLOW':<7} {hit.name}")
    return "\r\n".join(lines) + "\r\n"


def _extra_audio_tracks(event: Event) -> tuple[int, ...]:
    """Audio tracks the channels field cannot say; written on an AUD line."""
    tracks = event.audio_tracks
    return tracks[2:] if tracks[:2] == (1, 2) else tracks[1:]


def _channels_field(event: Event) -> str:
    tracks = event.audio_tracks
    audio = ""
    if tracks[:2] == (1, 2):
        audio = "AA"
    elif tracks:
        audio = "A" if tracks[0] == 1 else f"A{tracks[0]}"
    if event.has_picture:
        return f"{audio}/V" if audio else "V"
    return audio or "NONE"
