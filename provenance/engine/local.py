"""Engines on one machine: in this process, or a pool of processes."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing as mp
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from provenance.engine.interface import Engine
from provenance.engine.ray_engine import RayEngine
from provenance.errors import ScanAbortedError


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
    """A pool of worker processes. Results come back in input order (deterministic outputs); a
    bounded number of items is in flight (memory stays flat, unlike Pool.imap's feeder, which
    reads all input ahead); a worker that dies ends the scan with a clear error instead of a hang."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs or os.cpu_count() or 1

    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        # forkserver: workers do not inherit the parent's threads (pyarrow's pools).
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        payload = pickle.dumps((context, work))
        pending: deque[Future[Any]] = deque()
        pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init, initargs=(payload,))
        broken = False
        try:
            for item in items:
                pending.append(_submit(pool, item))
                if len(pending) >= 2 * self.jobs + 1:
                    yield _result(pending.popleft(), pool)
            while pending:
                yield _result(pending.popleft(), pool)
        except BrokenProcessPool:
            broken = True
            raise ScanAbortedError(
                "a worker process died (killed for memory, or a crash in a native library); run the scan "
                "again (with the cache on, the analyses finished so far are kept), or with --jobs 1 to see "
                "which file"
            ) from None
        finally:
            if broken:
                _stop(pool)
            else:
                pool.shutdown(wait=True, cancel_futures=True)


#: How often a wait for a result checks that every worker is still alive.
WATCH_SECONDS = 1.0


class WorkerLost(BrokenProcessPool):
    """A worker seen dead by the engine's own watch, before the executor said so."""


def _submit(pool: ProcessPoolExecutor, item: Any) -> Future[Any]:
    """`pool.submit`, where a submit that spawns a worker while the executor tears a broken pool
    down (CPython 3.11 closes its queues under it: "OSError: handle is closed", 4 runs in 60 here)
    is the worker death it is, not an internal error."""
    try:
        return pool.submit(_run, item)
    except OSError as exc:
        if getattr(pool, "_broken", False) or any(not alive(pid) for pid in _worker_pids(pool)):
            raise WorkerLost("a worker process died") from exc
        raise


def _result(future: Future[Any], pool: ProcessPoolExecutor) -> Any:
    """The future's result; BrokenProcessPool as soon as a worker is seen dead. The executor says
    so itself almost always, but a worker killed at the wrong moment can leave its manager thread
    waiting and the future pending forever: a gate must not hang."""
    while True:
        try:
            return future.result(timeout=WATCH_SECONDS)
        except FuturesTimeout:
            if any(not alive(pid) for pid in _worker_pids(pool)):
                raise WorkerLost("a worker process died") from None


def _worker_pids(pool: ProcessPoolExecutor) -> list[int]:
    # The executor's own table of its workers (no public accessor). Only pids are read: polling
    # its Process objects from this thread races the manager thread's own polling (forkserver
    # workers report their exit through one pipe read: "handle is closed", EBADF).
    processes = getattr(pool, "_processes", None) or {}
    return [pid for pid in list(processes) if isinstance(pid, int)]


def alive(pid: int) -> bool:
    """Whether a process exists (a pool worker: the forkserver reaps its children at once, so a
    dead one is gone; a scan named in a temporary file's name)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(pool: ProcessPoolExecutor) -> None:
    """After a worker died: kill the other workers, then shut down. CPython 3.11's executor
    terminates the workers it knows when it sees the death, but a worker that `submit` spawned at
    that moment is missed and its manager thread then waits on it forever (seen here: shutdown
    joining the manager, the manager joining a live idle worker). Nothing submits after this point,
    so every worker is in the table; its shutdown then finishes."""
    for pid in _worker_pids(pool):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    pool.shutdown(wait=True, cancel_futures=True)


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
        return RayEngine(address, num_cpus=jobs or None)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        return SerialEngine()
    return AutoEngine(jobs)
