"""Lineage (upstream datasets, license laundering) and per-record URL domains with an opt-out list."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.api import ScanRequest, scan, scan_options
from provenance.detectors import default_detectors
from provenance.detectors.lineage import Dependency, laundering, resolve_dependencies, upstream_ids
from provenance.detectors.urls import UrlDomainDetector, host_of, load_optout, opted_out
from provenance.scanner import Scanner
from provenance.sources import open_source
from tests.hubcache import add_dataset, card, parquet_bytes, sha_of


def test_upstream_ids_from_card_metadata() -> None:
    meta = {"source_datasets": ["original", "extended|acme/a", "https://huggingface.co/datasets/acme/b",
                                "extended|acme/a", "extended|not a repo!"], "derived_from": "acme/c"}
    assert upstream_ids(meta) == [("acme/a", "source_datasets"), ("acme/b", "source_datasets"),
                                  ("acme/c", "derived_from")]


def test_laundering_rules() -> None:
    dep = Dependency("x/y", "source_datasets", "resolved", "CC-BY-NC-4.0")
    assert laundering("MIT", dep) == "use restrictions"
    assert laundering("CC-BY-4.0", Dependency("x/y", "f", "resolved", "CC-BY-SA-4.0")) == "share-alike"
    assert laundering("CC0-1.0", Dependency("x/y", "f", "resolved", "CC-BY-4.0")) == "attribution"
    assert laundering("CC-BY-NC-4.0", dep) is None
    assert laundering("MIT", Dependency("x/y", "f", "resolved", "LicenseRef-odd")) is None  # unknown upstream


def test_derived_looser_than_upstream_is_a_conflict(hub_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = scan("hf://datasets/acme/derived", out)
    deps = result.sources[0]["details"]["dependencies"]
    assert deps == [{"id": "acme/strict-upstream", "field": "source_datasets", "status": "resolved",
                     "license": "CC-BY-NC-4.0", "where": f"cache@{sha_of('acme/strict-upstream')}",
                     "reason": None}]
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    findings = json.loads(rows["README.md"]["findings_json"])
    conflict = [f for f in findings if f["rule"] == "license-conflict"]
    assert conflict and "license laundering" in conflict[0]["message"]
    assert ("license-conflict", 1) in result.verdict.failed


def test_upstream_resolved_from_the_scanned_cache_not_only_env(hub_env: Path, tmp_path: Path,
                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    out = tmp_path / "out"
    scan(hub_env, out)
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    assert "license-conflict" in rows["acme/derived/README.md"]["findings"]


def test_unresolved_upstream_offline(hub_env: Path, tmp_path: Path) -> None:
    add_dataset(hub_env, "acme/orphan", {"README.md": card("license: mit\nsource_datasets:\n- extended|acme/gone")})
    deps = resolve_dependencies({"source_datasets": ["extended|acme/gone"]}, [hub_env])
    assert deps[0].status == "unresolved" and "offline" in (deps[0].reason or "")
    result = scan("hf://datasets/acme/orphan", tmp_path / "out")
    assert result.summary["findings_by_rule"].get("upstream-unresolved") == 1
    assert result.passed  # a warning, not a failure


def test_upstream_without_license(hub_env: Path) -> None:
    deps = resolve_dependencies({"source_datasets": "acme/nolicense"}, [hub_env])
    assert deps[0].status == "no-license" and deps[0].where == f"cache@{sha_of('acme/nolicense')}"


def test_hosts_and_optout_matching(tmp_path: Path) -> None:
    assert host_of("https://WWW.Example.com:8080/a?b") == "example.com"
    assert host_of("not a url") is None
    listing = tmp_path / "optout.txt"
    listing.write_text("# publishers\nblocked.org\nhttps://news.example.net/robots.txt\n\n")
    optout = load_optout(listing)
    assert optout == frozenset({"blocked.org", "news.example.net"})
    assert opted_out("cdn.blocked.org", optout) == "blocked.org"
    assert opted_out("notblocked.org", optout) is None


def test_domain_counts_and_tdm_optout_on_image_dataset(hub_env: Path, tmp_path: Path) -> None:
    source = open_source("hf://datasets/acme/images")
    assert source is not None
    opts = scan_options(ScanRequest(tmp_path))
    opts = replace(opts, detectors=(*[d for d in default_detectors() if d.id != "url-domains"],
                                    UrlDomainDetector(["blocked.org"])))
    out = tmp_path / "out"
    result = Scanner(source, opts).run(out)
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    data = rows["data/train-00000-of-00001.parquet"]
    facts = json.loads(data["facts_json"])["url-domains"]
    assert facts["url_records"] == 4
    assert facts["domain:blocked.org"] == 1 and facts["domain:sub.blocked.org"] == 1
    assert facts["domain:example.com"] == 1
    opt = [f for f in json.loads(data["findings_json"]) if f["rule"] == "tdm-opt-out"]
    assert opt and opt[0]["count"] == 2
    totals = result.sources[0]["totals"]["url-domains"]
    assert totals["domain:img.flickr.com"] == 1
    top = [f for f in result.sources[0]["source_findings"] if f["rule"] == "url-domains"]
    assert top and "blocked.org (1)" in top[0]["message"]
    # The table, and the two images embedded in it whose records come from opted-out domains.
    assert ("tdm-opt-out", 3) in result.verdict.failed


def test_domains_in_jsonl_and_csv(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "LICENSE").write_text("SPDX-License-Identifier: MIT\n")
    (corpus / "a.jsonl").write_text("\n".join(json.dumps({"meta": {"url": f"https://s{i % 2}.com/x"}})
                                              for i in range(5)) + "\n")
    (corpus / "b.csv").write_text("text,url\nx,https://s0.com/1\ny,ftp://files.s2.com/z\n")
    table = pa.table({"url": ["https://s0.com/p"] * 3})
    (corpus / "c.parquet").write_bytes(parquet_bytes(table))
    out = tmp_path / "out"
    scan(corpus, out)
    rows = {r["path"]: json.loads(r["facts_json"]).get("url-domains", {}) for r in
            pq.read_table(out / "assets.parquet").to_pylist()}
    assert rows["a.jsonl"]["domain:s0.com"] == 3 and rows["a.jsonl"]["url_field"] == "meta.url"
    assert rows["b.csv"]["domain:files.s2.com"] == 1
    assert rows["c.parquet"]["domain:s0.com"] == 3


def test_per_record_source_fields(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "LICENSE").write_text("SPDX-License-Identifier: MIT\n")
    table = pa.table({"text": ["a", "b", "c", "d"], "source": ["wikipedia", "wikipedia", "arxiv", None]})
    (corpus / "a.parquet").write_bytes(parquet_bytes(table))
    linked = pa.table({"source": ["https://x.org/1", "books3", "https://y.org/2"]})
    (corpus / "b.parquet").write_bytes(parquet_bytes(linked))
    (corpus / "c.jsonl").write_text('{"source": "github", "url": "https://github.com/a"}\n{"source": "github"}\n')
    out = tmp_path / "out"
    result = scan(corpus, out)
    facts = {r["path"]: json.loads(r["facts_json"]).get("url-domains", {}) for r in
             pq.read_table(out / "assets.parquet").to_pylist()}
    assert facts["a.parquet"]["source:wikipedia"] == 2 and facts["a.parquet"]["source:arxiv"] == 1
    assert facts["a.parquet"]["source_records"] == 3
    assert facts["b.parquet"]["domain:x.org"] == 1 and facts["b.parquet"]["source:books3"] == 1
    assert facts["c.jsonl"]["source:github"] == 2 and facts["c.jsonl"]["domain:github.com"] == 1
    totals = result.sources[0]["totals"]["url-domains"]
    assert totals["source:wikipedia"] == 2
    named = [f for f in result.sources[0]["source_findings"] if f["rule"] == "record-sources"]
    assert named[0]["message"] == "6 record(s) name their source: github (2), wikipedia (2), arxiv (1), books3 (1)"


def test_a_cached_card_sees_its_upstream_change(hub_env: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "README.md").write_text("---\nlicense: mit\nsource_datasets:\n- extended|acme/later\n---\n")
    (corpus / "a.txt").write_text("x")
    out = tmp_path / "out"

    def card_findings() -> list[str]:
        scan(corpus, out)  # the same output folder: the analysis cache is used
        rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
        return rows["README.md"]["findings"]

    assert "upstream-unresolved" in card_findings()
    add_dataset(hub_env, "acme/later", {"README.md": card("license: cc-by-nc-4.0")})
    found = card_findings()  # the card did not change; its upstream did
    assert "license-conflict" in found and "upstream-unresolved" not in found
