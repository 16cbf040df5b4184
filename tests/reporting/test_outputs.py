"""write_reports and `provenance report`: which files, byte-identical reruns, the PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli.report import report
from provenance.reporting import write_reports
from provenance.reporting.browser import find_chromium
from provenance.results import ScanResult
from tests.reporting.reporting_support import EPOCH, build_corpus

DEFAULT = {
    "data-legality.zh.md", "data-legality.en.md", "data-legality.zh.html", "data-legality.en.html",
    "manifest.spdx.json", "manifest.spdx3.jsonld", "eu-training-summary.md",
}


def test_default_outputs(built_scan: ScanResult, tmp_path: Path) -> None:
    run = write_reports(built_scan, tmp_path)
    assert run.ok and run.result.exit_code == built_scan.exit_code
    assert {p.name for p in run.written} == DEFAULT
    # No temporary files left behind; .cache keeps what the next rendering can reuse.
    assert {p.name for p in tmp_path.iterdir()} == DEFAULT | {".cache"}
    assert [p.name for p in (tmp_path / ".cache").iterdir()] == ["reports-v1.json"]


def test_reruns_are_byte_identical(built_scan: ScanResult, tmp_path: Path) -> None:
    first = write_reports(built_scan, tmp_path / "a").written
    second = write_reports(built_scan, tmp_path / "b").written
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_scan_then_report_in_fresh_processes_is_byte_identical(tmp_path: Path) -> None:
    """SOURCE_DATE_EPOCH fixes the scan time; different hash seeds must not change a byte."""
    corpus = build_corpus(tmp_path / "corpus")
    for run, seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed}
        scanned = subprocess.run([sys.executable, "-m", "provenance", "scan", str(corpus), "-o",
                                  str(tmp_path / f"scan-{run}"), "-q", "-j", "1"], env=env, capture_output=True)
        assert scanned.returncode == 1, scanned.stderr  # the gate fails on purpose (unlicensed files)
        subprocess.run([sys.executable, "-m", "provenance", "report", str(tmp_path / f"scan-{run}" / "scan.json"),
                        "-o", str(tmp_path / f"out-{run}")], env=env, check=True, capture_output=True)
    names = sorted(p.name for p in (tmp_path / "out-a").iterdir() if p.name != ".cache")
    assert set(names) == DEFAULT
    for name in names:
        assert (tmp_path / "out-a" / name).read_bytes() == (tmp_path / "out-b" / name).read_bytes(), name


def test_report_command_renders_from_saved_scan(built_scan: ScanResult, tmp_path: Path) -> None:
    scan_dir = tmp_path / "scan"
    shutil.copytree(Path(built_scan.output_dir or ""), scan_dir)
    out = tmp_path / "out"
    res = CliRunner().invoke(report, [str(scan_dir / "scan.json"), "-o", str(out), "--lang", "en", "--format", "md",
                                      "--spdx-files", "none"])
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir() if p.name != ".cache"} == {
        "data-legality.en.md", "manifest.spdx.json", "manifest.spdx3.jsonld", "eu-training-summary.md"}
    bad = CliRunner().invoke(report, [str(scan_dir), "-o", str(out), "--lang", "fr"])
    assert bad.exit_code == 2 and "unknown report language 'fr'" in bad.output


@pytest.mark.browser
def test_pdf_has_chinese_headings_and_is_reproducible(built_scan: ScanResult, tmp_path: Path) -> None:
    if find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils); CI installs it")
    a = write_reports(built_scan, tmp_path / "a", langs=("zh",), formats=("pdf",), manifests=False).written
    b = write_reports(built_scan, tmp_path / "b", langs=("zh",), formats=("pdf",), manifests=False).written
    pdf = tmp_path / "a" / "data-legality.zh.pdf"
    assert pdf in a
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("训练数据合法性说明", "1. 基本信息", "5. 来源合法性与可追溯", "11. 逐条结论", "12. 数据清单"):
        assert heading in text, heading
    # Hostile names print as text (pdftotext may interleave table columns, so check pieces).
    assert "hostile/<img src=x onerror=alert(1)>.txt" in text and "<script>alert(1)" in text
    assert pdf.read_bytes() == (tmp_path / "b" / "data-legality.zh.pdf").read_bytes()
    assert len(b) == 2
