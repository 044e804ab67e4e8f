"""Random cuts and random picture changes with known ground truth.

Every shot shows frames of a source no other shot shows, so each old record frame has
one source frame, and the truth of where it went is where that source frame is in the
new cut (or nowhere).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from fractions import Fraction

from edl.cut import Cut, Event, Speed, Transition
from edl.rate import Rate


@dataclass(frozen=True)
class Shot:
    """A shot; ``speed`` a multiple of normal (0 a freeze); ``slot`` the old shot it replaced.

    A shot with a ``slot`` took that old shot's place (replaced, lifted to black, retimed
    or frozen): the old shot's frames map into it by position.
    """

    reel: str
    source_in: int
    length: int
    dissolve: int = 0
    speed: Fraction | None = None
    black: bool = False
    gap: bool = False
    slot: Shot | None = None


class Story:
    """A cut being changed, and the ops applied so far (for failure messages)."""

    def __init__(self, rng: random.Random, shots: int) -> None:
        self.rng = rng
        self.counter = 0
        self.shots = [self.fresh() for _ in range(shots)]
        self.record_start = 86400 + rng.randrange(0, 2000)
        self.ops: list[str] = []
        self.first = tuple(self.shots)

    def fresh(self, length: int | None = None) -> Shot:
        self.counter += 1
        length = length or self.rng.randrange(12, 300)
        return Shot(f"R{self.counter:04d}", 10_000 + self.rng.randrange(0, 5000), length)

    def mutate(self, count: int, ops: list[str] | None = None) -> None:
        for _ in range(count):
            getattr(self, self.rng.choice(ops or OPS))()

    def mutate_slots(self, count: int) -> None:
        """Slot changes (replace, lift, speed, freeze, black between) on untouched shots."""
        for _ in range(count):
            getattr(self, self.rng.choice(SLOT_OPS))()

    def _untouched(self) -> list[int]:
        """Shots still as in the first cut, between their first neighbours (or at the ends)."""
        where = {shot: i for i, shot in enumerate(self.first)}
        last = len(self.first) - 1
        result = []
        for i, shot in enumerate(self.shots):
            k = where.get(shot)
            if k is None:
                continue
            left = self.shots[i - 1] if i > 0 else None
            right = self.shots[i + 1] if i + 1 < len(self.shots) else None
            if left is None and k != 0 or right is None and k != last:
                continue
            if left is not None and where.get(left) != k - 1:
                continue
            if right is not None and where.get(right) != k + 1:
                continue
            result.append(i)
        return result

    def _slot(self, make) -> None:  # noqa: ANN001 - a function of (index, shot) -> Shot
        choices = self._untouched()
        if choices:
            i = self.rng.choice(choices)
            self.shots[i] = make(i, self.shots[i])

    def replace_slot(self) -> None:
        def make(i: int, shot: Shot) -> Shot:
            self.ops.append(f"replace slot {i}")
            length = max(2, shot.length + self.rng.choice([0, 0, -5, 8]))
            return replace(self.fresh(length), slot=shot)

        self._slot(make)

    def lift_slot(self) -> None:
        def make(i: int, shot: Shot) -> Shot:
            self.ops.append(f"lift slot {i}")
            inside = 0 < i < len(self.shots) - 1
            black = replace(self.fresh(shot.length), reel="BL", black=True, slot=shot)
            return replace(black, gap=inside and self.rng.random() < 0.5)

        self._slot(make)

    def speed_slot(self) -> None:
        def make(i: int, shot: Shot) -> Shot:
            ratio = self.rng.choice([Fraction(1, 2), Fraction(2), Fraction(1, 4), Fraction(3, 2)])
            length = max(2, shot.length + self.rng.choice([0, 0, -7, 12]))
            self.ops.append(f"speed slot {i} x{ratio} length {length}")
            return replace(shot, speed=ratio, length=length, slot=shot, dissolve=0)

        self._slot(make)

    def freeze_slot(self) -> None:
        def make(i: int, shot: Shot) -> Shot:
            k = self.rng.randrange(shot.length)
            length = max(2, shot.length + self.rng.choice([0, -3, 20]))
            self.ops.append(f"freeze slot {i} on +{k} length {length}")
            return replace(shot, source_in=shot.source_in + k, length=length,
                           speed=Fraction(0), slot=shot, dissolve=0)  # fmt: skip

        self._slot(make)

    def black_between(self) -> None:
        choices = [i for i in self._untouched() if 0 < i and i - 1 in self._untouched()]
        if choices:
            i = self.rng.choice(choices)
            black = replace(self.fresh(self.rng.randrange(6, 48)), reel="BL", black=True)
            self.shots.insert(i, replace(black, gap=self.rng.random() < 0.5))
            self.ops.append(f"black before {i}")

    def _pick(self) -> int:
        return self.rng.randrange(len(self.shots))

    def trim_tail(self) -> None:
        i = self._pick()
        shot = self.shots[i]
        if shot.length > 4:
            k = self.rng.randrange(1, shot.length // 2)
            self.shots[i] = replace(shot, length=shot.length - k)
            self.ops.append(f"trim tail {i} by {k}")

    def trim_head(self) -> None:
        i = self._pick()
        shot = self.shots[i]
        if shot.length > 4:
            k = self.rng.randrange(1, shot.length // 2)
            self.shots[i] = replace(shot, source_in=shot.source_in + k, length=shot.length - k)
            self.ops.append(f"trim head {i} by {k}")

    def _free(self, i: int, shot: Shot) -> bool:
        """Whether ``shot`` can stand at ``i`` without showing source another shot shows."""
        return not any(
            other.reel == shot.reel
            and other.source_in < shot.source_in + shot.length
            and shot.source_in < other.source_in + other.length
            for j, other in enumerate(self.shots)
            if j != i
        )

    def extend_tail(self) -> None:
        i, k = self._pick(), self.rng.randrange(1, 48)
        longer = replace(self.shots[i], length=self.shots[i].length + k)
        if self._free(i, longer):
            self.shots[i] = longer
            self.ops.append(f"extend tail {i} by {k}")

    def extend_head(self) -> None:
        i, k = self._pick(), self.rng.randrange(1, 48)
        shot = self.shots[i]
        longer = replace(shot, source_in=shot.source_in - k, length=shot.length + k)
        if self._free(i, longer):
            self.shots[i] = longer
            self.ops.append(f"extend head {i} by {k}")

    def delete(self) -> None:
        if len(self.shots) > 2:
            i = self._pick()
            del self.shots[i]
            self.ops.append(f"delete {i}")

    def insert(self) -> None:
        i = self.rng.randrange(len(self.shots) + 1)
        self.shots.insert(i, self.fresh())
        self.ops.append(f"insert at {i}")

    def move(self) -> None:
        if len(self.shots) > 4:
            i = self._pick()
            j = min(len(self.shots), i + self.rng.randrange(1, 4))
            block = self.shots[i:j]
            del self.shots[i:j]
            k = self.rng.randrange(len(self.shots) + 1)
            self.shots[k:k] = block
            self.ops.append(f"move {i}:{j} to {k}")

    def replace_take(self) -> None:
        i = self._pick()
        length = self.shots[i].length + self.rng.choice([0, 0, -5, 8])
        self.shots[i] = self.fresh(max(length, 2))
        self.ops.append(f"replace {i}")

    def split(self) -> None:
        i = self._pick()
        shot = self.shots[i]
        if shot.length > 4:
            k = self.rng.randrange(1, shot.length)
            first = replace(shot, length=k)
            second = replace(shot, source_in=shot.source_in + k, length=shot.length - k)
            self.shots[i : i + 1] = [first, second]
            self.ops.append(f"split {i} at {k}")

    def dissolve(self) -> None:
        i = self._pick()
        if i > 0:
            self.shots[i] = replace(self.shots[i], dissolve=self.rng.choice([12, 24]))
            self.ops.append(f"dissolve into {i}")

    def restart(self) -> None:
        self.record_start += self.rng.randrange(-500, 500)
        self.ops.append("record start moved")

    def cut(self, rate: Rate) -> Cut:
        events = []
        record = self.record_start
        for n, shot in enumerate(self.shots, start=1):
            if shot.gap:  # black as a hole in the record times
                record += shot.length
                continue
            transition = (
                Transition("dissolve", shot.dissolve, "D") if shot.dissolve else Transition()
            )
            speed = None
            shown = shot.length
            if shot.speed is not None:
                speed = Speed(shot.speed * rate.fps, freeze=shot.speed == 0)
                shown = max(1, (shot.length * shot.speed).__ceil__())
            events.append(
                Event(
                    number=f"{n:03d}",
                    reel=shot.reel,
                    channels="V",
                    record_in=record,
                    record_out=record + shot.length,
                    source_in=0 if shot.black else shot.source_in,
                    source_out=shot.length if shot.black else shot.source_in + shown,
                    clip_name=None if shot.black else f"clip {shot.reel}",
                    transition=transition,
                    speed=speed,
                )
            )
            record += shot.length
        return Cut(rate=rate, events=tuple(events), title="generated")

    def frames(self) -> dict[tuple[str, int], int]:
        """(reel, source frame) -> record frame."""
        where = {}
        record = self.record_start
        for shot in self.shots:
            if shot.slot is None and not shot.black:
                for k in range(shot.length):
                    where[(shot.reel, shot.source_in + k)] = record + k
            record += shot.length
        return where

    def slots(self) -> dict[tuple[str, int], tuple[int, bool]]:
        """(old reel, source frame) -> (new record frame by position in the slot, True)."""
        where = {}
        record = self.record_start
        for shot in self.shots:
            old = shot.slot
            if old is not None:
                for k in range(old.length):
                    where[(old.reel, old.source_in + k)] = (
                        record + k * shot.length // old.length,
                        True,
                    )
            record += shot.length
        return where

    @property
    def record_end(self) -> int:
        return self.record_start + sum(s.length for s in self.shots)


SLOT_OPS = ["replace_slot", "lift_slot", "speed_slot", "freeze_slot", "black_between"]
"""Changes in one slot between untouched neighbours, so the slot is unambiguous."""

OPS = [
    "trim_tail",
    "trim_head",
    "extend_tail",
    "extend_head",
    "delete",
    "insert",
    "move",
    "replace_take",
    "split",
    "dissolve",
    "restart",
]


def truth(
    old: dict[tuple[str, int], int], new: dict[tuple[str, int], int]
) -> dict[int, int | None]:
    """Old record frame -> new record frame (None where its source is gone)."""
    return {frame: new.get(source) for source, frame in old.items()}


STRUCTURAL = ["trim_tail", "trim_head", "extend_tail", "extend_head", "delete", "split",
              "dissolve", "restart"]  # fmt: skip
"""Ops whose truth is unambiguous frame by frame (no take replaced in an unknown slot)."""


def full_truth(before: Story, after: Story) -> dict[int, tuple[int | None, bool]]:
    """Old record frame -> (new frame or None, whether it lands in a changed slot).

    Frames before the old picture (pre-laps) stay anchored to the reel's first frame and
    frames after it (tails) to its last; slot changes map by position in the slot.
    """
    new, slots = after.frames(), after.slots()
    result: dict[int, tuple[int | None, bool]] = {}
    for source, frame in before.frames().items():
        if source in slots:
            result[frame] = slots[source]
        else:
            result[frame] = (new.get(source), False)
    head = after.record_start - before.record_start
    tail = after.record_end - before.record_end
    for k in range(1, 400):
        result[before.record_start - k] = (before.record_start - k + head, False)
        result[before.record_end - 1 + k] = (before.record_end - 1 + k + tail, False)
    return result


def truth_status(start: int, end: int, truth: dict[int, tuple[int | None, bool]]) -> str:
    """The status DESIGN.md gives a cue over ``[start, end)`` under this truth."""
    new = [truth[f][0] for f in range(start, end)]
    if all(n is None for n in new):
        return "removed"
    if any(n is None for n in new) or any(truth[f][1] for f in range(start, end)):
        return "changed"
    if all(b == a + 1 for a, b in zip(new, new[1:], strict=False)):
        return "unchanged" if new[0] == start else "moved"
    return "changed"
