"""Lookup tables from the SPDX catalog (ids, names, URLs) and reading a license URL."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.families import Reading


@dataclass(frozen=True)
class Tables:
    ids: dict[str, str]  # lowercased SPDX id -> id
    names: dict[str, dict[tuple[str, ...], str]]  # first word -> name words -> id
    urls: dict[str, str]  # normalised URL -> id


_NAME_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*|[\u4e00-\u9fff]")
_SKIP_WORDS = {"version", "v", "ver"}


def name_words(text: str) -> list[tuple[str, int, int]]:
    """Words for name lookup: "version"/"v" dropped and "v3.0" read as "3.0", so "License v3.0",
    "License version 3.0" and "License 3.0" compare equal."""
    out = []
    for m in _NAME_WORD.finditer(text):
        word = m.group()
        if word in _SKIP_WORDS:
            continue
        if word[0] == "v" and word[1:2].isdigit():
            word = word[1:]
        out.append((word, m.start(), m.end()))
    return out


def url_key(url: str) -> str:
    url = url.lower().strip()
    url = re.sub(r"^[a-z]+://", "", url)
    url = re.sub(r"^www\.", "", url)
    url, _, fragment = url.partition("#")  # an anchor picks one license off a page that lists many
    url = re.sub(r"\?.*$", "", url)
    url = re.sub(r"(?:/legalcode(?:\.[a-z\-]+)?|\.html?|\.txt|\.php|\.md|/)+$", "", url)
    return f"{url}#{fragment}" if fragment else url


@lru_cache(maxsize=1)
def tables() -> Tables:
    bundle = get_index().catalog
    ids = {lic.id.lower(): lic.id for lic in bundle.licenses if not lic.deprecated}
    names: dict[str, dict[tuple[str, ...], str]] = {}
    url_owners: dict[str, set[str]] = {}
    aliases = json.loads((resources.files(__package__) / "data/aliases.json").read_text("utf-8"))["names"]
    pairs = [(lic.name, lic.id) for lic in bundle.licenses if not lic.deprecated] + list(aliases.items())
    for name, lid in pairs:
        words = tuple(w for w, _, _ in name_words(name.lower()))
        curated = name in aliases
        if words and (len(words) >= 2 or curated or name.lower() == lid.lower()):
            names.setdefault(words[0], {})[words] = lid
    for lic in bundle.licenses:
        if lic.deprecated:
            continue
        for url in lic.see_also:
            url_owners.setdefault(url_key(url), set()).add(lic.id)
    urls = {key: next(iter(owners)) for key, owners in url_owners.items() if len(owners) == 1}
    return Tables(ids, names, urls)


URL = re.compile(
    r"(?:https?://)?(?:www\.)?[a-z0-9.\-]+\.(?:org|com|net|io|edu|gov|eu|de|fr|uk)/[^\s)\]>\"'`,]*",
    re.IGNORECASE,
)
_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses/(?P<terms>by(?:-nc)?(?:-nd|-sa)?)(?:/(?P<ver>\d\.\d))?(?:/(?P<port>[a-z]{2}))?"
    r"|publicdomain/(?P<pd>zero|mark)(?:/(?P<pdver>1\.0))?)",
    re.IGNORECASE,
)
_GNU_URL = re.compile(
    r"gnu\.org/licenses/(?:old-licenses/)?(?P<kind>[al]?gpl|fdl)(?:-(?P<ver>\d\.\d))?", re.I
)
_SIMPLE_URLS = (
    (re.compile(r"apache\.org/licenses/license-(?P<ver>\d\.\d)", re.I), "Apache-{ver}"),
    (re.compile(r"mozilla\.org/(?:en-us/)?mpl/(?P<ver>\d\.\d)", re.I), "MPL-{ver}"),
    (re.compile(r"opendatacommons\.org/licenses/odbl", re.I), "ODbL-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/by", re.I), "ODC-By-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/pddl", re.I), "PDDL-1.0"),
    (re.compile(r"unlicense\.org", re.I), "Unlicense"),
)
_ID_URL = re.compile(
    r"(?:opensource\.org/licenses?|spdx\.org/licenses|choosealicense\.com/licenses)/(?P<id>[\w.+\-]+)", re.I
)


def read_url(url: str) -> Reading | None:
    m = _CC_URL.search(url)
    if m:
        if m["pd"]:
            return Reading("CC0-1.0" if m["pd"].lower() == "zero" else "CC-PDM-1.0")
        terms, ver, port = m["terms"].lower(), m["ver"], m["port"]
        if not ver:
            return Reading(
                None,
                tuple(f"CC-{terms.upper()}-{v}" for v in ("2.0", "3.0", "4.0")),
                "Creative Commons URL without a version",
            )
        ported = f"CC-{terms.upper()}-{ver}-{port.upper()}" if port else ""
        if ported and ported.lower() in tables().ids:
            return Reading(tables().ids[ported.lower()])
        return Reading(f"CC-{terms.upper()}-{ver}")
    m = _GNU_URL.search(url)
    if m:
        kind = m["kind"].upper()
        if kind == "FDL":
            kind = "GFDL"
        if not m["ver"]:
            return None  # the licenses index page, not a license
        return Reading(f"{kind}-{m['ver']}-only")
    for pattern, template in _SIMPLE_URLS:
        m = pattern.search(url)
        if m:
            return Reading(template.format(**m.groupdict()))
    m = _ID_URL.search(url)
    if m:
        key = re.sub(r"(?:-license)?(?:\.html?|\.php|\.txt)?$", "", m["id"].lower())
        found = tables().ids.get(key)
        if found:
            return Reading(found)
    found = tables().urls.get(url_key(url))
    return Reading(found) if found else None
