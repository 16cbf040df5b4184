"""Versioned license families named in prose: regular expressions and how a match becomes SPDX ids.

Each pattern returns a `Reading`: an SPDX id, or a family with the ids it could be when the
version (or the Creative Commons terms) is missing. Patterns are written for this project.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """What a license mention says: one id, or several when it is ambiguous."""

    license: str | None
    ambiguous: tuple[str, ...] = ()
    note: str = ""
    #: Needs a licensing cue nearby ("licensed under", "许可") before it counts.
    weak: bool = False


_SEP = r"[\s_\-–—]*"
_VER = r"(?:[,\-–—]?\s*\(?(?:version|ver\.?|v\.?|版本|第)?\s*(?P<ver>\d(?:\.\d){0,2})\s*(?:版)?\)?)"
_LATER = (
    r"(?P<later>\s*\+|\s*-or-later|,?\s*or\s+(?:\(at\s+your\s+option\)\s+)?(?:any\s+)?later(?:\s+version)?"
    r"|\s*-only|\s+only|\s*或更高版本|\s*或任何更新的版本|\s*或更新版本)?"
)

_CC_TERMS = {"by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"}
_CC_VERSIONS = ("1.0", "2.0", "2.5", "3.0", "4.0")


def _cc_id(terms: str, version: str | None) -> Reading:
    if terms not in _CC_TERMS:
        return Reading(None, note=f"unknown Creative Commons terms {terms!r}")
    stem = "CC-" + terms.upper()
    if not version:
        options = tuple(f"{stem}-{v}" for v in _CC_VERSIONS)
        return Reading(None, options, f"Creative Commons {terms.upper()} named without a version")
    if version not in _CC_VERSIONS:
        return Reading(None, note=f"no Creative Commons version {version}")
    return Reading(f"{stem}-{version}")


def _terms_from_words(words: str) -> str:
    w = words.lower()
    terms = ["by"]
    if re.search(r"non-?\s?commercial|非商业", w):
        terms.append("nc")
    if re.search(r"no-?\s?deriv|禁止演绎", w):
        terms.append("nd")
    if re.search(r"share-?\s?alike|相同方式共享", w):
        terms.append("sa")
    return "-".join(terms)


def _cc_short(m: re.Match[str]) -> Reading:
    parts = set(re.split(r"[\s_\-–—]+", m["terms"].lower()))
    terms = "-".join(t for t in ("by", "nc", "nd", "sa") if t in parts)  # "BY-ND-NC" -> "by-nc-nd"
    return _cc_id(terms, m["ver"])


def _cc_long(m: re.Match[str]) -> Reading:
    return _cc_id(_terms_from_words(m["terms"] or ""), m["ver"])


def _cc_bare(m: re.Match[str]) -> Reading:
    options = tuple(sorted({f"CC-{t.upper()}-{v}" for t in _CC_TERMS for v in ("4.0",)} | {"CC0-1.0"}))
    return Reading(None, options, "Creative Commons named without terms or version", weak=True)


_GPL_VERSIONS = {"GPL": ("1.0", "2.0", "3.0"), "LGPL": ("2.0", "2.1", "3.0"), "AGPL": ("1.0", "3.0")}
_GFDL_VERSIONS = ("1.1", "1.2", "1.3")


def _gfdl(m: re.Match[str]) -> Reading:
    """The GFDL notice also says whether there are Invariant Sections, which SPDX ids record."""
    version = m["ver"]
    later = "or-later" if m["later"] else "only"
    if not version or version not in _GFDL_VERSIONS:
        options = tuple(f"GFDL-{v}-{s}" for v in _GFDL_VERSIONS for s in ("only", "or-later"))
        return Reading(None, options, "GFDL named without a version", weak=not m["lic"])
    sections = (m["sections"] or "").lower()
    kind = (
        "no-invariants-" if "no invariant" in sections else "invariants-" if "invariant" in sections else ""
    )
    return Reading(f"GFDL-{version}-{kind}{later}", weak=not m["lic"])


def _gnu_id(kind: str, version: str | None, later: str | None) -> Reading:
    versions = _GPL_VERSIONS[kind]
    if not version:
        options = tuple(f"{kind}-{v}-{s}" for v in versions for s in ("only", "or-later"))
        return Reading(None, options, f"{kind} named without a version")
    if "." not in version:
        version += ".0"
    version = version[:3]
    if version not in versions:
        return Reading(None, note=f"no {kind} version {version}")
    later_said = later is not None and later != "" and "only" not in later
    # A version without "or later" reads as "-only", as the deprecated SPDX id `GPL-2.0` did.
    return Reading(f"{kind}-{version}-{'or-later' if later_said else 'only'}")


def _gnu_long(m: re.Match[str]) -> Reading:
    word = (m["kind"] or "").lower()
    kind = (
        "AGPL"
        if "affero" in word
        else "LGPL"
        if word.startswith(("lesser", "library", "宽", "较"))
        else "GPL"
    )
    return _gnu_id(kind, m["ver"] or m["fsfver"] or m["prever"], m["later"] or m["fsflater"])


def _gnu_short(m: re.Match[str]) -> Reading:
    kind = {"": "GPL", "l": "LGPL", "a": "AGPL"}[(m["kind"] or "").lower()]
    reading = _gnu_id(kind, m["ver"], m["later"])
    if reading.license is None:
        return Reading(None, reading.ambiguous, reading.note, weak=True)
    return reading


def _apache(m: re.Match[str]) -> Reading:
    ver = m["ver"]
    if not ver and not m["lic"]:
        return Reading(None)  # "Apache Spark", "Apache Arrow": a project, not a license
    if not ver:
        return Reading(
            None, ("Apache-1.0", "Apache-1.1", "Apache-2.0"), "Apache License named without a version"
        )
    ver = {"2": "2.0", "1": "1.0"}.get(ver, ver[:3])
    if ver not in ("1.0", "1.1", "2.0"):
        return Reading(None, note=f"no Apache License version {ver}")
    return Reading(f"Apache-{ver}", weak=not m["lic"])


def _bsd(m: re.Match[str]) -> Reading:
    n = m["n"] or m["n2"]
    adjective = (m["adj"] or "").lower()
    weak = not m["lic"]
    if n in ("2", "3", "4"):
        return Reading(f"BSD-{n}-Clause", weak=weak)
    if adjective in ("new", "modified", "revised"):
        return Reading("BSD-3-Clause", weak=weak)
    if adjective in ("simplified", "freebsd"):
        return Reading("BSD-2-Clause", weak=weak)
    return Reading(
        None, ("BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause"), "BSD named without a clause count", weak=True
    )


def _versioned(stem: str, versions: tuple[str, ...], label: str) -> Callable[[re.Match[str]], Reading]:
    def read(m: re.Match[str]) -> Reading:
        ver = m["ver"]
        weak = "lic" in m.re.groupindex and not m["lic"]
        if not ver:
            return Reading(
                None, tuple(f"{stem}-{v}" for v in versions), f"{label} named without a version", weak
            )
        ver = ver if "." in ver else ver + ".0"
        if ver not in versions:
            return Reading(None, note=f"no {label} version {ver}")
        return Reading(f"{stem}-{ver}", weak=weak)

    return read


def _fixed(license: str, weak: bool = False) -> Callable[[re.Match[str]], Reading]:
    return lambda m: Reading(license, weak=weak or ("lic" in m.re.groupindex and not m["lic"]))


def _cdla(m: re.Match[str]) -> Reading:
    kind = m["kind"].capitalize()
    ver = m["ver"]
    known = {"Permissive": ("1.0", "2.0"), "Sharing": ("1.0",)}[kind]
    if not ver:
        return Reading(None, tuple(f"CDLA-{kind}-{v}" for v in known), f"CDLA {kind} named without a version")
    if ver not in known:
        return Reading(None, note=f"no CDLA-{kind} version {ver}")
    return Reading(f"CDLA-{kind}-{ver}")


_F = re.IGNORECASE
#: Ordered: earlier patterns claim their text first, so specific forms precede bare ones.
_STYLE_OPTIONS = {
    "mit": ("MIT", "MIT-0", "X11"),
    "bsd": ("BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause"),
    "apache": ("Apache-1.1", "Apache-2.0"),
    "gpl": ("GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later"),
}


def _style(m: re.Match[str]) -> Reading:
    family = m["fam"].lower()
    note = f"a license in the style of {m['fam']}, not necessarily {m['fam']} itself"
    return Reading(None, _STYLE_OPTIONS[family], note)


PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Reading]], ...] = (
    (
        re.compile(r"(?<![\w])(?P<fam>mit|bsd|apache|gpl)[\s-](?:style|like|type)\s+licen[sc]e", _F),
        _style,
    ),
    (re.compile(r"(?<![\w])freebsd\s+licen[sc]e", _F), _fixed("BSD-2-Clause")),
    (
        re.compile(
            r"(?:木兰宽松许可证|mulan\s+psl|mulan\s+permissive\s+software\s+license)" + _VER + "?", _F
        ),
        _versioned("MulanPSL", ("1.0", "2.0"), "Mulan Permissive Software License"),
    ),
    (
        re.compile(
            r"(?:creative\s*commons|知识共享)\s*(?:\(cc\)\s*)?(?:license\s+|licence\s+)?"
            r"(?:attribution|署名)(?P<terms>(?:[\s,\-–—·－]*(?:non-?\s?commercial|share-?\s?alike|no-?\s?derivatives?"
            r"|no-?\s?derivs|非商业性?使用|相同方式共享|禁止演绎))*)"
            r"(?:\s*(?:license|licence|许可协议|许可证|协议))?" + _VER + r"?",
            _F,
        ),
        _cc_long,
    ),
    (
        re.compile(
            r"(?<![\w/.])(?:cc|creative\s+commons|知识共享)"
            + _SEP
            + r"(?P<terms>by(?:"
            + _SEP
            + r"(?:nc|nd|sa)){0,2})"
            r"(?![\w])(?:" + _SEP + r"(?:v(?:ersion)?\s*)?(?P<ver>\d\.\d))?",
            _F,
        ),
        _cc_short,
    ),
    (
        re.compile(
            r"(?<![\w/])(?:cc[\s\-]?0|cc[\s\-]zero|creative\s+commons\s+zero|知识共享\s*(?:零|CC0))"
            r"(?:[\s\-]*v?1\.0)?(?:\s+universal|\s+通用)?(?![\w])",
            _F,
        ),
        _fixed("CC0-1.0"),
    ),
    (
        re.compile(
            r"(?:GNU\s*)?(?P<kind>宽通用|较宽松通用|宽松通用|affero\s*通用|通用)?公共许可证?[^。\n]{0,30}?"
            r"(?:版本|第)\s*(?P<ver>\d(?:\.\d)?)\s*(?:版|许可证)?[^。\n]{0,30}?"
            r"(?P<later>任何以后版|任何更新的版本|任何后续版本|或更高版本)",
            _F,
        ),
        lambda m: _gnu_id(
            "AGPL"
            if "affero" in (m["kind"] or "").lower()
            else "LGPL"
            if m["kind"] and m["kind"] != "通用"
            else "GPL",
            m["ver"],
            m["later"],
        ),
    ),
    (
        re.compile(
            r"(?<![\w])(?:version\s+(?P<prever>\d(?:\.\d)?)\s+of\s+the\s+)?(?:gnu\s*)?"
            r"(?P<kind>affero\s+|lesser\s+|library\s+|宽通用|较宽松通用|宽松通用|affero\s*通用|通用)?"
            r"\s*(?:general\s+public\s+licen[sc]e|公共许可证|公共许可协议|公共授权)"
            r"(?:\s*\((?:a|l)?gpl\))?"
            + _VER
            + r"?"
            + _LATER
            + r"(?:[^.;\n]{0,40}?as\s+published\s+by\s+the\s+free\s+software\s+foundation[,;]?\s*"
            r"(?:either\s+)?"
            r"version\s+(?P<fsfver>\d(?:\.\d)?)(?:\s+of\s+the\s+licen[sc]e)?"
            r"(?P<fsflater>,?\s*or\s*\(at\s+your\s+option\)\s*any\s+later\s+version)?)?",
            _F,
        ),
        _gnu_long,
    ),
    (
        re.compile(
            r"(?<![\w\-/.])(?:gnu\s+)?(?P<kind>[al])?gpl(?:"
            + r"[\s_\-–—,]*"
            + r"(?:version\s*|v\s?)?(?P<ver>\d(?:\.\d)?))?"
            + _LATER
            + r"(?![\w])",
            _F,
        ),
        _gnu_short,
    ),
    (
        re.compile(
            r"(?<![\w])apache(?:\s+software)?(?:\s*(?P<lic>licen[sc]e|许可证|许可|协议))?"
            r"(?:,?\s*(?:version|ver\.?|v\.?|版本|-)?\s*(?P<ver>\d(?:\.\d)?)(?:\s*版)?)?(?![\w])",
            _F,
        ),
        _apache,
    ),
    (
        re.compile(
            r"(?<![\w])(?:(?P<adj>new|modified|revised|simplified|freebsd)\s+)?"
            r"(?:(?P<n2>[234])[\s\-]*clause\s+)?bsd(?:"
            + _SEP
            + r"(?P<n>[234])(?![\d.])(?:"
            + _SEP
            + r"clause)?)?"
            r"(?:\s*(?:\"?new\"?\s+or\s+\"?revised\"?\s+)?(?P<lic>licen[sc]e|许可证|许可|协议))?(?![\w])",
            _F,
        ),
        _bsd,
    ),
    (
        re.compile(
            r"(?<![\w])mit(?:\s*(?P<lic>licen[sc]e|许可证|许可协议|许可|协议))?(?![\w])(?!-(?!licen))", _F
        ),
        _fixed("MIT"),
    ),
    (re.compile(r"(?<![\w])mit-0(?![\w])", _F), _fixed("MIT-0", weak=True)),
    (
        re.compile(
            r"(?<![\w])(?:gnu\s+free\s+documentation\s+licen[sc]e(?P<lic>)|gfdl)"
            r"(?:[,\-\s]*(?:version\s*|v)?(?P<ver>1\.[0-9]))?"
            r"(?P<later>[\s,]*(?:or\s+(?:\(at\s+your\s+option\)\s+)?any\s+later(?:\s+version)?|-or-later|\+))?"
            r"(?:[^.;]{0,80}?[;,]\s*(?P<sections>with\s+(?:no|the)\s+invariant\s+sections?))?",
            _F,
        ),
        _gfdl,
    ),
    (
        re.compile(r"(?<![\w])(?:mozilla\s+public\s+licen[sc]e(?P<lic>)|mpl)" + _VER + "?" + r"(?![\w])", _F),
        _versioned("MPL", ("1.0", "1.1", "2.0"), "Mozilla Public License"),
    ),
    (
        re.compile(r"(?<![\w])(?:eclipse\s+public\s+licen[sc]e(?P<lic>)|epl)" + _VER + "?" + r"(?![\w])", _F),
        _versioned("EPL", ("1.0", "2.0"), "Eclipse Public License"),
    ),
    (
        re.compile(r"(?<![\w])(?:artistic\s+licen[sc]e(?P<lic>))" + _VER + "?", _F),
        _versioned("Artistic", ("1.0", "2.0"), "Artistic License"),
    ),
    (
        re.compile(
            r"(?<![\w])(?:sil\s+open\s+font\s+licen[sc]e(?P<lic>)|ofl)" + _VER + "?" + r"(?![\w])", _F
        ),
        _versioned("OFL", ("1.0", "1.1"), "SIL Open Font License"),
    ),
    (
        re.compile(
            r"(?<![\w])(?:community\s+data\s+licen[sc]e\s+agreement|cdla)"
            + _SEP
            + r"(?P<kind>permissive|sharing)"
            + _VER
            + "?",
            _F,
        ),
        _cdla,
    ),
    (
        re.compile(
            r"(?<![\w])(?:european\s+union\s+public\s+licen[sc]e(?P<lic>)|eupl)" + _VER + "?" + r"(?![\w])",
            _F,
        ),
        _versioned("EUPL", ("1.0", "1.1", "1.2"), "European Union Public Licence"),
    ),
    (
        re.compile(r"(?<![\w])creative\s*commons(?![\w])|知识共享", _F),
        _cc_bare,
    ),
)

#: Words that make a weak mention ("MIT", "Apache 2.0", "GPL") count as a licensing statement.
CUE = re.compile(
    r"licen[sc]|released\s+under|distributed\s+under|available\s+under|published\s+under|provided\s+under"
    r"|made\s+available\s+under|open[\s\-]?sourced?\b|开源|(?:shared|offered|is|are)\s+under|under\s+the\s+terms|dual[\s\-]licen|许可|协议|授权|采用|遵循|遵守|copyleft",
    re.IGNORECASE,
)
