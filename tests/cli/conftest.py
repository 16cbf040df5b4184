"""A scan of the bundled example corpus, shared by the tests of commands that read saved scans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import provenance

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "corpus"


@pytest.fixture(scope="session")
def example_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """(corpus copy, output folder) of the example corpus scanned without reports."""
    root = tmp_path_factory.mktemp("example")
    corpus = root / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    provenance.scan(corpus, root / "out", reports=False)
    return root
