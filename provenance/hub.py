"""What every part that talks to the Hugging Face Hub shares: where the local Hub cache is, whether
we are offline, the layout of a cached dataset, and keeping the user's token out of messages.

Below the sources (which list Hub datasets) and the detectors (lineage looks upstream datasets up),
so neither has to import the other. `huggingface_hub` is imported only where it is needed: a local
scan works without it, and Hub ids then fail with an install hint.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import MissingExtraError


def require(module: str = "huggingface_hub") -> None:
    """Fail with an install hint when the optional Hugging Face libraries are missing."""
    try:
        importlib.import_module(module)
    except ImportError:
        raise MissingExtraError("scanning Hugging Face datasets", "hf", module) from None


def hub_cache_dir() -> Path:
    """The Hub cache the Hugging Face libraries use, read from the environment at call time."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return Path(os.environ[var]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "huggingface" / "hub"


def is_offline() -> bool:
    """Offline as the Hugging Face libraries understand it (read now, and as they read it at import)."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("HF_DATASETS_OFFLINE") or ""
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        from huggingface_hub import constants  # optional at run time (see the module docstring)
    except ImportError:
        return False
    return bool(constants.HF_HUB_OFFLINE)


def redact(text: str) -> str:
    """Remove the user's token from a message (errors from HTTP libraries may echo headers)."""
    tokens = {os.environ.get("HF_TOKEN"), os.environ.get("HUGGING_FACE_HUB_TOKEN")}
    try:
        from huggingface_hub import get_token  # optional at run time

        tokens.add(get_token())
    except Exception:  # no library, no token configured, or an unreadable token file: nothing to hide
        pass
    for token in tokens:
        if token:
            text = text.replace(token, "***")
    return re.sub(r"hf_[A-Za-z0-9]{20,}", "hf_***", text)


# The libraries that talk to the Hub for us, and log what they send and receive (URLs at INFO,
# response headers at DEBUG): a server echoing the token there would put it in the user's logs.
_HTTP_LOGGERS = ("huggingface_hub", "httpx", "httpx2", "httpcore", "httpcore2", "urllib3", "requests", "fsspec",
                 "datasets", "aiohttp")
_in_filter = threading.local()


class _RedactingFilter(logging.Filter):
    """Takes the token out of a log record's message and traceback text; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_in_filter, "active", False):  # get_token() may log itself
            return True
        _in_filter.active = True
        try:
            message = record.getMessage()
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        except Exception:  # a record that cannot be formatted is left to the handler to report
            pass
        finally:
            _in_filter.active = False
        return True


_FILTER = _RedactingFilter()


def redact_logs() -> None:
    """Put the token filter on every logger of the HTTP and Hub libraries that exists now (a filter
    on a logger does not see its children's records, so each is filtered). Called before each
    request to the Hub: loggers of modules imported since are covered then."""
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".", 1)[0] in _HTTP_LOGGERS \
                and _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def short_reason(exc: BaseException) -> str:
    """The first telling line of an exception's message (libraries raise long multi-line ones;
    huggingface_hub puts a bare "(Request ID: ...)" line first)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    telling = [line for line in lines if not line.startswith("(Request ID")]
    text = (telling or lines or [type(exc).__name__])[0]
    return text[:300]


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of a failed request (huggingface_hub and requests/httpx errors), or None."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


@dataclass(frozen=True)
class CachedDataset:
    """One `datasets--ORG--NAME` folder of a Hub cache, read as plain files."""

    repo_id: str
    folder: Path

    def refs(self) -> dict[str, str]:
        """Branch or tag name -> commit sha, from `refs/` (nested names such as `pr/1` too)."""
        out: dict[str, str] = {}
        base = self.folder / "refs"
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    sha = path.read_text(encoding="utf-8", errors="replace").strip()
                    out[path.relative_to(base).as_posix()] = sha
        return out

    def snapshots(self) -> list[str]:
        base = self.folder / "snapshots"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    def default_revision(self) -> str | None:
        """`main` when the cache has it, else the only or the newest snapshot."""
        sha = self.refs().get("main")
        if sha and (self.folder / "snapshots" / sha).is_dir():
            return sha
        snaps = self.snapshots()
        if not snaps:
            return None
        return max(snaps, key=lambda s: (self.folder / "snapshots" / s).stat().st_mtime_ns)


def cached_dataset_folder(cache: Path, repo_id: str) -> Path:
    return cache / ("datasets--" + repo_id.replace("/", "--"))
