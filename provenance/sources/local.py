"""A folder (or one file) on the local file system."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pathspec

from provenance.declarations import DECLARATIONS_FILE_NAME
from provenance.errors import SourceError
from provenance.model import METADATA_KINDS, Asset, SourceInfo
from provenance.sources.interface import Entry, Listed, Skipped, Source, Unreadable
from provenance.sources.kinds import kind_of

IGNORE_FILE = ".provenanceignore"
# Never corpus content: version-control folders and our own configuration at the root.
ALWAYS_IGNORED = (".git/", ".hg/", ".svn/", "__pycache__/")
_TOOL_FILES = frozenset({IGNORE_FILE, DECLARATIONS_FILE_NAME})


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def display_path(raw: str) -> tuple[str, str | None]:
    """A printable, UTF-8 path for results, and the problem with the raw name if any."""
    problem = None
    text = raw
    if _SURROGATE.search(raw):
        text = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        problem = "file name is not valid UTF-8 (shown with \\x escapes)"
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
        problem = problem or "file name contains control characters (shown with \\x escapes)"
    return text, problem


class LocalSource(Source):
    """Walks a folder in sorted order; never follows symlinks unless asked; never opens
    FIFOs, sockets or devices."""

    def __init__(
        self,
        root: str | Path,
        *,
        name: str | None = None,
        exclude: Iterable[str] = (),
        follow_symlinks: bool = False,
        skip_dirs: Iterable[str | Path] = (),
    ) -> None:
        path = Path(root).expanduser()
        if not path.exists() and not path.is_symlink():
            raise SourceError(f"no such file or folder: {root}")
        self.root = path.absolute()
        self.single_file = not path.is_dir()
        self.follow_symlinks = follow_symlinks
        self._skip_paths = tuple(skip_dirs)
        self._skip: set[tuple[int, int]] = set()
        patterns = list(ALWAYS_IGNORED) + list(exclude)
        ignore_file = self.root / IGNORE_FILE
        if not self.single_file and ignore_file.is_file():
            patterns += ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        self.ignore = pathspec.GitIgnoreSpec.from_lines(patterns)
        self.ignored = 0
        self._metadata_only = False
        label = name or self.root.name or str(self.root)
        self.info = SourceInfo(name=label, kind="local", root=str(self.root))

    # -- listing -----------------------------------------------------------------------
    def entries(self) -> Iterator[Listed]:
        yield from self._entries(metadata_only=False)

    def scope_entries(self) -> Iterator[Entry]:
        # Only license files and cards are stat'ed: pass 1 of a scan stays cheap.
        for item in self._entries(metadata_only=True):
            if isinstance(item, Entry):
                yield item

    def _entries(self, metadata_only: bool) -> Iterator[Listed]:
        # Resolved now, not at construction: the output folder may be created in between.
        self._skip = {(st.st_dev, st.st_ino) for st in map(_stat_or_none, self._skip_paths) if st}
        self.ignored = 0
        self._metadata_only = metadata_only
        if self.single_file:
            yield from self._file(str(self.root), self.root.name)
            return
        seen_dirs: set[tuple[int, int]] = set()
        try:
            st = os.stat(self.root)
            seen_dirs.add((st.st_dev, st.st_ino))
        except OSError as exc:
            yield Unreadable(".", f"cannot read the folder: {exc.strerror}")
            return
        yield from self._walk(str(self.root), "", seen_dirs)

    def _walk(self, os_dir: str, rel_dir: str, seen: set[tuple[int, int]]) -> Iterator[Listed]:
        try:
            with os.scandir(os_dir) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Unreadable(rel_dir or ".", f"cannot list the folder: {exc.strerror or exc}")
            return
        for item in items:
            rel = f"{rel_dir}/{item.name}" if rel_dir else item.name
            if not rel_dir and item.name in _TOOL_FILES:
                continue
            try:
                is_dir = item.is_dir(follow_symlinks=False)
                is_link = item.is_symlink()
            except OSError as exc:
                yield Unreadable(display_path(rel)[0], f"cannot stat: {exc.strerror}")
                continue
            if self.ignore.match_file(rel + "/" if is_dir else rel):
                self.ignored += 1
                continue
            if self._metadata_only and not is_dir and (is_link or kind_of(item.name) not in METADATA_KINDS):
                continue
            if is_link:
                yield from self._link(item.path, rel, display_path(rel)[0], seen)
            elif is_dir:
                yield from self._dir(item.path, rel, seen)
            else:
                yield from self._file(item.path, rel)

    def _dir(self, os_path: str, rel: str, seen: set[tuple[int, int]]) -> Iterator[Listed]:
        try:
            st = os.stat(os_path)
        except OSError as exc:
            yield Unreadable(display_path(rel)[0], f"cannot stat folder: {exc.strerror}")
            return
        key = (st.st_dev, st.st_ino)
        if key in self._skip:
            return
        if key in seen:
            yield Unreadable(display_path(rel)[0], "symlink loop: folder already visited")
            return
        seen.add(key)
        yield from self._walk(os_path, rel, seen)

    def _link(self, os_path: str, rel: str, shown: str, seen: set[tuple[int, int]]) -> Iterator[Listed]:
        try:
            st = os.stat(os_path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                yield Unreadable(shown, "symlink loop")
            elif exc.errno == errno.ENOENT:
                yield Unreadable(shown, f"broken symlink (target {os.readlink(os_path)!r} does not exist)")
            else:
                yield Unreadable(shown, f"cannot follow symlink: {exc.strerror}")
            return
        if not self.follow_symlinks:
            yield Skipped(shown, "symlink not followed (use --follow-symlinks to include it)")
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self._dir(os_path, rel, seen)
        else:
            yield from self._file(os_path, rel)

    def _file(self, os_path: str, rel: str) -> Iterator[Listed]:
        shown, problem = display_path(rel)
        try:
            st = os.stat(os_path) if self.follow_symlinks else os.lstat(os_path)
        except FileNotFoundError:
            yield Unreadable(shown, "file vanished during the scan")
            return
        except OSError as exc:
            yield Unreadable(shown, f"cannot stat: {exc.strerror}")
            return
        mode = st.st_mode
        if not stat.S_ISREG(mode):
            what = ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
                    else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")
            yield Unreadable(shown, f"{what}: not a regular file, never opened")
            return
        name = shown.rsplit("/", 1)[-1]
        asset = Asset(path=shown, kind=kind_of(name), size=st.st_size, source=self.info.name, mtime_ns=st.st_mtime_ns)
        yield Entry(asset=asset, handle=os_path, problem=problem)

    # -- reading -----------------------------------------------------------------------
    def open(self, entry: Entry) -> IO[bytes]:
        return open_regular(entry.handle, follow_symlinks=self.follow_symlinks)

    def local_path(self, entry: Entry) -> str | None:
        return entry.handle


def _stat_or_none(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def open_regular(path: str, *, follow_symlinks: bool = False) -> IO[bytes]:
    """Open a regular file for reading without ever blocking on a FIFO or following a swapped-in link."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file (it changed during the scan)")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise
