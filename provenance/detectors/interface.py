"""The detector axis: something that looks at one asset and reports evidence, findings and facts."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from provenance.model import Asset, Evidence, Finding, RecordLicense
from provenance.textio import decode_text


@dataclass(frozen=True)
class DetectorOutput:
    """What one detector learned about one asset."""

    evidence: tuple[Evidence, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: JSON-serialisable facts, stored under the detector's id in the asset's `facts`.
    facts: Mapping[str, Any] = field(default_factory=dict)
    #: Records read inside the asset (tables), when the detector counted them.
    records: int | None = None
    #: Per-record license values with counts, for tables with a license column.
    record_licenses: tuple[RecordLicense, ...] = ()
    #: Reasons the detector could not read all of the asset; each becomes a scan error.
    errors: tuple[str, ...] = ()


class AssetContent:
    """The bytes of one asset as a detector sees them.

    `head` holds the first bytes (all of them when `complete`). Detectors that need more
    stream through `open()`; those that read with pyarrow use `local_path` when set.
    """

    def __init__(
        self,
        asset: Asset,
        head: bytes,
        complete: bool,
        opener: Callable[[], IO[bytes]],
        local_path: Path | None = None,
    ) -> None:
        self.asset = asset
        self.head = head
        self.complete = complete
        self.local_path = local_path
        self._opener = opener
        self._text: tuple[str | None, str | None] | None = None
        self._cache: dict[str, Any] = {}

    def open(self) -> IO[bytes]:
        return self._opener()

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """A value derived from the content, computed once for all detectors (e.g. table records)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def text(self) -> tuple[str | None, str | None]:
        """(text, None) when `head` decodes as text, else (None, reason). Cached."""
        if self._text is None:
            self._text = decode_text(self.head, complete=self.complete)
        return self._text


class Detector(abc.ABC):
    """One kind of analysis. Detectors hold no per-asset state and must be picklable."""

    #: Stable id, used as the key of `facts` and in cache keys.
    id: ClassVar[str]
    #: Bump when output for the same input changes; invalidates cached results.
    version: ClassVar[str] = "1"
    #: Output that depends on more than the asset's bytes (another dataset's license, looked up
    #: in a Hub cache or online): an asset it said something about is never cached.
    volatile: ClassVar[bool] = False

    @abc.abstractmethod
    def applies(self, asset: Asset) -> bool:
        """Whether this detector has anything to say about the asset (cheap, by kind/name)."""

    @abc.abstractmethod
    def detect(self, content: AssetContent) -> DetectorOutput:
        """Analyse one asset. Problems in the data are returned, never raised."""

    def source_findings(self, source: str, totals: Mapping[str, float]) -> tuple[Finding, ...]:
        """Findings about a whole source, from the sums of this detector's numeric facts
        over the source's assets (e.g. a blocked-content rate). Default: none."""
        return ()
