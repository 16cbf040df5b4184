"""What the knowledge base says about a license, and why: for `provenance licenses show|list`.

A query may be an SPDX id or expression, a Hugging Face id, a name as people write it
("cc by-nc 4.0") or a Creative Commons URL; it is read the way a card or record value is read."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import yaml
from license_expression import get_license_index

from provenance.errors import ConfigError
from provenance.licensing.expression import ExpressionSyntaxError, expression_facts, ids, parse
from provenance.licensing.kb import LicenseFacts, load_kb
from provenance.licensing.names import normalize_license
from provenance.model import UseClass
from provenance.words import Phrases

SPDX_PAGE = "https://spdx.org/licenses/{id}.html"


@dataclass(frozen=True)
class LicenseInfo:
    """One license id with its facts for training use and where they come from."""

    id: str
    facts: LicenseFacts
    #: Where the facts come from, in words: an entry file, a family rule, a ScanCode category.
    source: str
    #: The SPDX list page, for ids on the SPDX list; "" otherwise (LicenseRef-, ScanCode-only keys).
    url: str
    #: The ScanCode category license-expression gives the id, when it has one.
    category: str | None


@dataclass(frozen=True)
class LicenseDescription:
    """A query read as a license: the expression, how it was read, and each license in it."""

    query: str
    expression: str
    #: How the query was read ("SPDX expression", "Creative Commons URL", "Hugging Face license id", ...).
    read_as: str
    #: The terms that bind a user of the whole expression (AND: the most restrictive part, OR: the least).
    combined: LicenseFacts
    parts: tuple[LicenseInfo, ...]


@cache
def _index() -> dict[str, tuple[str, str | None]]:
    """lower-case SPDX id -> (id as written on the SPDX list, ScanCode category)."""
    out: dict[str, tuple[str, str | None]] = {}
    for entry in get_license_index():
        key = entry.get("spdx_license_key")
        if key and not key.startswith("LicenseRef-") and not entry.get("is_exception"):
            out.setdefault(key.lower(), (key, entry.get("category")))
    return out


@cache
def _entry_files() -> dict[str, str]:
    """lower-case id -> the knowledge-base file that holds its hand-written entry."""
    out: dict[str, str] = {}
    kb = load_kb()
    for path in sorted((kb.root / "entries").glob("*.yaml")):
        for lid in yaml.safe_load(path.read_text(encoding="utf-8")) or {}:
            out[str(lid).lower()] = f"licenses/entries/{path.name}"
    return out


_SOURCES: dict[str, tuple[str, str]] = {
    "entry": ("a hand-written entry ({where})", "知识库的手工条目（{where}）"),
    "family": ("the family rule for {name} (licenses/families.yaml)", "{name} 的系列规则（licenses/families.yaml）"),
    "category": ("the defaults for ScanCode category '{category}' (licenses/categories.yaml; the category comes"
                 " with license-expression's license index)",
                 "ScanCode 类别 “{category}” 的默认值（licenses/categories.yaml；"
                 "类别来自 license-expression 的许可证索引）"),
    "category-open": ("nothing: its ScanCode category '{category}' has no defaults, so the use is unknown",
                      "无：其 ScanCode 类别 “{category}” 没有默认值，使用类别未知"),
    "none": ("nothing: the knowledge base does not know this license, so the use is unknown",
             "无：知识库不了解该许可证，使用类别未知"),
}


def classified_by(facts: LicenseFacts, category: str | None, lang: str = "en") -> str:
    """Where a license's facts come from, in words."""
    say = Phrases(_SOURCES, lang)
    basis = facts.basis
    if basis == "entry":
        return say("entry", where=_entry_files().get(facts.id.lower(), "licenses/entries/"))
    if basis == "family":
        return say("family", name=facts.name or facts.id)
    if basis.startswith("category:"):
        return say("category", category=basis.split(":", 1)[1])
    if category:
        return say("category-open", category=category)
    return say("none")


def license_info(lid: str) -> LicenseInfo:
    facts = load_kb().facts(lid)
    spdx = _index().get(lid.lower())
    url = SPDX_PAGE.format(id=spdx[0]) if spdx else ""
    category = spdx[1] if spdx else None
    return LicenseInfo(lid, facts, classified_by(facts, category), url, category)


def describe_license(query: str) -> LicenseDescription:
    """Read `query` as a license. Raises ConfigError (with close ids) when it cannot be read."""
    text = query.strip()
    norm = normalize_license(text)
    if norm.expression is None:
        raise ConfigError(f"cannot read '{query}' as a license ({norm.note}){_suggest(text)}")
    try:
        parsed = parse(norm.expression)
    except ExpressionSyntaxError as exc:  # a LicenseRef the names table returned as written
        raise ConfigError(f"cannot read '{query}' as a license: {exc}") from None
    expression = parsed.render()
    parts = tuple(license_info(lid) for lid in dict.fromkeys(ids(parsed)))
    return LicenseDescription(query, expression, norm.note, expression_facts(expression), parts)


def _suggest(text: str) -> str:
    names = [v[0] for v in _index().values()] + [f.id for f in load_kb().entries.values()]
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(text.lower().replace(" ", "-"), list(by_lower), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(by_lower[c] for c in close)}?" if close else ""


def known_licenses(use_classes: tuple[str, ...] = ()) -> list[LicenseInfo]:
    """Every license the knowledge base can classify: the SPDX list (as license-expression ships
    it) and the hand-written entries, sorted by id; only the given use classes when any."""
    wanted = {UseClass(u) for u in use_classes}
    ids_ = {v[0] for v in _index().values()} | {f.id for f in load_kb().entries.values()}
    out = [license_info(lid) for lid in sorted(ids_, key=str.lower)]
    return [i for i in out if not wanted or i.facts.use in wanted]
