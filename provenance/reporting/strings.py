"""Per-language strings for the reports (reports/strings/<lang>.yaml). One lookup function."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from provenance.errors import ReportError
from provenance.resources import data_dir

LANGS = ("zh", "en")


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (data or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


class _Keep(dict[str, Any]):
    """Leaves unknown {placeholders} as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Strings:
    def __init__(self, lang: str, table: dict[str, str]) -> None:
        self.lang = lang
        self.table = table

    def t(self, key: str, /, **params: Any) -> str:
        """The string for `key`, with {placeholders} filled. A missing key is a bug: fail loudly."""
        try:
            text = self.table[key]
        except KeyError:
            raise ReportError(f"reports/strings/{self.lang}.yaml has no '{key}'") from None
        return text.format_map(_Keep(params)) if params else text

    def has(self, key: str) -> bool:
        return key in self.table


@cache
def strings(lang: str) -> Strings:
    if lang not in LANGS:
        raise ReportError(f"unknown report language '{lang}'; choose from {', '.join(LANGS)}")
    path = data_dir("reports") / "strings" / f"{lang}.yaml"
    try:
        # libyaml's loader when PyYAML has it: the pure-Python one takes ~0.3 s per language.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from None
    return Strings(lang, _flatten(data))
