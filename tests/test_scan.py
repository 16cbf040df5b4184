"""End-to-end scans of corpora built in tmp_path: resolution, findings, outputs, gate."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import provenance
from provenance.cli import main
from provenance.errors import ConfigError
from provenance.results import load_result, result_schema

MIT_NOTICE = "This dataset is licensed under the MIT License.\n"


def rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets()}


def findings(row: dict) -> dict[str, dict]:
    return {f["rule"]: f for f in json.loads(row["findings_json"])}


def test_more_specific_evidence_overrides_inherited(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENSE": MIT_NOTICE,
        "top.txt": "plain",
        "sub/README.md": "---\nlicense: cc-by-sa-4.0\n---\n",
        "sub/a.txt": "under the card",
        "sub/deeper/LICENSE": "Released under CC BY-NC 4.0.\n",
        "sub/deeper/b.txt": "under the nearer license",
        "sub/c.py": "# SPDX-License-Identifier: Apache-2.0\nx = 1\n",
        "sub/r.jsonl": '{"t": 1, "license": "cc0-1.0"}\n{"t": 2}\n',
    })
    result = provenance.scan(root, tmp_path / "out")
    r = rows(result)
    assert r["top.txt"]["license"] == "MIT" and r["top.txt"]["license_source"] == "LICENSE:1"
    assert r["sub/a.txt"]["license"] == "CC-BY-SA-4.0"
    assert r["sub/deeper/b.txt"]["license"] == "CC-BY-NC-4.0"
    assert r["sub/deeper/b.txt"]["use_class"] == "non-commercial"
    assert "use-restricted" in r["sub/deeper/b.txt"]["findings"]
    assert r["sub/c.py"]["license"] == "Apache-2.0" and r["sub/c.py"]["license_source"] == "sub/c.py:1"
    # one record has its own CC0, the other inherits the card's CC-BY-SA
    assert r["sub/r.jsonl"]["license"] == "CC-BY-SA-4.0 AND CC0-1.0"
    assert r["sub/r.jsonl"]["records"] == 2
    assert "share-alike" in r["sub/a.txt"]["findings"] and "attribution-required" in r["sub/a.txt"]["findings"]


def test_same_level_disagreement_is_a_conflict_and_the_stricter_wins(tree, tmp_path: Path) -> None:
    root = tree({
        "README.md": "---\nlicense: mit\n---\n# Data\n",
        "LICENSE": "Licensed under the GNU General Public License v3.0 (GPL-3.0-only).\n",
        "data.txt": "x",
    })
    gpl = "SPDX-License-Identifier: GPL-3.0-only\n"
    (root / "LICENSE").write_text(gpl)
    result = provenance.scan(root, tmp_path / "out")
    row = rows(result)["data.txt"]
    f = findings(row)["license-conflict"]
    assert row["license"] == "GPL-3.0-only"
    assert "README.md:2" in f["locations"] and "LICENSE:1" in f["locations"]
    assert result.verdict.status.value == "fail" and ("license-conflict", 3) in result.verdict.failed


def test_declaration_applies_and_contradiction_is_flagged(tree, tmp_path: Path) -> None:
    root = tree({
        "provenance.yaml": (
            "service: {name: Harbor Design Assistant, provider: Harbor Data Co., purpose: product exterior design}\n"
            "sources:\n"
            "  - {path: 'open/**', type: open-source, origin: 'https://example.org/open', license: CC-BY-4.0,"
            " region: foreign}\n"
            "  - {path: 'vendor/**', type: commercial, origin: Northwind Media, contract: NW-2024-017,"
            " license: LicenseRef-Northwind-Contract, region: domestic}\n"
        ),
        "open/a.txt": "a",
        "open/nc/LICENSE": "Released under CC BY-NC 4.0.\n",
        "open/nc/b.txt": "b",
        "vendor/v.txt": "v",
    })
    result = provenance.scan(root, tmp_path / "out")
    r = rows(result)
    assert r["open/a.txt"]["license"] == "CC-BY-4.0" and r["open/a.txt"]["source"] == "open/**"
    assert r["open/a.txt"]["license_source"] == "provenance.yaml#sources[0].license"
    assert r["open/nc/b.txt"]["license"] == "CC-BY-NC-4.0"
    assert "license-conflict" in r["open/nc/b.txt"]["findings"]
    assert r["vendor/v.txt"]["license"] == "LicenseRef-Northwind-Contract"
    assert "provenance.yaml" not in r  # tool configuration is not corpus content
    saved = json.loads((tmp_path / "out/scan.json").read_text())
    assert saved["declarations"]["service"]["name"] == "Harbor Design Assistant"
    vendor = next(s for s in saved["sources"] if s["name"] == "vendor/**")
    assert vendor["declared"]["contract"] == "NW-2024-017" and vendor["declared"]["type"] == "commercial"


def test_unknown_declaration_keys_are_an_error(tree, tmp_path: Path) -> None:
    root = tree({"provenance.yaml": "sources:\n  - {path: 'a/**', licence: MIT}\n", "a/x.txt": "x"})
    with pytest.raises(ConfigError, match="unknown key"):
        provenance.scan(root, tmp_path / "out")
    result = CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "o2")])
    assert result.exit_code == 2 and "'licence'; did you mean 'license'?" in result.output


def test_rights_reserved_and_unlicensed(tree, tmp_path: Path) -> None:
    root = tree({
        "reserved/README.md": "# 内部资料\n\n版权所有，保留所有权利。\n",
        "reserved/doc.txt": "text",
        "loose.txt": "nothing covers me",
        "tbl.csv": "text,license\na,mit\nb,\n",
    })
    result = provenance.scan(root, tmp_path / "out")
    r = rows(result)
    assert r["reserved/doc.txt"]["license"] == "LicenseRef-All-Rights-Reserved"
    assert {"rights-reserved", "use-restricted"} <= set(r["reserved/doc.txt"]["findings"])
    assert r["reserved/doc.txt"]["use_class"] == "no-grant"
    assert r["loose.txt"]["license"] is None and "unlicensed" in r["loose.txt"]["findings"]
    unlicensed = findings(r["tbl.csv"])["unlicensed"]
    assert unlicensed["count"] == 1 and r["tbl.csv"]["license"] == "MIT"


def test_use_research_allows_non_commercial(tree, tmp_path: Path) -> None:
    root = tree({"README.md": "---\nlicense: cc-by-nc-4.0\n---\n", "a.txt": "a"})
    assert provenance.scan(root, tmp_path / "c").verdict.status.value == "fail"
    research = provenance.scan(root, tmp_path / "r", use="research")
    assert research.verdict.status.value == "pass" and research.exit_code == 0


def test_outputs_are_complete_valid_and_the_corpus_is_untouched(tree, digest, tmp_path: Path) -> None:
    root = tree({"LICENSE": MIT_NOTICE, "a.txt": "a", "b/c.jsonl": '{"license": "mit"}\n'})
    before = digest(root)
    result = provenance.scan(root, root / "report")  # output inside the corpus is never scanned
    assert (root / "report/scan.json").is_file()
    data = json.loads((root / "report/scan.json").read_text())
    jsonschema.validate(data, result_schema())
    table = pq.read_table(root / "report/assets.parquet")
    assert set(table.column("path").to_pylist()) == {"LICENSE", "a.txt", "b/c.jsonl"}
    for column in ("path", "kind", "size", "sha256", "license", "use_class", "license_source", "findings"):
        assert column in table.column_names
    sha = dict(zip(table.column("path").to_pylist(), table.column("sha256").to_pylist(), strict=True))
    assert sha["a.txt"] == hashlib.sha256(b"a").hexdigest()
    assert not [p for p in os.listdir(root / "report") if p.endswith(".tmp")]
    again = provenance.scan(root, root / "report")
    assert again.verdict == result.verdict
    reloaded = load_result(root / "report")
    assert reloaded.to_dict() == {**again.to_dict()} and reloaded.output_dir == str(root / "report")
    shutil.rmtree(root / "report")
    assert digest(root) == before


def test_cli_exit_codes_and_json_summary(tree, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = tree({"LICENSE": MIT_NOTICE, "a.txt": "a"})
    res = runner.invoke(main, ["scan", str(ok), "-o", str(tmp_path / "o1"), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["status"] == "pass" and summary["assets"] == 2
    (ok / "b.txt").write_text("b")
    (ok / "LICENSE").unlink()
    res = runner.invoke(main, ["scan", str(ok), "-o", str(tmp_path / "o2"), "-q"])
    assert res.exit_code == 1 and res.output == ""
    res = runner.invoke(main, ["scan", str(tmp_path / "missing")])
    assert res.exit_code == 2
    res = runner.invoke(main, ["scan", str(ok), "--use", "sideways"])
    assert res.exit_code == 2


def test_unreadable_items_make_the_scan_incomplete_not_silent(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": MIT_NOTICE, "a.txt": "a", "bin.txt": b"\x00\x01\x02binary"})
    os.mkfifo(root / "pipe")
    res = CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "o"), "--json"])
    assert res.exit_code == 3, res.output
    data = json.loads((tmp_path / "o/scan.json").read_text())
    reasons = {e["path"]: e["reason"] for e in data["errors"]}
    assert "FIFO" in reasons["pipe"]
    assert data["verdict"]["status"] == "incomplete" and data["verdict"]["skipped"] == 2
    assert "binary content" in reasons["bin.txt"]
    tolerant = CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "o2"), "--max-errors", "2", "-q"])
    assert tolerant.exit_code == 0
    saved = json.loads((tmp_path / "o2/scan.json").read_text())
    assert any("could not be read" in r for r in saved["verdict"]["reasons"])  # a pass says what it skipped


def test_several_license_files_in_a_folder_are_choices_or_parts_not_conflicts(tree, tmp_path: Path) -> None:
    root = tree({
        "dual/LICENSE-MIT": "Released under the MIT License.\n",
        "dual/LICENSE-APACHE": "SPDX-License-Identifier: Apache-2.0\n",
        "dual/a.rs": "fn main() {}\n",
        "bundle/LICENSE": "Released under the MIT License.\n",
        "bundle/LICENSE.third-party": "The bundled font is released under CC BY 4.0.\n",
        "bundle/NOTICE": "This product includes software licensed under the Apache License, Version 2.0.\n",
        "bundle/b.txt": "b",
        "agree/README.md": "---\nlicense: mit\n---\n",
        "agree/LICENSE-MIT": "Released under the MIT License.\n",
        "agree/LICENSE-APACHE": "SPDX-License-Identifier: Apache-2.0\n",
        "agree/c.txt": "c",
    })
    rows = rows_of = {r["path"]: r for r in provenance.scan(root, tmp_path / "out", reports=False).assets()}
    assert rows["dual/a.rs"]["license"] == "Apache-2.0 OR MIT"
    assert rows["bundle/b.txt"]["license"] == "CC-BY-4.0 AND MIT"  # the NOTICE credits, it does not license
    assert rows["agree/c.txt"]["license"] == "Apache-2.0 OR MIT"  # the card names one of the choices
    assert not any("license-conflict" in r["findings"] for r in rows_of.values())


@pytest.mark.parametrize(("option", "message"), [
    (["--lang", "zh,fr"], "unknown report language 'fr'"),
    (["--format", "md,docx"], "unknown report format 'docx'"),
    (["--format", "htm"], "did you mean 'html'"),
])
def test_report_options_are_checked_before_the_first_file_is_read(tree, tmp_path: Path, option: list[str],
                                                                   message: str) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    result = CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "out"), *option])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()  # nothing was scanned, nothing written
