"""A scan the caller gave no output folder writes to a temporary one that lasts as long as the
result: `result.assets()` works while it is held, nothing is left in the temp folder after."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import provenance
from provenance.errors import ProvenanceError

SCRIPT = textwrap.dedent("""
    import gc, os, sys
    from pathlib import Path
    import datasets
    import provenance

    ds = datasets.Dataset.from_dict({"text": ["a", "b", "c"], "license": ["cc-by-4.0", "mit", "cc-by-nc-4.0"]})
    result = provenance.scan_dataset(ds, name="demo")
    folder = Path(result.output_dir)
    assert folder.is_dir() and folder.parent == Path(sys.argv[1]), folder
    rows = list(result.assets(columns=["path", "license"]))
    assert rows and rows[0]["license"], rows
    kept, dropped = provenance.filter_dataset(ds, result)
    assert kept.num_rows == 2 and sum(dropped.values()) == 1, (kept, dropped)
    del result
    gc.collect()
    assert not folder.exists(), "the folder outlived its result"
    # A result still held at exit: its folder goes with the interpreter.
    held = provenance.scan_dataset(ds, name="held")
    print(held.output_dir)
""")


def test_scan_dataset_without_output_leaves_nothing_behind(tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "HF_DATASETS_CACHE": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(temp)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    held = Path(done.stdout.strip().splitlines()[-1])
    assert held.parent == temp and not held.exists()
    assert not [p.name for p in temp.iterdir() if p.name.startswith("provenance-")]


def test_scan_with_an_output_folder_keeps_it(tree, tmp_path: Path) -> None:
    corpus = tree({"LICENSE": "SPDX-License-Identifier: CC0-1.0\n", "a.txt": "text\n"})
    out = tmp_path / "kept"
    result = provenance.scan(corpus, out, reports=False)
    del result
    assert (out / "scan.json").is_file() and (out / "assets.parquet").is_file()


def test_a_failed_scan_removes_its_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    with pytest.raises(ProvenanceError):
        provenance.scan(tmp_path / "does-not-exist")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("provenance-")]
