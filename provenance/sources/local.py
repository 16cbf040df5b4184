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
from provenance.sources.kinds import kind_in_folder, kind_of

IGNORE_FILE = ".provenanceignore"
SAVED_INFO = "dataset_info.json"
# Never corpus content: version-control folders and our own configuration at the root.
_IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__"})
_TOOL_FILES = frozenset({IGNORE_FILE, DECLARATIONS_FILE_NAME})


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ODD = re.compile(r"[\x00-\x1f\x7f\\\ud800-\udfff]")


def display_path(raw: str) -> tuple[str, str | None]:
    """A printable, UTF-8 path for results, and the problem with the raw name if any."""
    if not _ODD.search(raw):
        return raw, None
    problem = None
    # A backslash in a name is doubled, so that no name can read like another's escape
    # (a file literally named "\xff" and one named with the byte 0xff).
    text = raw.replace("\\", "\\\\")
    if _SURROGATE.search(raw):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
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
        self.root = Path(os.path.abspath(path))  # "a/../b" shown as "b" in every output
        self.single_file = not path.is_dir()
        self.follow_symlinks = follow_symlinks
        self._skip_paths = tuple(skip_dirs)
        patterns = list(exclude)
        ignore_file = self.root / IGNORE_FILE
        if not self.single_file and ignore_file.is_file():
            patterns += ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        self.has_patterns = any(p.strip() and not p.lstrip().startswith("#") for p in patterns)
        self.ignore = pathspec.GitIgnoreSpec.from_lines(patterns)
        #: Every pattern that leaves files out (--exclude and the root's .provenanceignore), for scan.json.
        self.patterns = tuple(p.strip() for p in patterns if p.strip() and not p.lstrip().startswith("#"))
        #: Items left out by those patterns and version-control folders in the last walk.
        self.ignored = 0
        label = name or self.root.name or str(self.root)
        # Shown in every output: a folder name that is not valid UTF-8 is escaped like file names.
        self.info = SourceInfo(name=display_path(label)[0], kind="local", root=display_path(str(self.root))[0])

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
        skip = {(st.st_dev, st.st_ino) for st in map(_stat_or_none, self._skip_paths) if st}
        self.ignored = 0
        if self.single_file:
            # Pass 1 takes the file only when it is a license file or card (else it was read twice).
            if not metadata_only or kind_of(self.root.name) in METADATA_KINDS:
                yield self._file(str(self.root), self.root.name)
            return
        try:
            st = os.stat(self.root)
        except OSError as exc:
            yield Unreadable(".", f"cannot read the folder: {exc.strerror}")
            return
        root_key = (st.st_dev, st.st_ino)
        seen = {root_key: "."}  # every folder entered, by identity, with the path it was scanned under
        match = self.ignore.match_file if self.has_patterns else None
        # Depth-first with an explicit stack of sorted listings: same order as a recursive walk,
        # without a generator frame per folder.
        stack: list[tuple[str, Iterator[os.DirEntry[str]], bool, tuple[int, int]]] = []
        listing = self._list(str(self.root), "")
        if isinstance(listing, Unreadable):
            yield listing
            return
        stack.append(("", *listing, root_key))
        while stack:
            rel_dir, items, saved, _ = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
                continue
            name = item.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not rel_dir and name in _TOOL_FILES:
                continue
            try:
                is_link = item.is_symlink()
                is_dir = not is_link and item.is_dir(follow_symlinks=False)
            except OSError as exc:
                yield Unreadable(display_path(rel)[0], f"cannot stat: {exc.strerror}")
                continue
            if (is_dir and name in _IGNORED_DIRS) or (match and match(rel + "/" if is_dir else rel)):
                self.ignored += 1
                continue
            if is_link:
                if metadata_only and not self.follow_symlinks:
                    continue
                target = self._link(item.path, rel)
                if isinstance(target, str):  # a followed link to a folder
                    is_dir = True
                else:
                    # Pass 1 takes the license files and cards that links lead to, pass 2 the rest.
                    yield from (t for t in target if not metadata_only
                                or (isinstance(t, Entry) and t.asset.kind in METADATA_KINDS))
                    continue
            if is_dir:
                try:
                    dst = os.stat(item.path)
                except OSError as exc:
                    yield Unreadable(display_path(rel)[0], f"cannot stat folder: {exc.strerror}")
                    continue
                key = (dst.st_dev, dst.st_ino)
                if key in skip:
                    if not metadata_only:
                        yield Skipped(display_path(rel)[0], "this scan's output or cache folder; not scanned")
                    continue
                if any(key == k for _, _, _, k in stack):
                    yield Unreadable(display_path(rel)[0], "symlink loop: a link back to a folder it is in")
                    continue
                if key in seen:  # another name for a folder scanned already: not a loop, not twice
                    yield Skipped(display_path(rel)[0], f"same folder as {seen[key]}, scanned there")
                    continue
                seen[key] = display_path(rel)[0]
                listing = self._list(item.path, rel)
                if isinstance(listing, Unreadable):
                    yield listing
                else:
                    stack.append((rel, *listing, key))
            elif not metadata_only or kind_in_folder(name, saved, rel_dir) in METADATA_KINDS:
                yield self._file(item.path, rel, saved)

    @staticmethod
    def _list(os_dir: str, rel_dir: str) -> tuple[Iterator[os.DirEntry[str]], bool] | Unreadable:
        """The folder's entries in name order, and whether it holds a save_to_disk dataset_info.json."""
        try:
            with os.scandir(os_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            return Unreadable(display_path(rel_dir)[0] or ".", f"cannot list the folder: {exc.strerror or exc}")
        return iter(entries), any(e.name == SAVED_INFO for e in entries)

    def _link(self, os_path: str, rel: str) -> list[Listed] | str:
        """What a symlink becomes: an error, a skip, a followed file, or (a str) a folder to enter."""
        shown = display_path(rel)[0]
        try:
            st = os.stat(os_path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return [Unreadable(shown, "symlink loop")]
            if exc.errno == errno.ENOENT:
                return [Unreadable(shown, f"broken symlink (target {os.readlink(os_path)!r} does not exist)")]
            return [Unreadable(shown, f"cannot follow symlink: {exc.strerror}")]
        if not self.follow_symlinks:
            return [Skipped(shown, "symlink not followed (use --follow-symlinks to include it)")]
        if stat.S_ISDIR(st.st_mode):
            return os_path
        return [self._file(os_path, rel)]

    def _file(self, os_path: str, rel: str, saved: bool = False) -> Listed:
        shown, problem = display_path(rel)
        try:
            st = os.stat(os_path) if self.follow_symlinks else os.lstat(os_path)
        except FileNotFoundError:
            return Unreadable(shown, "file vanished during the scan")
        except OSError as exc:
            return Unreadable(shown, f"cannot stat: {exc.strerror}")
        mode = st.st_mode
        if not stat.S_ISREG(mode):
            what = ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
                    else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")
            return Unreadable(shown, f"{what}: not a regular file, never opened")
        name = shown.rsplit("/", 1)[-1]
        kind = kind_in_folder(name, saved, rel.rpartition("/")[0])
        asset = Asset(path=shown, kind=kind, size=st.st_size, source=self.info.name, mtime_ns=st.st_mtime_ns)
        return Entry(asset=asset, handle=os_path, problem=problem, ctime_ns=st.st_ctime_ns)

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
