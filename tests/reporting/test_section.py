"""What the section says: declared vs missing, detectors that ran or not, review results, clauses."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest

from provenance.api import ScanRequest, scan_options
from provenance.detectors import default_detectors
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.model import Asset, AssetKind, Finding, Severity
from provenance.reporting import write_reports
from provenance.reporting.clauses import assess
from provenance.reporting.facts import build_facts
from provenance.results import ScanResult, load_result
from provenance.scanner import Scanner
from provenance.sources.local import LocalSource
from tests.reporting.reporting_support import EPOCH, build_corpus, normalise, write_tree

EMAIL = re.compile(r"[\w.]+@[\w.]+\.\w+")


class EmailDetector(Detector):
    """A small real PII detector: counts e-mail addresses in text."""

    id = "pii"

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.TEXT

    def detect(self, content: AssetContent) -> DetectorOutput:
        text, _ = content.text()
        n = len(EMAIL.findall(text or ""))
        findings = (Finding("personal-information", Severity.WARNING, content.asset.path, f"{n} e-mail(s)", n),) \
            if n else ()
        return DetectorOutput(findings=findings, facts={"checked": 1, "email": n})


class KeywordDetector(Detector):
    """A small real blocklist detector: a file containing a banned word is blocked."""

    id = "blocklist"

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.TEXT

    def detect(self, content: AssetContent) -> DetectorOutput:
        text, _ = content.text()
        return DetectorOutput(facts={"items": 1, "blocked": int("forbidden" in (text or ""))})

    def source_findings(self, source: str, totals: Mapping[str, float]) -> tuple[Finding, ...]:
        if totals.get("items") and totals.get("blocked", 0) / totals["items"] > 0.05:
            return (Finding("blocked-content", Severity.ERROR, f"source:{source}", "over 5%",
                            int(totals["blocked"])),)
        return ()


def scan_with_detectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ScanResult:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    corpus = build_corpus(tmp_path / "corpus")
    write_tree(corpus, {"web/contact.txt": "write to alice@example.com or bob@example.org\n",
                        "books/bad.txt": "a forbidden word\n"})
    opts = scan_options(ScanRequest(corpus, jobs=1))
    # These two stand in for the PII and keyword-list detectors (same ids), whatever the defaults hold.
    own = [EmailDetector(), KeywordDetector()]
    opts = replace(opts, detectors=tuple([d for d in default_detectors() if d.id not in {x.id for x in own}] + own),
                   recorded={**opts.recorded, "blocklist_entries": 1})
    Scanner(LocalSource(corpus, exclude=opts.exclude), opts).run(tmp_path / "scan")
    return normalise(tmp_path / "scan", corpus)


def test_declared_values_and_missing_ones(built_reports: Path) -> None:
    zh = (built_reports / "data-legality.zh.md").read_text(encoding="utf-8")
    en = (built_reports / "data-legality.en.md").read_text(encoding="utf-8")
    assert "- **服务 / 模型名称**: 示例客服助手 Demo Support Assistant" in zh
    assert "- **基础模型备案号**: 未声明" in zh
    assert "- **Base model filing number**: not declared" in en
    assert "| books | 商业数据 | 合同 | NW-2025-001 |" in zh
    assert "| books | 商业数据 | 供应方承诺 | 未声明 |" in zh
    # Detectors that did not run are said to be unchecked, never passed (no blocklist was given).
    assert "未检测" in zh and "not checked" in en
    assert "Review results missing: no review.json beside scan.json." in en
    for n in range(1, 13):
        assert re.search(rf"^## {n}\. ", zh, re.M), n


def test_clause_table_statuses(built_scan: ScanResult) -> None:
    clauses = {c.id: c for c in assess(build_facts(built_scan))}
    assert len(clauses) == 19
    assert clauses["measures-lawful-sources"].status == "fail"
    assert clauses["tc260-user-input"].status == "na"
    assert {c.status for c in clauses.values()} <= {"pass", "fail", "na", "unchecked"}
    # no registry was given: the IP clause is 未检测 (not checked), never 不符合 (does not conform)
    assert clauses["measures-ip"].status == "unchecked"
    assert all(c.evidence for c in clauses.values())
    # A check that did not run is never a pass: the same scan with the PII detector left out.
    data = json.loads(json.dumps(built_scan.to_dict()))
    data["parameters"]["detectors"] = [d for d in data["parameters"]["detectors"] if not d.startswith("pii@")]
    unchecked = {c.id: c for c in assess(build_facts(ScanResult.from_dict(data, built_scan.output_dir)))}
    assert unchecked["tc260-personal-information"].status == "fail"
    assert unchecked["tc260-personal-information"].evidence[0].key == "ev.not_checked"


def test_zh_and_en_show_the_same_figures(built_reports: Path) -> None:
    def figures(name: str) -> list[str]:
        text = (built_reports / name).read_text(encoding="utf-8")
        # Section 11 names the rules (第七条 / Art. 7) differently; every other figure must agree.
        text = re.sub(r"\n## 11\..*?\n## 12\.", "", text, flags=re.S)
        return re.findall(r"\b[0-9a-f]{64}\b|\b\d[\d,]*(?:\.\d+)?\b", text)

    assert figures("data-legality.zh.md") == figures("data-legality.en.md")


def test_detector_results_and_review_are_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_with_detectors(tmp_path, monkeypatch)
    # review.json as `provenance sample import` writes it: summaries keyed by kind.
    (tmp_path / "scan" / "review.json").write_text(json.dumps({"schema": 1, "reviews": {
        "human": {"kind": "human", "n": 4000, "reviewed": 4000, "qualified": 3900, "unqualified": 100,
                  "rate": 0.975, "ci_low": 0.97, "ci_high": 0.98, "threshold": 0.96, "min_items": 4000,
                  "population": 4000, "seed": 7, "pass": True, "reasons": []},
        "technical": {"kind": "technical", "n": 2, "reviewed": 1, "qualified": 1, "unqualified": 0, "rate": 1.0,
                      "ci_low": 0.2, "ci_high": 1.0, "threshold": 0.98, "min_items": 2, "population": 15,
                      "seed": 7, "pass": False, "reasons": ["1 of 2 items not reviewed"]},
    }}), encoding="utf-8")
    result = load_result(tmp_path / "scan")
    assert write_reports(result, tmp_path / "out", formats=("md",)).ok
    en = (tmp_path / "out" / "data-legality.en.md").read_text(encoding="utf-8")
    # the detectors' counts in words, not their counter names
    assert "| web | checked: 3, e-mail addresses: 2 | personal-information: 1 |" in en
    assert "| books | 2 item(s) checked, blocked: 1 | 50.00% | 5% | fail |" in en
    assert "| human check | 4,000 | 4,000 | 3,900 | 97.50% | 97.00% – 98.00% | 96% | 4,000 | 7 | pass |" in en
    assert "technical check: 1 of 2 items not reviewed" in en
    clauses = {c.id: c for c in assess(build_facts(result))}
    assert clauses["tc260-sample-human"].status == "pass"
    technical = clauses["tc260-sample-technical"]
    assert technical.status == "fail"  # not every sampled item was reviewed
    assert [m.key for m in technical.evidence] == ["ev.review_failed", "ev.review_incomplete"]
    assert clauses["tc260-source-security"].status == "fail"
    assert clauses["measures-personal-information"].status == "fail"  # found, and no consent basis declared
    assert [m.key for m in clauses["tc260-personal-information"].evidence] == ["ev.pi_found_no_consent",
                                                                             "ev.no_sensitive"]
    graph = json.loads((tmp_path / "out" / "manifest.spdx3.jsonld").read_text(encoding="utf-8"))["@graph"]
    web = next(o for o in graph if o.get("name") == "web" and o["type"] == "dataset_DatasetPackage")
    assert web["dataset_hasSensitivePersonalInformation"] == "no"


def test_zh_and_en_strings_have_the_same_keys_and_placeholders() -> None:
    from provenance.reporting.strings import strings

    zh, en = strings("zh").table, strings("en").table
    assert zh.keys() == en.keys()
    for key in zh:
        assert sorted(re.findall(r"{(\w+)}", zh[key])) == sorted(re.findall(r"{(\w+)}", en[key])), key


def test_checks_follow_detectors_and_their_parameters(built_scan: ScanResult, tmp_path: Path) -> None:
    """A detector that needs configuration (a keyword list) has not checked anything without it."""
    data = json.loads(json.dumps(built_scan.to_dict()))
    data["parameters"]["detectors"] += ["images@1", "blocklist@1"]
    data["parameters"]["blocklist_entries"] = 0
    result = ScanResult.from_dict(data, built_scan.output_dir)
    facts = build_facts(result)
    assert facts.ran("images") and facts.ran("tdm") and not facts.ran("blocklist")
    assert write_reports(result, tmp_path, langs=("zh", "en"), formats=("md",), manifests=False).ok
    en = (tmp_path / "data-legality.en.md").read_text(encoding="utf-8")
    assert "- **image rights metadata**: 0 image(s) read" in en
    assert "- **text-and-data-mining opt-outs**: 0" in en
    assert "Not checked in this scan: the keyword list / blocked content detector did not run." in en


def test_empty_files_are_counted_where_the_section_says_warnings(tree, tmp_path: Path) -> None:
    """The corpus overview says "N listed as warnings (empty files)"; empty files are findings of
    their own rule now, not error entries, and the count read 0 beside 449 empty files."""
    import provenance

    root = tree({"LICENSE": "Released under the MIT License.\n", "pkg/__init__.py": "", "pkg/py.typed": "",
                 "pkg/a.py": "x = 1\n"})
    provenance.scan(root, tmp_path / "out", reports=True)
    section = (tmp_path / "out" / "data-legality.en.md").read_text()
    assert "0 unreadable, 0 skipped, 2 listed as warnings (empty files)" in section
