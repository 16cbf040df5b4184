"""Running totals of a scan: per source, per license and use class, findings per rule and folder.
Bounded memory: counters and a few example paths, never the list of assets.

Totals of a part of the scan (one folder) can be kept apart, stored as JSON and merged in later:
the folder memo reuses an unchanged folder's totals without looking at its assets again."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from provenance.declarations import Declarations
from provenance.detectors.interface import Detector
from provenance.model import METADATA_KINDS, AssetResult, Finding, FindingGroup, Severity, SourceInfo

EXAMPLES = 5


class _Stats:
    def __init__(self) -> None:
        self.assets = 0
        self.bytes = 0
        self.records = 0

    def add(self, size: int, records: int) -> None:
        self.assets += 1
        self.bytes += size
        self.records += records

    def as_dict(self) -> dict[str, int]:
        return {"assets": self.assets, "bytes": self.bytes, "records": self.records}

    def merge(self, other: _Stats) -> None:
        self.assets += other.assets
        self.bytes += other.bytes
        self.records += other.records

    def state(self) -> list[int]:
        return [self.assets, self.bytes, self.records]

    @classmethod
    def from_state(cls, state: list[int]) -> _Stats:
        s = cls()
        s.assets, s.bytes, s.records = (int(x) for x in state)
        return s


class _Group:
    def __init__(self, severity: Severity) -> None:
        self.severity = severity
        self.assets = 0
        self.records = 0
        self.bytes = 0
        self.examples: list[str] = []


class _SourceStats:
    def __init__(self) -> None:
        self.total = _Stats()
        self.by_kind: defaultdict[str, _Stats] = defaultdict(_Stats)
        self.by_license: defaultdict[str, _Stats] = defaultdict(_Stats)
        self.by_use: defaultdict[str, _Stats] = defaultdict(_Stats)
        self.findings: Counter[str] = Counter()
        self.facts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.errors = 0
        self.source_findings: list[Finding] = []

    def merge(self, other: _SourceStats) -> None:
        self.total.merge(other.total)
        for mine, theirs in ((self.by_kind, other.by_kind), (self.by_license, other.by_license),
                             (self.by_use, other.by_use)):
            for key, stats in theirs.items():
                mine[key].merge(stats)
        self.findings.update(other.findings)
        for det, counter in other.facts.items():
            self.facts[det].update(counter)
        self.errors += other.errors

    def state(self) -> dict[str, Any]:
        def table(t: dict[str, _Stats]) -> dict[str, list[int]]:
            return {k: v.state() for k, v in t.items()}

        return {"total": self.total.state(), "by_kind": table(self.by_kind), "by_license": table(self.by_license),
                "by_use": table(self.by_use), "findings": dict(self.findings),
                "facts": {det: dict(c) for det, c in self.facts.items()}, "errors": self.errors}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _SourceStats:
        s = cls()
        s.total = _Stats.from_state(state["total"])
        for name in ("by_kind", "by_license", "by_use"):
            target = getattr(s, name)
            for key, value in state[name].items():
                target[key] = _Stats.from_state(value)
        s.findings = Counter(state["findings"])
        for det, counter in state["facts"].items():
            s.facts[det] = Counter(counter)
        s.errors = int(state["errors"])
        return s


def _sorted(table: dict[str, _Stats]) -> dict[str, dict[str, int]]:
    return {k: v.as_dict() for k, v in sorted(table.items(), key=lambda kv: (-kv[1].bytes, kv[0]))}


class Summary:
    def __init__(self, detectors: Sequence[Detector]) -> None:
        self.detectors = {d.id: d for d in detectors}
        self.all = _SourceStats()
        self.sources: defaultdict[str, _SourceStats] = defaultdict(_SourceStats)
        self._groups: dict[tuple[str, str], _Group] = {}

    def add(self, r: AssetResult) -> None:
        a = r.asset
        records = r.records or 0
        for stats in (self.all, self.sources[a.source]):
            stats.total.add(a.size, records)
            stats.by_kind[a.kind.value].add(a.size, records)
            if a.kind not in METADATA_KINDS:
                stats.by_license[r.license or "(none)"].add(a.size, records)
                stats.by_use[r.use_class.value if r.license else "none"].add(a.size, records)
            for rule in {f.rule for f in r.findings}:
                stats.findings[rule] += 1
            if r.error:
                stats.errors += 1
        for det, facts in r.facts.items():
            counter = self.sources[a.source].facts[det]
            for key, value in facts.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    counter[key] += value  # type: ignore[assignment]
        seen: set[str] = set()
        for f in r.findings:
            key = (f.rule, a.folder)
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = _Group(f.severity)
            if f.rule not in seen:
                group.assets += 1
                group.bytes += a.size
                if len(group.examples) < EXAMPLES:
                    group.examples.append(a.path)
                seen.add(f.rule)
            group.records += f.count if r.records else 0

    def part(self) -> Summary:
        """An empty Summary for a part of the scan, to merge into this one later."""
        part = Summary(())
        part.detectors = self.detectors
        return part

    def merge(self, part: Summary) -> None:
        """Add a part's totals, as if its assets had been added here in the same order."""
        self.all.merge(part.all)
        for name, stats in part.sources.items():
            self.sources[name].merge(stats)
        for key, g in part._groups.items():
            mine = self._groups.get(key)
            if mine is None:
                mine = self._groups[key] = _Group(g.severity)
            mine.assets += g.assets
            mine.records += g.records
            mine.bytes += g.bytes
            mine.examples += g.examples[: EXAMPLES - len(mine.examples)]

    def state(self) -> dict[str, Any]:
        """JSON-ready totals of a part (before source findings)."""
        return {
            "all": self.all.state(),
            "sources": {name: s.state() for name, s in self.sources.items()},
            "groups": [[rule, folder, g.severity.value, g.assets, g.records, g.bytes, g.examples]
                       for (rule, folder), g in self._groups.items()],
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Replace this (empty) part's totals with stored ones."""
        self.all = _SourceStats.from_state(state["all"])
        for name, s in state["sources"].items():
            self.sources[name] = _SourceStats.from_state(s)
        for rule, folder, severity, assets, records, size, examples in state["groups"]:
            g = self._groups[(rule, folder)] = _Group(Severity(severity))
            g.assets, g.records, g.bytes, g.examples = assets, records, size, list(examples)

    def source_findings(self) -> Iterator[Finding]:
        """Ask each detector for findings on whole sources, from the summed facts."""
        for name, stats in sorted(self.sources.items()):
            for det_id, totals in sorted(stats.facts.items()):
                detector = self.detectors.get(det_id)
                if detector is None:
                    continue
                for finding in detector.source_findings(name, dict(totals)):
                    stats.source_findings.append(finding)
                    stats.findings[finding.rule] += 1
                    self.all.findings[finding.rule] += 1
                    group = self._groups.setdefault((finding.rule, f"source:{name}"), _Group(finding.severity))
                    group.assets += 1
                    group.records += finding.count
                    yield finding

    def groups(self) -> list[FindingGroup]:
        return [
            FindingGroup(rule, g.severity, folder, g.assets, g.records, g.bytes, tuple(g.examples))
            for (rule, folder), g in sorted(self._groups.items())
        ]

    def totals(self) -> dict[str, Any]:
        s = self.all
        return {
            **s.total.as_dict(),
            "errors": s.errors,
            "by_kind": _sorted(s.by_kind),
            "by_use_class": _sorted(s.by_use),
            "by_license": _sorted(s.by_license),
            "findings_by_rule": dict(sorted(s.findings.items())),
        }

    def sources_table(self, info: SourceInfo, declarations: Declarations) -> list[dict[str, Any]]:
        rows = []
        declared = {d.name: d for d in declarations.sources}
        per_source = dict(info.details.get("per_source") or {})  # a source of several datasets (a Hub cache)
        for name, s in sorted(self.sources.items()):
            d = declared.get(name)
            sub = per_source.get(name, {})
            rows.append({
                "name": name,
                "kind": sub.get("kind", info.kind),
                "root": sub.get("root", info.root),
                "revision": sub.get("revision", info.revision),
                "paths": d.path if d else (name + "/**" if name != info.name else "**"),
                "declared": d.as_dict() if d else None,
                **s.total.as_dict(),
                "errors": s.errors,
                "by_kind": _sorted(s.by_kind),
                "by_license": _sorted(s.by_license),
                "by_use_class": _sorted(s.by_use),
                "findings_by_rule": dict(sorted(s.findings.items())),
                "totals": {det: dict(sorted(c.items())) for det, c in sorted(s.facts.items())},
                "source_findings": [
                    {"rule": f.rule, "severity": f.severity.value, "message": f.message, "count": f.count}
                    for f in s.source_findings
                ],
                **({"details": dict(sub.get("details", info.details))} if info.details else {}),
            })
        return rows
