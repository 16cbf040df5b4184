"""Policy: which findings fail the gate, thresholds, allow/deny lists and waivers -> Verdict."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec
import yaml

from provenance.errors import ConfigError, unknown_name
from provenance.licensing.expression import ExpressionSyntaxError, ids, parse
from provenance.model import Finding, Rule, Severity, Status, Verdict, Waived
from provenance.textworks.thresholds import SpanThresholds

# Rules that fail the gate unless a policy says otherwise.
DEFAULT_FAILING = frozenset({
    Rule.UNLICENSED, Rule.USE_RESTRICTED, Rule.LICENSE_CONFLICT, Rule.SCAN_ERROR,
    Rule.KNOWN_WORK, Rule.TDM_OPT_OUT, Rule.BLOCKED_CONTENT, Rule.LICENSE_DENIED, Rule.LICENSE_NOT_ALLOWED,
})
USES = ("commercial", "research")
_KEYS = frozenset({"name", "use", "max_errors", "rules", "deny", "allow", "thresholds", "waivers", "known_works"})
_THRESHOLD_KEYS = frozenset({"max_assets", "max_records", "max_share_bytes", "max_share_assets"})
_WAIVER_KEYS = frozenset({"rule", "path", "reason", "expires"})
SEVERITIES = tuple(s.value for s in Severity)
RULES = frozenset(r.value for r in Rule)


def _rule(value: Any, where: str) -> None:
    """A rule id as a policy names it; a typo (`unknown-licence`) is a usage error, not a silent no-op."""
    if str(value) not in RULES:
        raise unknown_name(f"rule id in {where}", value, RULES)


@dataclass(frozen=True)
class Waiver:
    rule: str
    path: str
    reason: str
    expires: dt.date | None = None

    def active(self, today: dt.date) -> bool:
        return self.expires is None or today <= self.expires


@dataclass(frozen=True)
class Policy:
    name: str = "default"
    use: str = "commercial"
    max_errors: int = 0
    #: Severity per rule; "error" fails the gate.
    rules: dict[str, str] = field(default_factory=dict)
    deny: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    #: Span lengths of a text match that make it `known-work` (error) or `known-work-excerpt`.
    known_works: SpanThresholds = field(default_factory=SpanThresholds)

    def license_findings(self, path: str, expression: str | None) -> list[Finding]:
        """Findings the policy itself raises for an asset's license (deny and allow lists)."""
        if not expression or not (self.deny or self.allow):
            return []
        try:
            used = set(ids(parse(expression)))
        except ExpressionSyntaxError:
            return []
        out = []
        denied = sorted(used & set(self.deny))
        if denied:
            out.append(Finding(Rule.LICENSE_DENIED, Severity.ERROR, path,
                               f"{', '.join(denied)} is on the policy's deny list"))
        outside = sorted(used - set(self.allow)) if self.allow else []
        if outside:
            out.append(Finding(Rule.LICENSE_NOT_ALLOWED, Severity.ERROR, path,
                               f"{', '.join(outside)} is not on the policy's allow list"))
        return out

    def fails_on(self, rule: str) -> bool:
        if rule in self.rules:
            return self.rules[rule] == "error"
        return rule in DEFAULT_FAILING


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: expires must be a date (YYYY-MM-DD), got {value!r}") from None


def _license_ids(values: Any, where: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise ConfigError(f"{where} must be a list of SPDX ids")
    out = []
    for v in values:
        try:
            out += list(ids(parse(str(v))))
        except ExpressionSyntaxError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return tuple(out)


def parse_policy(data: Any, name: str = "policy") -> Policy:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the top level must be a mapping")
    for key in data:
        if str(key) not in _KEYS:
            raise unknown_name(f"key in {name}", key, _KEYS)
    use = str(data.get("use", "commercial"))
    if use not in USES:
        raise unknown_name(f"use in {name}", use, USES)
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise ConfigError(f"{name}: rules must map rule ids to error, warning or info")
    for rule, severity in rules.items():
        _rule(rule, f"{name}: rules")
        if str(severity) not in SEVERITIES:
            raise unknown_name(f"severity in {name}: rules.{rule}", severity, SEVERITIES)
    thresholds = data.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise ConfigError(f"{name}: thresholds must be a mapping of rule -> limits")
    for rule, limits in thresholds.items():
        _rule(rule, f"{name}: thresholds")
        if not isinstance(limits, dict):
            raise ConfigError(f"{name}: thresholds.{rule} takes {', '.join(sorted(_THRESHOLD_KEYS))}")
        for key in limits:
            if key not in _THRESHOLD_KEYS:
                raise unknown_name(f"limit in {name}: thresholds.{rule}", key, _THRESHOLD_KEYS)
        for key, value in limits.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{name}: thresholds.{rule}.{key} must be a number, got {value!r}")
    waivers = []
    for i, w in enumerate(data.get("waivers") or []):
        if not isinstance(w, dict) or not w.get("rule") or not w.get("path") or not w.get("reason"):
            raise ConfigError(f"{name}: waivers[{i}] needs rule, path and reason")
        for key in w:
            if key not in _WAIVER_KEYS:
                raise unknown_name(f"key in {name}: waivers[{i}]", key, _WAIVER_KEYS)
        if str(w["rule"]) != "*":
            _rule(w["rule"], f"{name}: waivers[{i}]")
        expires = _date(w.get("expires"), f"waivers[{i}]")
        waivers.append(Waiver(str(w["rule"]), str(w["path"]), str(w["reason"]), expires))
    try:
        max_errors = int(data.get("max_errors", 0))
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: max_errors must be a whole number") from None
    return Policy(
        name=str(data.get("name", name)), use=use, max_errors=max_errors,
        rules={str(k): str(v) for k, v in rules.items()},
        deny=_license_ids(data.get("deny"), f"{name}: deny"), allow=_license_ids(data.get("allow"), f"{name}: allow"),
        thresholds={str(k): {kk: float(vv) for kk, vv in v.items()} for k, v in thresholds.items()},
        waivers=tuple(waivers),
        known_works=SpanThresholds.parse(data.get("known_works"), f"{name}: known_works"),
    )


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read policy {p}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p.name}: invalid YAML: {str(exc).splitlines()[0]}") from None
    return parse_policy(data, p.name)


class Tally:
    """What the gate counted over some assets. A folder's tally can be stored and merged in
    again when the folder did not change (waivers are referred to by their index)."""

    def __init__(self) -> None:
        self.assets = Counter[str]()
        self.records = Counter[str]()
        self.bytes = Counter[str]()
        self.waived = Counter[int]()
        self.expired: set[int] = set()
        self.total_assets = 0
        self.total_bytes = 0
        self.errors = 0

    def merge(self, other: Tally) -> None:
        self.assets.update(other.assets)
        self.records.update(other.records)
        self.bytes.update(other.bytes)
        self.waived.update(other.waived)
        self.expired |= other.expired
        self.total_assets += other.total_assets
        self.total_bytes += other.total_bytes
        self.errors += other.errors

    def state(self) -> dict[str, Any]:
        return {"assets": dict(self.assets), "records": dict(self.records), "bytes": dict(self.bytes),
                "waived": {str(k): v for k, v in self.waived.items()}, "expired": sorted(self.expired),
                "totals": [self.total_assets, self.total_bytes, self.errors]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Tally:
        t = cls()
        t.assets, t.records, t.bytes = Counter(state["assets"]), Counter(state["records"]), Counter(state["bytes"])
        t.waived = Counter({int(k): int(v) for k, v in state["waived"].items()})
        t.expired = {int(i) for i in state["expired"]}
        t.total_assets, t.total_bytes, t.errors = (int(x) for x in state["totals"])
        return t


class Gate:
    """The policy applied to counts: what each asset and source finding adds to a Tally (waivers
    matched here), and the Verdict a scan's whole Tally gives."""

    def __init__(self, policy: Policy, today: dt.date | None = None) -> None:
        self.policy = policy
        self.today = today or dt.date.today()
        self._specs = [(i, w, pathspec.GitIgnoreSpec.from_lines([w.path])) for i, w in enumerate(policy.waivers)]

    def _waiver(self, rule: str, path: str, tally: Tally) -> int | None:
        for i, waiver, spec in self._specs:
            if waiver.rule in (rule, "*") and spec.match_file(path):
                if waiver.active(self.today):
                    return i
                tally.expired.add(i)
        return None

    def count(self, tally: Tally, path: str, size: int, findings: list[Finding] | tuple[Finding, ...],
              error: bool) -> None:
        """Count one asset into `tally`."""
        t = tally
        t.total_assets += 1
        t.total_bytes += size
        waived_error = False
        for rule in sorted({f.rule for f in findings}):
            waiver = self._waiver(rule, path, t) if self._specs else None
            if waiver is not None:
                t.waived[waiver] += 1
                waived_error = waived_error or rule == Rule.SCAN_ERROR
                continue
            t.assets[rule] += 1
            t.bytes[rule] += size
            t.records[rule] += sum(f.count for f in findings if f.rule == rule)
        if error and not waived_error:
            t.errors += 1

    def count_source_finding(self, tally: Tally, finding: Finding) -> None:
        if self._waiver(finding.rule, finding.path, tally) is not None:
            return
        tally.assets[finding.rule] += 1
        tally.records[finding.rule] += finding.count

    def _over_threshold(self, t: Tally, rule: str) -> bool:
        limits = self.policy.thresholds.get(rule)
        if not limits:
            return True
        checks = {
            "max_assets": t.assets[rule],
            "max_records": t.records[rule],
            "max_share_bytes": t.bytes[rule] / t.total_bytes if t.total_bytes else 0.0,
            "max_share_assets": t.assets[rule] / t.total_assets if t.total_assets else 0.0,
        }
        return any(checks[key] > limit for key, limit in limits.items())

    def verdict(self, tally: Tally, skipped: int = 0) -> Verdict:
        failed = tuple(
            (str(rule), n) for rule, n in sorted(tally.assets.items())
            if rule != Rule.SCAN_ERROR and self.policy.fails_on(rule) and self._over_threshold(tally, rule)
        )
        reasons = [f"{rule}: {n} asset(s)" for rule, n in failed]
        unread = tally.errors
        if failed:
            status = Status.FAIL
        elif unread > self.policy.max_errors and self.policy.fails_on(Rule.SCAN_ERROR):
            status = Status.INCOMPLETE
            reasons.append(f"{unread} asset(s) could not be read (max_errors {self.policy.max_errors})")
        else:
            status = Status.PASS
        if unread and status is not Status.INCOMPLETE:
            reasons.append(f"{unread} asset(s) could not be read and were not checked")
        if skipped:
            reasons.append(f"{skipped} item(s) were skipped (see 'skipped')")
        waivers = self.policy.waivers
        for w in sorted((waivers[i] for i in tally.expired), key=lambda w: (w.rule, w.path)):
            reasons.append(f"waiver for {w.rule} on {w.path} expired on {w.expires}")
        waived = tuple(
            Waived(w.rule, w.path, w.reason, w.expires.isoformat() if w.expires else None, n)
            for w, n in sorted(((waivers[i], n) for i, n in tally.waived.items()),
                               key=lambda kv: (kv[0].rule, kv[0].path))
        )
        return Verdict(status=status, reasons=tuple(reasons), failed=failed, waived=waived,
                       skipped=unread + skipped, policy=self.policy.name, use=self.policy.use)
