"""License names as people write them in metadata -> SPDX expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from provenance.licensing.expression import ExpressionSyntaxError, parse
from provenance.licensing.identify import find_notices
from provenance.licensing.kb import load_kb

# creativecommons.org/licenses/by-nc-sa/4.0/ (optionally a jurisdiction port) and the public-domain tools.
_CC_URL = re.compile(
    # A port is a whole path segment: "legalcode" and "deed.en" after the version are not ports.
    r"creativecommons\.org/licenses/(?P<terms>by(?:-nc)?(?:-sa|-nd)?)/(?P<ver>\d\.\d)"
    r"(?:/(?P<port>[a-z]{2,3})(?=[/?#\s]|$))?",
    re.IGNORECASE,
)
_CC_ZERO_URL = re.compile(r"creativecommons\.org/publicdomain/zero/1\.0", re.IGNORECASE)
_CC_PDM_URL = re.compile(r"creativecommons\.org/publicdomain/mark/1\.0", re.IGNORECASE)
# "CC BY-NC 4.0", "cc_by_sa_3.0", "CC-BY 4.0 International"
_CC_NAME = re.compile(
    r"^cc[\s_-]*(?P<terms>by(?:[\s_-]*(?:nc|sa|nd))*)[\s_-]*v?(?P<ver>\d(?:\.\d)?)(?:[\s_-]*(?:international|intl))?$",
    re.IGNORECASE,
)
_CC0 = re.compile(r"^cc[\s_-]*(?:0|zero)(?:[\s_-]*v?1\.0)?$", re.IGNORECASE)
# The deed's own title: "(Creative Commons) Attribution-NonCommercial-ShareAlike 4.0 International".
_CC_LONG = re.compile(
    r"(?P<cc>creative\s+commons\s+)?\battribution(?P<nc>[\s-]+non[\s-]?commercial)?(?P<sa>[\s-]+share[\s-]?alike)?"
    r"(?P<nd>[\s-]+no[\s-]?deriv(?:ative)?s)?[\s-]+(?:licen[cs]e[\s-]+)?v?(?P<ver>[1-4]\.0)"
    r"(?P<intl>[\s-]+(?:international|unported|generic))?", re.IGNORECASE)


def cc_long_name(text: str) -> tuple[int, str] | None:
    """(line, SPDX id) of the first Creative Commons license named by its full title, if any."""
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _CC_LONG.finditer(line):
            if m["cc"] or m["nc"] or m["sa"] or m["nd"] or m["intl"]:  # "attribution 2.0" alone is too vague
                terms = "by" + "".join(f"-{t}" for t in ("nc", "sa", "nd") if m[t])
                return number, _cc_id(terms, m["ver"])
    return None


@dataclass(frozen=True)
class NormalizedLicense:
    """A metadata value read as a license."""

    raw: str
    #: SPDX expression, None when not understood or ambiguous.
    expression: str | None
    #: Family names without terms ("cc", "gpl"): the value names a license but not which.
    ambiguous: bool = False
    note: str = ""


def _cc_id(terms: str, version: str, port: str | None = None) -> str:
    parts = [p for p in re.split(r"[\s_-]+", terms.lower()) if p]
    order = ["by", "nc", "sa", "nd"]
    parts = sorted(dict.fromkeys(parts), key=order.index)
    version = version if "." in version else f"{version}.0"
    ident = "CC-" + "-".join(p.upper() for p in parts) + f"-{version}"
    return f"{ident}-{port.upper()}" if port else ident


@lru_cache(maxsize=8192)
def normalize_license(value: str) -> NormalizedLicense:
    """Read a license value from a card, a record column or a declaration."""
    raw = value.strip()
    if not raw:
        return NormalizedLicense(value, None, note="empty value")
    key = raw.lower()
    hub = load_kb().hub_ids
    if key in hub:
        mapped = hub[key]
        if mapped is None:
            note = f"'{raw}' names a family without version or terms"
            return NormalizedLicense(value, None, ambiguous=True, note=note)
        return NormalizedLicense(value, mapped, note="Hugging Face license id")
    if match := _CC_URL.search(raw):
        return _checked(value, _cc_id(match["terms"], match["ver"], match["port"]), "Creative Commons URL")
    if _CC_ZERO_URL.search(raw) or _CC0.match(raw):
        return NormalizedLicense(value, "CC0-1.0", note="Creative Commons Zero")
    if _CC_PDM_URL.search(raw):
        return NormalizedLicense(value, "CC-PDM-1.0", note="Public Domain Mark")
    if match := _CC_NAME.match(raw):
        return _checked(value, _cc_id(match["terms"], match["ver"]), "Creative Commons name")
    try:
        return NormalizedLicense(value, parse(raw).render(), note="SPDX expression")
    except ExpressionSyntaxError as exc:
        spdx_error = str(exc)
    notice = _from_notice(raw)
    if notice is not None and notice.expression:
        return notice
    if long_name := cc_long_name(raw):
        return _checked(value, long_name[1], "Creative Commons title")
    restriction = _restriction(raw)
    if restriction is not None:
        return NormalizedLicense(value, restriction[0], note=restriction[1])
    return notice or NormalizedLicense(value, None, note=spdx_error)


_RESERVED = re.compile(r"all rights reserved|版权所有|保留所有权利|未经(?:许可|授权)不得", re.IGNORECASE)
_RESEARCH = re.compile(
    r"research[\s_-]*(?:use[\s_-]*)?only|for research|(?:仅|只)(?:限)?(?:用于)?(?:学术)?研究|研究用途", re.IGNORECASE
)
_NON_COMMERCIAL = re.compile(r"non[\s_-]?commercial|(?:^|[\s_-])by[\s_-]nc(?:[\s_-]|$)|非商业|不得(?:用于)?商业",
                             re.IGNORECASE)


def _restriction(raw: str) -> tuple[str, str] | None:
    """A value that restricts use without naming a license ("all rights reserved", "research only",
    "cc-by-nc" without a version) reads as the restriction it states, never as no license."""
    if _RESERVED.search(raw):
        return "LicenseRef-All-Rights-Reserved", "rights reservation"
    if _PROSE_NO_TRAINING.search(raw):
        return "LicenseRef-No-Training", "terms that forbid training on the data"
    if _GRANTS_COMMERCIAL.search(raw):
        return None
    if _RESEARCH.search(raw) or _PROSE_RESEARCH.search(raw):
        return "LicenseRef-Research-Only", "research-only terms without a named license"
    if _NON_COMMERCIAL.search(raw) or _PROSE_NON_COMMERCIAL.search(raw):
        return "LicenseRef-Non-Commercial", "non-commercial terms without a named license or version"
    return None


# Sentences in license files and card prose that restrict use without (or beside) a license name:
# "for non-commercial purposes only", "Commercial use is prohibited", "仅供学术研究使用，禁止商业用途".
# Words may stand between the parts ("only use the code, data and models for research purposes",
# "仅将我们开源的数据用于研究目的"), within one clause.
_PROSE_RESEARCH = re.compile(
    r"\b(?:academic|scientific|non[\s-]?commercial)?\s*research\s+(?:purposes?|use)?\s*only\b"
    r"|\bfor\s+(?:academic|scientific|research)\s+(?:research\s+)?(?:purposes?|use)\s+only\b"
    r"|\b(?:solely|only|exclusively|strictly)\b[^.;:!?]{0,100}?\bfor\s+(?:the\s+purposes?\s+of\s+)?"
    r"(?:academic|scientific|non[\s-]?commercial)?\s*research\b"
    r"|\b(?:available|provided|released|licensed|intended)\s+(?:only\s+)?for\s+non[\s-]?commercial\s+research\b"
    r"|\bresearch[\s-]+only\b"
    r"|\b(?:solely|only|exclusively)\b[^.;:!?]{0,60}?\bfor\s+(?:evaluating|benchmarking|testing|studying)\b"
    r"|(?:仅|只)(?:供|限|用于|能用于)(?:学术|科学|科研)?(?:研究|科研)"
    r"|(?:仅|只)(?:将|把|能|可|可以|允许)?[^。；！？.;!?]{0,60}?用于(?:学术|科学|科研)?(?:研究|科研)", re.IGNORECASE)
# Terms that forbid training models on the data at all: for a training-data gate, the strongest limit.
_PROSE_NO_TRAINING = re.compile(
    r"\b(?:should|must|may|can|shall)\s+not\s+be\s+used\s+(?:to|for)\s+(?:the\s+)?train(?:ing)?\b"
    r"|\bnot\s+(?:be\s+)?(?:used\s+)?for\s+(?:model\s+)?training\b|\bdo\s+not\s+(?:use\s+(?:it|this|the\s+\w+)\s+to\s+)?train\b"
    r"|\b(?:for|intended\s+for)\s+(?:model\s+)?evaluation\s+(?:purposes\s+)?only\b|\bevaluation[\s-]+only\b"
    r"|(?:禁止|不得|不能|不可|严禁)(?:将[^。；！？]{0,30}?)?用于(?:[^。；！？]{0,10}?)?(?:模型)?训练"
    r"|(?:仅|只)(?:供|限|用于)(?:模型)?(?:评测|评估|测评|测试)", re.IGNORECASE)
_PROSE_NON_COMMERCIAL = re.compile(
    r"\bnon[\s-]?commercial\s+(?:use|purposes?)(?:\s+only)?\b|\bnot\s+(?:be\s+used\s+)?for\s+commercial\b"
    r"|\bcommercial\s+use\s+is\s+(?:strictly\s+)?(?:prohibited|forbidden|not\s+(?:permitted|allowed))"
    r"|\bno\s+commercial\s+use\b|\bmay\s+not\s+be\s+used\s+(?:for\s+)?commercial"
    r"|禁止(?:用于)?商(?:业|用)|不得(?:用于)?商(?:业|用)|不可商用|非商业(?:用途|使用)", re.IGNORECASE)


# Wording that grants commercial use, so "non-commercial" beside it is part of a grant, not a
# restriction: "may be used for commercial and non-commercial purposes", "商业和非商业用途均可".
_GRANTS_COMMERCIAL = re.compile(
    r"\bcommercial\s+(?:and|or|&|as\s+well\s+as)\s+non[\s-]?commercial\b"
    r"|\bnon[\s-]?commercial\s+(?:and|or|&|as\s+well\s+as)\s+commercial\b"
    r"|\b(?:including|incl\.?|even|also|either)\s+(?:for\s+)?(?:(?:academic|research|personal)\s+(?:and|or|&)\s+)?"
    r"commercial\b|\bcommercial(?:ly)?\s+(?:use\s+)?(?:is\s+)?"
    r"(?:permitted|allowed)\b|\b(?:permits?|allows?)\s+commercial\b|\bcommercial\s+purposes\s+are\s+(?:permitted|allowed)"
    r"|商业(?:和|与|及|或)非商业|非商业(?:和|与|及|或)商业|(?:可|允许|可以)(?:用于)?商(?:业|用)(?!.{0,4}(?:禁止|不得))",
    re.IGNORECASE)


def restriction_clauses(text: str) -> list[tuple[int, str, str]]:
    """(line, LicenseRef, the line) for each line of prose that restricts use: research only
    wins over non-commercial when a line says both. A line that grants commercial use is a grant."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _PROSE_NO_TRAINING.search(line):
            out.append((number, "LicenseRef-No-Training", line.strip()[:160]))
            continue
        if _GRANTS_COMMERCIAL.search(line):
            continue
        if _PROSE_RESEARCH.search(line):
            out.append((number, "LicenseRef-Research-Only", line.strip()[:160]))
        elif _PROSE_NON_COMMERCIAL.search(line):
            out.append((number, "LicenseRef-Non-Commercial", line.strip()[:160]))
    return out


def _checked(value: str, ident: str, note: str) -> NormalizedLicense:
    try:
        return NormalizedLicense(value, parse(ident).render(), note=note)
    except ExpressionSyntaxError:
        return NormalizedLicense(value, None, note=f"{note}: no SPDX id {ident}")


def _from_notice(raw: str) -> NormalizedLicense | None:
    """Free-text names ("Apache License 2.0", "MIT 许可证") through the notice matcher."""
    if len(raw) > 300:
        return None
    for hit in find_notices(raw):
        if hit.reservation:
            continue
        if hit.expression:
            return NormalizedLicense(raw, hit.expression, note=f"license name ({hit.matcher})")
        if hit.ambiguous:
            return NormalizedLicense(raw, None, ambiguous=True, note=hit.note)
    return None
