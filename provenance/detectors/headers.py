"""License statements near the top of a file: `SPDX-License-Identifier:` lines in code and text, and in
code the notice of its leading comment ("Licensed under the Apache License, Version 2.0 ...", a BSD or
GPL header) or a module's `__license__`. A file's own header beats its folder's license."""

from __future__ import annotations

import re

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.licensing.expression import ExpressionSyntaxError, parse
from provenance.licensing.identify import Identification, find_notices, identify_file
from provenance.licensing.identify.engine import DUAL_LICENSING
from provenance.licensing.identify.expression import combine
from provenance.licensing.names import normalize_license
from provenance.model import Asset, AssetKind, Evidence, EvidenceKind, Level, Location

HEADER_LINES = 30
#: Characters of a code file's top that may hold its license notice.
NOTICE_CHARS = 4000
#: Statements that a license covers the file they are in, and how many lines from a license's name.
_THIS_FILE = re.compile(r"\bthis\s+(?:source\s+)?(?:file|module|program|script|notebook)\b", re.IGNORECASE)
THIS_FILE_REACH = 2
#: A leading comment shorter than this cannot hold a whole license text (0BSD's is ~640 characters).
MIN_TEXT_CHARS = 500
#: Words every short permissive license text uses to grant ("Permission is hereby granted",
#: "Redistribution and use ... are permitted").
_GRANT_WORDS = re.compile(r"permission|permitted|redistribution", re.IGNORECASE)
_MENTIONS = re.compile(rb"licen[cs]|copyright|\xe8\xae\xb8\xe5\x8f\xaf", re.IGNORECASE)  # 许可
_DUNDER = re.compile(r"^__license__\s*=\s*['\"]([^'\"]{1,120})['\"]", re.MULTILINE)
_TAG = re.compile(r"SPDX-License-Identifier:\s*(?P<expr>[^\r\n]*)")
_QUOTES = ("`", '"', "'")
# Comment closers that follow an expression on the same line.
_TRAILER = re.compile(r"\s*(\*/|-->|\*\)|#>|\"\"\"|''')?\s*$")


def spdx_tags(text: str, max_lines: int = HEADER_LINES) -> list[tuple[int, str, str | None]]:
    """(line, raw expression, normalised expression or None) for each tag in the first lines."""
    found = []
    for lineno, line in enumerate(text.splitlines()[:max_lines], 1):
        match = _TAG.search(line)
        if not match:
            continue
        raw = _TRAILER.sub("", match["expr"]).strip()
        try:
            expression: str | None = parse(raw).render()
        except ExpressionSyntaxError:
            expression = None
            if line[max(match.start() - 1, 0):match.start()] in _QUOTES:
                continue  # the tag quoted in prose or a string ("`SPDX-License-Identifier:` lines"): a mention
        found.append((lineno, raw, expression))
    return found


class SpdxHeaderDetector(Detector):
    id = "spdx-header"
    # 2: license notices in a code file's leading comment, and `__license__`; 3: every license a
    # header names (OR when it offers a choice), none when it also names a family it does not pin down;
    # 4: a whole license text in the leading comment, a quoted tag that is no expression is a mention;
    # licenses named away from a "this file" statement describe other things
    version = "4"

    def applies(self, asset: Asset) -> bool:
        return asset.kind in (AssetKind.TEXT, AssetKind.CODE)

    def detect(self, content: AssetContent) -> DetectorOutput:
        tags = self._tags(content)
        if tags.evidence or content.asset.kind is not AssetKind.CODE:
            return tags
        return code_notice(content)

    def _tags(self, content: AssetContent) -> DetectorOutput:
        head = content.head[:16384]
        if b"SPDX-License-Identifier" in head:
            text = head.decode("utf-8", errors="replace")
        elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: the tag is not in the raw bytes
            text = (content.text()[0] or "")[:16384]
            if "SPDX-License-Identifier" not in text:
                return DetectorOutput()
        else:
            return DetectorOutput()
        return DetectorOutput(evidence=tuple(
            Evidence(
                kind=EvidenceKind.SPDX_HEADER, level=Level.FILE, location=Location(content.asset.path, line=lineno),
                license=expression, raw=raw[:200], confidence=1.0 if expression else 0.0, matcher="spdx-id",
            )
            for lineno, raw, expression in spdx_tags(text)
        ))


def leading_comment(text: str) -> tuple[str, int]:
    """The top of a code file up to its first line of code (shebang, encoding line, comment block
    and module docstring), and how many lines that is."""
    lines = text[:NOTICE_CHARS].splitlines()
    end = 0
    in_docstring = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        quotes = stripped.count('"""') + stripped.count("'''")
        if in_docstring or quotes:
            in_docstring = in_docstring != (quotes % 2 == 1)
            end = i + 1
            continue
        if stripped and not stripped.startswith(("#", "//", "/*", "*", "--", ";", "%", "<!--", "-->", "*/")):
            break
        end = i + 1
    return "\n".join(lines[:end]), end


def _about_this_file(block: str, found: list[Identification]) -> list[Identification]:
    """When the header says which license covers "this file" ("you may not use this file except in
    compliance with the License", "This program is free software ..."), licenses named elsewhere in
    it describe other things (a notebook's notes on the models and datasets it uses): only the
    notices next to such a statement count. Without one, every license named counts."""
    lines = block.splitlines()
    near = {i + 1 for i, line in enumerate(lines) if _THIS_FILE.search(line)}
    if not near:
        return found
    kept = [n for n in found if any(n.start_line - THIS_FILE_REACH <= at <= n.end_line + THIS_FILE_REACH
                                    for at in near)]
    return kept or found


def code_notice(content: AssetContent) -> DetectorOutput:
    """The license a code file states at its top, as file-level evidence."""
    head = content.head[:NOTICE_CHARS]
    if not _MENTIONS.search(head):
        return DetectorOutput()
    text = (content.text()[0] or "")[:NOTICE_CHARS]
    path = content.asset.path
    dunder = _DUNDER.search(text)
    if dunder and (lic := normalize_license(dunder.group(1)).expression):
        line = text.count("\n", 0, dunder.start()) + 1
        return DetectorOutput(evidence=(Evidence(
            kind=EvidenceKind.HEADER_NOTICE, level=Level.FILE, location=Location(path, line=line), license=lic,
            raw=dunder.group(0)[:200], confidence=0.95, matcher="module-license"),))
    block, _ = leading_comment(text)
    if not _MENTIONS.search(block.encode("utf-8", "replace")):
        return DetectorOutput()
    notices = find_notices(block)
    found = [n for n in notices if n.expression]
    if not notices and len(block) >= MIN_TEXT_CHARS and _GRANT_WORDS.search(block):
        # No statement about a license, but a whole license text in the comment (ply's lex.py
        # carries BSD-3-Clause's, with no name): identified as a license file's text is.
        found = [m for m in identify_file(block).matches if m.matcher == "text" and m.expression]
    found = _about_this_file(block, found)
    if not found or any(n.ambiguous for n in notices):
        # A header that also names a family it does not pin down ("... and the BSD License. See the
        # LICENSE file") states only part of the terms: the license text it points to decides.
        return DetectorOutput()
    lic = combine([n.expression for n in found if n.expression], "OR" if DUAL_LICENSING.search(block) else "AND")
    first = found[0]
    return DetectorOutput(evidence=(Evidence(
        kind=EvidenceKind.HEADER_NOTICE, level=Level.FILE, location=Location(path, line=first.start_line),
        license=lic, raw=" / ".join(n.note or n.expression or "" for n in found)[:200],
        confidence=round(min(n.score for n in found), 3), matcher=first.matcher),))
