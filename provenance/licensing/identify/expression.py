"""SPDX expression helpers: combine identified ids and normalise through `license-expression`."""

from __future__ import annotations

from functools import lru_cache

from license_expression import Licensing, get_spdx_licensing


@lru_cache(maxsize=1)
def spdx_licensing() -> Licensing:
    return get_spdx_licensing()


@lru_cache(maxsize=4096)
def normalise(expression: str) -> str:
    """Canonical SPDX rendering (ids in their SPDX case); `LicenseRef-` ids pass through unchanged."""
    try:
        return str(spdx_licensing().parse(expression, validate=False, simple=False))
    except Exception:  # ExpressionError, and other types on odd input: text from the corpus reaches here
        return expression


def combine(parts: list[str], operator: str) -> str | None:
    """Join distinct parts with AND/OR, keeping first-seen order; parenthesise compound parts."""
    unique: list[str] = []
    for part in parts:
        if part not in unique:
            unique.append(part)
    # "GPL-3.0-only" adds nothing beside "GPL-3.0-only WITH GCC-exception-3.1".
    unique = [p for p in unique if not any(q.startswith(p + " WITH ") for q in unique)]
    if not unique:
        return None
    if len(unique) == 1:
        return normalise(unique[0])
    wrapped = [f"({p})" if " " in p else p for p in unique]
    return normalise(f" {operator} ".join(wrapped))
