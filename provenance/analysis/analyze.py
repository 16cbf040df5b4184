"""One asset through the detectors: read it once (or take the cache's answer), decode text once,
run every detector that applies. Archives and tables holding media get their members analysed
too. Never raises for bad data: a problem is a value on the result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from provenance.analysis.archives import analyze_archive
from provenance.analysis.context import Analyzed, Origin, WorkContext
from provenance.analysis.detect import run_detectors, said_volatile
from provenance.analysis.embedded import table_members
from provenance.analysis.read import ReadBytes, read_asset
from provenance.cache import decode_outputs, encode_outputs
from provenance.detectors.interface import AssetContent, DetectorOutput
from provenance.model import AssetKind, Finding, Problem, ProblemKind, Rule, Severity
from provenance.sources.interface import Entry
from provenance.sources.lfs import MAX_POINTER, LfsPointer, lfs_pointer

#: The detector id under which a Git LFS pointer's oid and size are kept.
LFS_DETECTOR = "git-lfs"
#: Kinds whose bytes must decode as text; binary data under a text name is a scan error.
DECODE_AS_TEXT = frozenset({AssetKind.TEXT, AssetKind.CODE, AssetKind.LICENSE_FILE, AssetKind.DATASET_CARD,
                            AssetKind.DATASET_METADATA})


def analyze(ctx: WorkContext, entry: Entry) -> Analyzed:
    """Read one asset once and run every detector that applies, unless the cache already knows
    the answer."""
    if entry.asset.kind is AssetKind.ARCHIVE:  # read member by member (not cached)
        pointer = _pointer_archive(ctx, entry) if entry.asset.size <= MAX_POINTER else None
        return pointer or analyze_archive(ctx, entry)
    done = analyze_file(ctx, entry)
    # Media embedded in a table become members; not for a table the read refused (size, holes).
    if entry.asset.kind is AssetKind.TABLE and done.sha256 and not _is_pointer(done):
        local = ctx.source.local_path(entry)
        content = AssetContent(entry.asset, b"", False, lambda: ctx.source.open(entry), Path(local) if local else None)
        media = table_members(ctx, entry, content)
        # A sample is not a read error (the gate does not count it), but it is listed.
        sampled = (("embedded", DetectorOutput(findings=(
            Finding(Rule.PARTIALLY_CHECKED, Severity.WARNING, entry.asset.path, media.notice),))),) \
            if media.notice else ()
        # A table the records detector could not read already says why; no second error for it.
        extra = (media.problem,) if media.problem and not (done.problems and not media.members) else ()
        done = replace(done, members=media.members, problems=done.problems + extra, outputs=done.outputs + sampled)
    return done


def analyze_file(ctx: WorkContext, entry: Entry) -> Analyzed:
    asset = entry.asset
    name_problem = (Problem(ProblemKind.NAME, entry.problem),) if entry.problem else ()
    cached = ctx.cache.get(ctx.source.info.root, asset.path) if ctx.cache else None
    if cached and cached.unchanged(asset.size, asset.mtime_ns, entry.ctime_ns):
        outputs, content_problems = decode_outputs(cached.data)
        return Analyzed(entry, cached.sha256, cached.sha1, outputs, name_problem + content_problems, Origin.CACHED)
    read = read_asset(ctx, entry)
    if isinstance(read, Problem):
        return Analyzed(entry, None, None, (), (*name_problem, read))
    if cached and cached.sha256 == read.sha256:
        outputs, content_problems = decode_outputs(cached.data)
        return Analyzed(entry, read.sha256, read.sha1, outputs, name_problem + content_problems, Origin.REHASHED,
                        cached.data)
    done = detect(ctx, entry, read)
    # A detector crash is a bug to see again on the next scan, not a fact about the file to keep;
    # what a volatile detector said (an upstream's license) may differ next time.
    keep = not done.crashed and not said_volatile(ctx, done)
    data = encode_outputs(done.outputs, done.problems) if ctx.cache and keep else None
    return replace(done, problems=name_problem + done.problems, cache_data=data)


def detect(ctx: WorkContext, entry: Entry, read: ReadBytes) -> Analyzed:
    pointer = lfs_pointer(read.head) if read.complete else None
    if pointer is not None:  # the content is elsewhere: the detectors would only misread the pointer
        return _pointer_result(entry, read.sha256, read.sha1, pointer)
    problems: list[Problem] = []
    local = ctx.source.local_path(entry)
    content = AssetContent(
        entry.asset, read.head, read.complete, lambda: ctx.source.open(entry), Path(local) if local else None
    )
    if read.head and entry.asset.kind in DECODE_AS_TEXT:
        text, reason = content.text()  # decoded once here; detectors reuse it
        if text is None:
            problems.append(Problem(ProblemKind.CONTENT, reason or "not text"))
    outputs, detector_problems = run_detectors(ctx.detectors, content)
    return Analyzed(entry, read.sha256, read.sha1, tuple(outputs), (*problems, *detector_problems))


def _pointer_result(entry: Entry, sha256: str, sha1: str, pointer: LfsPointer) -> Analyzed:
    facts = {"oid": pointer.oid, "size": pointer.size}
    return Analyzed(entry, sha256, sha1, ((LFS_DETECTOR, DetectorOutput(facts=facts)),),
                    (Problem(ProblemKind.CONTENT, pointer.reason()),))


def _is_pointer(done: Analyzed) -> bool:
    return any(det == LFS_DETECTOR for det, _ in done.outputs)


def _pointer_archive(ctx: WorkContext, entry: Entry) -> Analyzed | None:
    """An archive name on a pointer file (`shard-0001.tar` cloned without LFS)."""
    read = read_asset(ctx, entry)
    if isinstance(read, Problem):
        return None  # analyze_archive reports the read problem in its own words
    pointer = lfs_pointer(read.head)
    return _pointer_result(entry, read.sha256, read.sha1, pointer) if pointer else None
