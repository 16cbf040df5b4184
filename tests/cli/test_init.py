"""`provenance init`: files that load, guesses that say why, nothing overwritten, and a scan with
them that leaves policy.yaml out of the data."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from provenance.cli import main
from provenance.declarations import load_declarations
from provenance.model import Rule
from provenance.policy import Policy, load_policy


def _corpus(tree) -> Path:
    return tree({
        "crawl/pages.jsonl": '{"text": "a page", "license": "cc-by-4.0"}\n',
        "vendor/catalogue.csv": "text\nan item\n",
        "papers/LICENSE": "SPDX-License-Identifier: CC-BY-4.0\n",
        "papers/a.txt": "an abstract\n",
        "misc/notes.txt": "notes\n",
        "loose.txt": "at the root\n",
        "logs/crawl.jsonl": "{}\n",
        ".provenanceignore": "logs/\n",
        ".git/HEAD": "ref: refs/heads/main\n",
    })


def test_init_writes_files_that_load(tree) -> None:
    root = _corpus(tree)
    result = CliRunner().invoke(main, ["init", str(root)])
    assert result.exit_code == 0, result.output
    decl = load_declarations(root / "provenance.yaml")
    # not .git, not logs/ (.provenanceignore)
    assert [s.path for s in decl.sources] == ["crawl/**", "misc/**", "papers/**", "vendor/**"]
    types = {s.name: s.type for s in decl.sources}
    assert types == {"crawl": "self-collected", "misc": None, "papers": "open-source", "vendor": "commercial"}
    assert decl.source_for("crawl/pages.jsonl").name == "crawl"  # type: ignore[union-attr]
    # Fields to fill are null: not declared, never an empty declaration.
    assert decl.service["name"] is None and decl.sources[0].origin is None
    assert decl.sources[0].as_dict() == {"path": "crawl/**", "name": "crawl", "type": "self-collected"}
    text = (root / "provenance.yaml").read_text()
    assert "guessed from the folder name 'crawl'" in text and "LICENSE in the folder" in text
    assert "collection_log: null" in text and "contract: null" in text
    assert "1 file(s) directly in" in text  # loose.txt is named as uncovered

    policy = load_policy(root / "policy.yaml")
    default = Policy()
    assert (policy.use, policy.max_errors, policy.deny, policy.allow) == (default.use, default.max_errors, (), ())
    assert {r: policy.fails_on(r) for r in Rule} == {r: default.fails_on(r) for r in Rule}
    assert set(policy.rules) == {r.value for r in Rule}  # every rule spelled out


def test_init_never_overwrites(tree) -> None:
    root = _corpus(tree)
    (root / "policy.yaml").write_text("use: research\n")
    result = CliRunner().invoke(main, ["init", str(root)])
    assert result.exit_code == 0
    assert "kept" in result.output and (root / "policy.yaml").read_text() == "use: research\n"
    first = (root / "provenance.yaml").read_text()
    (root / "provenance.yaml").write_text(first + "# my edits\n")
    again = CliRunner().invoke(main, ["init", str(root)])
    assert again.exit_code == 0 and again.output.count("kept") == 2
    assert (root / "provenance.yaml").read_text().endswith("# my edits\n")
    assert not [p for p in root.iterdir() if p.name.startswith(".") and p.name.endswith((".new", ".tmp"))]


def test_init_then_scan_leaves_the_policy_out_of_the_data(tree, tmp_path: Path) -> None:
    root = _corpus(tree)
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", str(root), "--policy", str(root / "policy.yaml"), "-o", str(out),
                                       "--no-reports"])
    assert result.exit_code == 1, result.output  # misc/ and loose.txt are unlicensed
    scan = json.loads((out / "scan.json").read_text())
    assert scan["parameters"]["ignore_patterns"] == ["/policy.yaml", "logs/"]
    assert scan["declarations"]["file"] == "provenance.yaml"
    names = {s["name"] for s in scan["sources"]}
    assert {"crawl", "vendor", "papers", "misc"} <= names
    paths = pq.read_table(out / "assets.parquet", columns=["path"]).column("path").to_pylist()
    assert "loose.txt" in paths and "policy.yaml" not in paths and "provenance.yaml" not in paths


def test_init_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "not a folder" in result.stderr
