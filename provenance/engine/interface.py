"""The engine axis: how per-asset work is spread (one process, a process pool, Ray)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Engine(abc.ABC):
    """Maps the per-asset work function over entries, yielding results in input order."""

    @abc.abstractmethod
    def map(self, context: Any, work: Callable[[Any, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Run `work(context, item)` for every item; `context` is sent to each worker once."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers."""
