"""Hugging Face datasets as sources: a Hub id (`hf://datasets/ORG/NAME[@REV]`), a local Hub cache
(one source per cached dataset) and folders written by `save_to_disk`.

Offline first: a snapshot in the local Hub cache is read from disk; the Hub is asked only when
the dataset is not cached and offline mode is off. Problems reaching a dataset (gated, private,
missing, no network) become an `Unreadable` entry with a reason, never an exception, and never
show a token.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from provenance.detectors.lineage import resolve_dependencies
from provenance.errors import SourceError
from provenance.frontmatter import parse_card
from provenance.hub import (
    CachedDataset,
    cached_dataset_folder,
    http_status,
    hub_cache_dir,
    is_offline,
    redact,
    redact_logs,
    short_reason,
)
from provenance.model import Asset, AssetKind, SourceInfo
from provenance.sources.hub_files import (
    SAMPLE_FOLDER,
    RepoFile,
    Sampling,
    data_files_by_split,
    describe_files,
    sample_records,
)
from provenance.sources.interface import Entry, Listed, Skipped, Source, Unreadable
from provenance.sources.kinds import kind_of
from provenance.sources.local import display_path, open_regular

HF_SCHEME = "hf://"
_DATASETS = "hf://datasets/"
_REPO_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")
# Repository plumbing, not data.
_PLUMBING = frozenset({".gitattributes", ".gitignore"})
REMOTE_PREFIX = "hf-remote:"


@dataclass(frozen=True)
class HubRef:
    """A dataset on the Hub and the revision asked for (None: the default branch)."""

    repo_id: str
    revision: str | None = None

    @property
    def spec(self) -> str:
        return f"{_DATASETS}{self.repo_id}" + (f"@{self.revision}" if self.revision else "")


def parse_hub_spec(spec: str) -> HubRef | None:
    """`hf://datasets/ORG/NAME[@REV]` as a HubRef; None when `spec` is not a Hub dataset id.
    Raises SourceError for an hf:// address that is malformed or not a dataset."""
    if spec.startswith("hf:/") and not spec.startswith(HF_SCHEME):
        spec = HF_SCHEME + spec[len("hf:/"):]  # what pathlib makes of hf:// when the CLI passes a Path
    if not spec.startswith(HF_SCHEME):
        return None
    if not spec.startswith(_DATASETS):
        raise SourceError(f"only Hub datasets can be scanned (hf://datasets/ORG/NAME[@REVISION]): {spec}")
    rest = spec[len(_DATASETS):].strip("/")
    repo_id, _, revision = rest.partition("@")
    if not _REPO_ID.match(repo_id) or (revision == "" and "@" in rest):
        raise SourceError(f"not a Hub dataset id: {spec} (expected hf://datasets/ORG/NAME[@REVISION])")
    return HubRef(repo_id, revision or None)


# -- the local Hub cache ---------------------------------------------------------------------


def is_hub_cache(path: Path) -> bool:
    """A Hub cache folder (or an HF_HOME holding one): it has `datasets--*` or `models--*` folders."""
    if not path.is_dir():
        return False
    if (path / "hub").is_dir() and path.name != "hub" and is_hub_cache(path / "hub"):
        return True
    try:
        return any(p.name.startswith(("datasets--", "models--")) and p.is_dir() for p in path.iterdir())
    except OSError:
        return False


def cached_datasets(cache: Path) -> tuple[list[CachedDataset], list[Unreadable]]:
    """Every dataset of a Hub cache, in repo-id order, and the cache entries that are broken.

    Uses huggingface_hub's own cache scanner, so its view of the cache is the one reported."""
    from huggingface_hub import scan_cache_dir  # optional at run time (provenance.hub)
    from huggingface_hub.errors import CacheNotFound, CorruptedCacheException  # optional at run time (provenance.hub)

    problems: list[Unreadable] = []
    try:
        info = scan_cache_dir(cache)
        repos = {r.repo_id: Path(r.repo_path) for r in info.repos if r.repo_type == "dataset"}
        for warning in info.warnings:
            # Only broken dataset folders matter here: version.txt, CACHEDIR.TAG, .locks and models are not ours.
            if "datasets--" in str(warning):
                problems.append(Unreadable(_warning_path(str(warning)),
                                           f"broken cache entry: {redact(str(warning))}"))
    except (CacheNotFound, CorruptedCacheException, OSError) as exc:
        raise SourceError(f"not a readable Hugging Face cache: {cache}: {redact(str(exc))}") from None
    found = [CachedDataset(repo_id, folder) for repo_id, folder in sorted(repos.items())]
    return found, sorted(problems, key=lambda p: p.path)


def _warning_path(message: str) -> str:
    match = re.search(r"datasets--[^\s/'\"]+", message)
    if match:
        return match.group(0)[len("datasets--"):].replace("--", "/")
    return "."


# -- one dataset repository ------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """Where a Hub dataset was found: its files at one commit, or why it could not be read."""

    ref: HubRef
    sha: str | None = None
    files: tuple[RepoFile, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    #: "cache" or "hub"
    origin: str = ""
    problem: str | None = None
    card_text: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: Card metadata the Hub returned (used when the card's text is not at hand).
    metadata: Mapping[str, Any] = field(default_factory=dict)


def _snapshot_files(snapshot: Path, repo_folder: Path) -> tuple[list[RepoFile], list[Skipped]]:
    """Files of a cached snapshot. Links are followed only into the repo's own `blobs/` (how the
    cache stores files); anything pointing elsewhere is skipped with a reason."""
    files: list[RepoFile] = []
    skipped: list[Skipped] = []
    inside = os.path.realpath(repo_folder) + os.sep
    for dirpath, dirnames, filenames in os.walk(snapshot, followlinks=False):
        dirnames.sort()
        for dirname in list(dirnames):
            full = os.path.join(dirpath, dirname)
            if os.path.islink(full):
                dirnames.remove(dirname)
                rel = os.path.relpath(full, snapshot).replace(os.sep, "/")
                skipped.append(Skipped(display_path(rel)[0], "linked folder in a cache snapshot; not followed"))
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, snapshot).replace(os.sep, "/")
            if rel in _PLUMBING:
                continue
            real = os.path.realpath(full)
            if not real.startswith(inside):
                skipped.append(Skipped(display_path(rel)[0], "link out of the cached repository; not followed"))
                continue
            try:
                st = os.stat(real)
            except OSError:
                files.append(RepoFile(rel, 0, real))  # reading it will report the problem
                continue
            files.append(RepoFile(rel, st.st_size, real, st.st_mtime_ns))
    files.sort(key=lambda f: f.path)
    return files, skipped


def _read_card(files: Iterable[RepoFile]) -> str | None:
    for f in files:
        if f.path.lower() == "readme.md" and not f.handle.startswith(REMOTE_PREFIX):
            try:
                with open_regular(f.handle) as stream:
                    return stream.read(1 << 20).decode("utf-8", errors="replace")
            except OSError:
                return None
    return None


def resolve_cached(ref: HubRef, cache: Path) -> Resolved:
    """The dataset from the local cache only (through huggingface_hub's own resolution)."""
    from huggingface_hub import snapshot_download  # optional at run time (provenance.hub)
    from huggingface_hub.errors import LocalEntryNotFoundError  # optional at run time (provenance.hub)

    folder = cached_dataset_folder(cache, ref.repo_id)
    extra: dict[str, Any] = {"cache": str(cache)}
    try:
        path = snapshot_download(ref.repo_id, repo_type="dataset", revision=ref.revision, cache_dir=cache,
                                 local_files_only=True)
    except LocalEntryNotFoundError:
        # No `main` ref (downloaded by tag or commit only): the newest cached snapshot, said so.
        newest = CachedDataset(ref.repo_id, folder).default_revision() if ref.revision is None else None
        if newest is None:
            what = f"revision {ref.revision!r} of " if ref.revision else ""
            return Resolved(ref, problem=f"{what}dataset {ref.repo_id} is not in the local Hub cache ({cache})")
        path = str(folder / "snapshots" / newest)
        extra["note"] = "the cache has no 'main' ref for this dataset; its newest cached snapshot was scanned"
    except Exception as exc:  # huggingface_hub raises many types; the reason is what matters
        return Resolved(ref, problem=f"cannot read {ref.repo_id} from the Hub cache: {redact(short_reason(exc))}")
    snapshot = Path(path)
    files, skipped = _snapshot_files(snapshot, folder)
    others = [r for r in CachedDataset(ref.repo_id, folder).snapshots() if r != snapshot.name]
    if others:
        extra["other_cached_revisions"] = others[:20]
    refs = {name: sha for name, sha in CachedDataset(ref.repo_id, folder).refs().items() if sha == snapshot.name}
    if refs:
        extra["refs"] = sorted(refs)
    return Resolved(ref, sha=snapshot.name, files=tuple(files), skipped=tuple(skipped), origin="cache",
                    card_text=_read_card(files), extra=extra)


def resolve_hub(ref: HubRef, cache: Path, timeout: float = 20.0) -> Resolved:
    """The dataset as the Hub has it now; falls back to the cache when the Hub cannot be reached.
    A snapshot already cached at the Hub's commit is read from disk."""
    from huggingface_hub import HfApi  # optional at run time (provenance.hub)
    from huggingface_hub.errors import (  # optional at run time (provenance.hub)
        GatedRepoError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    problem: str | None = None
    redact_logs()
    try:
        info = HfApi().dataset_info(ref.repo_id, revision=ref.revision, files_metadata=True, timeout=timeout)
    except GatedRepoError:
        problem = (f"dataset {ref.repo_id} is gated: accept its conditions on the Hub and log in (HF_TOKEN or "
                   "`hf auth login`) to scan it")
    except RevisionNotFoundError:
        problem = f"revision {ref.revision!r} of dataset {ref.repo_id} does not exist on the Hub"
    except RepositoryNotFoundError:
        problem = (f"dataset {ref.repo_id} does not exist on the Hub or is private (private datasets need a "
                   "token with access)")
    except Exception as exc:  # offline mode, HTTP errors, DNS, refused or timed-out connections
        status = http_status(exc)
        problem = (f"the Hub answered HTTP {status} ({redact(short_reason(exc))})" if status is not None
                   else f"the Hub cannot be reached ({redact(short_reason(exc))})")
    if problem is not None:
        # Files the user already has locally are still scanned; the Hub's answer is kept with them.
        cached = resolve_cached(ref, cache)
        if cached.problem is None:
            return replace(cached, extra={**cached.extra, "hub": problem})
        return Resolved(ref, problem=f"{problem}; and {cached.problem}")
    sha = info.sha or ""
    snapshot = cached_dataset_folder(cache, ref.repo_id) / "snapshots" / sha
    if sha and snapshot.is_dir():
        cached = resolve_cached(HubRef(ref.repo_id, sha), cache)
        if cached.problem is None:
            return Resolved(ref, cached.sha, cached.files, cached.skipped, "cache", None, cached.card_text,
                            {"cache": str(cache)})
    files = tuple(
        RepoFile(s.rfilename, int(s.size or 0), f"{REMOTE_PREFIX}datasets/{ref.repo_id}@{sha}/{s.rfilename}")
        for s in sorted(info.siblings or [], key=lambda s: s.rfilename) if s.rfilename not in _PLUMBING
    )
    extra: dict[str, Any] = {"cache": str(cache)}
    if info.gated:
        extra["gated"] = str(info.gated)
    metadata = dict(info.card_data.to_dict()) if info.card_data is not None else {}
    return Resolved(ref, sha=sha, files=files, origin="hub", extra=extra, metadata=metadata)


def resolve_ref(ref: HubRef, cache: Path | None = None) -> Resolved:
    cache = cache or hub_cache_dir()
    return resolve_cached(ref, cache) if is_offline() else resolve_hub(ref, cache)


def _card_summary(metadata: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("license", "license_name", "license_link", "pretty_name", "source_datasets", "task_categories",
            "size_categories", "language")
    return {k: metadata[k] for k in keys if k in metadata and isinstance(metadata[k], (str, list, int, float))}


class HubDatasetSource(Source):
    """The files of one Hub dataset at one commit; paths are those within the repository
    (with `prefix` before them when several datasets are scanned together)."""

    def __init__(self, resolved: Resolved, prefix: str = "", sampling: Sampling | None = None) -> None:
        self.resolved = resolved
        self.prefix = prefix
        self.sampling = sampling or Sampling()
        self._samples: dict[str, bytes | str] = {}
        ref = resolved.ref
        card = parse_card(resolved.card_text) if resolved.card_text else None
        self.card_metadata: dict[str, Any] = card.metadata if card else dict(resolved.metadata)
        details: dict[str, Any] = {
            "repo_id": ref.repo_id, "repo_type": "dataset", "requested_revision": ref.revision or "main",
            "revision": resolved.sha, "origin": resolved.origin, **dict(resolved.extra),
        }
        if resolved.problem:
            details["problem"] = resolved.problem
        else:
            details.update(describe_files(list(resolved.files), self.card_metadata))
            if self.card_metadata:
                details["card"] = _card_summary(self.card_metadata)
            cache = resolved.extra.get("cache")
            deps = resolve_dependencies(self.card_metadata, [Path(cache)] if cache else [])
            if deps:
                details["dependencies"] = [asdict(d) for d in deps]
        if self.sampled:
            details["sampling"] = {"records_per_split": self.sampling.records, "via": "datasets streaming"}
        root = f"{_DATASETS}{ref.repo_id}" + (f"@{resolved.sha}" if resolved.sha else "")
        self.info = SourceInfo(name=ref.repo_id, kind="huggingface", root=root, revision=resolved.sha,
                               details=details)

    def entries(self) -> Iterator[Listed]:
        if self.resolved.problem:
            yield Unreadable(self.prefix.rstrip("/") or ".", self.resolved.problem)
            return
        splits = data_files_by_split(self.resolved.files, self.card_metadata) if self.sampled else {}
        sampled = {p for by_split in splits.values() for paths in by_split.values() for p in paths}
        for f in self.resolved.files:
            path = self.prefix + f.path
            shown, problem = display_path(path)
            if f.path in sampled:
                yield Skipped(shown, f"remote data file not downloaded: its records were sampled "
                                     f"({self.sampling.records} per split) through datasets streaming; "
                                     "--all-records reads every file")
                continue
            asset = Asset(path=shown, kind=kind_of(shown.rsplit("/", 1)[-1]), size=f.size, source=self.info.name,
                          mtime_ns=f.mtime_ns)
            yield Entry(asset=asset, handle=f.handle, problem=problem)
        for s in self.resolved.skipped:
            yield Skipped(self.prefix + s.path, s.reason)
        yield from self._sample_entries(splits)

    @property
    def sampled(self) -> bool:
        """Remote data files are sampled through `datasets` unless every record is asked for."""
        return self.resolved.origin == "hub" and not self.sampling.all_records and not self.resolved.problem

    def _sample_entries(self, splits: dict[str, dict[str, list[str]]]) -> Iterator[Listed]:
        by_path = {f.path: f for f in self.resolved.files}
        for config, by_split in sorted(splits.items()):
            for split, paths in sorted(by_split.items()):
                if not paths:
                    continue
                path = f"{self.prefix}{SAMPLE_FOLDER}/{config}/{split}.parquet"
                if path not in self._samples:
                    targets = [_stream_target(by_path[p].handle) for p in paths]
                    redact_logs()
                    try:
                        self._samples[path] = sample_records(targets, self.sampling.records)
                    except Exception as exc:  # datasets raises many types for unreadable remote data
                        self._samples[path] = f"cannot sample {config}/{split} through datasets: " \
                                              f"{redact(short_reason(exc))}"
                data = self._samples[path]
                if isinstance(data, str):
                    yield Unreadable(path, data)
                    continue
                asset = Asset(path=path, kind=AssetKind.TABLE, size=len(data), source=self.info.name)
                yield Entry(asset=asset, handle=f"sample:{path}")

    def open(self, entry: Entry) -> IO[bytes]:
        if entry.handle.startswith("sample:"):
            path = entry.handle[len("sample:"):]
            if path not in self._samples:
                # A worker whose copy of the source was made before listing: sample again (same records).
                for _ in self._sample_entries(data_files_by_split(self.resolved.files, self.card_metadata)):
                    pass
            data = self._samples.get(path)
            if not isinstance(data, bytes):
                raise OSError(data or "sample not available")
            return io.BytesIO(data)
        if entry.handle.startswith(REMOTE_PREFIX):
            from huggingface_hub import HfFileSystem  # optional at run time (provenance.hub)

            redact_logs()
            try:
                return HfFileSystem().open(entry.handle[len(REMOTE_PREFIX):], "rb")
            except Exception as exc:  # network and HTTP errors of several libraries
                raise OSError(f"cannot read from the Hub: {redact(short_reason(exc))}") from None
        return open_regular(entry.handle)

    def local_path(self, entry: Entry) -> str | None:
        return None if entry.handle.startswith((REMOTE_PREFIX, "sample:")) else entry.handle


def _stream_target(handle: str) -> str:
    """What `datasets` reads a repo file from: an hf:// URL for remote files, else the local path."""
    return "hf://" + handle[len(REMOTE_PREFIX):] if handle.startswith(REMOTE_PREFIX) else handle


class HubCacheSource(Source):
    """Every dataset of a local Hub cache, one logical source each; paths are `ORG/NAME/<path in repo>`."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache / "hub" if not any(cache.glob("datasets--*")) and (cache / "hub").is_dir() else cache
        found, self.problems = cached_datasets(self.cache)
        self.children: dict[str, HubDatasetSource] = {}
        for ds in found:
            resolved = resolve_cached(HubRef(ds.repo_id), self.cache)
            self.children[ds.repo_id] = HubDatasetSource(resolved, prefix=ds.repo_id + "/")
        per_source = {name: {"kind": c.info.kind, "root": c.info.root, "revision": c.info.revision,
                             "details": dict(c.info.details)} for name, c in self.children.items()}
        self.info = SourceInfo(name=str(self.cache), kind="huggingface-cache", root=str(self.cache),
                               details={"datasets": len(self.children), "per_source": per_source})

    def entries(self) -> Iterator[Listed]:
        yield from self.problems
        for child in self.children.values():
            yield from child.entries()

    def _child(self, entry: Entry) -> HubDatasetSource:
        child = self.children.get(entry.asset.source)
        if child is None:
            raise OSError(f"no cached dataset {entry.asset.source}")
        return child

    def open(self, entry: Entry) -> IO[bytes]:
        return self._child(entry).open(entry)

    def local_path(self, entry: Entry) -> str | None:
        return self._child(entry).local_path(entry)


# -- a single cached repository -------------------------------------------------------------


def cached_repo_of(path: Path) -> tuple[HubRef, Path] | None:
    """A single cached dataset folder (`<cache>/datasets--org--name`) or one of its snapshots."""
    path = path.absolute()
    if path.name.startswith("datasets--") and (path / "snapshots").is_dir():
        return HubRef(path.name[len("datasets--"):].replace("--", "/")), path.parent
    if path.parent.name == "snapshots" and path.parent.parent.name.startswith("datasets--") and path.is_dir():
        repo = path.parent.parent
        return HubRef(repo.name[len("datasets--"):].replace("--", "/"), path.name), repo.parent
    return None
