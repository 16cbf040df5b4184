"""One effective license per asset, from evidence at several levels.

More specific evidence overrides inherited evidence: a record's own value, then the file's
header, then the nearest folder (sub-folder before parent) holding a license file or card,
then the user's declarations. Evidence at the same level that disagrees is a
`license-conflict`, and the more restrictive license wins; so does a declaration that the
data contradicts.

Evidence that names no terms we can read (`license: other` or `unknown`, NOASSERTION, a record's
"N/A") never hides what is known further up: a record or a file header like that inherits the
folder's license (with an `unknown-license` warning); a sub-folder's card like that is weighed
against the parent folder's license (a `license-conflict`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from provenance.licensing.expression import (
    ExpressionSyntaxError,
    canonical,
    expression_facts,
    expression_warnings,
    ids,
    more_restrictive,
    parse,
    use_class,
)
from provenance.licensing.kb import ALLOWED_FOR_USE, USE_RANK
from provenance.model import (
    METADATA_KINDS,
    AssetKind,
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    RecordLicense,
    Rule,
    Severity,
    UseClass,
)

ALL_RIGHTS_RESERVED = "LicenseRef-All-Rights-Reserved"
UNKNOWN = "LicenseRef-Unknown"
_STRUCTURED = (EvidenceKind.LICENSE_FILE, EvidenceKind.CARD_METADATA)


def _grants(e: Evidence) -> bool:
    """A license that was identified. "unknown" (a Hugging Face card's `license: unknown`) says
    nothing about the terms, so it is no grant: it must not hide one from further up."""
    return bool(e.license) and e.license != UNKNOWN and not e.reservation


#: Matcher of the evidence a license file or card leaves when it cannot be read (scanner.unreadable_terms).
UNREADABLE = "unreadable"


def _unidentified(items: Sequence[Evidence]) -> bool:
    """Evidence that neither grants nor reserves: the terms are unknown (`other`, NOASSERTION, N/A).
    A license file that could not be read is not in this class: it is a read error (the scan is
    incomplete), and what is above it must not be taken instead."""
    return bool(items) and not any(_grants(e) or e.reservation or e.matcher == UNREADABLE for e in items)


class ScopeIndex:
    """Directory-level evidence by folder, for finding the nearest one up the tree."""

    def __init__(self) -> None:
        self._by_folder: dict[str, list[Evidence]] = {}
        #: Folder-level evidence that covers one file only (a module an installed package put at
        #: the top of site-packages): looked at before the file's folder.
        self._by_file: dict[str, list[Evidence]] = {}

    def add(self, evidence: Evidence) -> None:
        self._by_folder.setdefault(evidence.scope, []).append(evidence)

    def add_file(self, path: str, evidence: Evidence) -> None:
        self._by_file.setdefault(path, []).append(evidence)

    def for_file(self, path: str) -> list[Evidence]:
        return self._by_file.get(path, [])

    def nearest(self, folder: str, role: str = "data", path: str = "") -> list[Evidence]:
        """What applies to an asset of `role` (code, data, docs, model) at `path` in `folder`: the
        evidence covering that file alone, else the nearest folder's evidence for that role; when
        it names no terms we can read (`license: other`), the next folder up that does is added, so
        its grant is weighed against it, not lost. Sentences that only restrict use ("research use
        only") never stop the search: they narrow the grant found above them, and every one of them
        up to the root is added."""
        out: list[Evidence] = []
        restrictions: list[Evidence] = []
        searching = True
        for found in self._levels(folder, path):
            scoped = _scoped(found)
            applicable = [e for e in scoped if _covers(e, role)]
            if role == "docs" and not any(not _restricts_only(e) for e in applicable):
                # Documentation in a folder whose only license is the data's (a dataset card): that.
                applicable += [e for e in scoped if _covers(e, "data") and not _restricts_only(e)]
            restrictions += [e for e in applicable if _restricts_only(e)]
            grants = [e for e in applicable if not _restricts_only(e)]
            if searching and grants:
                out += _prefer_structured(_preferred_scope(grants, role))
                searching = _unidentified(out)
        return out + [e for e in restrictions if e not in out]

    def _levels(self, folder: str, path: str) -> Iterator[list[Evidence]]:
        """The evidence of each level from the file up to the root, most specific first."""
        if path in self._by_file:
            yield self._by_file[path]
        while True:
            if found := self._by_folder.get(folder):
                yield found
            if not folder:
                return
            folder = folder.rpartition("/")[0]

    def chain(self, folder: str) -> list[Evidence]:
        """Every piece of folder evidence from `folder` up to the root (what any asset there may
        resolve against, whatever its role)."""
        out: list[Evidence] = []
        while True:
            out += self._by_folder.get(folder, ())
            if not folder:
                return out
            folder = folder.rpartition("/")[0]

    def folders(self) -> dict[str, list[Evidence]]:
        return self._by_folder

    def discard(self, drop: Callable[[Evidence], bool]) -> int:
        """Remove the evidence `drop` selects; returns how many were removed."""
        removed = 0
        for folder, found in list(self._by_folder.items()):
            kept = [e for e in found if not drop(e)]
            removed += len(found) - len(kept)
            if kept:
                self._by_folder[folder] = kept
            else:
                del self._by_folder[folder]
        return removed


def _restricts_only(e: Evidence) -> bool:
    return e.matcher == "restriction"


#: Roles each kind of scoped evidence covers. Documentation goes with whatever covers the project.
_COVERS = {"": frozenset({"code", "data", "docs", "model"}), "code": frozenset({"code", "docs"}),
           "data": frozenset({"data", "model"}), "model": frozenset({"model"})}


def _covers(e: Evidence, role: str) -> bool:
    return role in _COVERS.get(e.applies_to, _COVERS[""])


def _part_statement(e: Evidence) -> bool:
    """A license file (DATA_LICENSE names its part, LICENSE the whole) or a README badge labelled for
    a part ("Data License: CC BY NC 4.0"): the project's own word on which license covers what."""
    return e.kind is EvidenceKind.LICENSE_FILE or (e.matcher == "badge" and bool(e.applies_to))


def _preferred_scope(grants: list[Evidence], role: str) -> list[Evidence]:
    """A license file or badge written for exactly this role (MODEL_LICENSE for weights, DATA_LICENSE or
    a "Data License" badge for data) before the folder's general license file; for documentation, the
    project's license before the data's."""
    if any(_part_statement(e) and e.applies_to == role for e in grants):
        return [e for e in grants if not (_part_statement(e) and e.applies_to != role)]
    if role == "docs":
        return [e for e in grants if e.applies_to in ("", "code")] or grants
    return grants


# Licenses written for content (text, images, data), as against software: beside a software
# license in the same folder they cover the data and the software license the code.
_CONTENT = re.compile(r"^(?:CC-BY|CC-PDDC|ODC|ODbL|PDDL|CDLA|C-UDA|OGL|DL-DE|GFDL|LicenseRef-(?:Research-Only|"
                      r"Non-Commercial))", re.IGNORECASE)
_NEUTRAL = re.compile(r"^(?:CC0|Unlicense|LicenseRef-|WTFPL|0BSD)", re.IGNORECASE)


def _family(e: Evidence) -> str:
    """"content", "software" or "" for an identified license file."""
    if not e.license or e.reservation:
        return ""
    parts = [p.strip("() ") for p in re.split(r"\s+(?:AND|OR)\s+", e.license)]
    if all(_CONTENT.match(p) for p in parts):
        return "content"
    if any(_NEUTRAL.match(p) for p in parts):
        return ""
    return "software"


# A license file named for the whole project (LICENSE, COPYING.md) or for a license (LICENSE.GPL,
# LICENSE-CC-BY); not one named for a part (LICENSE.third-party, COPYING.fonts), which covers that part.
_PROJECT_LICENSE_NAME = re.compile(
    r"^(?:licen[cs]e|copying)(?:[-._](?:mit|apache[\w.-]*|bsd[\w.-]*|[al]?gpl[\w.-]*|mpl[\w.-]*|epl[\w.-]*"
    r"|cc[\w.-]*|odc[\w.-]*|odbl[\w.-]*|cdla[\w.-]*|isc|zlib|boost|bsl[\w.-]*|artistic[\w.-]*|unlicense))?"
    r"(?:\.(?:txt|md|rst))?$", re.IGNORECASE)


def _names_the_project(path: str) -> bool:
    return bool(_PROJECT_LICENSE_NAME.match(path.rsplit("/", 1)[-1]))


def _scoped(found: list[Evidence]) -> list[Evidence]:
    """A folder's evidence with what each piece covers. License files whose names do not say so
    (LICENSE beside DATA_LICENSE, LICENSE.GPL beside LICENSE.CC-BY, a LICENSE beside a dataset
    card) are told apart by family: the content license covers the data, the software one the code."""
    if any(e.matcher == "card-other-file" for e in found) and any(
            e.kind is EvidenceKind.LICENSE_FILE and _grants(e) and not _restricts_only(e) for e in found):
        # `license: other` + `license_link: LICENSE`: the card points at the file, whose terms stand.
        found = [e for e in found if e.matcher != "card-other-file"]
    unscoped = [e for e in found if e.kind is EvidenceKind.LICENSE_FILE and not e.applies_to
                and not _restricts_only(e) and _names_the_project(e.location.path)]
    if not unscoped:
        return found
    # Only license files decide this: a card naming MIT beside a GPL LICENSE is two claims about
    # the same data (a conflict), not a split.
    files = [e for e in found if e.kind is EvidenceKind.LICENSE_FILE]
    data_side = any(e.applies_to == "data" for e in files) or any(_family(e) == "content" for e in unscoped)
    code_side = any(e.applies_to == "code" for e in files) or any(_family(e) == "software" for e in unscoped)
    if not (data_side and code_side):
        return found
    out = []
    for e in found:
        family = _family(e) if e in unscoped else ""
        if family == "software":
            e = replace(e, applies_to="code")
        elif family == "content":
            e = replace(e, applies_to="data")
        out.append(e)
    return out


def _prefer_structured(items: list[Evidence]) -> list[Evidence]:
    # Prose in a README is weaker than a license file or card metadata in the same folder:
    # it often mentions upstream licenses. It counts only when nothing structured is there,
    # except a sentence that restricts use: that applies beside the metadata.
    structured = [e for e in items if e.kind in _STRUCTURED or _part_statement(e)]
    if not structured:
        return items
    return structured + [e for e in items if e.matcher == "restriction" and e not in structured]


@dataclass(frozen=True)
class Resolution:
    license: str | None
    use_class: UseClass
    source: str
    findings: tuple[Finding, ...]
    evidence: tuple[Evidence, ...]


def _describe(e: Evidence) -> str:
    return f"{e.license or e.raw} ({e.location})"


# LICENSE-MIT beside LICENSE-APACHE, LICENSE.BSD beside LICENSE.APACHE: the usual way to offer a choice.
_ALTERNATIVE_NAME = re.compile(
    r"^(?:licen[cs]e|copying)[-._](?:mit(?:-0)?|apache(?:[-._]?2(?:\.0)?)?|bsd[\w.-]*|boost|bsl[\w.-]*|gpl[\w.-]*"
    r"|lgpl[\w.-]*|mpl[\w.-]*|cc0[\w.-]*|isc|zlib|unlicense|artistic[\w.-]*|epl[\w.-]*)(?:\.(?:txt|md|rst))?$",
    re.IGNORECASE,
)


def _join(op: str, expressions: Sequence[str]) -> str:
    unique = sorted(set(expressions))  # independent of listing order
    if len(unique) == 1:
        return unique[0]
    joined = f" {op} ".join(f"({e})" for e in unique)
    try:
        return parse(joined).render()
    except ExpressionSyntaxError:
        return joined  # an id the parser does not know (a newer SPDX list): kept as written


def _files_expression(files: Sequence[Evidence]) -> str:
    """Several license files in one folder are not a conflict: files named as alternatives
    (LICENSE-MIT, LICENSE-APACHE) give a choice (OR); the others cover parts (third-party
    components, fonts), so all their terms apply (AND)."""
    alternatives = _licenses(e for e in files if _ALTERNATIVE_NAME.match(e.location.path.rsplit("/", 1)[-1]))
    parts = _licenses(e for e in files if not _ALTERNATIVE_NAME.match(e.location.path.rsplit("/", 1)[-1]))
    return _join("AND", ([_join("OR", alternatives)] if alternatives else []) + parts)


def _licenses(items: Iterable[Evidence]) -> list[str]:
    return [e.license for e in items if e.license]


def _directory_verdict(path: str, grants: Sequence[Evidence]) -> tuple[str, str, list[Finding]]:
    """A folder's license files, card metadata or (failing both) card prose; a sentence in the
    card's prose that restricts use ("research purposes only") applies beside the metadata."""
    restricting = [e for e in grants if _restricts_only(e)]
    terms = [e for e in grants if not _restricts_only(e)]
    if not terms:  # only sentences that restrict, and no grant anywhere up the tree
        return _join("AND", _licenses(restricting)), str(restricting[0].location), []
    chosen, source, findings = _structured_verdict(path, terms)
    if restricting:
        chosen = _with_restrictions(chosen, _licenses(restricting))
    return chosen, source, findings


def _with_restrictions(chosen: str, restrictions: Sequence[str]) -> str:
    """A license with the sentences that restrict its use: one that restricts no further than the
    license already does (CC BY-NC-SA beside "non-commercial use only") adds nothing."""
    rank = USE_RANK[use_class(chosen)]
    tighter = [r for r in restrictions if USE_RANK[use_class(r)] > rank]
    return _join("AND", [chosen, *tighter]) if tighter else chosen


def _structured_verdict(path: str, grants: Sequence[Evidence]) -> tuple[str, str, list[Finding]]:
    card = [e for e in grants if e.kind is EvidenceKind.CARD_METADATA]
    files = [e for e in grants if e.kind is EvidenceKind.LICENSE_FILE]
    rest = [e for e in grants if e not in card and e not in files]
    if not (card or files):
        return _join("AND", _licenses(rest)), str(rest[0].location), []
    files_expr = _files_expression(files) if files else None
    card_expr = _join("AND", _licenses(card)) if card else None
    if not (files_expr and card_expr):
        first = (files or card)[0]
        return files_expr or card_expr or "", str(first.location), []
    card_ids, file_ids = set(ids(parse(card_expr))), set(ids(parse(files_expr)))
    if card_ids & file_ids:
        # The card names (some of) what the license files grant: agreement, the files give the detail.
        if card_ids <= file_ids:
            return files_expr, str(files[0].location), []
        return _join("AND", [card_expr, files_expr]), str(card[0].location), []
    chosen = more_restrictive(card_expr, files_expr)
    source = card[0] if chosen == card_expr else files[0]
    finding = Finding(
        Rule.LICENSE_CONFLICT, Severity.ERROR, path,
        f"the card says {card_expr} ({card[0].location}) but the license file says {files_expr} "
        f"({files[0].location}); the more restrictive ({chosen}) applies",
        locations=(str(card[0].location), str(files[0].location)),
    )
    return chosen, str(source.location), [finding]


def _with_dissent(path: str, chosen: str, source: str, findings: list[Finding],
                  items: Sequence[Evidence]) -> tuple[str, str, list[Finding]]:
    """A license file or card beside the grant that reserves all rights, or that names terms we
    cannot read, disagrees with it: a conflict, and the stricter reading (reserved, unknown) wins.
    Prose does not count here (a README often says "all rights reserved" of its own text)."""
    dissent = [e for e in items if e.kind in _STRUCTURED and not _grants(e)]
    if not dissent:
        return chosen, source, findings
    e = dissent[0]
    other = ALL_RIGHTS_RESERVED if e.reservation else UNKNOWN
    stricter = more_restrictive(chosen, other)
    what = "reserves all rights" if e.reservation else f"names terms that were not identified ({e.raw})"
    findings = [*findings, Finding(
        Rule.LICENSE_CONFLICT, Severity.ERROR, path,
        f"{e.location} {what} beside {chosen} ({source}); the more restrictive ({stricter}) applies",
        locations=(str(e.location), source),
    )]
    return stricter, (str(e.location) if stricter != chosen else source), findings


def _level_verdict(path: str, items: Sequence[Evidence]) -> tuple[str | None, str, list[Finding]]:
    """Effective license from the evidence of one level, and the findings it raises."""
    grants = [e for e in items if _grants(e)]
    findings: list[Finding] = []
    if grants and all(e.level is Level.DIRECTORY for e in grants):
        chosen, source, found = _directory_verdict(path, grants)
        return _with_dissent(path, chosen, source, found, items)
    if grants:
        distinct: dict[str, Evidence] = {}
        for e in grants:
            distinct.setdefault(e.license, e)  # type: ignore[arg-type]
        chosen = grants[0].license or ""
        for lic in distinct:
            chosen = more_restrictive(chosen, lic)
        if len(distinct) > 1:
            findings.append(Finding(
                Rule.LICENSE_CONFLICT, Severity.ERROR, path,
                "evidence at the same level disagrees: " + "; ".join(_describe(e) for e in distinct.values())
                + f"; the more restrictive ({chosen}) applies",
                locations=tuple(str(e.location) for e in distinct.values()),
            ))
        return chosen, str(distinct[chosen].location), findings
    if any(e.reservation for e in items):
        e = next(e for e in items if e.reservation)
        findings.append(Finding(
            Rule.RIGHTS_RESERVED, Severity.WARNING, path,
            f"rights are reserved and no license is granted: '{e.raw}' ({e.location})", locations=(str(e.location),),
        ))
        return ALL_RIGHTS_RESERVED, str(e.location), findings
    e = items[0]
    findings.append(Finding(
        Rule.UNKNOWN_LICENSE, Severity.WARNING, path,
        f"license evidence not identified: {e.raw} ({e.location})", locations=tuple(str(i.location) for i in items),
    ))
    return UNKNOWN, str(e.location), findings


def resolve(
    path: str,
    kind: AssetKind,
    own: Iterable[Evidence],
    inherited: Sequence[Evidence],
    declared: Sequence[Evidence],
    record_licenses: Sequence[RecordLicense],
    records: int | None,
    use: str,
) -> Resolution:
    own = list(own)
    file_level = [e for e in own if e.level is Level.FILE]
    record_level = [e for e in own if e.level is Level.RECORD]
    evidence = [*record_level, *file_level, *inherited, *declared]
    findings: list[Finding] = []

    base: str | None = None
    base_source = ""
    for level in (file_level, list(inherited), list(declared)):
        if level:
            verdict, verdict_source, level_findings = _level_verdict(path, level)
            findings += level_findings
            if base is None:
                base, base_source = verdict, verdict_source
            if not _unidentified(level):
                if base == UNKNOWN:
                    # A file's own unreadable claim (NOASSERTION) does not hide the folder's license.
                    base, base_source = verdict, verdict_source
                break
    # A declaration the data contradicts: flag it, keep the more restrictive.
    declared_lic = next((e for e in declared if e.license), None)
    if (declared_lic and base and base_source != str(declared_lic.location)
            and canonical(declared_lic.license or "") != canonical(base)):
        chosen = more_restrictive(base, declared_lic.license or base)
        findings.append(Finding(
            Rule.LICENSE_CONFLICT, Severity.ERROR, path,
            f"declared {declared_lic.license} ({declared_lic.location}) but the data says {base} ({base_source});"
            f" the more restrictive ({chosen}) applies",
            locations=(str(declared_lic.location), base_source),
        ))
        if chosen != base:
            base, base_source = chosen, str(declared_lic.location)

    effective, source = base, base_source
    if record_licenses:
        effective, source, record_findings = _records(path, record_licenses, base, base_source, use)
        findings += record_findings

    metadata = kind in METADATA_KINDS
    if effective is None and not metadata and not record_licenses:
        findings.append(Finding(
            Rule.UNLICENSED, Severity.ERROR, path,
            "no license found: no header, no license file or card up the tree, no declaration",
            count=records or 1,
        ))
    uc = use_class(effective) if effective else UseClass.UNKNOWN
    if effective and not metadata and not record_licenses:
        findings += _terms(path, effective, uc, use, records or 1)
    findings += expression_warnings(path, effective)
    return Resolution(effective, uc, source, tuple(findings), tuple(evidence))


def _terms(path: str, expression: str, uc: UseClass, use: str, count: int) -> list[Finding]:
    facts = expression_facts(expression)
    out = []
    if uc not in ALLOWED_FOR_USE[use]:
        out.append(Finding(
            Rule.USE_RESTRICTED, Severity.ERROR, path,
            f"{expression} is {uc.value}: it does not allow {use} use", count=count,
        ))
    if uc is UseClass.UNKNOWN and expression != UNKNOWN:
        # Named (a card's license_name, a contract, a custom LicenseRef) but with terms the
        # knowledge base does not know: a person has to read them.
        out.append(Finding(
            Rule.UNKNOWN_LICENSE, Severity.WARNING, path,
            f"{expression}: what it allows for training is not in the knowledge base; review its terms",
            count=count,
        ))
    if facts.attribution:
        out.append(Finding(Rule.ATTRIBUTION_REQUIRED, Severity.INFO, path, f"{expression} requires attribution",
                           count=count))
    if facts.share_alike:
        out.append(Finding(Rule.SHARE_ALIKE, Severity.INFO, path, f"{expression} is share-alike", count=count))
    if facts.no_derivatives:
        out.append(Finding(Rule.NO_DERIVATIVES, Severity.INFO, path, f"{expression} forbids derivatives", count=count))
    return out


def _records(
    path: str, values: Sequence[RecordLicense], base: str | None, base_source: str, use: str
) -> tuple[str | None, str, list[Finding]]:
    """Records with their own value use it; the rest inherit the file's license. A value that
    names no terms we can read ("N/A", "see LICENSE", "unknown") inherits it too, with a warning:
    it must not hide the folder's license (a non-commercial one, say)."""
    per_license: dict[str, int] = {}
    missing = unknown = 0
    for item in values:
        if item.license and item.license != UNKNOWN:
            per_license[item.license] = per_license.get(item.license, 0) + item.count
        elif item.value:
            unknown += item.count
            inherit = base if base and base != UNKNOWN else UNKNOWN
            per_license[inherit] = per_license.get(inherit, 0) + item.count
        else:
            missing += item.count
    findings: list[Finding] = []
    if missing:
        if base:
            per_license[base] = per_license.get(base, 0) + missing
        else:
            findings.append(Finding(
                Rule.UNLICENSED, Severity.ERROR, path,
                f"{missing} record(s) have no license value and nothing else covers them", count=missing,
            ))
    if unknown:
        examples = ", ".join(repr(v.value) for v in values
                             if v.value and (not v.license or v.license == UNKNOWN))[:200]
        findings.append(Finding(
            Rule.UNKNOWN_LICENSE, Severity.WARNING, path,
            f"{unknown} record(s) carry license values that were not identified: {examples}", count=unknown,
        ))
    for lic, count in sorted(per_license.items()):
        findings += _terms(path, lic, use_class(lic), use, count)
    if not per_license:
        return None, "", findings
    field = values[0].field
    effective = _join("AND", list(per_license))
    source = f"{path}#{field}" if len(per_license) > 1 or not missing or not base else base_source
    return effective, source, findings
