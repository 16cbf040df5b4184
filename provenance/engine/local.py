"""Engines on one machine: in this process, or a pool of processes."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from provenance.engine.interface import Engine


class SerialEngine(Engine):
    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield work(context, item)


_CONTEXT: Any = None
_WORK: Callable[[Any, Any], Any] | None = None


def _init(context: Any, work: Callable[[Any, Any], Any]) -> None:
    global _CONTEXT, _WORK
    _CONTEXT, _WORK = context, work


def _run(item: Any) -> Any:
    assert _WORK is not None
    return _WORK(_CONTEXT, item)


class ProcessEngine(Engine):
    """A pool of worker processes; results come back in input order so outputs are deterministic."""

    def __init__(self, jobs: int | None = None, chunksize: int = 16) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self.chunksize = chunksize

    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        # forkserver: workers do not inherit the parent's threads (pyarrow's pools).
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        with ctx.Pool(self.jobs, initializer=_init, initargs=(context, work)) as pool:
            yield from pool.imap(_run, items, chunksize=self.chunksize)


def make_engine(jobs: int, items_hint: int) -> Engine:
    """`jobs` 0 means all cores; small scans stay in-process (a pool costs more than it saves)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or items_hint < 64:
        return SerialEngine()
    return ProcessEngine(jobs)
