"""Archives scanned member by member, streaming, never extracted to disk.

zip, tar, tar.gz/bz2/xz and single compressed files (`data.jsonl.gz`). Each member becomes an
asset of its own (`shard-0001.tar!000123.jpg`) analysed by the same detectors as a file. Limits
keep bombs out: member count, total expanded size, expansion ratio, nesting depth. Member names
that would escape the archive (`../x`, `/etc/x`, `C:\\x`) are reported and never read.

WebDataset shards: members sharing a key (`000123.jpg`, `000123.json`, `000123.txt`) are one
sample; the license and URL in the sample's `.json` sidecar are record-level evidence for the
sample's other members. A LICENSE or card inside the archive covers the members of its folder
(file-level evidence, more specific than anything outside the archive).
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import posixpath
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any, cast

from provenance.crawl import UrlDomainDetector, domain_output, host_of
from provenance.detectors.interface import AssetContent, DetectorOutput
from provenance.licensing.names import normalize_license
from provenance.model import (
    METADATA_KINDS,
    Asset,
    AssetKind,
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    Location,
    RecordLicense,
    Severity,
)
from provenance.sources.interface import Entry
from provenance.sources.kinds import kind_of
from provenance.sources.local import display_path

if TYPE_CHECKING:
    from provenance.sources.scanning import Analyzed, WorkContext

CHUNK = 1 << 20
SEP = "!"
DETECTOR_ID = "archive"
SIDECAR_LICENSE = ("license", "licence", "license_name", "license_url", "rights")
SIDECAR_CAPTION = ("caption", "text", "alt", "title")
_COMPRESSED = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zst"}
_UNSUPPORTED = {b"7z\xbc\xaf\x27\x1c": "7z", b"Rar!": "rar"}
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive may expand to; crossing one is an error entry with its reason."""

    max_members: int = 100_000
    #: Expanded bytes of all members of one archive (nested archives included).
    max_total_size: int = 64 * 2**30
    #: Expanded bytes per compressed byte, over a member or a compressed stream.
    max_ratio: float = 200.0
    #: Ratio checks start above this many expanded bytes (small files compress very well).
    ratio_floor: int = 8 * 2**20
    #: 1: members of a top-level archive are scanned; 2: an archive inside one too; deeper is an error.
    max_depth: int = 2
    #: Media (images, audio) read out of one table as member assets: a sample of the table.
    max_embedded: int = 10_000


@dataclass(frozen=True)
class Member:
    """One member read from an archive: its name, bytes (or their head) and hashes, or a problem."""

    name: str
    size: int
    head: bytes
    complete: bool
    sha256: str | None
    sha1: str | None
    problem: str | None = None
    #: Something to note that does not stop the member being read (a link, a device).
    note: str | None = None
    #: Re-opens the member's full bytes (random-access archives only).
    reopen: Callable[[], IO[bytes]] | None = None


def archive_limits(ctx: Any) -> ArchiveLimits:
    """The scan's archive limits (`Limits.archives`), or the defaults when the scan has none."""
    return getattr(ctx.limits, "archives", None) or ArchiveLimits()


class LimitExceeded(Exception):
    """An archive crossed one of its limits: the rest of it is not read."""


def traversal(name: str) -> bool:
    """A member name that would land outside the folder it is extracted to."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return any(part == ".." for part in re.split(r"[\\/]", name))


class _Counting(io.RawIOBase):
    """Passes reads through while hashing and counting the compressed bytes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0
        self.sha256 = hashlib.sha256()
        self.sha1 = hashlib.sha1(usedforsecurity=False)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        self.sha256.update(data)
        self.sha1.update(data)
        return n

    def finish(self) -> None:
        while chunk := self.raw.read(CHUNK):
            self.count += len(chunk)
            self.sha256.update(chunk)
            self.sha1.update(chunk)


class _Budget:
    """Expanded bytes and members across an archive and the archives nested in it."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.expanded = 0

    def member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise LimitExceeded(f"more than {self.limits.max_members} members; the rest was not read")

    def grow(self, n: int) -> None:
        self.expanded += n
        if self.expanded > self.limits.max_total_size:
            raise LimitExceeded(f"expands to more than {self.limits.max_total_size} bytes (archive bomb?);"
                                " the rest was not read")


class _Ratio:
    """Expanded against compressed bytes of one compressed unit: a zip member, or a whole
    compressed stream (tar.gz, .gz). Both sides count the same unit, so the ratio means something."""

    def __init__(self, limits: ArchiveLimits, compressed: Callable[[], int]) -> None:
        self.limits = limits
        self.compressed = compressed
        self.expanded = 0

    def add(self, n: int) -> None:
        self.expanded += n
        if self.expanded > self.limits.ratio_floor and \
                self.expanded > self.limits.max_ratio * max(self.compressed(), 1):
            raise LimitExceeded(f"expands more than {self.limits.max_ratio:g} times its compressed size "
                                "(archive bomb?); the rest was not read")


def _read_member(stream: IO[bytes], head_bytes: int, budget: _Budget,
                 ratio: _Ratio | None) -> tuple[bytes, bool, str, str, int]:
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    head = bytearray()
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        budget.grow(len(chunk))
        if ratio is not None:
            ratio.add(len(chunk))
        sha256.update(chunk)
        sha1.update(chunk)
        if len(head) < head_bytes:
            head += chunk[: head_bytes - len(head)]
    return bytes(head), total <= head_bytes, sha256.hexdigest(), sha1.hexdigest(), total


# -- formats ---------------------------------------------------------------------------------


def _const(n: int) -> Callable[[], int]:
    return lambda: n


def _zip_members(opener: Callable[[], IO[bytes]], head_bytes: int, budget: _Budget) -> Iterator[Member]:
    stream = opener()
    with stream, zipfile.ZipFile(stream) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            budget.member()
            name = info.filename
            if traversal(name):
                yield Member(name, info.file_size, b"", False, None, None,
                             problem=f"member name escapes the archive (path traversal: {name!r}); never followed,"
                                     " not read")
                continue
            if info.flag_bits & 0x1:
                yield Member(name, info.file_size, b"", False, None, None, problem="encrypted member; not read")
                continue
            limits = budget.limits
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                yield Member(name, info.file_size, b"", False, None, None,
                             problem=f"member expands {info.file_size} bytes from {info.compress_size} "
                                     f"(more than {limits.max_ratio:g} times; zip bomb?); not read")
                continue
            if budget.expanded + info.file_size > limits.max_total_size:
                raise LimitExceeded(f"expands to more than {limits.max_total_size} bytes (zip bomb?);"
                                    " the rest was not read")
            try:
                with zf.open(info) as member:
                    head, complete, s256, s1, total = _read_member(
                        member, head_bytes, budget, _Ratio(limits, _const(info.compress_size)))
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
                yield Member(name, info.file_size, b"", False, None, None, problem=f"cannot read member: {exc}")
                continue

            def reopen(info: zipfile.ZipInfo = info) -> IO[bytes]:
                outer = opener()
                return zipfile.ZipFile(outer).open(info)

            yield Member(name, total, head, complete, s256, s1, reopen=None if complete else reopen)


def _tar_members(opener: Callable[[], IO[bytes]], head_bytes: int, budget: _Budget,
                 counting: _Counting, compression: str | None) -> Iterator[Member]:
    plain = compression is None
    # Buffered: tarfile reads 10 KiB at a time, and each read through the hashing wrapper costs.
    raw: Any = io.BufferedReader(counting, CHUNK)
    if compression == "zst":  # tarfile cannot open zstd streams itself before Python 3.14
        raw = _decompressor("zst", raw)
    ratio = None if plain else _Ratio(budget.limits, lambda: counting.count)
    with tarfile.open(fileobj=raw, mode="r|" if compression == "zst" else "r|*") as tf:
        for info in tf:
            if info.isdir():
                continue
            budget.member()
            name = info.name
            if traversal(name):
                yield Member(name, info.size, b"", False, None, None,
                             problem=f"member name escapes the archive (path traversal: {name!r}); never followed,"
                                     " not read")
                continue
            if info.issym() or info.islnk():
                what = "symbolic link" if info.issym() else "hard link"
                escape = " (outside the archive)" if traversal(info.linkname) else ""
                yield Member(name, 0, b"", True, None, None, note=f"{what} to {info.linkname!r}{escape}; not followed")
                continue
            if not info.isfile():
                yield Member(name, 0, b"", True, None, None, note="device, FIFO or other special member; not read")
                continue
            member = tf.extractfile(info)
            if member is None:
                continue
            head, complete, s256, s1, total = _read_member(member, head_bytes, budget, ratio)
            offset, size = info.offset_data, info.size

            def reopen(offset: int = offset, size: int = size) -> IO[bytes]:
                outer = opener()
                outer.seek(offset)
                if size <= 64 * 2**20:
                    with outer:
                        return io.BytesIO(outer.read(size))
                return io.BufferedReader(_Window(outer, size))

            yield Member(name, total, head, complete, s256, s1, reopen=reopen if plain and not complete else None)


class _Window(io.RawIOBase):
    """The next `size` bytes of a stream."""

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self.raw, self.left = raw, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def _single_member(name: str, kind: str, counting: _Counting, head_bytes: int, budget: _Budget) -> Iterator[Member]:
    inner = posixpath.basename(name)
    inner = inner.rsplit(".", 1)[0] if "." in inner else inner + ".out"
    budget.member()
    with _decompressor(kind, counting) as stream:
        head, complete, s256, s1, total = _read_member(stream, head_bytes, budget,
                                                       _Ratio(budget.limits, lambda: counting.count))
    yield Member(inner, total, head, complete, s256, s1)


def _decompressor(kind: str, stream: Any) -> IO[bytes]:
    if kind == "zst":  # Zstandard (.jsonl.zst, .tar.zst): common for text corpora; optional package
        try:
            import zstandard
        except ImportError:
            raise OSError("zstd-compressed: needs the optional package 'zstandard' (pip install zstandard)") from None
        return cast(IO[bytes], zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True))
    if kind == "gz":
        return cast(IO[bytes], gzip.GzipFile(fileobj=stream, mode="rb"))
    return cast(IO[bytes], bz2.BZ2File(stream) if kind == "bz2" else lzma.LZMAFile(stream))


def _is_tar(data: bytes) -> bool:
    return (len(data) >= 262 and data[257:262] == b"ustar") or (len(data) >= 512 and _tar_checksum_ok(data[:512]))


def _tar_checksum_ok(block: bytes) -> bool:
    try:
        stored = int(block[148:156].split(b"\x00")[0].strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(block[:148]) + 256 + sum(block[156:512])


def _sniff(opener: Callable[[], IO[bytes]]) -> tuple[str, str | None]:
    """(format, compression) from the first bytes: zip, tar, single, or unsupported/unknown."""
    with opener() as stream:
        first = stream.read(1024)
    if first[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip", None
    for magic, name in _UNSUPPORTED.items():
        if first.startswith(magic):
            return "unsupported", name
    for magic, name in _COMPRESSED.items():
        if first.startswith(magic):
            with opener() as stream:
                try:
                    with _decompressor(name, stream) as inner:
                        block = inner.read(1024)
                except OSError as exc:
                    return ("unsupported", name) if "optional package" in str(exc) else ("broken", name)
                except Exception:  # EOFError, LZMAError, zlib.error, ZstdError: a damaged stream
                    return "broken", name
            return ("tar" if _is_tar(block) else "single"), name
    if _is_tar(first):
        return "tar", None
    return "unknown", None


# -- analysis --------------------------------------------------------------------------------


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


def sample_key(name: str) -> tuple[str, str]:
    """WebDataset sample key and extension: `dir/000123.seg.jpg` -> (`dir/000123`, `seg.jpg`)."""
    folder, _, base = name.rpartition("/")
    stem, _, ext = base.partition(".")
    return (f"{folder}/{stem}" if folder else stem), ext.lower()


def analyze_archive(ctx: WorkContext, entry: Entry, depth: int = 1, budget: _Budget | None = None,
                    data: bytes | None = None) -> Analyzed:
    """Read an archive once, streaming: the archive's own result, with one result per member."""
    from provenance.sources.scanning import Analyzed

    budget = budget or _Budget(archive_limits(ctx))
    asset = entry.asset
    errors: list[str] = [entry.problem] if entry.problem else []

    def opener() -> IO[bytes]:
        return io.BytesIO(data) if data is not None else ctx.source.open(entry)

    try:
        fmt, compression = _sniff(opener)
    except OSError as exc:
        return Analyzed(entry, None, None, (), (*errors, f"cannot open: {exc.strerror or exc}"))
    facts: dict[str, Any] = {"format": fmt if not compression else f"{fmt}+{compression}"}
    if fmt in ("unsupported", "unknown", "broken"):
        reason = {"unsupported": f"{compression} archives are not supported; members not scanned"
                  + (" (install the optional package 'zstandard')" if compression == "zst" else ""),
                  "unknown": "not a zip, tar or compressed file that can be read; members not scanned",
                  "broken": f"corrupt {compression} stream; members not scanned"}[fmt]
        sha = _hash_all(opener)
        return Analyzed(entry, sha[0], sha[1], ((DETECTOR_ID, DetectorOutput(facts=facts)),), (*errors, reason))

    members: list[_Scanned] = []
    findings: list[Finding] = []
    counting = _Counting(opener())
    sha256 = sha1 = None
    try:
        with counting.raw:
            if fmt == "zip":
                iterator = _zip_members(opener, ctx.limits.head_bytes, budget)
            elif fmt == "tar":
                iterator = _tar_members(opener, ctx.limits.head_bytes, budget, counting, compression)
            else:
                iterator = _single_member(asset.path, compression or "gz", counting, ctx.limits.head_bytes, budget)
            try:
                for member in iterator:
                    members.append(_member_result(ctx, entry, member, depth, budget, findings))
            except LimitExceeded as exc:
                errors.append(str(exc))
            except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, lzma.LZMAError, zlib.error,
                    ValueError) as exc:
                errors.append(f"archive is damaged after {len(members)} member(s): {str(exc)[:200]}")
            except Exception as exc:  # an unexpected library error on odd bytes is still a reason, not a crash
                errors.append(f"cannot read the archive after {len(members)} member(s): {type(exc).__name__}: "
                              f"{str(exc)[:200]}")
            if fmt != "zip":
                counting.finish()
                sha256, sha1 = counting.sha256.hexdigest(), counting.sha1.hexdigest()
    except OSError as exc:
        errors.append(f"read error: {exc.strerror or exc}")
    if fmt == "zip" and not any(e.startswith("read error") for e in errors):
        sha256, sha1 = _hash_all(opener)
    final = _link_samples(ctx, members, flatten=True)
    facts.update(members=len(members), expanded_bytes=sum(m.analyzed.entry.asset.size for m in members),
                 samples=len({m.key for m in members}))
    out = DetectorOutput(findings=tuple(findings), facts=facts)
    return Analyzed(entry, sha256, sha1, ((DETECTOR_ID, out),), tuple(errors), members=tuple(final))


def _hash_all(opener: Callable[[], IO[bytes]]) -> tuple[str | None, str | None]:
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    try:
        with opener() as stream:
            while chunk := stream.read(CHUNK):
                sha256.update(chunk)
                sha1.update(chunk)
    except OSError:
        return None, None
    return sha256.hexdigest(), sha1.hexdigest()


def _member_result(ctx: WorkContext, entry: Entry, member: Member, depth: int, budget: _Budget,
                   findings: list[Finding]) -> _Scanned:
    from provenance.sources.scanning import Analyzed

    shown, problem = display_path(member.name)
    path = f"{entry.asset.path}{SEP}{shown}"
    base = shown.rsplit("/", 1)[-1]
    asset = Asset(path=path, kind=kind_of(base), size=member.size, source=entry.asset.source,
                  mtime_ns=entry.asset.mtime_ns)
    member_entry = Entry(asset=asset, handle=f"{entry.handle}{SEP}{member.name}", problem=problem)
    key = sample_key(shown)[0]
    errors = [problem] if problem else []
    if member.problem:
        return _Scanned(Analyzed(member_entry, None, None, (), (*errors, member.problem)), key)
    if member.note:
        note = Finding("archive-member-skipped", Severity.WARNING, path, member.note)
        return _Scanned(Analyzed(member_entry, None, None, ((DETECTOR_ID, DetectorOutput(findings=(note,))),),
                                 tuple(errors)), key)
    if asset.kind is AssetKind.ARCHIVE:
        if depth >= budget.limits.max_depth:
            reason = f"archive nested {depth + 1} levels deep (limit {budget.limits.max_depth}); not scanned"
            return _Scanned(Analyzed(member_entry, member.sha256, member.sha1, (), (*errors, reason)), key)
        if not member.complete:
            reason = (f"nested archive larger than {ctx.limits.head_bytes} bytes; it is not unpacked to disk,"
                      " so its members were not scanned")
            return _Scanned(Analyzed(member_entry, member.sha256, member.sha1, (), (*errors, reason)), key)
        nested = analyze_archive(ctx, member_entry, depth + 1, budget, data=member.head)
        return _Scanned(replace(nested, sha256=member.sha256, sha1=member.sha1), key)
    content = AssetContent(asset, member.head, member.complete,
                           _head_only(member.head, member.name, member.reopen, member.complete))
    from provenance.sources.scanning import run_detectors

    outputs, det_errors = run_detectors(ctx.detectors, content)
    sidecar = _sidecar(member.head) if sample_key(shown)[1] == "json" and member.complete else None
    return _Scanned(Analyzed(member_entry, member.sha256, member.sha1, tuple(outputs), (*errors, *det_errors)),
                    key, sidecar)


def _sidecar(head: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(head)
    except (ValueError, RecursionError):
        return {}
    return obj if isinstance(obj, dict) else {}


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return key, value.strip()
    return None


def _link_samples(ctx: WorkContext, members: list[_Scanned], flatten: bool) -> list[Analyzed]:
    """Sidecar license/URL onto each sample's other members; in-archive license files onto their folder."""
    optout = frozenset().union(*(d.optout for d in ctx.detectors if isinstance(d, UrlDomainDetector)))
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


def record_output(path: str, where: str, meta: dict[str, Any], optout: frozenset[str],
                  caption_path: str | None, line: int | None = None) -> DetectorOutput:
    """A record's license (record-level evidence), URL domain and caption for one member:
    a WebDataset sample's sidecar (`where` is the sidecar) or a table row (`where` the table, `line` the row)."""
    evidence: list[Evidence] = []
    records: tuple[RecordLicense, ...] = ()
    facts: dict[str, Any] = {"record": where if line is None else f"{where}:{line}"}
    lic = _first(meta, SIDECAR_LICENSE)
    if lic:
        field, value = lic
        norm = normalize_license(value).expression
        evidence.append(Evidence(EvidenceKind.RECORD_FIELD, Level.RECORD, Location(where, line=line, field=field),
                                 norm, value[:200], 1.0 if norm else 0.0,
                                 "webdataset-sidecar" if line is None else "table-row", records=1))
        records = (RecordLicense(value[:200], norm, 1, field=field),)
    findings: tuple[Finding, ...] = ()
    url = _first(meta, ("url", "source_url", "image_url", "page_url", "link"))
    if url:
        host = host_of(url[1])
        facts["url"] = url[1][:300]
        if host:
            from collections import Counter

            domains = domain_output(path, Counter({host: 1}), 1, optout, url[0])
            facts.update(domains.facts)
            findings = domains.findings
    cap = _first(meta, SIDECAR_CAPTION)
    if cap or caption_path:
        facts["caption"] = cap[1][:200] if cap else caption_path
    # No record count: the sample's record is counted once, by its sidecar or its table row.
    return DetectorOutput(evidence=tuple(evidence), findings=findings, facts=facts, record_licenses=records)


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
