"""The source axis: where assets come from. `open_source` picks the source for what the user named."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from provenance.hub import require
from provenance.sources.hub_files import Sampling
from provenance.sources.huggingface import (
    HubCacheSource,
    HubDatasetSource,
    cached_repo_of,
    is_hub_cache,
    parse_hub_spec,
    resolve_cached,
    resolve_ref,
)
from provenance.sources.interface import Source
from provenance.sources.local import LocalSource
from provenance.sources.saved import SavedDatasetSource, is_saved_dataset


def open_source(spec: str | Path, *, exclude: Iterable[str] = (), follow_symlinks: bool = False,
                skip_dirs: Iterable[str | Path] = (), sampling: Sampling | None = None) -> Source:
    """The source for `spec`: an hf:// id, a Hub cache folder, one cached dataset, a save_to_disk
    folder, else a local folder or file."""
    text = str(spec)
    ref = parse_hub_spec(text)
    if ref is not None:
        require()
        return HubDatasetSource(resolve_ref(ref), sampling=sampling)
    path = Path(text).expanduser()
    if is_hub_cache(path):
        require()
        return HubCacheSource(path)
    cached = cached_repo_of(path)
    if cached is not None:
        require()
        return HubDatasetSource(resolve_cached(*cached), sampling=sampling)
    if is_saved_dataset(path):
        return SavedDatasetSource(path, exclude=exclude, follow_symlinks=follow_symlinks, skip_dirs=skip_dirs)
    return LocalSource(spec, exclude=exclude, follow_symlinks=follow_symlinks, skip_dirs=skip_dirs)


__all__ = ["Source", "open_source"]
