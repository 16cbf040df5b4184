"""License expressions as written into the SPDX manifests: ids every consumer accepts.

The scan keeps licenses as the evidence named them: ids of the SPDX list the identification engine
uses (newer than the validators' lists), ScanCode keys, `LicenseRef-` ids of the knowledge base or
of the data, and now and then text that is not an SPDX expression at all. A manifest must validate
in spdx-tools (which judges ids with license-expression's index, an older SPDX list) and read back
in spdx-python-model, and must not lose what the scan found. So each license term is written:

- as it is, when license-expression's index (the list spdx-tools validates with) accepts it;
- `LicenseRef-spdx-<id>` for an SPDX id (or `<id> WITH <exception>`) that index does not have, with
  the SPDX name, the SPDX list's text, its SHA-256 and where it was found;
- `LicenseRef-scancode-<key>` for a ScanCode key (ScanCode's own convention);
- the `LicenseRef-` id itself for knowledge-base and data `LicenseRef-` ids (with their terms);
- `LicenseRef-provenance-<id>` for any other id, and `LicenseRef-provenance-expression-<hash>` for a
  value no SPDX parser reads, with the value as written.

Every `LicenseRef-` used gets one entry (`RefInfo`): extracted licensing info in SPDX 2.3, a
SimpleLicensingText in SPDX 3.0.1.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from provenance.licensing.expression import Compound, Expr, ExpressionSyntaxError, License, parse, spdx_licensing
from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.reference import load_bundle
from provenance.licensing.kb import load_kb

#: SPDX values that stand alone: written as they are (NOASSERTION) or as the SPDX "no license".
SPECIAL = {"NOASSERTION", "NONE"}
_IDSTRING = re.compile(r"[A-Za-z0-9.-]+")
_BAD_CHARS = re.compile(r"[^A-Za-z0-9.-]+")
_SPDX_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]+")
_SCANCODE = "LicenseRef-scancode-"
#: How many places a LicenseRef's comment names before "and N more".
PLACES = 5


@dataclass(frozen=True)
class ValidatorList:
    """The license list spdx-tools judges ids with: license-expression's index."""

    library: str
    #: SPDX license list version of that index ("3.27"), "" when the package does not say.
    version: str

    @property
    def semver(self) -> str:
        """The version as SPDX 3 wants it (major.minor.patch), "" when unknown."""
        parts = self.version.split(".")
        return ".".join(([*parts, "0", "0"])[:3]) if self.version else ""


@dataclass(frozen=True)
class Place:
    """Where a license was read (a license file, card or header location) and for how many files."""

    location: str
    sha256: str | None
    assets: int


@dataclass(frozen=True)
class RefInfo:
    """One `LicenseRef-` id used in a manifest and what it stands for."""

    id: str
    name: str
    #: The license text when a package ships it (SPDX list texts), else a statement of what is known.
    text: str
    see_also: tuple[str, ...]
    #: The original id or value, why it is a LicenseRef-, the text's SHA-256 and where it was found.
    comment: str


@dataclass(frozen=True)
class _Term:
    kind: str  # "spdx", "scancode", "ref", "other", "expression"
    original: str


@cache
def validator_list() -> ValidatorList:

    try:
        library = f"license-expression {version('license-expression')}"
    except PackageNotFoundError:
        library = "license-expression"
    listed = ""
    try:
        about = importlib.resources.files("license_expression").joinpath("data/license_key_index.json.ABOUT")
        for line in about.read_text(encoding="utf-8").splitlines():
            if line.startswith("spdx_license_list_version:"):
                listed = line.split(":", 1)[1].strip()
    except (OSError, ModuleNotFoundError):
        pass
    return ValidatorList(library, listed)


def _licensing() -> Any:
    return spdx_licensing()


@lru_cache(maxsize=8192)
def accepted(term: str) -> bool:
    """Whether spdx-tools accepts `term` (an id, or `id WITH exception`) without extracted licensing
    info: license-expression knows every symbol and uses each in its place (license vs exception)."""
    licensing = _licensing()
    try:
        if licensing.validate(term).invalid_symbols:
            return False
        licensing.parse(term, validate=True, strict=True)
    except Exception:  # the library raises several types; any of them means "not accepted"
        return False
    return True


@cache
def _scancode_keys() -> dict[str, tuple[str, str]]:
    """ScanCode key (lower case) -> (key, the id license-expression's index gives it)."""
    path = importlib.resources.files("license_expression").joinpath("data/scancode-licensedb-index.json")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(e["license_key"]).lower(): (str(e["license_key"]), str(e.get("spdx_license_key") or ""))
            for e in entries if e.get("license_key")}


@cache
def _spdx_catalog() -> tuple[str, dict[str, tuple[str, str, tuple[str, ...]]]]:
    """(SPDX list version, id (lower case) -> (id, name, see-also URLs)) of the list the scan uses:
    from the identification index when this process has loaded it, else from the package."""

    catalog = get_index().catalog if get_index.cache_info().currsize else load_bundle()
    ids = {x.id.lower(): (x.id, x.name, x.see_also) for x in catalog.licenses}
    ids.update({x.id.lower(): (x.id, x.name, ()) for x in catalog.exceptions})
    return catalog.version, ids


@cache
def _spdx_texts() -> dict[str, str]:

    return {x.id: x.text for x in load_bundle().licenses if x.text}


def _clean(text: str) -> str:
    """An idstring: letters, digits, '.' and '-'; a hash keeps two different originals apart."""
    clean = _BAD_CHARS.sub("-", text).strip("-")[:80]
    if clean == text:
        return clean
    return f"{clean}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}".lstrip("-")


def _render(expr: Expr, leaf: Any) -> str:
    if isinstance(expr, License):
        return str(leaf(expr))
    return f" {expr.op} ".join(
        f"({_render(item, leaf)})" if isinstance(item, Compound) and item.op != expr.op else _render(item, leaf)
        for item in expr.items)


class PortableLicenses:
    """Maps the scan's license expressions to manifest expressions and remembers the `LicenseRef-`
    ids they use. One instance serves both manifests of a run, so both use the same ids."""

    def __init__(self) -> None:
        self._mapped: dict[str, str | None] = {}
        self._terms: dict[str, _Term] = {}
        #: LicenseRef id -> the scan's expressions that used it (for "where it was found").
        self._used_by: dict[str, set[str]] = {}

    def map(self, expression: str | None) -> str | None:
        """The expression to write; None means NOASSERTION."""
        if not expression or not expression.strip():
            return None
        if expression in self._mapped:
            return self._mapped[expression]
        out = self._map(expression.strip())
        self._mapped[expression] = out
        return out

    def _map(self, expression: str) -> str | None:
        if expression.upper() in SPECIAL:
            return None if expression.upper() == "NOASSERTION" else "NONE"
        try:
            tree = parse(expression, strict=False)
        except ExpressionSyntaxError:
            return self._ref(f"LicenseRef-provenance-expression-{_digest(expression)}",
                             _Term("expression", expression), expression)
        return _render(tree, lambda lic: self._leaf(lic, expression))

    def _leaf(self, lic: License, expression: str) -> str:
        term = lic.render()
        if _SPDX_REF.fullmatch(lic.id) and (lic.exception is None or accepted(f"MIT WITH {lic.exception}")):
            # A knowledge-base, data or ScanCode LicenseRef-: valid as it is once declared in the document.
            key = lic.id[len(_SCANCODE):] if lic.id.startswith(_SCANCODE) else ""
            self._ref(lic.id, _Term("scancode", key) if key else _Term("ref", lic.id), expression)
            return term
        if accepted(term) and "LicenseRef-" not in term:
            return term
        scancode = _scancode_keys().get(lic.id.lower()) if lic.exception is None and not _in_spdx(lic.id) else None
        if scancode and _SPDX_REF.fullmatch(scancode[1]):
            return self._ref(scancode[1], _Term("scancode", scancode[0]), expression)
        if scancode and accepted(scancode[1]):
            return scancode[1]
        if _in_spdx(lic.id) and (lic.exception is None or _in_spdx(lic.exception)):
            ids = _spdx_catalog()[1]
            term = License(ids[lic.id.lower()][0], lic.exception and ids[lic.exception.lower()][0]).render()
            return self._ref(f"LicenseRef-spdx-{_clean(term.replace(' WITH ', '-WITH-'))}", _Term("spdx", term),
                             expression)
        return self._ref(f"LicenseRef-provenance-{_clean(term.replace(' WITH ', '-WITH-'))}", _Term("other", term),
                         expression)

    def _ref(self, ref: str, term: _Term, expression: str) -> str:
        self._terms.setdefault(ref, term)
        self._used_by.setdefault(ref, set()).add(expression)
        return ref

    def refs(self, places: Mapping[str, Sequence[Place]] | None = None) -> list[RefInfo]:
        """Every LicenseRef- id the mapped expressions use, sorted; `places` gives, per scan
        expression, where it was read (the manifests name up to PLACES of them per id)."""
        out = []
        for ref in sorted(self._terms):
            seen: dict[str, Place] = {}
            for expression in sorted(self._used_by.get(ref, ())):
                for place in (places or {}).get(expression, ()):
                    old = seen.get(place.location)
                    seen[place.location] = Place(place.location, place.sha256,
                                                 place.assets + (old.assets if old else 0))
            out.append(describe(ref, self._terms[ref], sorted(seen.values(), key=lambda p: (-p.assets, p.location))))
        return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _in_spdx(lid: str) -> bool:
    return lid.lower() in _spdx_catalog()[1]


def _found(places: Sequence[Place]) -> str:
    places = [p for p in places if p.location]
    if not places:
        return ""
    shown = [f"{p.location} ({p.assets} file(s)" + (f", SHA-256 {p.sha256})" if p.sha256 else ")")
             for p in places[:PLACES]]
    more = f" and {len(places) - PLACES} more places" if len(places) > PLACES else ""
    return " Found at: " + "; ".join(shown) + more + "."


def describe(ref: str, term: _Term, places: Sequence[Place] = ()) -> RefInfo:
    """Name, text, URLs and comment of one LicenseRef- id (see the module docstring)."""
    validator = validator_list()
    listed = f"SPDX license list {validator.version} of {validator.library}" if validator.version \
        else validator.library
    found = _found(places)
    if term.kind == "spdx":
        version, ids = _spdx_catalog()
        lid, _, exception = term.original.partition(" WITH ")
        _, name, see_also = ids.get(lid.lower(), (lid, lid, ()))
        if exception:
            name = f"{name} with {ids.get(exception.lower(), (exception, exception, ()))[1]}"
        text = _spdx_texts().get(lid, "") if not exception else ""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""
        urls = tuple(f"https://spdx.org/licenses/{part}.html" for part in (lid, exception) if part) + see_also
        if not text:
            text = (f"{term.original}: SPDX license list {version}. The text is on the SPDX license list: "
                    + ", ".join(urls[: 2 if exception else 1]) + ".")
        comment = (f"SPDX license list {version} id '{term.original}' ({name}), written as {ref} because {listed},"
                   f" which spdx-tools validates with, does not have it."
                   + (f" SHA-256 of the SPDX list text: {digest}." if digest else "") + found)
        return RefInfo(ref, name, text, urls, comment)
    if term.kind == "scancode":
        key = _scancode_keys().get(term.original.lower(), (term.original, ""))[0]
        category = load_kb().facts(ref).basis.partition("category:")[2]
        url = f"https://scancode-licensedb.aboutcode.org/{key}.html"
        text = (f"ScanCode license key '{key}' ({ref} in ScanCode's convention); its text is in the ScanCode "
                f"LicenseDB: {url}.")
        return RefInfo(ref, f"ScanCode {key}", text, (url,),
                       f"ScanCode license key '{key}'" + (f" (category {category})" if category else "")
                       + f", not an SPDX id in {listed}.{found}")
    if term.kind == "ref":
        facts = load_kb().facts(ref)
        if facts.basis == "none":
            text = (f"{ref}: named in the declarations file or in the data; its terms are not in the provenance "
                    "license knowledge base, so its use for training is unknown.")
            return RefInfo(ref, ref, text, (), f"A LicenseRef- id named by the data or the declarations.{found}")
        text = f"{ref}: an identifier of the provenance license knowledge base. {facts.notes}".strip()
        return RefInfo(ref, facts.name or ref, f"{text} Use for training: {facts.use.value}.", (),
                       f"An id of the provenance license knowledge base.{found}")
    if term.kind == "expression":
        text = f"License value as found, which is not an SPDX license expression: {term.original}"
        return RefInfo(ref, "Unparsed license value", text, (),
                       f"The value is kept as written, with an unknown-license finding in the scan.{found}")
    text = f"License id as found: {term.original}. It is on neither the SPDX license list nor ScanCode's."
    return RefInfo(ref, term.original, text, (), f"Id '{term.original}' as found in the data.{found}")


__all__ = [
    "PLACES",
    "SPECIAL",
    "Place",
    "PortableLicenses",
    "RefInfo",
    "ValidatorList",
    "accepted",
    "describe",
    "validator_list",
]
