"""Atomic writes: a reader sees the old file or the whole new one, never half of it.

Files written here get the permissions any other file of the process would get (0666 less the
umask), like assets.parquet: `mkstemp` alone makes them 0600, which hid scan.json and the reports
from the group a corpus is shared with."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from provenance.errors import ConfigError


def current_umask() -> int:
    """The process umask, read without changing it where the system says it (Linux /proc);
    elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a newly created regular file gets: 0666 less the umask."""
    return 0o666 & ~current_umask()


def follow_umask(fd_or_path: int | str | Path) -> None:
    """Give a file made by `mkstemp` (0600) the mode an ordinary new file would have."""
    if isinstance(fd_or_path, int):
        os.fchmod(fd_or_path, file_mode())
    else:
        os.chmod(fd_or_path, file_mode())


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        follow_umask(fd)
        handle: IO[Any] = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_file(path, "w") as handle:
        handle.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_file(path, "wb") as handle:
        handle.write(data)


def write_new_text(path: str | Path, text: str) -> None:
    """Write a file that must not exist yet, whole or not at all: written beside it, then linked
    into place (a link fails when the name is taken, even if it appeared a moment ago). Raises
    FileExistsError when it exists."""
    target = Path(path)
    with atomic_file(target.with_name(f".{target.name}.new"), "w") as handle:
        handle.write(text)
    staged = target.with_name(f".{target.name}.new")
    try:
        os.link(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def ensure_output_dir(path: str | Path, what: str = "output folder") -> Path:
    """Create the folder results go to and check a file can be written in it. Raises ConfigError
    with one line naming the problem (a file in the way, no permission, a read-only disk), so a
    bad `-o` is a usage error before any work is done, not a traceback after it."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"the {what} {folder} is a file, not a folder; choose another -o")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the {what} {folder}: {exc.strerror or exc}") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".provenance-write-check.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ConfigError(f"cannot write in the {what} {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)
    return folder
