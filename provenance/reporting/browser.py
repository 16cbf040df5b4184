"""Headless Chromium (Debian's `chromium`), used to print the HTML section to PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from provenance.errors import ReportError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio",
)


def find_chromium() -> str | None:
    override = os.environ.get("PROVENANCE_CHROMIUM")
    if override:
        return override
    return next((p for name in CANDIDATES if (p := shutil.which(name))), None)


def run_chromium(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """Run chromium with a fresh empty profile folder and the offline flags."""
    binary = find_chromium()
    if binary is None:
        raise ReportError("PDF output needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="provenance-chromium-") as profile:
        cmd = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportError(f"chromium failed: {exc}") from None


def print_to_pdf(html_file: Path, pdf_file: Path) -> None:
    proc = run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf_file}", html_file.resolve().as_uri()])
    if not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        raise ReportError(f"chromium did not print a PDF (exit {proc.returncode}): {proc.stderr[-500:]}")
