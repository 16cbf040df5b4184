"""Running totals of a scan, or of a part of one kept apart to be merged in later (a run of a
folder, stored in the folder memo when it is unchanged next time): what the gate counted, the
summary, the items that could not be read or were skipped, and how each analysis was obtained."""

from __future__ import annotations

from collections import Counter
from typing import Any

from provenance.model import AssetResult, Finding, Rule, ScanErrorEntry
from provenance.policy import Gate, Tally
from provenance.summary import Summary


class Totals:
    def __init__(self, gate: Gate, summary: Summary) -> None:
        self.gate = gate
        self.summary = summary
        self.tally = Tally()
        self.errors: list[ScanErrorEntry] = []
        self.skipped: list[dict[str, str]] = []
        #: How the analyses were obtained (Origin values) and how many folder runs were reused.
        self.stats: Counter[str] = Counter()
        self.results = 0
        self.bytes = 0

    def part(self) -> Totals:
        """Empty totals for a part of the scan, to merge into these later."""
        return Totals(self.gate, self.summary.part())

    def add(self, result: AssetResult) -> None:
        asset = result.asset
        for f in result.findings:
            if f.rule is Rule.SCAN_ERROR:
                self.errors.append(ScanErrorEntry(asset.path, f.message, asset.source, f.severity.value))
        self.gate.count(self.tally, asset.path, asset.size, result.findings, error=result.error is not None)
        self.summary.add(result)
        self.results += 1
        self.bytes += asset.size

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append({"path": path, "reason": reason})

    def add_source_finding(self, finding: Finding) -> None:
        self.gate.count_source_finding(self.tally, finding)

    def merge(self, other: Totals) -> None:
        """Add a part's totals, as if its assets had been added here in the same order."""
        self.summary.merge(other.summary)
        self.tally.merge(other.tally)
        self.errors.extend(other.errors)
        self.skipped.extend(other.skipped)
        self.stats.update(other.stats)
        self.results += other.results
        self.bytes += other.bytes

    def state(self) -> dict[str, Any]:
        """JSON-ready totals of a part (the stats are not kept: a reused part counts as reused)."""
        return {"summary": self.summary.state(), "tally": self.tally.state(),
                "errors": [[e.path, e.reason, e.source, e.severity] for e in self.errors],
                "skipped": self.skipped, "results": self.results, "bytes": self.bytes}

    def load(self, state: dict[str, Any]) -> Totals:
        """These (empty) totals filled from `state`. Raises KeyError, ValueError or TypeError when
        the state is damaged."""
        self.summary.load_state(state["summary"])
        self.tally = Tally.from_state(state["tally"])
        self.errors = [ScanErrorEntry(*e) for e in state["errors"]]
        self.skipped = [{"path": str(s["path"]), "reason": str(s["reason"])} for s in state["skipped"]]
        self.results = int(state["results"])
        self.bytes = int(state["bytes"])
        return self
