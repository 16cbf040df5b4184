"""The clause-by-clause draft: 符合 / 不符合 / 不适用 / 未检测 (pass / fail / na / unchecked), each with
its evidence.

A clause without evidence is never "pass": a fact that was not declared makes it "fail", and a check
that did not run makes it "unchecked" (未检测, never 不符合), each with the reason, so the reviewer
sees what is missing. Messages are keys into the
per-language strings, with parameters, so zh and en say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provenance.reporting.facts import BLOCKING_LICENSE_RULES, CHECKS, Facts, SourceFacts
from provenance.sampling.draw import HUMAN_MIN_ITEMS
from provenance.sampling.population import items_of

PASS, FAIL, NA, UNCHECKED = "pass", "fail", "na", "unchecked"

HUMAN_MIN_RATE = 0.96
TECHNICAL_MIN_SHARE = 0.10
TECHNICAL_MIN_RATE = 0.98


@dataclass(frozen=True)
class Msg:
    """A sentence to translate: a strings key and its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Clause:
    id: str
    #: Strings key of the rule the clause comes from.
    basis: str
    status: str
    evidence: tuple[Msg, ...]


#: Names one evidence line lists, and evidence lines one clause shows, before "… N more": the
#: clause table stays the same size at any number of sources (its status counts all of them).
MAX_NAMES = 10
MAX_MESSAGES = 12


def _join(items: list[str] | tuple[str, ...]) -> str:
    more = len(items) - MAX_NAMES
    return ", ".join(items[:MAX_NAMES]) + (f" … +{more}" if more > 0 else "")


def _cap(msgs: list[Msg]) -> list[Msg]:
    """At most MAX_MESSAGES lines, failing ones first chosen, kept in their order, then a count."""
    if len(msgs) <= MAX_MESSAGES:
        return msgs
    ranked = sorted(range(len(msgs)), key=lambda i: (msgs[i].key not in _FAILING, i))
    keep = set(ranked[:MAX_MESSAGES - 1])
    return [m for i, m in enumerate(msgs) if i in keep] + [Msg("ev.more", {"n": len(msgs) - len(keep)})]


def _rules(counts: Mapping[str, int]) -> str:
    return _join([f"{rule}: {n}" for rule, n in counts.items() if n])


def _missing(sources: list[SourceFacts], keys: tuple[str, ...]) -> list[Msg]:
    out = []
    for s in sources:
        absent = [k for k in keys if s.decl(k) is None]
        denied = [k for k in keys if s.decl(k) is False]
        if denied:  # declared, but as "no" (e.g. robots_respected: false)
            out.append(Msg("ev.source_false", {"source": s.name, "keys": _join(denied)}))
        if absent:
            out.append(Msg("ev.source_missing", {"source": s.name, "keys": _join(absent)}))
        elif not denied:
            out.append(Msg("ev.source_declared", {"source": s.name, "values": _join(
                [f"{k}={s.decl(k)}" for k in keys])}))
    return out


def _status(msgs: list[Msg]) -> str:
    if any(m.key in _FAILING and m.key != "ev.not_checked" for m in msgs):
        return FAIL
    return UNCHECKED if any(m.key == "ev.not_checked" for m in msgs) else PASS


_FAILING = frozenset({
    "ev.license_findings", "ev.not_checked", "ev.source_false", "ev.not_declared", "ev.source_missing",
    "ev.known_works",
    "ev.single_source", "ev.blocked_over", "ev.pi_found_no_consent", "ev.review_missing", "ev.review_short",
    "ev.review_failed", "ev.review_incomplete", "ev.no_revision", "ev.off_purpose", "ev.unread", "ev.type_missing",
})


def pi_detections(f: Facts) -> int:
    rules = CHECKS["pii"].rules
    return sum(f.rule_total(r) for r in rules)


def corpus_items(f: Facts) -> int:
    """Items for sampling, as `provenance sample draw` counts them (sampling.population.items_of):
    records of tables plus every text, code and media asset."""
    by_kind = f.summary.get("by_kind", {})
    return sum(items_of(kind, v.get("records")) if kind == "table" else items_of(kind, None) * int(v["assets"])
               for kind, v in by_kind.items())


def technical_minimum(f: Facts) -> int:
    return max(1, -(-corpus_items(f) * 10 // 100))


def blocked_rate(s: SourceFacts) -> float | None:
    """Share of a source's checked items that hit the keyword list, from the blocklist detector's totals."""
    for det, totals in s.totals.items():
        if not any(n in det for n in CHECKS["blocklist"].detectors):
            continue
        blocked = next((totals[k] for k in ("blocked", "hits", "blocked_items") if k in totals), None)
        checked = next((totals[k] for k in ("items", "checked", "records", "total") if k in totals), None)
        if blocked is not None and checked:
            return float(blocked) / float(checked)
    return None


def _licensing(f: Facts) -> list[Msg]:
    counts = {r: f.rule_total(r) for r in BLOCKING_LICENSE_RULES}
    msgs = []
    if any(counts.values()):
        msgs.append(Msg("ev.license_findings", {"rules": _rules(counts)}))
    else:
        licenses = sorted({lic for s in f.sources for lic in s.licenses})
        msgs.append(Msg("ev.all_licensed", {"assets": sum(s.data_assets for s in f.sources),
                                            "licenses": _join(licenses) or "-"}))
    if f.errors or f.skipped:
        msgs.append(Msg("ev.unread", {"errors": f.errors, "skipped": f.skipped}))
    return msgs


def _known_works(f: Facts) -> list[Msg]:
    if not f.ran("registry"):
        return [Msg("ev.not_checked", {"check": "registry"})]
    n = f.rule_total("known-work")
    return [Msg("ev.known_works", {"assets": n})] if n else [Msg("ev.no_known_works")]


def _pi(f: Facts, sensitive: bool) -> list[Msg]:
    if not f.ran("pii"):
        msgs = [Msg("ev.not_checked", {"check": "pii"})]
    else:
        n = pi_detections(f)
        basis = f.personal_information.get("consent_basis")
        if n and not basis:
            msgs = [Msg("ev.pi_found_no_consent", {"count": n})]
        elif n:
            msgs = [Msg("ev.pi_found_consent", {"count": n, "basis": basis})]
        else:
            msgs = [Msg("ev.pi_none")]
    if sensitive:
        value = f.personal_information.get("sensitive_consent")
        found = sum(s.sensitive_count() for s in f.sources)
        if f.ran("pii") and not found and not value:
            msgs.append(Msg("ev.no_sensitive"))
        else:
            msgs.append(Msg("ev.declared", {"key": "personal_information.sensitive_consent", "value": value})
                        if value else Msg("ev.not_declared", {"key": "personal_information.sensitive_consent"}))
    return msgs


def _diversity(f: Facts, regions: bool) -> list[Msg]:
    msgs = []
    for modality in f.modalities:
        names = [s.name for s in f.sources if modality in s.modalities]
        key = "ev.sources_per_modality" if len(names) > 1 else "ev.single_source"
        msgs.append(Msg(key, {"modality": modality, "count": len(names), "sources": _join(names)}))
    if regions:
        declared = sorted({str(s.decl("region")) for s in f.sources if s.decl("region")})
        undeclared = [s.name for s in f.sources if not s.decl("region")]
        msgs.append(Msg("ev.regions", {"regions": _join(declared) or "-"}))
        if undeclared:
            msgs.append(Msg("ev.source_missing", {"source": _join(undeclared), "keys": "region"}))
    return msgs


def _by_type(f: Facts, kind: str, keys: tuple[str, ...], licensed: bool = False) -> tuple[str, list[Msg]]:
    sources = [s for s in f.sources if s.decl("type") == kind]
    if not sources:
        return NA, [Msg("ev.no_sources_of_type", {"type": kind})]
    msgs = _missing(sources, keys) if keys else []
    if licensed:
        for s in sources:
            bad = {r: s.rule_count(r) for r in BLOCKING_LICENSE_RULES}
            if any(bad.values()):
                msgs.append(Msg("ev.license_findings", {"rules": f"{s.name}: " + _rules(bad)}))
            else:
                msgs.append(Msg("ev.source_licensed", {"source": s.name, "licenses": _join(s.licenses) or "-"}))
    return _status(msgs), msgs


def _declared(section: Mapping[str, Any], prefix: str, keys: tuple[str, ...]) -> list[Msg]:
    return [
        Msg("ev.declared", {"key": f"{prefix}.{k}", "value": section[k]}) if section.get(k) not in (None, "", [])
        else Msg("ev.not_declared", {"key": f"{prefix}.{k}"})
        for k in keys
    ]


def _blocklist(f: Facts) -> list[Msg]:
    if not f.ran("blocklist"):
        return [Msg("ev.not_checked", {"check": "blocklist"})]
    msgs = []
    for s in f.sources:
        rate = blocked_rate(s)
        if rate is None:
            n = s.rule_count("blocked-content")
            msgs.append(Msg("ev.blocked_over" if n else "ev.blocked_rule_none",
                            {"source": s.name, "rate": "-", "count": n}))
        else:
            key = "ev.blocked_over" if rate > f.blocked_threshold else "ev.blocked_ok"
            msgs.append(Msg(key, {"source": s.name, "rate": f"{rate:.2%}", "count": s.rule_count("blocked-content")}))
    return msgs


def _review(f: Facts, kind: str) -> list[Msg]:
    if f.reviews is None:
        return [Msg("ev.review_missing", {"kind": kind})]
    found = [r for r in f.reviews if r.kind == kind]
    if not found:
        return [Msg("ev.review_missing", {"kind": kind})]
    r = found[0]
    if kind == "human":
        min_n, min_rate = max(HUMAN_MIN_ITEMS, r.min_items or 0), HUMAN_MIN_RATE
    else:
        # 10% of the population the sampler drew from (it records that minimum), else of this scan's items.
        min_n, min_rate = r.min_items or technical_minimum(f), TECHNICAL_MIN_RATE
    params = {"kind": kind, "n": r.n, "min_n": min_n, "rate": f"{r.rate:.2%}", "min_rate": f"{min_rate:.0%}"}
    if r.n < min_n:
        return [Msg("ev.review_short", params)]
    if r.rate < min_rate or r.passed is False:
        msgs = [Msg("ev.review_failed", params)]
        if r.reviewed is not None and r.reviewed < r.n:
            msgs.append(Msg("ev.review_incomplete", {"reviewed": r.reviewed, "n": r.n}))
        return msgs
    return [Msg("ev.review_ok", params)]


def _records(f: Facts) -> list[Msg]:
    msgs = []
    for s in f.sources:
        version = s.revision or s.decl("version")
        msgs.append(Msg("ev.revision", {"source": s.name, "version": version}) if version
                    else Msg("ev.no_revision", {"source": s.name}))
    msgs.append(Msg("ev.manifests"))
    return msgs


def _relevance(f: Facts) -> list[Msg]:
    purpose = f.service.get("purpose")
    msgs = [Msg("ev.declared", {"key": "service.purpose", "value": purpose}) if purpose
            else Msg("ev.not_declared", {"key": "service.purpose"})]
    if not f.ran("purpose"):
        msgs.append(Msg("ev.not_checked", {"check": "purpose"}))
    else:
        n = sum(f.rule_total(r) for r in CHECKS["purpose"].rules)
        msgs.append(Msg("ev.off_purpose", {"count": n}) if n else Msg("ev.on_purpose"))
    return msgs


def _art19(f: Facts) -> list[Msg]:
    msgs = [Msg("ev.scale", {"sources": len(f.sources), "assets": f.summary.get("assets", 0),
                             "records": f.summary.get("records", 0)})]
    undeclared = [s.name for s in f.sources if not s.decl("type")]
    if undeclared:
        msgs.append(Msg("ev.type_missing", {"sources": _join(undeclared)}))
    else:
        msgs.append(Msg("ev.types_declared"))
    msgs.append(Msg("ev.annotation_rules"))
    return msgs


def _deidentification(f: Facts) -> tuple[str, list[Msg]]:
    msgs = _declared(f.personal_information, "personal_information", ("deidentification",))
    if f.ran("pii") and not pi_detections(f) and msgs[0].key == "ev.not_declared":
        return NA, [Msg("ev.pi_none")]
    return _status(msgs), msgs


def assess(f: Facts) -> tuple[Clause, ...]:
    """Every clause of the outline, in order."""
    out: list[Clause] = []

    def add(cid: str, basis: str, msgs: list[Msg], status: str | None = None) -> None:
        out.append(Clause(cid, basis, status or _status(msgs), tuple(_cap(msgs))))

    add("measures-lawful-sources", "basis.measures7", _licensing(f))
    add("measures-ip", "basis.measures7", _known_works(f))
    add("measures-personal-information", "basis.measures7", _pi(f, sensitive=False))
    add("measures-diversity", "basis.measures7", _diversity(f, regions=False))
    add("measures-explain", "basis.measures19", _art19(f))
    add("tc260-source-security", "basis.tc260", _blocklist(f))
    add("tc260-source-diversity", "basis.tc260", _diversity(f, regions=True))
    for cid, kind, keys, licensed in (
        ("tc260-open-source", "open-source", ("origin",), True),
        ("tc260-self-collected", "self-collected", ("collection_log", "robots_respected"), False),
        ("tc260-commercial", "commercial", ("contract", "supplier_commitment"), False),
        ("tc260-user-input", "user-input", ("authorization",), False),
    ):
        status, msgs = _by_type(f, kind, keys, licensed)
        add(cid, "basis.tc260", msgs, status)
    add("tc260-content-filtering", "basis.tc260",
        _declared(f.content_filtering, "content_filtering", ("keywords", "classifier", "human_review")))
    add("tc260-ip", "basis.tc260", _declared(f.ip, "ip", ("owner", "policy", "complaint_channel")) + _licensing(f))
    add("tc260-personal-information", "basis.tc260", _pi(f, sensitive=True))
    add("tc260-sample-human", "basis.tc260", _review(f, "human"))
    add("tc260-sample-technical", "basis.tc260", _review(f, "technical"))
    add("gbt45652-records", "basis.gbt45652", _records(f))
    status, msgs = _deidentification(f)
    add("gbt45652-deidentification", "basis.gbt45652", msgs, status)
    add("necessity", "basis.necessity", _relevance(f))
    return tuple(out)
