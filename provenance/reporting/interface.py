"""The report axis: one Reporter per output format, all reading the same facts."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from provenance.reporting.document import ManifestFile
from provenance.reporting.facts import Facts
from provenance.results import ScanResult


class SpdxFiles(str, Enum):
    """Which files the SPDX manifests list: every file, only files with findings, or none."""

    ALL = "all"
    FLAGGED = "flagged"
    NONE = "none"


@dataclass(frozen=True)
class ReportContext:
    """What every reporter gets: the saved result, its facts, and where to write."""

    result: ScanResult
    facts: Facts
    out_dir: Path
    spdx_files: SpdxFiles = SpdxFiles.ALL
    #: Manifests written earlier in the same run (named in section 12); None when not written.
    manifests: tuple[ManifestFile, ...] | None = None
    #: Digest of what the manifests describe (scan.json without its time, the listed rows without
    #: modification times); "" when unknown. SPDX 3 element ids are derived from it.
    content: str = ""


class Reporter(abc.ABC):
    """Writes one kind of output file (for one language when it has text)."""

    @abc.abstractmethod
    def file_name(self) -> str:
        """Name of the file written into the output folder."""

    @abc.abstractmethod
    def write(self, ctx: ReportContext) -> Path:
        """Render and write the file atomically; return its path. Raises ReportError."""
