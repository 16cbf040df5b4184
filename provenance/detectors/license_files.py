"""LICENSE/COPYING/NOTICE files: their text identified, as evidence for their folder."""

from __future__ import annotations

import re
from dataclasses import replace

from provenance.detectors.headers import spdx_tags
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.licensing.expression import use_class
from provenance.licensing.identify import FileIdentification, find_notices, identify_file
from provenance.licensing.names import cc_long_name, restriction_clauses
from provenance.model import Asset, AssetKind, Evidence, EvidenceKind, Level, Location, UseClass
from provenance.sources.kinds import license_file_scope

MIN_MATCH_SCORE = 0.8
#: Restriction sentences are looked for in license files up to this size (notices and short
#: terms); full license texts are longer and their wording is the license's own.
MAX_RESTRICTION_TEXT = 3000
_RESTRICTED = frozenset({UseClass.NON_COMMERCIAL, UseClass.RESEARCH_ONLY, UseClass.NO_GRANT})
_PLACEHOLDER = re.compile(r"\b(?:todo|tbd|fixme|placeholder|coming soon|to be (?:added|determined|decided|defined)"
                          r"|add (?:a |the )?licen[cs]e|licen[cs]e (?:goes )?here|待定|待补充)\b", re.IGNORECASE)
_POINTER = re.compile(r"\b(?:found|see|in|contained)\b[^.]{0,40}\bthe license file", re.IGNORECASE)
_FILE_NAME = re.compile(r"(?<![/\w-])(?:licen[cs]e|copying)[._-][A-Za-z][A-Za-z0-9]*(?:\.(?:txt|md|rst))?\b",
                        re.IGNORECASE)
_COPYRIGHT = re.compile(r"^\s*(?:copyright\b|\(c\)|©|版权所有)", re.IGNORECASE)


#: A candidate text this similar is worth naming beside an unidentified license file.
NEAR_CANDIDATE = 0.5


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


class LicenseFileDetector(Detector):
    id = "license-file"
    version = "5"  # 2: empty and placeholder files say nothing; a lone copyright line reserves rights;
    # sentences that restrict use (non-commercial, research only) are evidence too; 3: what a scoped
    # name covers (DATA_LICENSE, MODEL_LICENSE), grants that allow commercial use are not restrictions;
    # 4: "either academic or commercial", "including research or commercial" are grants; 5: an
    # unidentified file's evidence quotes its first line and names only near candidates

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.LICENSE_FILE

    def detect(self, content: AssetContent) -> DetectorOutput:
        out = self._detect(content)
        covers = license_file_scope(content.asset.path.rsplit("/", 1)[-1])
        if not covers or not out.evidence:
            return out
        # DATA_LICENSE, MODEL_LICENSE, LICENSE-CODE: the name says what the terms cover.
        return replace(out, evidence=tuple(replace(e, applies_to=covers) for e in out.evidence))

    def _detect(self, content: AssetContent) -> DetectorOutput:
        text, _ = content.text()
        if text is None:
            return DetectorOutput()  # the scanner reports undecodable text once
        out = self._identify(content, text)
        asset = content.asset
        if asset.path.rsplit("/", 1)[-1].upper().startswith("NOTICE") or len(text) > MAX_RESTRICTION_TEXT:
            return out
        # "Commercial use is prohibited" beside (or instead of) a license name restricts it: both
        # apply (the folder's license files are read as AND).
        restrictions = tuple(
            Evidence(kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY, location=Location(asset.path, line=line),
                     license=ref, raw=raw, confidence=0.9, matcher="restriction", scope=asset.folder)
            for line, ref, raw in restriction_clauses(text)
        )
        already = [e.license for e in out.evidence if e.license]
        if not restrictions or any(use_class(x) in _RESTRICTED for x in already):
            return out  # the license named already restricts commercial use; the sentence describes it
        kept = tuple(e for e in out.evidence if e.license or e.reservation)  # "not identified" is now known
        return DetectorOutput(evidence=kept + restrictions, facts=out.facts)

    def _identify(self, content: AssetContent, text: str) -> DetectorOutput:
        asset = content.asset
        scope = asset.folder
        is_notice = asset.path.rsplit("/", 1)[-1].upper().startswith("NOTICE")
        if len(text) < 1000:
            # A short file that names sibling files ("see LICENSE-MIT") names no license by that.
            text = _FILE_NAME.sub("the license file", text)
        found = identify_file(text)
        if is_notice and any(m.matcher != "text" for m in found.matches):
            # A NOTICE file's statements credit third-party components; only a full text in it counts.
            found = FileIdentification(None, (), 0.0, found.candidates)
        if found.expression and found.matches and max(m.score for m in found.matches) >= MIN_MATCH_SCORE:
            first = found.matches[0]
            evidence = Evidence(
                kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY,
                location=Location(asset.path, line=first.start_line), license=found.expression,
                raw=_first_line(text), confidence=round(max(m.score for m in found.matches), 3),
                matcher=",".join(sorted({m.matcher for m in found.matches})), scope=scope,
            )
            return DetectorOutput(evidence=(evidence,), facts={"coverage": round(found.coverage, 3)})
        family = next((m for m in found.matches if m.ambiguous and m.family), None)
        if family is not None and not found.expression:
            # The GPL text without a notice saying "only" or "or later": the narrower grant is
            # the safe reading (same use class either way), and the evidence says so.
            narrow = next((c for c in family.ambiguous if c.endswith("-only")), family.ambiguous[0])
            return DetectorOutput(evidence=(Evidence(
                kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY,
                location=Location(asset.path, line=family.start_line), license=narrow,
                raw=f"{family.family} text; no notice says which of {', '.join(family.ambiguous)}: read as {narrow}",
                confidence=round(family.score * 0.8, 3), matcher="text-family", scope=scope,
            ),))
        tags = [t for t in spdx_tags(text) if t[2]]
        if tags:
            # A REUSE-style license file: the tag says it, whatever prose follows.
            return DetectorOutput(evidence=tuple(
                Evidence(
                    kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY, location=Location(asset.path, line=line),
                    license=expression, raw=raw, confidence=1.0, matcher="spdx-id", scope=scope,
                )
                for line, raw, expression in tags
            ))
        notices = [] if is_notice else [n for n in find_notices(text) if n.expression or n.reservation or n.ambiguous]
        if notices:
            return DetectorOutput(evidence=tuple(
                Evidence(
                    kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY,
                    location=Location(asset.path, line=n.start_line), license=n.expression,
                    raw=_line(text, n.start_line), confidence=round(n.score, 3), matcher=n.matcher,
                    scope=scope, reservation=n.reservation,
                )
                for n in notices
            ))
        if is_notice:
            # NOTICE files usually carry attributions, not a license: silence is not "unknown".
            return DetectorOutput()
        short = text.strip()
        if not short or (len(short) < 300 and _PLACEHOLDER.search(short)):
            # An empty file or a "TODO: add license" grants nothing: no evidence, so the data is
            # unlicensed (or covered from further up), not "unknown terms" that only warn.
            return DetectorOutput()
        if len(short) < 1000 and "the license file" in short and _POINTER.search(short):
            # "...under the terms of either of the licenses found in LICENSE.APACHE or LICENSE.BSD":
            # the files it names carry the terms (and are read); this one adds none.
            return DetectorOutput()
        long_name = cc_long_name(text) if len(text) <= MAX_RESTRICTION_TEXT else None
        if long_name:
            # "Released under the terms of the Attribution-NonCommercial 4.0 International license."
            return DetectorOutput(evidence=(Evidence(
                kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY, location=Location(asset.path, line=long_name[0]),
                license=long_name[1], raw=_line(text, long_name[0]), confidence=0.9, matcher="cc-title", scope=scope,
            ),))
        if len(short) < 300 and all(_COPYRIGHT.match(line) for line in short.splitlines() if line.strip()):
            # Only a copyright line: the owner reserves their rights and licenses nothing.
            return DetectorOutput(evidence=(Evidence(
                kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY, location=Location(asset.path, line=1),
                license=None, raw=f"copyright notice without a license: {_first_line(text)}", confidence=0.9,
                matcher="copyright-only", scope=scope, reservation=True,
            ),))
        # What the file says, for the reviewer who must read it; candidates only when they are near
        # (a score of 0.08 against pkgconf says nothing about PAWS's "may be freely used for any purpose").
        closest = ", ".join(f"{c.license} {c.score:.2f}" for c in found.candidates[:3] if c.score >= NEAR_CANDIDATE)
        raw = f"'{_first_line(text)}'" + (f"; closest: {closest}" if closest else "")
        evidence = Evidence(
            kind=EvidenceKind.LICENSE_FILE, level=Level.DIRECTORY, location=Location(asset.path, line=1),
            license=None, raw=raw[:200], confidence=0.0, matcher="text", scope=scope,
        )
        return DetectorOutput(evidence=(evidence,))


def _line(text: str, lineno: int) -> str:
    lines = text.splitlines()
    return lines[lineno - 1].strip()[:160] if 0 < lineno <= len(lines) else ""
