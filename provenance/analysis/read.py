"""Reading an asset once: both hashes of all its bytes, and its head for the detectors."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from provenance.analysis.context import WorkContext
from provenance.model import Problem, ProblemKind
from provenance.sources.archive_reader import CHUNK
from provenance.sources.interface import Entry


@dataclass(frozen=True)
class ReadBytes:
    """An asset read to the end."""

    #: The first `Limits.head_bytes` bytes (all of them when `complete`).
    head: bytes
    complete: bool
    sha256: str
    sha1: str


def read_asset(ctx: WorkContext, entry: Entry) -> ReadBytes | Problem:
    """Hash the whole file while keeping its head, or the reason it could not be read."""
    asset = entry.asset
    if asset.size > ctx.limits.max_file_size:
        return _problem(f"file larger than the limit ({asset.size} > {ctx.limits.max_file_size} bytes); not read")
    try:
        stream = ctx.source.open(entry)
    except FileNotFoundError:
        return _problem("file vanished during the scan")
    except PermissionError:
        return _problem("permission denied")
    except OSError as exc:
        return _problem(f"cannot open: {exc.strerror or exc}")
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    head = bytearray()
    total = 0
    with stream:
        try:
            fileno = stream.fileno()
        except (OSError, AttributeError, ValueError):
            fileno = -1
        if fileno >= 0:
            st = os.fstat(fileno)
            blocks = getattr(st, "st_blocks", None)
            if (blocks is not None and st.st_size >= ctx.limits.sparse_min_size
                    and blocks * 512 < st.st_size * ctx.limits.sparse_ratio):
                return _problem(f"sparse file: {st.st_size} bytes with only {blocks * 512} allocated;"
                                " not read (holes are not training data)")
        try:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                sha256.update(chunk)
                sha1.update(chunk)
                if len(head) < ctx.limits.head_bytes:
                    head += chunk[: ctx.limits.head_bytes - len(head)]
        except OSError as exc:
            return _problem(f"read error after {total} bytes: {exc.strerror or exc}")
    if total != asset.size:
        return _problem(f"file changed during the scan (listed {asset.size} bytes, read {total})")
    return ReadBytes(bytes(head), total <= ctx.limits.head_bytes, sha256.hexdigest(), sha1.hexdigest())


def _problem(message: str) -> Problem:
    return Problem(ProblemKind.READ, message)
