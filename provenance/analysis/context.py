"""What the per-asset work needs and what it hands back: the scan's context, limits and the
analysis of one listed entry."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from provenance.cache import AnalysisCache
from provenance.declarations import Declarations
from provenance.detectors.interface import Detector, DetectorOutput
from provenance.model import Name, Problem, ProblemKind
from provenance.policy import Policy
from provenance.resolve import ScopeIndex
from provenance.sources.archive_reader import ArchiveLimits
from provenance.sources.interface import Entry, Source


@dataclass(frozen=True)
class Limits:
    """Bounds that keep memory and time in check whatever the corpus holds."""

    #: Bytes of an asset handed to detectors in memory; larger files are streamed.
    head_bytes: int = 8 * 2**20
    #: Larger files are listed but not read.
    max_file_size: int = 16 * 2**30
    #: A file whose allocated blocks cover less than this share of its size is a sparse file.
    sparse_ratio: float = 0.1
    #: Sparse-file check applies from this size up.
    sparse_min_size: int = 64 * 2**20
    #: Member count, expanded size, ratio and nesting bounds for archives.
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)


class Origin(Name):
    """How an asset's analysis was obtained."""

    #: Read and run through the detectors.
    ANALYSED = "analysed"
    #: From the analysis cache: size, mtime and ctime unchanged, nothing read.
    CACHED = "cached"
    #: From the analysis cache after re-hashing: touched, same content.
    REHASHED = "rehashed"
    #: Part of a run of the folder memo: not looked at at all.
    REUSED = "reused"


@dataclass(frozen=True)
class Analyzed:
    """What a worker learned about one entry (picklable)."""

    entry: Entry
    sha256: str | None
    sha1: str | None
    outputs: tuple[tuple[str, DetectorOutput], ...]
    problems: tuple[Problem, ...]
    origin: Origin = Origin.ANALYSED
    #: JSON of outputs and content problems, to store in the cache (None: nothing to store).
    cache_data: str | None = None
    #: Archive members and media embedded in tables, each analysed like a file.
    members: tuple[Analyzed, ...] = ()

    @property
    def crashed(self) -> bool:
        """A detector raised on this entry: a bug to see again on the next scan, never remembered."""
        return any(p.kind is ProblemKind.CRASH for p in self.problems)


@dataclass(frozen=True)
class WorkContext:
    """Everything the per-asset work needs; sent once to each worker process."""

    source: Source
    detectors: tuple[Detector, ...]
    limits: Limits
    scope: ScopeIndex = field(default_factory=ScopeIndex)
    declarations: Declarations = field(default_factory=Declarations)
    policy: Policy = field(default_factory=Policy)
    cache: AnalysisCache | None = None

    @functools.cached_property
    def volatile(self) -> frozenset[str]:
        """Ids of the detectors whose output is never cached (computed once, not per asset)."""
        return frozenset(d.id for d in self.detectors if d.volatile)

    @property
    def archive_limits(self) -> ArchiveLimits:
        return self.limits.archives
