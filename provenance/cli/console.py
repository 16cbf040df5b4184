"""Terminal output: progress, the closing summary, errors; text for people or JSON lines for
pipelines. Nothing here decides anything.

Colour is used only when the stream is a terminal and `NO_COLOR` is not set (https://no-color.org);
the progress line only on a terminal; with `--log-format json` every message is one JSON object a
line on stderr (events: start, progress, unreadable, skipped, done, error, interrupted)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import click

from provenance.results import SCAN_JSON, ScanResult

#: Unreadable and skipped items named on the console; the rest are in scan.json.
SHOWN_PROBLEMS = 5
#: Seconds between progress events in JSON logs.
JSON_PROGRESS_EVERY = 2.0
LOG_FORMATS = ("text", "json")
#: Folders the walk leaves out by default; the estimate of the work ahead leaves them out too.
_VCS = frozenset({".git", ".hg", ".svn"})


def split_list(value: str) -> tuple[str, ...]:
    """"zh, en" -> ("zh", "en")"""
    return tuple(v.strip() for v in value.split(",") if v.strip())


def use_color(stream: IO[str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything or TERM is dumb."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def size_text(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Console:
    """Where a command talks: styled text on stdout/stderr, or JSON lines on stderr."""

    def __init__(self, log_format: str = "text", quiet: bool = False, text: bool = True) -> None:
        self.json = log_format == "json"
        #: Nothing but errors.
        self.quiet = quiet
        #: Lines for people on stdout (off when stdout carries JSON, or in JSON logs).
        self.text = text and not quiet and not self.json
        self.color = use_color(sys.stdout)
        self.err_color = use_color(sys.stderr)

    def style(self, text: str, err: bool = False, **styles: Any) -> str:
        return click.style(text, **styles) if (self.err_color if err else self.color) else text

    def echo(self, text: str = "") -> None:
        """A line for people (stdout); nothing in quiet or JSON mode."""
        if self.text:
            click.echo(text, color=self.color)

    def event(self, name: str, **fields: Any) -> None:
        """A JSON line on stderr (JSON mode only; in quiet mode only errors and interruptions)."""
        if self.json and (not self.quiet or name in ("error", "interrupted")):
            line = json.dumps({"event": name, "time": round(time.time(), 3), **fields}, ensure_ascii=False,
                              default=str)
            click.echo(line, err=True)

    def error(self, message: str, exit_code: int) -> None:
        """One line naming the problem (text), or an `error` event (JSON)."""
        if self.json:
            self.event("error", message=message, exit_code=exit_code)
        else:
            click.echo("provenance: " + self.style(message, err=True, fg="red"), err=True, color=self.err_color)


class WorkEstimate:
    """Files and bytes under a local folder, counted in a background thread so the progress line
    can show an ETA without delaying the scan. Approximate: ignore files are not read."""

    def __init__(self, root: Path, skip: Sequence[Path] = ()) -> None:
        self.files = 0
        self.bytes = 0
        self.done = False
        self._skip = {os.path.realpath(p) for p in skip}
        self._thread = threading.Thread(target=self._count, args=(str(root),), daemon=True,
                                        name="provenance-estimate")
        self._thread.start()

    def _count(self, root: str) -> None:
        files = size = 0
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                if entry.name not in _VCS and os.path.realpath(entry.path) not in self._skip:
                                    stack.append(entry.path)
                            elif entry.is_file(follow_symlinks=False):
                                files += 1
                                size += entry.stat(follow_symlinks=False).st_size
                        except OSError:
                            continue
            except OSError:
                continue
        self.files, self.bytes, self.done = files, size, True


class Progress:
    """Assets, bytes and records done, with rates and (when the work ahead is known) an ETA: one
    self-overwriting line on a terminal's stderr, a `progress` event every few seconds in JSON
    logs, nothing otherwise. Called by the scanner as (assets, bytes, records)."""

    def __init__(self, console: Console, estimate: WorkEstimate | None = None,
                 every: float | None = None) -> None:
        self.console = console
        self.estimate = estimate
        self.line = console.text and sys.stderr.isatty()
        self.every = every if every is not None else (JSON_PROGRESS_EVERY if console.json else 0.1)
        self.files = self.bytes = self.records = 0
        self.start = time.monotonic()
        self._last: float | None = None

    @property
    def active(self) -> bool:
        return self.line or (self.console.json and not self.console.quiet)

    def __call__(self, files: int, size: int, records: int = 0) -> None:
        self.files += files
        self.bytes += size
        self.records += records
        now = time.monotonic()
        if not self.active or (self._last is not None and now - self._last < self.every):
            return
        self._last = now
        self.show(now)

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        elapsed = max((now or time.monotonic()) - self.start, 1e-6)
        out: dict[str, Any] = {
            "files": self.files, "bytes": self.bytes, "records": self.records, "elapsed_s": round(elapsed, 1),
            "files_per_s": round(self.files / elapsed, 1), "bytes_per_s": round(self.bytes / elapsed),
        }
        est = self.estimate
        if est is not None and est.done:
            out.update(total_files=est.files, total_bytes=est.bytes)
            if est.bytes and self.bytes:
                out["eta_s"] = round(max(est.bytes - self.bytes, 0) / (self.bytes / elapsed), 1)
            elif est.files and self.files:
                out["eta_s"] = round(max(est.files - self.files, 0) / (self.files / elapsed), 1)
        return out

    def show(self, now: float | None = None) -> None:
        snap = self.snapshot(now)
        if self.console.json:
            self.console.event("progress", **snap)
            return
        text = (f"  {snap['files']:,} files  {size_text(snap['bytes'])}  {snap['records']:,} records"
                f"  {snap['files_per_s']:,.0f} files/s  {size_text(snap['bytes_per_s'])}/s")
        if "total_files" in snap:
            text = text.replace(" files ", f"/{snap['total_files']:,} files ", 1)
        if "eta_s" in snap:
            text += f"  ETA {_duration(snap['eta_s'])}"
        click.echo("\r" + text.ljust(96), err=True, nl=False)

    def done(self) -> None:
        if self.line:
            click.echo("\r" + " " * 96 + "\r", err=True, nl=False)
        elif self.console.json and self.files:
            self.show()


def summary_dict(result: ScanResult) -> dict[str, Any]:
    s = result.summary
    v = result.verdict
    return {
        "status": v.status.value, "exit_code": v.exit_code, "reasons": list(v.reasons),
        "assets": s["assets"], "bytes": s["bytes"], "records": s["records"], "errors": s["errors"],
        "skipped": v.skipped, "use_classes": {k: x["assets"] for k, x in s["by_use_class"].items()},
        "findings": s["findings_by_rule"], "output": result.output_dir,
        "unreadable": [{"path": e.path, "reason": e.reason} for e in _unreadable(result)[:SHOWN_PROBLEMS]],
    }


def _unreadable(result: ScanResult) -> list[Any]:
    return [e for e in result.errors if e.severity == "error"]


def print_problems(console: Console, result: ScanResult) -> None:
    """The first unreadable and skipped items with their reasons, and where the full lists are."""
    where = Path(result.output_dir or ".") / SCAN_JSON
    unreadable = _unreadable(result)
    if console.json:
        for e in unreadable[:SHOWN_PROBLEMS]:
            console.event("unreadable", path=e.path, reason=e.reason, source=e.source)
        for s in result.skipped[:SHOWN_PROBLEMS]:
            console.event("skipped", path=s.get("path"), reason=s.get("reason"))
        return
    for title, items, key in (("could not be read", [(e.path, e.reason) for e in unreadable], "errors"),
                              ("skipped", [(s.get("path", ""), s.get("reason", "")) for s in result.skipped],
                               "skipped")):
        if not items:
            continue
        shown = min(len(items), SHOWN_PROBLEMS)
        head = f"\n{len(items)} item(s) {title}" + (f" (first {shown})" if len(items) > shown else "") + ":"
        console.echo(console.style(head, fg="yellow"))
        for path, reason in items[:shown]:
            console.echo(f"  {path}: {reason}")
        console.echo(f"  full list: {where} ('{key}')")
    empty = len(result.errors) - len(unreadable)
    if empty:
        console.echo(f"\n{empty} empty file(s) listed as warnings in {where} ('errors')")


def use_class_label(name: str) -> str:
    """scan.json's key for data assets without a license is "none"; a reader sees what it means."""
    return "no license" if name == "none" else name


def print_summary(result: ScanResult, console: Console | None = None) -> None:
    console = console or Console()
    if console.json:
        console.event("done", **summary_dict(result))
        print_problems(console, result)
        return
    s = result.summary
    v = result.verdict
    console.echo(f"Scanned {s['assets']} assets, {size_text(s['bytes'])}, {s['records']} records  "
                 f"(knowledge base {result.knowledge_base})")
    if s["by_use_class"]:
        console.echo("\n  use class (data)   assets        size")
        for name, x in s["by_use_class"].items():
            console.echo(f"  {use_class_label(name):<16} {x['assets']:>8} {size_text(x['bytes']):>11}")
    if s["findings_by_rule"]:
        console.echo("\n  finding              assets  gate")
        failed = {rule for rule, _ in v.failed}
        for rule, n in s["findings_by_rule"].items():
            gate = console.style("FAIL", fg="red") if rule in failed else ""
            console.echo(f"  {rule:<20} {n:>6}  {gate}".rstrip())
    print_problems(console, result)
    colour = {"pass": "green", "fail": "red", "incomplete": "yellow"}[v.status.value]
    console.echo("\nVerdict: " + console.style(v.status.value.upper(), fg=colour, bold=True)
                 + f" (exit {v.exit_code}, policy {v.policy}, use {v.use})")
    for reason in v.reasons:
        console.echo(f"  - {reason}")
    for w in v.waived:
        console.echo(f"  - waived {w.rule} on {w.pattern} ({w.assets}): {w.reason}")
    console.echo(f"Results in {result.output_dir}/")


def print_failures(failed: Iterable[Any], console: Console | None = None) -> None:
    """One line on stderr for each output that could not be written (a ReportFailure)."""
    for f in failed:
        message = (f"{f.name} was not written: {f.reason} (the other outputs were written; recorded in"
                   " scan.json under reports.failed; exit 3)")
        if console is not None:
            console.error(message, 3)
        else:
            click.echo(f"provenance: {message}", err=True)
