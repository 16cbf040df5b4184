"""The installed package carries its data: a plain `pip install .` must work."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import provenance

REPO = Path(__file__).resolve().parents[1]


def _installed_location() -> Path | None:
    try:
        dist = importlib.metadata.distribution("provenance")
    except importlib.metadata.PackageNotFoundError:
        return None
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        return None
    return Path(str(dist.locate_file("provenance")))


def test_installed_wheel_has_licenses_reports_and_schema(tmp_path: Path) -> None:
    location = _installed_location()
    if location is None:
        pytest.skip("provenance is not installed as a wheel here (tests/run.sh installs it)")
    code = (
        "import provenance.resources as r, provenance.results as res, provenance.licensing.kb as kb;"
        "print(r.data_dir('licenses')); print(r.data_dir('reports')); print(kb.load_kb().version);"
        "print(len(res.result_schema()['properties']))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0].endswith("provenance/_data/licenses") and str(location) in out[0]
    assert out[1].endswith("provenance/_data/reports")
    assert out[2] == (Path(__file__).resolve().parents[1] / "licenses/VERSION").read_text().strip()
    assert int(out[3]) > 5


def test_suite_imports_the_package_it_claims() -> None:
    """An installed wheel is what the suite imports, not the source tree beside it; tests/run.sh
    (CI) installs one and says so with PROVENANCE_TESTS_INSTALLED=1."""
    location = _installed_location()  # None: an editable install (or none at all)
    imported = Path(provenance.__file__).resolve().parent
    if os.environ.get("PROVENANCE_TESTS_INSTALLED") == "1":
        assert location is not None, "tests/run.sh installs a wheel, but provenance is editable or not installed"
    if location is not None:
        assert imported == location.resolve(), f"the suite imported {imported}, not the installed {location}"
        assert imported != REPO / "provenance"  # not the source tree (a venv inside the checkout is fine)
    else:
        assert imported == REPO / "provenance"  # an editable install is the source tree
