"""The filing section as a list of blocks, built from the facts and one language's strings.

Markdown, HTML (and PDF through HTML) render these blocks, so every format says the same thing.
Blocks hold plain text: escaping is the renderers' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from provenance.reporting.clauses import (
    HUMAN_MIN_ITEMS,
    HUMAN_MIN_RATE,
    TECHNICAL_MIN_RATE,
    UNCHECKED,
    Clause,
    Msg,
    assess,
    blocked_rate,
    corpus_items,
    technical_minimum,
)
from provenance.reporting.facts import CHECKS, LICENSE_RULES, MODALITY, Facts, SourceFacts
from provenance.reporting.strings import Strings

# Declared items each source type must be traceable by (FILING.md, traceability by source type).
TRACE_KEYS = {
    "open-source": ("origin", "license", "evidence"),
    "self-collected": ("origin", "collection_log", "collected", "robots_respected"),
    "commercial": ("origin", "contract", "supplier_commitment"),
    "user-input": ("authorization",),
    "synthetic": ("origin", "notes"),
}
#: Detector counts shown first, in this order; the categories found follow as counted.
_TALLY_FIRST = {k: i for i, k in enumerate(("items", "items_with_pii", "relevant_items", "off_purpose_items",
                                                "blocked_items"))}
USE_CLASSES = ("commercial", "non-commercial", "research-only", "no-grant", "unknown", "none")
#: Bounds that keep the section the same size at any corpus size; what is left out is counted in
#: the tables ("… N more") and listed in full in scan.json and the manifests.
MAX_SOURCES = 25
MAX_GROUPS = 30
MAX_NAMES = 8


@dataclass(frozen=True)
class Cell:
    text: str
    #: "", "pass", "fail", "na" or "missing": how a renderer may colour it.
    tone: str = ""
    #: Render as code (paths, hashes, ids).
    code: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    text: str
    tone: str = ""


@dataclass(frozen=True)
class Fields:
    """Label / value pairs."""

    rows: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars; each bar may be split into named segments (stacked)."""

    title: str
    bars: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    unit: str
    #: Every segment name in legend order (fixes the colours); empty: order of appearance.
    series: tuple[str, ...] = ()


Block = Heading | Para | Fields | Table | BarChart


@dataclass(frozen=True)
class Document:
    lang: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ManifestFile:
    """A manifest written in the same run: name, SHA-256 and size (for section 12)."""

    name: str
    sha256: str
    size: int


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{int(n)} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


class _Builder:
    def __init__(self, facts: Facts, s: Strings, manifests: tuple[ManifestFile, ...] | None) -> None:
        self.f = facts
        self.s = s
        self.manifests = manifests
        self.blocks: list[Block] = []
        self.clauses = assess(facts)

    # -- small helpers -------------------------------------------------------------------------
    def t(self, key: str, /, **params: Any) -> str:
        return self.s.t(key, **params)

    def word(self, group: str, value: Any) -> str:
        """A controlled value in words (type, region, modality...); unknown values are shown as they are."""
        key = f"{group}.{value}"
        return self.t(key) if self.s.has(key) else _value(value)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def shown(self) -> tuple[list[SourceFacts], list[SourceFacts]]:
        """(sources with rows of their own, the rest): the MAX_SOURCES with most files, in name order."""
        return shown_sources(self.f.sources)

    def more_row(self, hidden: list[SourceFacts], width: int) -> tuple[Cell, ...]:
        """One row for the sources a table leaves out: how many, their files and size."""
        text = self.t("word.more_sources", n=f"{len(hidden):,}", files=f"{sum(h.assets for h in hidden):,}",
                      size=human_size(sum(h.bytes for h in hidden)))
        return (Cell(text), *(Cell("") for _ in range(width - 1)))

    def names(self, names: list[str]) -> str:
        """Names joined, at most MAX_NAMES, then "… N more"."""
        shown = ", ".join(names[:MAX_NAMES])
        return shown + (" " + self.t("word.more_items", n=f"{len(names) - MAX_NAMES:,}")
                        if len(names) > MAX_NAMES else "")

    def section(self, n: int) -> None:
        self.add(Heading(2, f"{n}. " + self.t(f"section.s{n}"), f"s{n}"))

    def declared(self, value: Any) -> Cell:
        if value in (None, "", []):
            return Cell(self.t("word.not_declared"), "missing")
        return Cell(_value(value))

    def not_checked(self) -> Cell:
        return Cell(self.t("word.not_checked"), "missing")

    def msg(self, m: Msg) -> str:
        params = dict(m.params)
        if "check" in params:
            params["check"] = self.word("check", params["check"])
        if "type" in params:
            params["type"] = self.word("type", params["type"])
        if "modality" in params:
            params["modality"] = self.word("modality", params["modality"])
        if "value" in params:
            params["value"] = _value(params["value"])
        if "key" in params:
            params["key"] = self.key_label(str(params["key"]))
        if "keys" in params:
            params["keys"] = self.t("sep.list").join(self.key_label(k) for k in str(params["keys"]).split(", "))
        if m.key == "ev.regions" and params["regions"] != "-":
            params["regions"] = ", ".join(self.word("region", r) for r in str(params["regions"]).split(", "))
        if m.key.startswith("ev.review") and "kind" in params:
            params["kind"] = self.word("review", params["kind"])
        return self.t(m.key, **params)

    def key_label(self, key: str) -> str:
        """A declarations key in words, with the key itself so it can be found in the file."""
        short = key.replace("personal_information.", "pi.")
        for candidate in (f"decl.{short}", f"decl.{key}", key):
            if self.s.has(candidate):
                return f"{self.t(candidate)} ({key})"
        return key


    def source_type(self, s: SourceFacts) -> Cell:
        kind = s.decl("type")
        return Cell(self.word("type", kind)) if kind else Cell(self.t("word.not_declared"), "missing")

    def region(self, s: SourceFacts) -> Cell:
        region = s.decl("region")
        return Cell(self.word("region", region)) if region else Cell(self.t("word.not_declared"), "missing")

    def num(self, n: Any) -> Cell:
        return Cell(f"{int(n):,}")

    # -- sections ------------------------------------------------------------------------------
    def build(self) -> Document:
        f = self.f
        self.add(Heading(1, self.t("title")))
        self.add(Para(self.t("intro", created=f.created, tool=f.tool_version, kb=f.knowledge_base)))
        for n, part in enumerate((self.basic, self.overview, self.sources, self.diversity, self.legality,
                                  self.security, self.ip, self.personal, self.relevance, self.sampling,
                                  self.clause_table, self.manifest), start=1):
            self.section(n)
            part()
        return Document(self.s.lang, self.t("title"), tuple(self.blocks))

    def basic(self) -> None:
        f = self.f
        rows = [(self.t(f"service.{k}"), self.declared(f.service.get(k)))
                for k in ("name", "provider", "purpose", "domains", "base_model", "base_model_filing",
                          "filing_number", "modalities", "languages", "contact")]
        rows.append((self.t("label.declarations_file"), self.declared(f.declarations_file)))
        self.add(Fields(tuple(rows)))
        verdict = self.t(f"status.{f.status}")
        self.add(Fields((
            (self.t("label.tool"), Cell(f"provenance {f.tool_version}")),
            (self.t("label.knowledge_base"), Cell(f"{f.knowledge_base} ({f.license_index})")),
            (self.t("label.created"), Cell(f.created)),
            (self.t("label.scan_json"), Cell(f.scan_sha256 or "-", code=True)),
            (self.t("label.root"), Cell(f.root, code=True)),
            (self.t("label.policy"), Cell(f"{f.policy} / {self.t('use.' + f.use)}")),
            (self.t("label.detectors"), Cell(", ".join(f.detectors), code=True)),
            (self.t("label.verdict"), Cell(verdict, "pass" if f.status == "pass" else "fail")),
            (self.t("label.reasons"), Cell("; ".join(f.reasons) or "-")),
        )))

    def overview(self) -> None:
        f = self.f
        s = f.summary
        tokens = sum(int(t.get("tokens", 0)) for src in f.sources for t in src.totals.values())
        has_tokens = any("tokens" in t for src in f.sources for t in src.totals.values())
        langs = sorted({_value(src.decl("language")) for src in f.sources if src.decl("language")})
        if not langs and f.service.get("languages"):
            langs = [_value(f.service["languages"])]
        data_assets = sum(int(v["assets"]) for v in s.get("by_license", {}).values())
        self.add(Fields((
            (self.t("label.storage"), Cell(_exact_size(int(s.get("bytes", 0))))),
            (self.t("label.assets"), Cell(self.t("value.assets", total=f"{int(s.get('assets', 0)):,}",
                                                 data=f"{data_assets:,}"))),
            (self.t("label.records"), self.num(s.get("records", 0))),
            (self.t("label.tokens"), Cell(f"{tokens:,}") if has_tokens else self.not_checked()),
            (self.t("label.modalities"), Cell(", ".join(self.t(f"modality.{m}") for m in f.modalities) or "-")),
            (self.t("label.languages"), Cell(", ".join(langs) + " " + self.t("word.declared_mark"))
             if langs else Cell(self.t("word.not_checked_declared"), "missing")),
            (self.t("label.errors"), Cell(self.t("value.errors", errors=f"{f.errors:,}", skipped=f"{f.skipped:,}",
                                                      warnings=f"{f.warnings:,}"),
                                          "fail" if f.errors or f.skipped else "")),
        )))
        rows = [
            (Cell(self.word("kind", kind)),
             Cell(self.t(f"modality.{MODALITY[kind]}") if kind in MODALITY else self.t("word.metadata")),
             self.num(v["assets"]), Cell(human_size(v["bytes"])), self.num(v["records"]))
            for kind, v in s.get("by_kind", {}).items()
        ]
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("kind", "modality", "assets", "size", "records")),
                       tuple(rows)))

    def sources(self) -> None:
        f = self.f
        rows: list[tuple[Cell, ...]] = []
        shown, hidden = self.shown()
        for src in shown:
            rows.append((
                Cell(src.name), self.source_type(src), self.region(src), self.declared(src.decl("origin")),
                Cell(src.paths, code=True), self.num(src.assets), Cell(human_size(src.bytes)), self.num(src.records),
                Cell(self.names(list(src.licenses)) or self.t("word.none_found"), "" if src.licenses else "fail"),
            ))
        if hidden:
            rows.append(self.more_row(hidden, 9))
        self.add(Table(tuple(self.t(f"col.{c}") for c in (
            "source", "type", "region", "origin", "paths", "assets", "size", "records", "licenses")), tuple(rows)))
        by_type: dict[str, list[SourceFacts]] = {}
        for src in f.sources:
            by_type.setdefault(str(src.decl("type") or ""), []).append(src)
        type_rows = [
            (Cell(self.word("type", k) if k else self.t("word.not_declared"), "" if k else "missing"),
             self.num(len(v)), Cell(human_size(sum(x.bytes for x in v))))
            for k, v in sorted(by_type.items())
        ]
        self.add(Table((self.t("col.type"), self.t("col.sources"), self.t("col.size")), tuple(type_rows)))
        by_region: dict[str, list[SourceFacts]] = {}
        for src in f.sources:
            by_region.setdefault(str(src.decl("region") or ""), []).append(src)
        region_rows = [
            (Cell(self.word("region", k) if k else self.t("word.not_declared"), "" if k else "missing"),
             self.num(len(v)), Cell(human_size(sum(x.bytes for x in v))))
            for k, v in sorted(by_region.items())
        ]
        self.add(Table((self.t("col.region"), self.t("col.sources"), self.t("col.size")), tuple(region_rows)))
        self.add(BarChart(
            self.t("chart.use_by_source"),
            tuple((src.name, tuple((self.word("useclass", u), float(src.by_use_class[u]["assets"]))
                                   for u in USE_CLASSES if u in src.by_use_class)) for src in shown),
            self.t("col.assets"),
            tuple(self.t(f"useclass.{u}") for u in USE_CLASSES),
        ))

    def diversity(self) -> None:
        cells: dict[tuple[str, str], list[str]] = {}
        for src in self.f.sources:
            lang = _value(src.decl("language")) if src.decl("language") else ""
            for m in src.modalities:
                cells.setdefault((lang, m), []).append(src.name)
        rows = [
            (Cell(lang) if lang else Cell(self.t("word.not_checked_declared"), "missing"),
             Cell(self.t(f"modality.{m}")), self.num(len(names)), Cell(self.names(names)),
             Cell(self.t("word.ok"), "pass") if len(names) > 1 else Cell(self.t("word.single"), "fail"))
            for (lang, m), names in sorted(cells.items())
        ]
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("language", "modality", "sources", "names", "diversity")),
                       tuple(rows)))

    def legality(self) -> None:
        self.add(Heading(3, self.t("sub.license_evidence")))
        rows: list[tuple[Cell, ...]] = []
        shown, hidden = self.shown()
        for src in shown:
            for ev in src.evidence:
                where = (self.t("word.own_more", location=ev.location, n=f"{ev.assets - 1:,}")
                         if ev.own and ev.assets > 1 else ev.location)
                rows.append((Cell(src.name), Cell(ev.license, code=True), Cell(where, code=True),
                             Cell(ev.raw or "-"), Cell(ev.sha256 or "-", code=True), self.num(ev.assets)))
            if src.evidence_more:
                rows.append((Cell(src.name), Cell(self.t("word.more", n=src.evidence_more)), Cell(""), Cell(""),
                             Cell(""), Cell("")))
            unlicensed = src.by_license.get("(none)", {}).get("assets", 0)
            if unlicensed:
                rows.append((Cell(src.name), Cell(self.t("word.none_found"), "fail"), Cell("-"), Cell("-"),
                             Cell("-"), self.num(unlicensed)))
        if hidden:
            rows.append(self.more_row(hidden, 6))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("source", "license", "found_at", "said", "sha256",
                                                              "assets")),
                       tuple(rows)))
        self.add(Heading(3, self.t("sub.traceability")))
        trace: list[tuple[Cell, ...]] = []
        for src in shown:
            kind = src.decl("type")
            keys = TRACE_KEYS.get(str(kind), ("type",))
            for key in keys:
                trace.append((Cell(src.name), self.source_type(src), Cell(self.t(f"decl.{key}")),
                              self.declared(src.decl(key))))
        if hidden:
            trace.append(self.more_row(hidden, 4))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("source", "type", "item", "value")), tuple(trace)))

    def security(self) -> None:
        f = self.f
        if not f.ran("blocklist"):
            self.add(Para(self.t("para.not_checked", check=self.t("check.blocklist")), "missing"))
        else:
            rows: list[tuple[Cell, ...]] = []
            shown, hidden = self.shown()
            for src in shown:
                rate = blocked_rate(src)
                count = src.rule_count("blocked-content")
                over = (rate is not None and rate > f.blocked_threshold) or (rate is None and count > 0)
                rows.append((Cell(src.name), Cell(self.totals_text(src, "blocklist")),
                             Cell("-" if rate is None else f"{rate:.2%}"), Cell(f"{f.blocked_threshold:.0%}"),
                             Cell(self.t("word.fail"), "fail") if over else Cell(self.t("word.pass"), "pass")))
            if hidden:
                rows.append(self.more_row(hidden, 5))
            self.add(Table(tuple(self.t(f"col.{c}") for c in ("source", "detector_totals", "rate", "threshold",
                                                                  "result")), tuple(rows)))
        self.add(Fields(tuple(
            (self.t(f"decl.content_filtering.{k}"), self.declared(f.content_filtering.get(k)))
            for k in ("keywords", "classifier", "human_review")
        )))

    def totals_text(self, src: SourceFacts, check: str) -> str:
        """A detector's counts for a source in words ("12 checked, 1 with personal information,
        mobile numbers: 1"), not its raw counter names."""
        names = CHECKS[check].detectors
        counts = [(k, v) for det, totals in src.totals.items() if any(n in det for n in names)
                  for k, v in totals.items()]
        # what was checked first, then what was found: "634 items checked, 1 with personal information, ..."
        counts.sort(key=lambda kv: _TALLY_FIRST.get(kv[0], len(_TALLY_FIRST)))
        return self.t("sep.list").join(self.tally(k, v) for k, v in counts) or "-"

    def tally(self, key: str, value: Any) -> str:
        n = _num_text(value)
        group, _, what = key.partition(":")
        if what and group in ("domain", "sensitive"):
            return self.t(f"tally.{group}", what=what.replace("_", " "), n=n)
        return self.t(f"tally.{key}", n=n) if self.s.has(f"tally.{key}") else f"{key.replace('_', ' ')}: {n}"

    def ip(self) -> None:
        f = self.f
        self.add(Heading(3, self.t("sub.license_findings")))
        rows: list[tuple[Cell, ...]] = []
        for rule in LICENSE_RULES:
            total = f.rule_total(rule)
            counted = [s for s in f.sources if s.rule_count(rule)]
            if len(counted) > MAX_NAMES:  # the sources with most findings are named
                counted.sort(key=lambda s: (-s.rule_count(rule), s.name))
            per_source = self.names([f"{s.name}: {s.rule_count(rule):,}" for s in counted])
            tone = "fail" if total and rule in ("unlicensed", "use-restricted", "license-conflict",
                                                "license-denied", "license-not-allowed") else ""
            rows.append((Cell(rule, code=True), Cell(self.t(f"rule.{rule}")), Cell(f"{total:,}", tone),
                         Cell(per_source or "-")))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("rule", "meaning", "assets", "by_source")), tuple(rows)))
        self.add(BarChart(self.t("chart.findings_by_rule"), tuple(
            (rule, ((self.t("col.assets"), float(n)),)) for rule, n in f.summary.get("findings_by_rule", {}).items()),
            self.t("col.assets"), (self.t("col.assets"),)))
        self.add(Heading(3, self.t("sub.finding_examples")))
        order = sorted(range(len(f.findings)), key=lambda i: (-int(f.findings[i]["assets"]), i))
        keep = set(order[:MAX_GROUPS])  # the most affected folders, in the scan's order
        groups = [g for i, g in enumerate(f.findings) if i in keep]
        rest = [g for i, g in enumerate(f.findings) if i not in keep]
        rows = [
            (Cell(g["rule"], code=True), Cell(g["folder"] or "/", code=True), self.num(g["assets"]),
             self.num(g["records"]), Cell("; ".join(g["examples"]), code=True))
            for g in groups
        ]
        if rest:
            rows.append((Cell(self.t("word.more_groups", n=f"{len(rest):,}",
                                     files=f"{sum(int(g['assets']) for g in rest):,}")), Cell(""), Cell(""),
                         Cell(""), Cell("")))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("rule", "folder", "assets", "records", "examples")),
                       tuple(rows)))
        self.add(Heading(3, self.t("sub.other_ip")))
        other: list[tuple[str, Cell]] = []
        images = int(f.summary.get("by_kind", {}).get("image", {}).get("assets", 0))
        for check, rule in (("registry", "known-work"), ("images", ""), ("tdm", "tdm-opt-out")):
            if not f.ran(check):
                value = self.not_checked()
            elif rule:
                value = Cell(f"{f.rule_total(rule):,}", "fail" if f.rule_total(rule) else "")
            else:
                value = Cell(self.t("value.images_read", n=f"{images:,}"))
            other.append((self.t(f"check.{check}"), value))
        self.add(Fields(tuple(other)))
        self.known_works()
        self.add(Fields(tuple((self.t(f"decl.ip.{k}"), self.declared(f.ip.get(k)))
                              for k in ("owner", "policy", "complaint_channel"))))

    def known_works(self) -> None:
        """The registered works the scan found, each with its files per source."""
        f = self.f
        if not f.known_works:
            return
        self.add(Heading(3, self.t("sub.known_works")))
        rows: list[tuple[Cell, ...]] = []
        for w in f.known_works:
            sources = sorted(w["sources"].items(), key=lambda kv: (-kv[1], kv[0]))
            rows.append((Cell(str(w.get("title") or w["work_id"])), Cell(str(w["work_id"]), code=True),
                         Cell(str(w.get("rights_holder") or "-")), Cell(self.t(f"value.work_{w['kind']}")),
                         Cell(self.t(f"value.match_{w['level']}"), "fail" if w["level"] == "error" else ""),
                         Cell(self.names([f"{s}: {n:,}" for s, n in sources]))))
        if f.known_works_more:
            rows.append((Cell(self.t("word.more_items", n=f"{f.known_works_more:,}")), *(Cell("") for _ in range(5))))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("work", "work_id", "rights_holder", "kind", "match",
                                                           "by_source")), tuple(rows)))

    def personal(self) -> None:
        self.detector_section("pii")
        pi = self.f.personal_information
        self.add(Fields(tuple((self.t(f"decl.pi.{k}"), self.declared(pi.get(k)))
                              for k in ("consent_basis", "sensitive_consent", "deidentification"))))

    def detector_section(self, check: str) -> None:
        f = self.f
        if not f.ran(check):
            self.add(Para(self.t("para.not_checked", check=self.t(f"check.{check}")), "missing"))
            return
        rules = CHECKS[check].rules
        rows: list[tuple[Cell, ...]] = []
        shown, hidden = self.shown()
        for src in shown:
            counts = ", ".join(f"{r}: {src.rule_count(r)}" for r in rules if src.rule_count(r))
            rows.append((Cell(src.name), Cell(self.totals_text(src, check)), Cell(counts or "0")))
        if hidden:
            rows.append(self.more_row(hidden, 3))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("source", "detector_totals", "findings")), tuple(rows)))

    def relevance(self) -> None:
        self.add(Fields(((self.t("service.purpose"), self.declared(self.f.service.get("purpose"))),)))
        self.detector_section("purpose")

    def sampling(self) -> None:
        f = self.f
        items = corpus_items(f)
        technical_min = technical_minimum(f)
        self.add(Fields((
            (self.t("label.items"), self.num(items)),
            (self.t("label.human_rule"), Cell(self.t("value.human_rule", n=f"{HUMAN_MIN_ITEMS:,}",
                                                     rate=f"{HUMAN_MIN_RATE:.0%}"))),
            (self.t("label.technical_rule"), Cell(self.t("value.technical_rule", n=f"{technical_min:,}",
                                                         rate=f"{TECHNICAL_MIN_RATE:.0%}"))),
        )))
        if f.reviews is None:
            self.add(Para(self.t("para.review_missing"), "missing"))
            return
        rows = [
            (Cell(self.word("review", r.kind)), self.num(r.n),
             Cell("-") if r.reviewed is None else self.num(r.reviewed), self.num(r.qualified), Cell(f"{r.rate:.2%}"),
             Cell("-" if r.ci_low is None or r.ci_high is None else f"{r.ci_low:.2%} – {r.ci_high:.2%}"),
             Cell("-" if r.threshold is None else f"{r.threshold:.0%}"),
             Cell("-") if r.min_items is None else self.num(r.min_items),
             Cell("-" if r.seed is None else str(r.seed), code=True),
             Cell("-") if r.passed is None else
             Cell(self.t("word.pass"), "pass") if r.passed else Cell(self.t("word.fail"), "fail"))
            for r in f.reviews
        ]
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("review", "n", "reviewed", "qualified", "rate", "ci",
                                                              "threshold", "min_items", "seed", "result")),
                       tuple(rows)))
        for r in f.reviews:
            if r.reasons:
                self.add(Para(self.word("review", r.kind) + self.t("sep.label") + self.t("sep.items").join(r.reasons),
                              "fail"))

    def clause_table(self) -> None:
        self.add(Para(self.t("para.clauses")))
        rows = [self.clause_row(i, c) for i, c in enumerate(self.clauses, start=1)]
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("num", "basis", "clause", "status", "evidence")),
                       tuple(rows)))

    def clause_row(self, i: int, c: Clause) -> tuple[Cell, ...]:
        return (Cell(str(i)), Cell(self.t(c.basis)), Cell(self.t(f"clause.{c.id}")),
                Cell(self.t(f"verdict.{c.status}"), "missing" if c.status == UNCHECKED else c.status),
                Cell(self.t("sep.items").join(self.msg(m) for m in c.evidence)))

    def manifest(self) -> None:
        rows: list[tuple[Cell, ...]] = [
            (Cell(src.name), Cell(_value(src.revision or src.decl("version") or "-"), code=True),
             Cell(src.root, code=True), Cell(src.paths, code=True), self.num(src.assets), Cell(human_size(src.bytes)),
             Cell(self.names(list(src.licenses)) or "-"), Cell(src.digest or "-", code=True), Cell(self.f.created))
            for src in self.shown()[0]
        ]
        hidden = self.shown()[1]
        if hidden:
            rows.append(self.more_row(hidden, 9))
        self.add(Table(tuple(self.t(f"col.{c}") for c in ("source", "version", "root", "paths", "assets", "size",
                                                              "licenses", "source_digest", "scanned")), tuple(rows)))
        self.add(Para(self.t("para.source_digest")))
        if self.manifests is None:
            self.add(Para(self.t("para.no_manifests"), "missing"))
            return
        self.add(Table((self.t("col.file"), self.t("col.digest"), self.t("col.size")), tuple(
            (Cell(m.name, code=True), Cell(m.sha256, code=True), Cell(f"{m.size:,} B")) for m in self.manifests)))


def shown_sources(sources: Iterable[SourceFacts]) -> tuple[list[SourceFacts], list[SourceFacts]]:
    """(the MAX_SOURCES sources with most files, in their order; the others)."""
    items = list(sources)
    if len(items) <= MAX_SOURCES:
        return items, []
    keep = {s.name for s in sorted(items, key=lambda s: (-s.assets, -s.bytes, s.name))[:MAX_SOURCES]}
    return [s for s in items if s.name in keep], [s for s in items if s.name not in keep]


def _exact_size(n: int) -> str:
    return human_size(n) if n < 1000 else f"{human_size(n)} ({n:,} B)"


def _num_text(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def build_document(facts: Facts, s: Strings, manifests: Iterable[ManifestFile] | None = None) -> Document:
    return _Builder(facts, s, tuple(manifests) if manifests is not None else None).build()


def clause_summary(facts: Facts) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for c in assess(facts):
        out[c.status] = out.get(c.status, 0) + 1
    return out
