"""Ray: the same per-batch work as the local engines, as Ray tasks on a cluster.

Workers open assets by path, so the corpus must be on storage every node sees (NFS, a mounted
bucket); results come back to this process, which writes the same outputs as a local scan.
Ray core tasks are used directly (Ray Data runs on them): ordered results and a bounded number
of batches in flight keep memory flat whatever the corpus size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from provenance.engine.interface import Engine
from provenance.errors import MissingExtraError


def _call(context: Any, work: Callable[[Any, Any], Any], item: Any) -> Any:
    return work(context, item)


class RayEngine(Engine):
    def __init__(self, address: str | None = None, num_cpus: int | None = None, in_flight: int | None = None) -> None:
        try:
            import ray  # optional extra (ray)
        except ImportError:
            raise MissingExtraError("--engine ray", "ray", "ray") from None
        self._ray = ray
        self.started_here = False
        if not ray.is_initialized():
            # With no address, a local Ray is started for this scan and stopped after it.
            ray.init(address=address, num_cpus=num_cpus if not address else None, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
            self.started_here = True
        self.in_flight = in_flight or max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))

    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        ray = self._ray
        remote = ray.remote(_call)
        ctx_ref = ray.put(context)  # sent once, shared by every task
        pending: deque[Any] = deque()
        for item in items:
            pending.append(remote.remote(ctx_ref, work, item))
            if len(pending) >= self.in_flight:
                yield ray.get(pending.popleft())
        while pending:
            yield ray.get(pending.popleft())

    def close(self) -> None:
        if self.started_here:
            self._ray.shutdown()
            self.started_here = False
