"""Archives read member by member, streaming, never extracted to disk.

zip, tar, tar.gz/bz2/xz/zst and single compressed files (`data.jsonl.gz`). `ArchiveReader` gives
the members of one archive with their bytes (or the first bytes of large ones) and hashes; what
they are is decided by the analysis (`provenance.analysis.archives`). Limits keep bombs out:
member count, total expanded size, expansion ratio. Member names that would escape the archive
(`../x`, `/etc/x`, `C:\\x`) are reported and never read.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import posixpath
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

from provenance.model import Problem, ProblemKind

CHUNK = 1 << 20
SEP = "!"
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


class LimitExceeded(Exception):
    """An archive crossed one of its limits: the rest of it is not read."""


class MissingCodec(OSError):
    """The stream is compressed with a codec whose optional package is not installed."""


def traversal(name: str) -> bool:
    """A member name that would land outside the folder it is extracted to."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return any(part == ".." for part in re.split(r"[\\/]", name))


class Counting(io.RawIOBase):
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


class Budget:
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


class Ratio:
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


def _read_member(stream: IO[bytes], head_bytes: int, budget: Budget,
                 ratio: Ratio | None) -> tuple[bytes, bool, str, str, int]:
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


def _zip_members(opener: Callable[[], IO[bytes]], head_bytes: int, budget: Budget) -> Iterator[Member]:
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
                        member, head_bytes, budget, Ratio(limits, _const(info.compress_size)))
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
                yield Member(name, info.file_size, b"", False, None, None, problem=f"cannot read member: {exc}")
                continue

            def reopen(info: zipfile.ZipInfo = info) -> IO[bytes]:
                outer = opener()
                return zipfile.ZipFile(outer).open(info)

            yield Member(name, total, head, complete, s256, s1, reopen=None if complete else reopen)


def _tar_members(opener: Callable[[], IO[bytes]], head_bytes: int, budget: Budget,
                 counting: Counting, compression: str | None) -> Iterator[Member]:
    plain = compression is None
    # Buffered: tarfile reads 10 KiB at a time, and each read through the hashing wrapper costs.
    raw: Any = io.BufferedReader(counting, CHUNK)
    if compression == "zst":  # tarfile cannot open zstd streams itself before Python 3.14
        raw = _decompressor("zst", raw)
    ratio = None if plain else Ratio(budget.limits, lambda: counting.count)
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
                outer: Any = opener()
                if not plain:
                    # A compressed tar cannot seek: decompress again up to the member (the whole
                    # stream already passed the size and ratio limits on the first read).
                    outer = io.BufferedReader(_Decompressed(compression or "gz", outer), CHUNK)
                    left = offset
                    while left > 0 and (chunk := outer.read(min(CHUNK, left))):
                        left -= len(chunk)
                else:
                    outer.seek(offset)
                if size <= 64 * 2**20:
                    with outer:
                        return io.BytesIO(outer.read(size))
                return io.BufferedReader(_Window(outer, size))

            yield Member(name, total, head, complete, s256, s1, reopen=None if complete else reopen)


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


class _Decompressed(io.RawIOBase):
    """A decompressing stream that closes the file under it too (gzip, bz2 and lzma leave it open)."""

    def __init__(self, kind: str, raw: IO[bytes]) -> None:
        self.raw, self.stream = raw, _decompressor(kind, raw)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        self.raw.close()
        super().close()


def _single_member(name: str, kind: str, opener: Callable[[], IO[bytes]], counting: Counting, head_bytes: int,
                   budget: Budget) -> Iterator[Member]:
    inner = posixpath.basename(name)
    inner = inner.rsplit(".", 1)[0] if "." in inner else inner + ".out"
    budget.member()
    with _decompressor(kind, counting) as stream:
        head, complete, s256, s1, total = _read_member(stream, head_bytes, budget,
                                                       Ratio(budget.limits, lambda: counting.count))

    def reopen() -> IO[bytes]:
        # The whole stream was just decompressed within the limits: decompressing it again is safe.
        return io.BufferedReader(_Decompressed(kind, opener()), CHUNK)

    yield Member(inner, total, head, complete, s256, s1, reopen=None if complete else reopen)


def _decompressor(kind: str, stream: Any) -> IO[bytes]:
    if kind == "zst":  # Zstandard (.jsonl.zst, .tar.zst): common for text corpora; optional package
        try:
            import zstandard  # optional extra (zstd)
        except ImportError:
            raise MissingCodec("zstd-compressed: needs the optional package 'zstandard' (pip install zstandard)") \
                from None
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


def sniff(opener: Callable[[], IO[bytes]]) -> tuple[str, str | None]:
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
                except MissingCodec:
                    return "unsupported", name
                except OSError:
                    return "broken", name
                except Exception:  # EOFError, LZMAError, zlib.error, ZstdError: a damaged stream
                    return "broken", name
            return ("tar" if _is_tar(block) else "single"), name
    if _is_tar(first):
        return "tar", None
    return "unknown", None


def hash_all(opener: Callable[[], IO[bytes]]) -> tuple[str | None, str | None]:
    """sha256 and sha1 of a whole stream; (None, None) when it cannot be read."""
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    try:
        with opener() as stream:
            while chunk := stream.read(CHUNK):
                sha256.update(chunk)
                sha1.update(chunk)
    except OSError:
        return None, None
    return sha256.hexdigest(), sha1.hexdigest()


def sample_key(name: str) -> tuple[str, str]:
    """WebDataset sample key and extension: `dir/000123.seg.jpg` -> (`dir/000123`, `seg.jpg`)."""
    folder, _, base = name.rpartition("/")
    stem, _, ext = base.partition(".")
    return (f"{folder}/{stem}" if folder else stem), ext.lower()


_NOT_READ = {
    "unknown": "not a zip, tar or compressed file that can be read; members not scanned",
}


class ArchiveReader:
    """One pass over one archive: its format, then its members in order, then its hashes and the
    problems met on the way (a limit crossed, damage, a read error). Never raises for bad bytes;
    `open` errors of the first read propagate as OSError."""

    def __init__(self, opener: Callable[[], IO[bytes]], name: str, head_bytes: int, budget: Budget) -> None:
        self.opener, self.name, self.head_bytes, self.budget = opener, name, head_bytes, budget
        self.format, self.compression = sniff(opener)
        self.sha256: str | None = None
        self.sha1: str | None = None
        self.problems: list[Problem] = []
        self.read = 0

    @property
    def label(self) -> str:
        return self.format if not self.compression else f"{self.format}+{self.compression}"

    def unreadable(self) -> str | None:
        """Why the members cannot be read at all (unsupported, unknown or broken), or None."""
        if self.format == "unsupported":
            hint = " (install the optional package 'zstandard')" if self.compression == "zst" else ""
            return f"{self.compression} archives are not supported; members not scanned{hint}"
        if self.format == "broken":
            return f"corrupt {self.compression} stream; members not scanned"
        return _NOT_READ.get(self.format)

    def members(self) -> Iterator[Member]:
        """The members, streaming; when it ends, `sha256`, `sha1` and `problems` are set."""
        if self.unreadable():
            self.sha256, self.sha1 = hash_all(self.opener)
            return
        counting = Counting(self.opener())
        try:
            with counting.raw:
                yield from self._guarded(counting)
                if self.format != "zip":
                    counting.finish()
                    self.sha256, self.sha1 = counting.sha256.hexdigest(), counting.sha1.hexdigest()
        except OSError as exc:
            self.problems.append(Problem(ProblemKind.READ, f"read error: {exc.strerror or exc}"))
        if self.format == "zip" and not any(p.kind is ProblemKind.READ for p in self.problems):
            self.sha256, self.sha1 = hash_all(self.opener)

    def _guarded(self, counting: Counting) -> Iterator[Member]:
        if self.format == "zip":
            iterator = _zip_members(self.opener, self.head_bytes, self.budget)
        elif self.format == "tar":
            iterator = _tar_members(self.opener, self.head_bytes, self.budget, counting, self.compression)
        else:
            iterator = _single_member(self.name, self.compression or "gz", self.opener, counting, self.head_bytes,
                                      self.budget)
        try:
            for member in iterator:
                self.read += 1
                yield member
        except LimitExceeded as exc:
            self.problems.append(Problem(ProblemKind.CONTENT, str(exc)))
        except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, lzma.LZMAError, zlib.error,
                ValueError) as exc:
            self.problems.append(Problem(ProblemKind.CONTENT,
                                         f"archive is damaged after {self.read} member(s): {str(exc)[:200]}"))
        except Exception as exc:  # an unexpected library error on odd bytes is still a reason, not a crash
            self.problems.append(Problem(ProblemKind.CONTENT, f"cannot read the archive after {self.read} member(s):"
                                                              f" {type(exc).__name__}: {str(exc)[:200]}"))
