"""Where batch jobs run: a local process pool, or an existing Dask cluster (--scheduler).

Both are used through the `concurrent.futures.Executor` interface (a Dask client gives one
with `Client.get_executor`), so scanning and normalising do not care which. The workers
only read audio and compute; the caller alone writes the SQLite catalog.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from edl.errors import MconformError

__all__ = ["executor", "limit_threads", "SchedulerError"]

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before giving up
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class SchedulerError(MconformError):
    """The Dask scheduler cannot be reached, or Dask is not installed."""


def limit_threads() -> None:
    """One BLAS/OpenMP thread per worker process: the pool itself uses the cores.

    Set before numpy loads in a fresh worker; where numpy is already loaded (a forked
    worker) the meter makes no BLAS call anyway.
    """
    for name in _THREAD_VARIABLES:
        os.environ[name] = "1"


@contextmanager
def executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """A process pool of ``workers`` (default: every core), or the Dask cluster at
    ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``)."""
    if not scheduler:
        saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
        limit_threads()  # inherited by spawned workers
        try:
            with ProcessPoolExecutor(
                max_workers=workers or os.cpu_count() or 1, initializer=limit_threads
            ) as pool:
                yield pool
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        return
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerError(
            "--scheduler needs Dask", hint="pip install 'mconform[cluster]'"
        ) from None
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {scheduler} ({' '.join(str(err).split())[:100]})",
            hint="start one with 'dask scheduler' or check the address",
        ) from None
    try:
        with client:
            yield client.get_executor(pure=False)
    finally:
        client.close()
