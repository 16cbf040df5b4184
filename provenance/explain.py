"""Why one asset got its license and findings, in words: which file said what, which rule of
precedence decided, what was overridden, what the license allows. English and Chinese.

Reads a saved scan only (scan.json and the asset's row of assets.parquet, found with a filter on
the path column, not by loading the table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from provenance.errors import ConfigError, ReportError
from provenance.licensing.describe import classified_by, license_info
from provenance.licensing.expression import ExpressionSyntaxError, ids, parse
from provenance.licensing.kb import ALLOWED_FOR_USE
from provenance.model import Level, UseClass
from provenance.results import ASSETS_PARQUET, ScanResult, load_result
from provenance.words import EVIDENCE_KINDS, LEVELS, RULES, SEVERITIES, USE_CLASSES, Phrases, word

#: Candidate paths offered when the asked path is not in the scan.
SUGGESTIONS = 5

_PHRASES: dict[str, tuple[str, str]] = {
    "title": ("Why {path} is {license}", "为什么 {path} 的许可证是 {license}"),
    "title_none": ("Why {path} has no license", "为什么 {path} 没有许可证"),
    "asset": ("source {source}, {kind}, {size} bytes{records}", "来源 {source}，类型 {kind}，{size} 字节{records}"),
    "records": (", {n} records", "，{n} 条记录"),
    "h_evidence": ("What the scan saw", "扫描看到的证据"),
    "h_decision": ("How the license was decided", "许可证如何确定"),
    "h_terms": ("What the license allows", "许可证允许什么"),
    "h_findings": ("Findings", "发现的问题"),
    "evidence": ("{location} ({kind}, {level} level) says \"{raw}\": read as {license}{how}",
                 "{location}（{kind}，{level}层级）写的是“{raw}”：识别为 {license}{how}"),
    "evidence_reserved": ("{location} ({kind}, {level} level) says \"{raw}\": a reservation of rights, no grant",
                          "{location}（{kind}，{level}层级）写的是“{raw}”：保留权利，没有授权"),
    "evidence_unread": ("{location} ({kind}, {level} level) says \"{raw}\": no license could be identified",
                        "{location}（{kind}，{level}层级）写的是“{raw}”：未能识别出许可证"),
    "how": (" by {matcher}, confidence {confidence}", "，方式 {matcher}，置信度 {confidence}"),
    "how_records": ("; {n} records carry it", "；{n} 条记录带有该值"),
    "no_evidence": ("Nothing names a license for this asset: no SPDX header, no license field, no license file or"
                    " dataset card in its folder or any folder above it, no declaration.",
                    "没有任何地方为该资产写明许可证：没有 SPDX 标识、没有许可证字段，所在文件夹及上级文件夹都没有"
                    "许可证文件或数据卡，也没有声明。"),
    "precedence": ("Precedence: a record's own value, then the file's own header or metadata, then the nearest"
                   " folder with a license file or card (a sub-folder before its parent), then the declarations;"
                   " the more specific level wins.",
                   "优先顺序：记录自身的值，其次文件自身的标识或元数据，再次最近的含许可证文件或数据卡的文件夹"
                   "（子文件夹先于上级），最后是声明文件；更具体的层级优先。"),
    "decided": ("Decided at the {level} level by {location}.", "由{level}层级的 {location} 决定。"),
    "records_decide": ("The records carry their own license values (field '{field}'), so each record has its own"
                       " license and the asset has all of them: {parts}.",
                       "记录带有各自的许可证字段（字段 “{field}”），每条记录适用自己的许可证，整个资产同时适用："
                       "{parts}。"),
    "records_part": ("{n} × {license}", "{n} 条 {license}"),
    "records_missing": ("{n} record(s) have no value of their own and inherit {base} from {where}.",
                        "{n} 条记录没有自己的值，继承自 {where} 的 {base}。"),
    "records_orphan": ("{n} record(s) have no value of their own and nothing else covers them.",
                       "{n} 条记录没有自己的值，也没有其他证据覆盖它们。"),
    "overridden": ("Overridden by the more specific level: {location} ({level} level) says {license}.",
                   "被更具体的层级覆盖：{location}（{level}层级）写的是 {license}。"),
    "same_level": ("At the same level: {items}; combined as {license}.", "同一层级的证据：{items}；合并为 {license}。"),
    "conflict": ("Conflict: {message}", "冲突：{message}"),
    "restrictive": ("When evidence disagrees the more restrictive license applies.",
                    "证据冲突时，适用更严格的许可证。"),
    "unidentified": ("The evidence names terms that could not be identified; the license is unknown.",
                     "证据写明的条款未能识别；许可证未知。"),
    "use_class": ("{license} is {use}: {words}.", "{license} 属于 {use}：{words}。"),
    "classified": ("{id}: classified by {source}{url}.", "{id}：分类依据为 {source}{url}。"),
    "combined_and": ("All parts of an AND apply: the most restrictive part sets the use class.",
                     "AND 的各部分同时适用：由最严格的部分决定使用类别。"),
    "combined_or": ("An OR is a choice: the least restrictive part sets the use class.",
                    "OR 表示可选其一：由最宽松的部分决定使用类别。"),
    "use_ok": ("The scan checked for {use} use: allowed.", "本次扫描按 {use} 用途检查：允许。"),
    "use_unknown": ("The scan checked for {use} use: cannot tell, the terms were not identified (a person has to"
                    " read them; the policy warns, it does not fail the gate).",
                    "本次扫描按 {use} 用途检查：无法判断，许可条款未识别（需人工阅读；策略只作警告，不判定未通过）。"),
    "use_not_ok": ("The scan checked for {use} use: not allowed (use-restricted).",
                   "本次扫描按 {use} 用途检查：不允许（use-restricted）。"),
    "finding": ("{rule} ({severity}{gate}): {message}", "{rule}（{severity}{gate}）：{meaning}。原文：{message}"),
    "gate": ("; fails the gate in this scan", "；在本次扫描中导致未通过"),
    "no_findings": ("No findings.", "没有发现问题。"),
    "error": ("Not read completely: {error}", "未能完整读取：{error}"),
    "none": ("no license", "无许可证"),
    "terms_none": ("No license: nothing is granted, so the asset may not be used (unlicensed).",
                   "没有许可证：未授予任何权利，该资产不得使用（unlicensed）。"),
    "decided_none": ("With no evidence at any level the asset is unlicensed.",
                     "任何层级都没有证据，该资产为无许可证。"),
}


@dataclass(frozen=True)
class Explanation:
    """One asset's license, in words, with the facts the words were made from."""

    path: str
    source: str
    license: str | None
    use_class: str
    license_source: str
    #: The sections in order: (heading, sentences).
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    title: str
    subtitle: str
    #: The asset's evidence and findings as saved in assets.parquet.
    evidence: tuple[dict[str, Any], ...]
    findings: tuple[dict[str, Any], ...]

    def text(self) -> str:
        lines = [self.title, "  " + self.subtitle]
        for heading, sentences in self.sections:
            lines += ["", heading]
            lines += [f"  - {s}" for s in sentences]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "source": self.source, "license": self.license, "use_class": self.use_class,
                "license_source": self.license_source, "title": self.title,
                "sections": [{"heading": h, "sentences": list(s)} for h, s in self.sections],
                "evidence": list(self.evidence), "findings": list(self.findings)}


_COLUMNS = ["path", "source", "kind", "size", "license", "use_class", "license_source", "findings_json",
            "evidence_json", "error", "records", "record_licenses_json"]


def _candidates(result: ScanResult, asked: str) -> list[str]:
    """The ways `asked` may name a row: as given, or a filesystem path under the scanned root."""
    out = [asked, asked.removeprefix("./")]
    root = result.parameters.get("root")
    if root and not str(root).startswith("hf://"):
        try:
            rel = Path(asked).resolve().relative_to(Path(root).resolve())
            out.append(rel.as_posix())
        except (ValueError, OSError):
            pass
    return list(dict.fromkeys(out))


def find_rows(result: ScanResult, asked: str) -> list[dict[str, Any]]:
    """The asset rows for a path (one per source holding it). Raises ConfigError naming close paths."""
    file = Path(result.output_dir or ".") / ASSETS_PARQUET
    try:
        pf = pq.ParquetFile(file)
    except OSError as exc:
        raise ReportError(f"cannot read {file}: {exc}") from None
    names = pa.array(_candidates(result, asked), type=pa.string())
    rows: list[dict[str, Any]] = []
    similar: list[str] = []
    tail = asked.rsplit("/", 1)[-1]
    for group in range(pf.num_row_groups):  # the path column first; whole rows only where it matches
        paths = pf.read_row_group(group, columns=["path"]).column("path")
        hit = pc.is_in(paths, value_set=names)
        if pc.any(hit).as_py():
            rows += pf.read_row_group(group, columns=_COLUMNS).filter(hit).to_pylist()
        elif not rows and len(similar) < SUGGESTIONS and tail:
            near = paths.filter(pc.match_substring(paths, tail)).to_pylist()
            similar += near[: SUGGESTIONS - len(similar)]
    if not rows:
        hint = f"; did you mean {', '.join(similar)}?" if similar else ""
        raise ConfigError(f"{asked} is not an asset of the scan in {result.output_dir}{hint}")
    return rows


def _level_of(e: dict[str, Any]) -> Level:
    return Level(e["level"])


def _evidence_sentence(say: Phrases, e: dict[str, Any], lang: str) -> str:
    fields = {"location": e["location"], "kind": word(EVIDENCE_KINDS, e["kind"], lang),
              "level": word(LEVELS, e["level"], lang), "raw": _short(e["raw"])}
    if e.get("reservation"):
        return say("evidence_reserved", **fields)
    if not e.get("license"):
        return say("evidence_unread", **fields)
    how = say("how", matcher=e["matcher"], confidence=f"{float(e['confidence']):.2f}")
    if e.get("records"):
        how += say("how_records", n=e["records"])
    return say("evidence", license=e["license"], how=how, **fields)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decision(say: Phrases, row: dict[str, Any], evidence: list[dict[str, Any]], findings: list[dict[str, Any]],
              lang: str) -> list[str]:
    out: list[str] = []
    conflicts = [f for f in findings if f["rule"] == "license-conflict"]
    record_values = json.loads(row.get("record_licenses_json") or "[]")
    if not evidence and not record_values:
        return [say("precedence"), say("decided_none")]
    out.append(say("precedence"))
    source = row.get("license_source") or ""
    non_record = [e for e in evidence if e["level"] != Level.RECORD.value]
    if record_values:
        per: dict[str, int] = {}
        missing = 0
        for item in record_values:
            if item.get("license"):
                per[item["license"]] = per.get(item["license"], 0) + int(item["count"])
            else:
                missing += int(item["count"])
        parts = ", ".join(say("records_part", n=n, license=lic) for lic, n in per.items())
        out.append(say("records_decide", field=record_values[0].get("field") or "license", parts=parts or "-"))
        if missing:
            base = _inherited_by_records(record_values, non_record)
            if base is not None:
                out.append(say("records_missing", n=missing, base=base["license"], where=base["location"]))
            else:
                out.append(say("records_orphan", n=missing))
        decided_level = Level.RECORD
    else:
        chosen = next((e for e in evidence if e["location"] == source), None)
        if chosen is None:
            chosen = evidence[0] if evidence else None
        if chosen is None:
            return out
        decided_level = _level_of(chosen)
        out.append(say("decided", level=word(LEVELS, decided_level.value, lang), location=chosen["location"]))
        same = [e for e in evidence if _level_of(e) is decided_level]
        if len(same) > 1 and not conflicts:
            items = "; ".join(f"{e['location']}: {e.get('license') or _short(e['raw'], 60)}" for e in same)
            out.append(say("same_level", items=items, license=row.get("license") or say("none")))
        if not any(e.get("license") or e.get("reservation") for e in same):
            out.append(say("unidentified"))
    inherited = _inherited_by_records(record_values, non_record)
    for e in evidence:
        if e is inherited:
            continue
        if _level_of(e).rank > decided_level.rank and (e.get("license") or e.get("reservation")):
            out.append(say("overridden", location=e["location"], level=word(LEVELS, e["level"], lang),
                           license=e.get("license") or _short(e["raw"], 60)))
    for f in conflicts:
        out.append(say("conflict", message=f["message"]))
    if conflicts:
        out.append(say("restrictive"))
    return out


def _inherited_by_records(values: list[dict[str, Any]], non_record: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The evidence records without a value of their own inherit (it is not overridden for them)."""
    if not any(not v.get("license") for v in values):
        return None
    return next((e for e in non_record if e.get("license")), None)


def _terms(say: Phrases, license: str | None, use_class: str, use: str, lang: str) -> list[str]:
    if not license:
        return [say("terms_none")]
    out = [say("use_class", license=license, use=use_class, words=word(USE_CLASSES, use_class, lang))]
    try:
        parsed = parse(license)
        parts = list(dict.fromkeys(ids(parsed)))
        op = getattr(parsed, "op", None)
    except ExpressionSyntaxError:
        parts, op = [], None
    if op == "AND":
        out.append(say("combined_and"))
    elif op == "OR":
        out.append(say("combined_or"))
    for lid in parts:
        info = license_info(lid)
        url = f" ({info.url})" if info.url else ""
        out.append(say("classified", id=lid, source=classified_by(info.facts, info.category, lang), url=url))
    try:
        klass: UseClass | None = UseClass(use_class)
    except ValueError:
        klass = None
    if klass is UseClass.UNKNOWN:  # not "allowed": nobody knows yet; the policy only warns
        out.append(say("use_unknown", use=use))
    else:
        out.append(say("use_ok" if klass in ALLOWED_FOR_USE.get(use, frozenset()) else "use_not_ok", use=use))
    return out


def explain_row(result: ScanResult, row: dict[str, Any], lang: str = "en") -> Explanation:
    say = Phrases(_PHRASES, lang)
    evidence = json.loads(row.get("evidence_json") or "[]")
    findings = json.loads(row.get("findings_json") or "[]")
    failed = {rule for rule, _ in result.verdict.failed}
    license = row.get("license")
    records = say("records", n=row["records"]) if row.get("records") is not None else ""
    title = say("title", path=row["path"], license=license) if license else say("title_none", path=row["path"])
    subtitle = say("asset", source=row["source"], kind=row["kind"], size=row["size"], records=records)
    seen = [_evidence_sentence(say, e, lang) for e in evidence]
    if row.get("error"):
        seen.append(say("error", error=row["error"]))
    listed = [
        say("finding", rule=f["rule"], severity=word(SEVERITIES, f["severity"], lang),
            gate=say("gate") if f["rule"] in failed else "", meaning=word(RULES, f["rule"], lang),
            message=f["message"])
        for f in findings
    ] or [say("no_findings")]
    sections = (
        (say("h_evidence"), tuple(seen or [say("no_evidence")])),
        (say("h_decision"), tuple(_decision(say, row, evidence, findings, lang))),
        (say("h_terms"), tuple(_terms(say, license, row["use_class"], result.verdict.use, lang))),
        (say("h_findings"), tuple(listed)),
    )
    return Explanation(row["path"], row["source"], license, row["use_class"], row.get("license_source") or "",
                       sections, title, subtitle, tuple(evidence), tuple(findings))


def explain(scan: str | Path, path: str, lang: str = "en") -> list[Explanation]:
    """Explanations for `path` in the saved scan at `scan` (a folder or its scan.json)."""
    result = load_result(scan)
    return [explain_row(result, row, lang) for row in find_rows(result, path)]
