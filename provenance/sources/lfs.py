"""Git LFS pointer files: what a repository cloned without LFS holds instead of its large files
(very common for Hugging Face datasets). The pointer names the content; the content is not here."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A pointer is a few lines of text; anything longer is content.
MAX_POINTER = 1024
_SPEC = b"version https://git-lfs.github.com/spec/"
_OID = re.compile(rb"^oid ([a-z0-9]+):([0-9a-f]{8,128})$", re.MULTILINE)
_SIZE = re.compile(rb"^size (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class LfsPointer:
    oid: str
    size: int | None

    def reason(self) -> str:
        size = f"{self.size:,} bytes" if self.size is not None else "size not given"
        return (f"Git LFS pointer: content not downloaded ({size}, oid {self.oid[:19]}...); "
                "run `git lfs pull` (or download the file) and scan again")


def lfs_pointer(head: bytes) -> LfsPointer | None:
    """The pointer a file's bytes are, or None when they are content."""
    if len(head) > MAX_POINTER or not head.startswith(_SPEC):
        return None
    oid = _OID.search(head)
    if oid is None:
        return None
    size = _SIZE.search(head)
    return LfsPointer(f"{oid.group(1).decode()}:{oid.group(2).decode()}", int(size.group(1)) if size else None)
