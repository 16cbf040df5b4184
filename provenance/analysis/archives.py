"""Archives analysed member by member: each member becomes an asset of its own
(`shard-0001.tar!000123.jpg`) run through the same detectors as a file. Reading (formats, limits,
hashes) is `provenance.sources.archive_reader`'s; nesting depth is checked here.

WebDataset shards: members sharing a key (`000123.jpg`, `000123.json`, `000123.txt`) are one
sample; the license and URL in the sample's `.json` sidecar are record-level evidence for the
sample's other members. A LICENSE or card inside the archive covers the members of its folder
(file-level evidence, more specific than anything outside the archive).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO, Any

from provenance.analysis.context import Analyzed, WorkContext
from provenance.analysis.detect import run_detectors
from provenance.analysis.sidecars import optout_domains, record_output
from provenance.detectors.interface import AssetContent, DetectorOutput
from provenance.model import (
    METADATA_KINDS,
    Asset,
    AssetKind,
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    Problem,
    ProblemKind,
    Rule,
    Severity,
)
from provenance.sources.archive_reader import SEP, ArchiveReader, Budget, Member, sample_key
from provenance.sources.interface import Entry
from provenance.sources.kinds import kind_of
from provenance.sources.local import display_path

DETECTOR_ID = "archive"


def _content(message: str) -> Problem:
    return Problem(ProblemKind.CONTENT, message)


def _head_only(head: bytes, name: str, reopen: Callable[[], IO[bytes]] | None, complete: bool) -> Callable[[],
                                                                                                         IO[bytes]]:
    if complete:
        return lambda: io.BytesIO(head)
    if reopen is not None:
        return reopen

    def fail() -> IO[bytes]:
        raise OSError(f"member {name} is larger than the in-memory limit inside a compressed stream;"
                      " only its first bytes were analysed")
    return fail


@dataclass(frozen=True)
class _Scanned:
    analyzed: Analyzed
    #: WebDataset sample key.
    key: str
    #: The parsed `.json` sidecar when this member is one.
    sidecar: dict[str, Any] | None = None


def analyze_archive(ctx: WorkContext, entry: Entry, depth: int = 1, budget: Budget | None = None,
                    data: bytes | None = None) -> Analyzed:
    """Read an archive once, streaming: the archive's own result, with one result per member."""
    budget = budget or Budget(ctx.archive_limits)
    problems: list[Problem] = [Problem(ProblemKind.NAME, entry.problem)] if entry.problem else []

    def opener() -> IO[bytes]:
        return io.BytesIO(data) if data is not None else ctx.source.open(entry)

    try:
        reader = ArchiveReader(opener, entry.asset.path, ctx.limits.head_bytes, budget)
    except OSError as exc:
        return Analyzed(entry, None, None, (), (*problems, Problem(ProblemKind.READ,
                                                                   f"cannot open: {exc.strerror or exc}")))
    facts: dict[str, Any] = {"format": reader.label}
    members: list[_Scanned] = []
    findings: list[Finding] = []
    for member in reader.members():
        try:
            members.append(_member_result(ctx, entry, member, depth, budget, findings))
        except Exception as exc:  # a bug on one member is that member's loss, said, not the end of the scan
            problems.append(Problem(ProblemKind.CRASH, f"member {member.name!r} could not be analysed:"
                                                       f" {type(exc).__name__}: {str(exc)[:200]}"))
    unreadable = reader.unreadable()
    if unreadable:
        return Analyzed(entry, reader.sha256, reader.sha1, ((DETECTOR_ID, DetectorOutput(facts=facts)),),
                        (*problems, _content(unreadable)))
    problems += reader.problems
    final = _link_samples(ctx, members, flatten=True)
    facts.update(members=len(members), expanded_bytes=sum(m.analyzed.entry.asset.size for m in members),
                 samples=len({m.key for m in members}))
    out = DetectorOutput(findings=tuple(findings), facts=facts)
    return Analyzed(entry, reader.sha256, reader.sha1, ((DETECTOR_ID, out),), tuple(problems), members=tuple(final))


def _member_result(ctx: WorkContext, entry: Entry, member: Member, depth: int, budget: Budget,
                   findings: list[Finding]) -> _Scanned:
    shown, problem = display_path(member.name)
    path = f"{entry.asset.path}{SEP}{shown}"
    base = shown.rsplit("/", 1)[-1]
    asset = Asset(path=path, kind=kind_of(base), size=member.size, source=entry.asset.source,
                  mtime_ns=entry.asset.mtime_ns)
    member_entry = Entry(asset=asset, handle=f"{entry.handle}{SEP}{member.name}", problem=problem)
    key = sample_key(shown)[0]
    problems = [Problem(ProblemKind.NAME, problem)] if problem else []
    if member.problem:
        return _Scanned(Analyzed(member_entry, None, None, (), (*problems, _content(member.problem))), key)
    if member.note:
        note = Finding(Rule.ARCHIVE_MEMBER_SKIPPED, Severity.WARNING, path, member.note)
        return _Scanned(Analyzed(member_entry, None, None, ((DETECTOR_ID, DetectorOutput(findings=(note,))),),
                                 tuple(problems)), key)
    if asset.kind is AssetKind.ARCHIVE:
        if depth >= budget.limits.max_depth:
            reason = f"archive nested {depth + 1} levels deep (limit {budget.limits.max_depth}); not scanned"
            return _Scanned(Analyzed(member_entry, member.sha256, member.sha1, (), (*problems, _content(reason))),
                            key)
        if not member.complete:
            reason = (f"nested archive larger than {ctx.limits.head_bytes} bytes; it is not unpacked to disk,"
                      " so its members were not scanned")
            return _Scanned(Analyzed(member_entry, member.sha256, member.sha1, (), (*problems, _content(reason))),
                            key)
        nested = analyze_archive(ctx, member_entry, depth + 1, budget, data=member.head)
        return _Scanned(replace(nested, sha256=member.sha256, sha1=member.sha1), key)
    content = AssetContent(asset, member.head, member.complete,
                           _head_only(member.head, member.name, member.reopen, member.complete))
    outputs, det_problems = run_detectors(ctx.detectors, content)
    sidecar = _sidecar(member.head) if sample_key(shown)[1] == "json" and member.complete else None
    return _Scanned(Analyzed(member_entry, member.sha256, member.sha1, tuple(outputs), (*problems, *det_problems)),
                    key, sidecar)


def _sidecar(head: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(head)
    except (ValueError, RecursionError):
        return {}
    return obj if isinstance(obj, dict) else {}


def _link_samples(ctx: WorkContext, members: list[_Scanned], flatten: bool) -> list[Analyzed]:
    """Sidecar license/URL onto each sample's other members; in-archive license files onto their folder."""
    optout = optout_domains(ctx)
    sidecars: dict[str, tuple[str, dict[str, Any]]] = {}
    captions: dict[str, str] = {}
    for m in members:
        asset = m.analyzed.entry.asset
        ext = sample_key(asset.path.rsplit(SEP, 1)[-1])[1]
        if m.sidecar is not None and m.key not in sidecars:
            sidecars[m.key] = (asset.path, m.sidecar)
        elif ext in ("txt", "caption") and m.key not in captions:
            captions[m.key] = asset.path
    folder_evidence = _archive_folders(members)
    out: list[Analyzed] = []
    for m in members:
        done = m.analyzed
        if done.members:  # a nested archive: at the top level its members follow it
            out += [replace(done, members=()), *done.members] if flatten else [done]
            continue
        asset = done.entry.asset
        extra: list[tuple[str, DetectorOutput]] = []
        inherited = _nearest(folder_evidence, asset.path) if asset.kind not in METADATA_KINDS else []
        if inherited:
            extra.append((DETECTOR_ID + "-license", DetectorOutput(evidence=tuple(inherited))))
        side = sidecars.get(m.key)
        if side and side[0] != asset.path and done.sha256:  # read: detector complaints do not unlink it
            extra.append(("webdataset", record_output(asset.path, side[0], side[1], optout,
                                                      captions.get(m.key))))
        out.append(replace(done, outputs=(*done.outputs, *extra)) if extra else done)
    return out


def _archive_folders(members: list[_Scanned]) -> dict[str, list[Evidence]]:
    """Directory-level evidence of license files and cards inside the archive, by folder."""
    found: dict[str, list[Evidence]] = {}
    for m in members:
        asset = m.analyzed.entry.asset
        if asset.kind not in METADATA_KINDS:
            continue
        folder = asset.path.rpartition("/")[0] if "/" in asset.path.rsplit(SEP, 1)[-1] else \
            asset.path.rsplit(SEP, 1)[0] + SEP
        for _, out in m.analyzed.outputs:
            for ev in out.evidence:
                if ev.level is Level.DIRECTORY:
                    found.setdefault(folder, []).append(replace(ev, level=Level.FILE, scope=folder))
    return found


def _nearest(folders: dict[str, list[Evidence]], path: str) -> list[Evidence]:
    if not folders:
        return []
    archive, _, inner = path.rpartition(SEP)
    parts = inner.split("/")[:-1]
    while True:
        folder = f"{archive}{SEP}{'/'.join(parts)}" if parts else f"{archive}{SEP}"
        if folder in folders:
            structured = [e for e in folders[folder] if e.kind is not EvidenceKind.CARD_PROSE]
            return structured or folders[folder]
        if not parts:
            return []
        parts.pop()
