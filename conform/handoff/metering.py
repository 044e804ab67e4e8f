"""Loudness measured on blocks as they are written: feed blocks, then read the figures.

The meter (``temp_library.audio.loudness.LoudnessMeter.measure_blocks``) pulls blocks from
an iterable; a stem being written pushes them. ``BlockMeter`` joins the two with a small
bounded queue and a thread, so many files can be metered at once while they are written
once, and numpy/scipy work on the second core. When the meter gains a push API of its own,
only this module changes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import numpy as np

from temp_library.audio.loudness import Loudness, LoudnessMeter

__all__ = ["BlockMeter"]

_END = None


class BlockMeter:
    """``m = BlockMeter(48000); m.feed(block); ...; figures = m.close()``."""

    def __init__(self, rate: int, layout: str = "smpte") -> None:
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=4)
        self._result: Loudness | None = None
        self._error: BaseException | None = None
        self._meter = LoudnessMeter(rate, layout)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _blocks(self) -> Iterator[np.ndarray]:
        while (block := self._queue.get()) is not _END:
            yield block

    def _run(self) -> None:
        try:
            self._result = self._meter.measure_blocks(self._blocks())
        except BaseException as err:  # handed to the caller in close()
            self._error = err
            while self._queue.get() is not _END:  # let feed() go on to the end
                pass

    def feed(self, block: np.ndarray) -> None:
        """Measure ``block`` (frames x channels) after those fed before it; do not reuse it."""
        self._queue.put(np.asarray(block, dtype=np.float32))  # the caller hands it over

    def close(self) -> Loudness:
        """The figures for everything fed."""
        self._queue.put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
