"""A file written piece by piece and renamed into place at the end (atomic), with its SHA-256 and
size known when it is committed, so nobody has to read a large manifest back to name it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from provenance.atomic import follow_umask

FLUSH_CHARS = 1 << 20


class StreamFile:
    """Text written in pieces, UTF-8 encoded in ~1 MB blocks; nothing is visible at `path` until
    `commit()`, and `abort()` leaves no trace."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        follow_umask(fd)  # mkstemp makes 0600; outputs get the mode any new file would
        self._tmp = Path(tmp)
        self._handle: IO[bytes] = os.fdopen(fd, "wb")
        self._pending: list[str] = []
        self._chars = 0
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        self._pending.append(text)
        self._chars += len(text)
        if self._chars >= FLUSH_CHARS:
            self._flush()

    def write_bytes(self, data: bytes) -> None:
        self._flush()
        self._put(data)

    def _put(self, data: bytes) -> None:
        self._sha.update(data)
        self.size += len(data)
        self._handle.write(data)

    def _flush(self) -> None:
        if self._pending:
            self._put("".join(self._pending).encode("utf-8"))
            self._pending, self._chars = [], 0

    def offset(self) -> int:
        """Bytes written so far (pending text is encoded and written first)."""
        self._flush()
        return self.size

    def copy_from(self, source: Path, start: int, end: int | None = None) -> None:
        """Bytes [start, end) of another file (a previous rendering), in blocks."""
        self._flush()
        with source.open("rb") as handle:
            handle.seek(start)
            left = None if end is None else end - start
            while left is None or left > 0:
                block = handle.read(FLUSH_CHARS if left is None else min(FLUSH_CHARS, left))
                if not block:
                    break
                self._put(block)
                if left is not None:
                    left -= len(block)
        if left:
            raise OSError(f"{source} is shorter than the part to reuse")

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()

    def commit(self) -> Path:
        self._flush()
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()


class Spool:
    """Lines kept aside while a document streams (SPDX 2.3 relationships come after the files):
    an unnamed temporary file in the output folder, copied into the document at the end."""

    def __init__(self, folder: Path) -> None:
        self._handle = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed by close())
        self._pending: list[str] = []
        self._chars = 0

    def write(self, text: str) -> None:
        self._pending.append(text)
        self._chars += len(text)
        if self._chars >= FLUSH_CHARS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._handle.write("".join(self._pending).encode("utf-8"))
            self._pending, self._chars = [], 0

    def copy_to(self, out: StreamFile) -> None:
        self._flush()
        self._handle.seek(0)
        while block := self._handle.read(FLUSH_CHARS):
            out.write_bytes(block)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()
