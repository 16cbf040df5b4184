"""Terminal output: a progress line and the closing summary. Nothing here decides anything."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

import click

from provenance.results import ScanResult


def split_list(value: str) -> tuple[str, ...]:
    """"zh, en" -> ("zh", "en")"""
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


class ProgressLine:
    """files, bytes, rate and ETA on one self-overwriting line of stderr (terminals only)."""

    def __init__(self, total_files: int = 0, total_bytes: int = 0) -> None:
        self.enabled = sys.stderr.isatty()
        self.files = 0
        self.bytes = 0
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.start = time.monotonic()
        self._last = 0.0

    def __call__(self, files: int, size: int) -> None:
        self.files += files
        self.bytes += size
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-6)
        rate = self.bytes / elapsed
        line = f"  {self.files} files  {_size(self.bytes)}  {_size(rate)}/s"
        if self.total_bytes and rate > 0:
            eta = max(self.total_bytes - self.bytes, 0) / rate
            line += f"  ETA {int(eta // 60)}:{int(eta % 60):02d}"
        click.echo("\r" + line.ljust(70), err=True, nl=False)

    def done(self) -> None:
        if self.enabled:
            click.echo("\r" + " " * 70 + "\r", err=True, nl=False)


def print_failures(failed: Iterable[Any]) -> None:
    """One line on stderr for each output that could not be written (a ReportFailure)."""
    for f in failed:
        click.echo(f"provenance: {f.name} was not written: {f.reason} (the other outputs were written; "
                   "recorded in scan.json under reports.failed; exit 3)", err=True)


def summary_dict(result: ScanResult) -> dict[str, Any]:
    s = result.summary
    v = result.verdict
    return {
        "status": v.status.value, "exit_code": v.exit_code, "reasons": list(v.reasons),
        "assets": s["assets"], "bytes": s["bytes"], "records": s["records"], "errors": s["errors"],
        "skipped": v.skipped, "use_classes": {k: x["assets"] for k, x in s["by_use_class"].items()},
        "findings": s["findings_by_rule"], "output": result.output_dir,
    }


def print_summary(result: ScanResult) -> None:
    s = result.summary
    v = result.verdict
    click.echo(f"Scanned {s['assets']} assets, {_size(s['bytes'])}, {s['records']} records  "
               f"(knowledge base {result.knowledge_base})")
    if s["by_use_class"]:
        click.echo("\n  use class          assets        size")
        for name, x in s["by_use_class"].items():
            click.echo(f"  {name:<16} {x['assets']:>8} {_size(x['bytes']):>11}")
    if s["findings_by_rule"]:
        click.echo("\n  finding              assets  gate")
        failed = {rule for rule, _ in v.failed}
        for rule, n in s["findings_by_rule"].items():
            click.echo(f"  {rule:<20} {n:>6}  {'FAIL' if rule in failed else ''}")
    colour = {"pass": "green", "fail": "red", "incomplete": "yellow"}[v.status.value]
    click.echo("\nVerdict: " + click.style(v.status.value.upper(), fg=colour, bold=True)
               + f" (exit {v.exit_code}, policy {v.policy}, use {v.use})")
    for reason in v.reasons:
        click.echo(f"  - {reason}")
    for w in v.waived:
        click.echo(f"  - waived {w.rule} on {w.pattern} ({w.assets}): {w.reason}")
    click.echo(f"Results in {result.output_dir}/")
