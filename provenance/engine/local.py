"""Engines on one machine: in this process, or a pool of processes."""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from provenance.engine.interface import Engine


class SerialEngine(Engine):
    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield work(context, item)


_END = object()
_CONTEXT: Any = None
_WORK: Callable[[Any, Any], Any] | None = None
_INIT_ERROR: str | None = None


def _init(payload: bytes) -> None:
    # The context arrives as bytes and is unpickled here: a failure is remembered and raised
    # with the first item, instead of killing the worker (the pool would respawn it forever).
    global _CONTEXT, _WORK, _INIT_ERROR
    try:
        _CONTEXT, _WORK = pickle.loads(payload)
    except Exception as exc:
        _INIT_ERROR = f"worker could not load the scan context: {type(exc).__name__}: {exc}"


def _run(item: Any) -> Any:
    if _INIT_ERROR is not None or _WORK is None:
        raise RuntimeError(_INIT_ERROR or "worker not initialised")
    return _WORK(_CONTEXT, item)


class ProcessEngine(Engine):
    """A pool of worker processes; results come back in input order so outputs are deterministic."""

    def __init__(self, jobs: int | None = None, chunksize: int = 1) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self.chunksize = chunksize

    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        # forkserver: workers do not inherit the parent's threads (pyarrow's pools).
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        payload = pickle.dumps((context, work))
        with ctx.Pool(self.jobs, initializer=_init, initargs=(payload,)) as pool:
            yield from pool.imap(_run, items, chunksize=self.chunksize)


class AutoEngine(Engine):
    """Starts in-process and moves to a pool only when the scan turns out to be large:
    for a few hundred small files a pool costs more than it saves."""

    def __init__(self, jobs: int, serial_first: int = 8) -> None:
        self.jobs = jobs
        self.serial_first = serial_first

    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        it = iter(items)
        for _, item in zip(range(self.serial_first), it, strict=False):
            yield work(context, item)
        rest = next(it, _END)
        if rest is not _END:
            yield from ProcessEngine(self.jobs).map(context, work, itertools.chain([rest], it))


def make_engine(jobs: int, engine: str = "local", address: str | None = None) -> Engine:
    """`jobs` 0 means all cores; 1 means this process only. `engine` "ray" spreads the work over
    a Ray cluster (`address`, or a local Ray started for the scan)."""
    if engine == "ray":
        from provenance.engine.ray_engine import RayEngine

        return RayEngine(address, num_cpus=jobs or None)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        return SerialEngine()
    return AutoEngine(jobs)
