"""eu-training-summary.md: the EU AI Act Art. 53(1)(d) template's sections filled from the same facts.

Written in English (the template's language). Sources are placed by their declared type; what the
scan cannot know (size bands, collection period, languages) is shown as declared or missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provenance.atomic import write_text
from provenance.reporting.document import MAX_NAMES, human_size, shown_sources
from provenance.reporting.escape import md
from provenance.reporting.facts import MODALITY, Facts, SourceFacts
from provenance.reporting.interface import ReportContext, Reporter
from provenance.reporting.strings import Strings, strings

FILE_NAME = "eu-training-summary.md"
NAMED_SHARE = 0.03
SECTIONS = (
    ("s2_1", "open-source"), ("s2_2", "commercial"), ("s2_3", "self-collected"), ("s2_4", "user-input"),
    ("s2_5", "synthetic"), ("s2_6", None),
)
_DOMAIN = re.compile(r"https?://([^/\s]+)", re.IGNORECASE)


def _modality_bytes(src: SourceFacts) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind, v in src.by_kind.items():
        if kind in MODALITY:
            out[MODALITY[kind]] = out.get(MODALITY[kind], 0) + int(v["bytes"])
    return out


def _declared(s: Strings, value: Any) -> str:
    if value in (None, "", []):
        return s.t("word.not_declared")
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _names(s: Strings, names: list[str], sep: str = ", ") -> str:
    """At most MAX_NAMES names, then "… N more"."""
    more = len(names) - MAX_NAMES
    return sep.join(names[:MAX_NAMES]) + (" " + s.t("word.more_items", n=f"{more:,}") if more > 0 else "")


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(md(c) or " " for c in row) + " |" for row in rows]
    return [*lines, ""]


def render_eu(f: Facts, s: Strings) -> str:
    totals: dict[str, int] = {}
    per_source = {src.name: _modality_bytes(src) for src in f.sources}
    for shares in per_source.values():
        for m, b in shares.items():
            totals[m] = totals.get(m, 0) + b
    out = [f"# {md(s.t('eu.title'))}", "", md(s.t("eu.intro", tool=f.tool_version, created=f.created)), ""]
    out += [f"## {md(s.t('eu.s1'))}", ""]
    collected = [f"{src.name}: {src.decl('collected')}" for src in f.sources if src.decl("collected")]
    languages = f.service.get("languages") or sorted({str(src.decl("language")) for src in f.sources
                                                      if src.decl("language")})
    fields = [
        (s.t("eu.provider"), _declared(s, f.service.get("provider"))),
        (s.t("eu.model"), _declared(s, f.service.get("name"))),
        (s.t("eu.modalities"), ", ".join(s.t(f"modality.{m}") for m in sorted(totals)) or "-"),
        (s.t("eu.size"), "; ".join(f"{s.t(f'modality.{m}')}: {human_size(b)}" for m, b in sorted(totals.items()))
         + f"; {int(f.summary.get('assets', 0)):,} files, {int(f.summary.get('records', 0)):,} records"),
        (s.t("eu.size_band"), s.t("eu.size_band_value")),
        (s.t("eu.period"), _names(s, collected, "; ") or s.t("word.not_declared")),
        (s.t("eu.languages"), _declared(s, languages)),
    ]
    out += [f"- **{md(k)}**: {md(v)}" for k, v in fields] + [""]
    out += [f"## {md(s.t('eu.s2'))}", ""]
    for key, kind in SECTIONS:
        out += [f"### {md(s.t('eu.' + key))}", ""]
        if key in ("s2_1", "s2_6"):
            out += [md(s.t(f"eu.{key}_note")), ""]
        chosen = [src for src in f.sources if (src.decl("type") == kind if kind else not src.decl("type"))]
        if not chosen:
            out += [md(s.t("eu.none")), ""]
            continue
        rows = []
        shown, hidden = shown_sources(chosen)
        for src in shown:
            shares = per_source[src.name]
            share = ", ".join(
                f"{s.t(f'modality.{m}')} {b / totals[m]:.1%}" + (" *" if b / totals[m] > NAMED_SHARE else "")
                for m, b in sorted(shares.items()) if totals.get(m))
            origin = str(src.decl("origin") or "")
            domains = ", ".join(sorted(set(_DOMAIN.findall(origin)))) or "-"
            rows.append([src.name, _declared(s, src.decl("origin")), domains, human_size(src.bytes), share or "-",
                         _names(s, list(src.licenses)) or s.t("word.none_found")])
        if hidden:
            rows.append([s.t("word.more_sources", n=f"{len(hidden):,}", files=f"{sum(h.assets for h in hidden):,}",
                             size=human_size(sum(h.bytes for h in hidden))), "", "", "", "", ""])
        out += _table([s.t("col.source"), s.t("col.origin"), s.t("eu.domains"), s.t("col.size"), s.t("eu.share"),
                       s.t("col.licenses")], rows)
    out += [f"## {md(s.t('eu.s3'))}", "", f"### {md(s.t('eu.s3_1'))}", ""]
    tdm = (s.t("eu.tdm_checked", count=f.rule_total("tdm-opt-out")) if f.ran("tdm")
           else s.t("ev.not_checked", check=s.t("check.tdm")))
    out += [f"- {md(tdm)}"]
    crawled = [src for src in f.sources if src.decl("type") == "self-collected"]
    out += [f"- {md(s.t('eu.robots'))}: " + md(_names(s, [
        f"{src.name}: {_declared(s, src.decl('robots_respected'))}" for src in crawled], "; ") or s.t("eu.none")), ""]
    out += [f"### {md(s.t('eu.s3_2'))}", ""]
    cf: Mapping[str, Any] = f.content_filtering
    out += [f"- **{md(s.t(f'decl.content_filtering.{k}'))}**: {md(_declared(s, cf.get(k)))}"
            for k in ("keywords", "classifier", "human_review")]
    blocked = (s.t("ev.not_checked", check=s.t("check.blocklist")) if not f.ran("blocklist")
               else f"blocked-content: {f.rule_total('blocked-content')}")
    out += [f"- **{md(s.t('check.blocklist'))}**: {md(blocked)}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


class EuSummaryReporter(Reporter):
    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def file_name(self) -> str:
        return FILE_NAME

    def write(self, ctx: ReportContext) -> Path:
        path = ctx.out_dir / FILE_NAME
        write_text(path, render_eu(ctx.facts, strings(self.lang)))
        return path
