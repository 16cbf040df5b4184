"""Dataset cards (README.md): YAML `license`, `license_name`, `license_link`, and statements in the prose."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.frontmatter import parse_card
from provenance.licensing.expression import use_class
from provenance.licensing.identify import find_notices
from provenance.licensing.kb import USE_RANK
from provenance.licensing.names import normalize_license, restriction_clauses
from provenance.model import Asset, AssetKind, Evidence, EvidenceKind, Level, Location

# Card metadata worth keeping in the result (lineage, languages, sizes) for reports and later checks.
KEPT_FIELDS = ("pretty_name", "language", "task_categories", "size_categories", "source_datasets",
               "annotations_creators", "language_creators", "multilinguality", "configs")


def license_ref(name: str) -> str:
    """A LicenseRef- id for a license known only by name (`license: other` + `license_name`)."""
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-.")[:64]
    return f"LicenseRef-{slug}" if slug else "LicenseRef-Unknown"


# `license_link: LICENSE` (or ./LICENSE.md, LICENSE.txt): the terms are those of a file in the repository.
_RELATIVE_FILE = re.compile(r"^(?:\./)?[\w.-]*licen[cs]e[\w.-]*$", re.IGNORECASE)


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE | re.IGNORECASE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def card_evidence(path: str, scope: str, meta: dict[str, Any], text: str = "",
                  applies_to: str = "data") -> list[Evidence]:
    """Evidence from card metadata; shared with the Hugging Face source. A card's license speaks for
    the dataset: it does not relicense the scripts beside it (`applies_to`)."""
    # YAML keys are read case-blind (`License:`), and `licenses:` stands for `license:`.
    lowered = {str(k).strip().lower(): v for k, v in meta.items()}
    meta = {**{"license": lowered.get("licenses")}, **{k: v for k, v in lowered.items() if v is not None}}
    value = meta.get("license")
    # Whatever the card holds under `license` is read as text: `license: 123` or a mapping must
    # show up as unidentified evidence, not vanish and let the folder inherit a parent's license.
    if value is None:
        values = []
    elif isinstance(value, list):
        values = [v if isinstance(v, str) else json.dumps(v, default=str) for v in value if v is not None]
    else:
        values = [value if isinstance(value, str) else json.dumps(value, default=str)]
    name = meta.get("license_name")
    link = meta.get("license_link")
    line = _line_of(text, "license") if text else None
    found: list[Evidence] = []
    for raw in values:
        key = raw.strip().lower()
        if key == "other":
            label = str(name or link or "").strip()
            # A standard license written out in license_name ("cc-by-nc-4.0", "Attribution-
            # NonCommercial 4.0 International") or linked is that license, not a new LicenseRef.
            lic = next((e for e in (normalize_license(str(v)).expression for v in (name, link) if v) if e), None)
            points_to_file = bool(link) and lic is None and _RELATIVE_FILE.match(str(link).strip()) is not None
            if lic is None and name:
                lic = license_ref(str(name))
            found.append(Evidence(
                kind=EvidenceKind.CARD_METADATA, level=Level.DIRECTORY,
                location=Location(path, line=line, field="license"), license=lic,
                raw=f"other: {label}"[:200] if label else "other (no license_name)",
                confidence=0.9 if lic else 0.0, matcher="card-other-file" if points_to_file else "card-other",
                scope=scope, applies_to=applies_to,
            ))
            continue
        norm = normalize_license(raw)
        found.append(Evidence(
            kind=EvidenceKind.CARD_METADATA, level=Level.DIRECTORY,
            location=Location(path, line=line, field="license"), license=norm.expression, raw=raw[:200],
            confidence=1.0 if norm.expression else 0.0,
            matcher="card-yaml" if norm.expression else ("card-ambiguous" if norm.ambiguous else "card-unknown"),
            scope=scope, applies_to=applies_to,
        ))
    if len(found) > 1 and all(e.license for e in found):
        # Several ids in one card field: all of them apply to the data (conservative reading).
        combined = " AND ".join(sorted({e.license for e in found if e.license}))
        found = [Evidence(**{**found[0].__dict__, "license": combined, "raw": ", ".join(values)[:200]})]
    return found


_DATA_WORDS = re.compile(r"\b(?:data|dataset|datasets|corpus|corpora|annotations?|samples?|images?)\b|数据|语料|标注",
                         re.IGNORECASE)
_MODEL_WORDS = re.compile(r"\b(?:models?|weights?|checkpoints?)\b|模型|权重", re.IGNORECASE)
_CODE_WORDS = re.compile(r"\b(?:code|software|source|scripts?|program)\b|代码|程序|软件", re.IGNORECASE)


def restricted_part(sentence: str) -> str:
    """What a restricting sentence is about: "data" when it names the data (or models) and not the
    code, "code" when only the code, else "" (the whole project)."""
    data = bool(_DATA_WORDS.search(sentence) or _MODEL_WORDS.search(sentence))
    code = bool(_CODE_WORDS.search(sentence))
    if data and not code:
        return "data"
    if code and not data:
        return "code"
    return ""


_BADGE_LABEL = re.compile(r"/badge/([^/?#]*?)-(?!-)", re.IGNORECASE)


def badge_part(note: str) -> str:
    """The part of a project a shields.io badge's label gives its license to: "Data License" ->
    "data", "Code License" -> "code", "Model/Weights License" -> "model", a plain "License" -> ""."""
    found = _BADGE_LABEL.search(unquote(note))
    label = found.group(1).replace("_", " ").lower() if found else ""
    for part, words in (("data", ("data",)), ("code", ("code", "software")), ("model", ("model", "weight"))):
        if any(w in label for w in words):
            return part
    return ""


def restricting_sentences(line: str) -> str:
    """The sentences of a line that restrict use: what they name decides what the restriction
    covers, not a neighbouring sentence ("... produce a dialogue model. The decoding script is only
    for research purposes." restricts the code)."""
    found = [s for s in _SENTENCE_END.split(line) if restriction_clauses(s)]
    return " ".join(found) or line


#: More distinct licenses than this named in a card's prose is a list (a legend, each source's or
#: sub-folder's license), not the folder's terms.
MAX_PROSE_LICENSES = 2
# Words that make a license statement about where the data came from, not about this work:
# "the input text comes from Wikipedia, which is licensed under CC BY-SA 3.0 and the GFDL".
_UPSTREAM = re.compile(
    r"\b(?:which\s+(?:is|are|was|were)|comes?\s+from|came\s+from|derived\s+from|sourced\s+from|taken\s+from"
    r"|collected\s+from|scraped\s+from|crawled\s+from|extracted\s+from|originally|original\s+(?:data|dataset|source"
    r"|authors?|license)|upstream|third[-\s]party|based\s+on|adapted\s+from|built\s+(?:on|from))\b"
    r"|来自|来源于|源自|取自|原始数据|原数据集|第三方|基于", re.IGNORECASE)
_OWN = re.compile(
    r"\b(?:this|our|the)\s+(?:\w+\s+)?(?:dataset|data|corpus|repository|repo|project|work|code|model|benchmark)s?"
    r"\s+(?:is|are|was|were|will\s+be)\s+(?:\w+\s+)?(?:licensed|released|distributed|available|provided|published"
    r"|made\s+available|under)|\bwe\s+(?:release|license|distribute|publish|provide|make)\b"
    r"|本(?:数据集|数据|项目|仓库|语料|资源)|我们(?:的)?(?:数据|项目)?(?:采用|遵循|基于|使用)", re.IGNORECASE)


def describes_named_license(line: str, restriction: str) -> bool:
    """The line names a license that already restricts as much ("the dataset is CC BY NC 4.0 (allowing
    only non-commercial use)"): the sentence explains that license rather than adding a limit."""
    rank = USE_RANK[use_class(restriction)]
    return any(USE_RANK[use_class(n.expression)] >= rank for n in find_notices(line) if n.expression)


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|[。；！？]")
_LICENSE_CUE = re.compile(r"licen[cs]|\bcc[\s-]?by|creative\s+commons|\bgfdl\b|\bgpl\b|协议|许可", re.IGNORECASE)


def about_upstream(text: str) -> bool:
    """A license statement about someone else's data (the source a dataset was built from): every
    sentence that names a license says where data came from, and none says this work's terms."""
    named = [s for s in _SENTENCE_END.split(text) if _LICENSE_CUE.search(s)]
    return bool(named) and all(_UPSTREAM.search(s) and not _OWN.search(s) for s in named)


def _sentence(lines: list[str], first: int, last: int) -> str:
    """The lines of a hit (1-based) with the one before it: enough to tell whose terms they are."""
    return " ".join(lines[max(0, first - 2) : last])


class CardDetector(Detector):
    id = "card"
    version = "5"  # 2: keys in any case, licenses:, license_name and license_link naming standard licenses,
    # sentences in the prose that restrict use; 3: the metadata covers the data, not the scripts beside it;
    # a restriction covers what it names; 4: what its own sentence names, not the rest of its line;
    # 5: a badge labelled "Data License" / "Code License" covers that part

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.DATASET_CARD

    def detect(self, content: AssetContent) -> DetectorOutput:
        text, _ = content.text()
        if text is None:
            return DetectorOutput()  # the scanner reports undecodable text once
        asset = content.asset
        card = parse_card(text)
        evidence = card_evidence(asset.path, asset.folder, card.metadata, text)
        body_lines = card.body.splitlines()
        hits = [h for h in find_notices(card.body) if h.expression or h.reservation or h.ambiguous]
        upstream = [h for h in hits if about_upstream(_sentence(body_lines, h.start_line, h.end_line))]
        hits = [h for h in hits if h not in upstream]
        mentioned = sorted({h.expression for h in upstream if h.expression})
        if len({h.expression for h in hits if h.expression}) > MAX_PROSE_LICENSES:
            # A legend or a list of sources' licenses (one per image, one per upstream), not the terms
            # of this folder: their conjunction would mean nothing.
            mentioned = sorted({*mentioned, *(h.expression for h in hits if h.expression)})
            hits = [h for h in hits if not h.expression]
        for hit in hits:
            line = card.body_line + hit.start_line - 1
            evidence.append(Evidence(
                kind=EvidenceKind.CARD_PROSE, level=Level.DIRECTORY, location=Location(asset.path, line=line),
                license=hit.expression, raw=(hit.note or _line(text, line))[:200], confidence=round(hit.score, 3),
                matcher=hit.matcher, scope=asset.folder, reservation=hit.reservation,
                applies_to=badge_part(hit.note) if hit.matcher == "badge" else "",
            ))
        for line, ref, raw in restriction_clauses(card.body):
            if describes_named_license(body_lines[line - 1], ref):
                continue
            # "provided for non-commercial research purposes only" narrows the folder's terms, for
            # what the sentence names (the data, the code) or, naming neither, for everything.
            evidence.append(Evidence(
                kind=EvidenceKind.CARD_PROSE, level=Level.DIRECTORY,
                location=Location(asset.path, line=card.body_line + line - 1), license=ref, raw=raw,
                confidence=0.8, matcher="restriction", scope=asset.folder,
                applies_to=restricted_part(restricting_sentences(body_lines[line - 1])),
            ))
        facts = {k: _plain(card.metadata[k]) for k in KEPT_FIELDS if k in card.metadata}
        if mentioned:  # kept as what the card says of others' data, for a reviewer to read
            facts["licenses_mentioned"] = mentioned[:20]
        errors = (card.error,) if card.error else ()
        return DetectorOutput(evidence=tuple(evidence), facts=facts, errors=errors)


def _line(text: str, lineno: int) -> str:
    lines = text.splitlines()
    return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""


def _plain(value: Any, depth: int = 0) -> Any:
    """Card values made JSON-safe and small."""
    if depth > 4:
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value[:300] if isinstance(value, str) else value
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in list(value)[:50]]
    if isinstance(value, dict):
        return {str(k)[:100]: _plain(v, depth + 1) for k, v in list(value.items())[:50]}
    return str(value)[:300]
