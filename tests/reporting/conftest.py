"""Session fixtures for the reporting tests: the code-built corpus is scanned once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.results import ScanResult
from tests.reporting.reporting_support import build_corpus, scan_into


@pytest.fixture(scope="session")
def built_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanResult]:
    base = tmp_path_factory.mktemp("built")
    corpus = build_corpus(base / "corpus")
    yield scan_into(corpus, base / "scan")


@pytest.fixture(scope="session")
def built_reports(built_scan: ScanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from provenance.reporting import write_reports

    out = tmp_path_factory.mktemp("built-reports")
    run = write_reports(built_scan, out)
    assert run.ok, run.failed
    return out


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After PROVENANCE_UPDATE_GOLDEN=1: which golden files were rewritten and how."""
    from tests.reporting import golden_support

    if golden_support.UPDATES:
        terminalreporter.section("golden files rewritten (PROVENANCE_UPDATE_GOLDEN=1)")
        for update in golden_support.UPDATES:
            terminalreporter.write_line(update)
    elif os.environ.get("PROVENANCE_UPDATE_GOLDEN") == "1":
        terminalreporter.write_line("PROVENANCE_UPDATE_GOLDEN=1: no golden file changed")
