"""The source axis: where assets come from and how their bytes are read."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from provenance.model import METADATA_KINDS, Asset, Evidence, SourceInfo


@dataclass(frozen=True)
class Entry:
    """A listed asset plus what the source needs to read it again (picklable)."""

    asset: Asset
    #: Source-specific handle: an absolute OS path for local files.
    handle: str
    #: A problem with the entry itself (e.g. a name that is not valid UTF-8); it is still read.
    problem: str | None = None
    #: Inode change time: unlike mtime, a writer cannot set it back (cp -p, rsync -a, tar).
    ctime_ns: int = 0


@dataclass(frozen=True)
class Unreadable:
    """Something listed that cannot be read at all (FIFO, broken link, permission denied)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """Something deliberately not scanned (a symlink not followed), reported in the verdict."""

    path: str
    reason: str


Listed = Entry | Unreadable | Skipped


class Source(abc.ABC):
    """Lists assets and opens them. Listing must be repeatable and in a stable order."""

    info: SourceInfo

    @abc.abstractmethod
    def entries(self) -> Iterator[Listed]:
        """Every asset, and every thing that could not be listed or read, in a stable order."""

    def scope_entries(self) -> Iterator[Entry]:
        """License files and cards only (pass 1 of a scan); sources may list them more cheaply."""
        for item in self.entries():
            if isinstance(item, Entry) and item.asset.kind in METADATA_KINDS:
                yield item

    @abc.abstractmethod
    def open(self, entry: Entry) -> IO[bytes]:
        """A binary stream of the asset's bytes. May raise OSError; the scanner records it."""

    def local_path(self, entry: Entry) -> str | None:
        """A path on the local file system for readers that need one (pyarrow), if any."""
        return None

    def scope_evidence(self) -> Iterable[Evidence]:
        """Folder-level license evidence the source knows without a file to read it from
        (a save_to_disk `dataset_info.json`, a `datasets` object's info). Default: none."""
        return ()
