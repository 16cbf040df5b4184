"""Without the optional Hugging Face libraries: local scans still work (lineage reads caches as
plain files); Hub ids and caches fail with an install hint."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from provenance.api import scan
from provenance.cli.scan import scan as scan_cmd
from provenance.errors import MissingExtraError


@pytest.fixture()
def no_hf(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("huggingface_hub", "datasets"):
        monkeypatch.setitem(sys.modules, name, None)  # import now raises ImportError


def test_local_card_lineage_without_hf(hub_env: Path, tmp_path: Path, no_hf: None) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "README.md").write_text("---\nlicense: mit\nsource_datasets:\n- extended|acme/strict-upstream\n"
                                      "- extended|acme/elsewhere\n---\n")
    (corpus / "a.txt").write_text("x")
    out = tmp_path / "out"
    result = scan(corpus, out)
    assert result.errors == ()
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    assert "license-conflict" in rows["README.md"]["findings"]  # the upstream's card read from the cache
    assert "upstream-unresolved" in rows["README.md"]["findings"]


def test_hub_ids_need_the_extra(hub_env: Path, tmp_path: Path, no_hf: None) -> None:
    with pytest.raises(MissingExtraError, match=r"provenance\[hf\]"):
        scan("hf://datasets/acme/permissive", tmp_path / "a")
    res = CliRunner().invoke(scan_cmd, [str(hub_env), "-o", str(tmp_path / "b")])
    assert res.exit_code == 2 and "pip install 'provenance[hf]'" in res.output
