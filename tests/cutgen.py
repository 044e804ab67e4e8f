"""Random cuts and random picture changes with known ground truth.

Every shot shows frames of a source no other shot shows, so each old record frame has
one source frame, and the truth of where it went is where that source frame is in the
new cut (or nowhere).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from edl.cut import Cut, Event, Transition
from edl.rate import Rate


@dataclass(frozen=True)
class Shot:
    reel: str
    source_in: int
    length: int
    dissolve: int = 0


class Story:
    """A cut being changed, and the ops applied so far (for failure messages)."""

    def __init__(self, rng: random.Random, shots: int) -> None:
        self.rng = rng
        self.counter = 0
        self.shots = [self.fresh() for _ in range(shots)]
        self.record_start = 86400 + rng.randrange(0, 2000)
        self.ops: list[str] = []

    def fresh(self, length: int | None = None) -> Shot:
        self.counter += 1
        length = length or self.rng.randrange(12, 300)
        return Shot(f"R{self.counter:04d}", 10_000 + self.rng.randrange(0, 5000), length)

    def mutate(self, count: int) -> None:
        for _ in range(count):
            getattr(self, self.rng.choice(OPS))()

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
            transition = (
                Transition("dissolve", shot.dissolve, "D") if shot.dissolve else Transition()
            )
            events.append(
                Event(
                    number=f"{n:03d}",
                    reel=shot.reel,
                    channels="V",
                    record_in=record,
                    record_out=record + shot.length,
                    source_in=shot.source_in,
                    source_out=shot.source_in + shot.length,
                    clip_name=f"clip {shot.reel}",
                    transition=transition,
                )
            )
            record += shot.length
        return Cut(rate=rate, events=tuple(events), title="generated")

    def frames(self) -> dict[tuple[str, int], int]:
        """(reel, source frame) -> record frame."""
        where = {}
        record = self.record_start
        for shot in self.shots:
            for k in range(shot.length):
                where[(shot.reel, shot.source_in + k)] = record + k
            record += shot.length
        return where


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
