"""Totals: parts added apart and merged, or stored and loaded again, equal the same assets added to
one Totals in order (the collector and the folder memo rely on it)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from provenance.detectors import default_detectors
from provenance.model import Asset, AssetKind, AssetResult, Finding, Rule, Severity, UseClass
from provenance.policy import Gate, Policy, Waiver
from provenance.summary import Summary
from provenance.totals import Totals


def result(path: str, size: int, lic: str | None, *rules: Rule, error: bool = False) -> AssetResult:
    findings = tuple(Finding(r, Severity.ERROR if r is not Rule.ATTRIBUTION_REQUIRED else Severity.INFO, path,
                             f"{r} on {path}") for r in rules)
    use = UseClass.COMMERCIAL if lic else UseClass.UNKNOWN
    return AssetResult(Asset(path, AssetKind.TEXT, size, path.split("/")[0]), "0" * 64, "0" * 40, lic, use, "",
                       (), findings, error="unreadable" if error else None, records=2 if size % 2 else None)


ASSETS = [
    result("a/x.txt", 10, "MIT", Rule.ATTRIBUTION_REQUIRED),
    result("a/y.txt", 7, None, Rule.UNLICENSED),
    result("b/z.txt", 5, None, Rule.SCAN_ERROR, error=True),
    result("b/w.txt", 3, "CC-BY-NC-4.0", Rule.USE_RESTRICTED, Rule.ATTRIBUTION_REQUIRED),
    result("legacy/v.txt", 4, "CC-BY-NC-4.0", Rule.USE_RESTRICTED),
    result("legacy/old.txt", 6, None, Rule.UNLICENSED),
]

POLICY = Policy(waivers=(Waiver("use-restricted", "legacy/**", "contract LEG-7", dt.date(2030, 1, 1)),
                         Waiver("unlicensed", "legacy/**", "expired", dt.date(2020, 1, 1))))


def fresh() -> Totals:
    return Totals(Gate(POLICY, today=dt.date(2026, 12, 1)), Summary(default_detectors()))


def snapshot(t: Totals) -> str:
    verdict = t.gate.verdict(t.tally, skipped=len(t.skipped))
    return json.dumps([t.summary.totals(), [g.__dict__ for g in t.summary.groups()], t.tally.state(),
                       [e.__dict__ for e in t.errors], t.skipped, t.results, t.bytes, verdict.__dict__],
                      default=str, sort_keys=True)


def whole() -> Totals:
    t = fresh()
    for r in ASSETS:
        t.add(r)
    t.skip("c/link", "symbolic link; not followed")
    return t


@pytest.mark.parametrize("cuts", [(0, 6), (2, 6), (1, 3, 5), (0, 0, 6)], ids=str)
def test_merged_parts_equal_one_pass(cuts: tuple[int, ...]) -> None:
    total = fresh()
    bounds = [0, *cuts]
    for start, end in itertools.pairwise(bounds):
        part = total.part()
        for r in ASSETS[start:end]:
            part.add(r)
        total.merge(part)
    for r in ASSETS[bounds[-1]:]:
        total.add(r)
    total.skip("c/link", "symbolic link; not followed")
    assert snapshot(total) == snapshot(whole())


def test_a_stored_part_loads_back_equal() -> None:
    total, part = fresh(), fresh().part()
    for r in ASSETS:
        part.add(r)
    part.skip("c/link", "symbolic link; not followed")
    stored = json.loads(json.dumps(part.state()))  # what the folder memo keeps
    total.merge(total.part().load(stored))
    assert snapshot(total) == snapshot(whole())


def test_the_verdict_counts_waivers_and_unreadable_assets() -> None:
    t = whole()
    verdict = t.gate.verdict(t.tally, skipped=len(t.skipped))
    assert dict(verdict.failed) == {"unlicensed": 2, "use-restricted": 1}  # b/w.txt; legacy/v.txt is waived
    assert [(w.rule, w.assets) for w in verdict.waived] == [("use-restricted", 1)]
    assert any("expired" in reason for reason in verdict.reasons)
    assert t.tally.errors == 1 and [e.path for e in t.errors] == ["b/z.txt"]
    assert t.results == 6 and t.bytes == 35
