"""The index cache: built once, kept as one .npz file under $XDG_CACHE_HOME/provenance (or
~/.cache/provenance), keyed by the data's digest and the engine version; memory only when the
cache directory cannot be written."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from provenance.licensing.identify.build import base_map, build_index
from provenance.licensing.identify.index import ENGINE_VERSION, SHINGLE, Index, IndexEntry, with_aliases
from provenance.licensing.identify.normalize import EQUIVALENT
from provenance.licensing.identify.reference import bundle_digest, catalog_from_json, catalog_to_json


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance"


def cache_path() -> Path:
    return cache_dir() / f"identify-{bundle_digest()}-e{ENGINE_VERSION}-s{SHINGLE}.npz"


def _save(index: Index, path: Path) -> None:
    meta = {
        "version": index.version,
        "catalog": catalog_to_json(index.catalog),
        "entries": [[list(e.members), e.size, e.core, e.note] for e in index.entries],
        "vocab": [w for w, _ in sorted(index.vocab.items(), key=lambda kv: kv[1]) if w not in EQUIVALENT],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        np.savez(
            out,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            ref_hashes=index.ref_hashes,
            ref_offsets=index.ref_offsets,
            ref_positions=index.ref_positions,
            ref_core=index.ref_core,
            ref_repeat=index.ref_repeat,
            ref_order=index.ref_order,
            post_keys=index.post_keys,
            post_starts=index.post_starts,
            post_entries=index.post_entries,
        )
    os.replace(tmp, path)


def _load(path: Path) -> Index:
    with np.load(path) as data:
        meta = json.loads(data["meta"].tobytes())
        entries = tuple(IndexEntry(tuple(m), int(s), int(c), n) for m, s, c, n in meta["entries"])
        return Index(
            version=meta["version"],
            entries=entries,
            vocab=with_aliases({w: i for i, w in enumerate(meta["vocab"], start=1)}),
            ref_hashes=data["ref_hashes"],
            ref_offsets=data["ref_offsets"],
            ref_positions=data["ref_positions"],
            ref_core=data["ref_core"],
            ref_repeat=data["ref_repeat"],
            ref_order=data["ref_order"],
            bases=base_map(entries),
            catalog=catalog_from_json(meta["catalog"]),
            post_keys=data["post_keys"],
            post_starts=data["post_starts"],
            post_entries=data["post_entries"],
        )


@lru_cache(maxsize=1)
def get_index() -> Index:
    """The index, from the disk cache when present; built (and cached when writable) otherwise."""
    path = cache_path()
    try:
        return _load(path)
    except (OSError, ValueError, KeyError):
        pass
    index = build_index()
    with contextlib.suppress(OSError):  # read-only home: keep it in memory only
        _save(index, path)
    return index
