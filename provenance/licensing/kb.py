"""The license knowledge base: what each license allows when the licensed work is training data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from license_expression import get_license_index

from provenance.errors import KnowledgeBaseError
from provenance.model import UseClass
from provenance.resources import data_dir

# Order used when "the more restrictive wins". Unknown sits above commercial: not knowing
# is worse than a known grant, better than a known restriction.
USE_RANK = {
    UseClass.COMMERCIAL: 0,
    UseClass.UNKNOWN: 1,
    UseClass.NON_COMMERCIAL: 2,
    UseClass.RESEARCH_ONLY: 3,
    UseClass.NO_GRANT: 4,
}

# Which use classes each declared use tolerates.
ALLOWED_FOR_USE = {
    "commercial": frozenset({UseClass.COMMERCIAL, UseClass.UNKNOWN}),
    "research": frozenset({UseClass.COMMERCIAL, UseClass.UNKNOWN, UseClass.NON_COMMERCIAL, UseClass.RESEARCH_ONLY}),
}

_FIELDS = {"use", "attribution", "share_alike", "no_derivatives", "name", "notes"}


@dataclass(frozen=True)
class LicenseFacts:
    """What matters about one license for training use."""

    id: str
    use: UseClass
    attribution: bool = False
    share_alike: bool = False
    no_derivatives: bool = False
    name: str = ""
    notes: str = ""
    #: Which part of the knowledge base said so: "entry", "family", "category:<name>" or "none".
    basis: str = "none"

    @property
    def restrictiveness(self) -> tuple[int, int]:
        return USE_RANK[self.use], int(self.share_alike) + int(self.no_derivatives) + int(self.attribution)


def _facts(lid: str, raw: dict[str, Any], basis: str, where: str) -> LicenseFacts:
    unknown = set(raw) - _FIELDS
    if unknown:
        raise KnowledgeBaseError(f"{where}: unknown field(s) {sorted(unknown)} for {lid}")
    try:
        use = UseClass(raw.get("use", "unknown"))
    except ValueError as exc:
        raise KnowledgeBaseError(f"{where}: {lid}: {exc}") from None
    return LicenseFacts(
        id=lid,
        use=use,
        attribution=bool(raw.get("attribution", False)),
        share_alike=bool(raw.get("share_alike", False)),
        no_derivatives=bool(raw.get("no_derivatives", False)),
        name=str(raw.get("name", "")),
        notes=str(raw.get("notes", "")),
        basis=basis,
    )


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"cannot read {path}: {exc}") from None


class KnowledgeBase:
    """Facts per SPDX id: hand-written entries, then family rules, then the ScanCode category."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.version = (root / "VERSION").read_text(encoding="utf-8").strip()
        self.entries: dict[str, LicenseFacts] = {}
        for path in sorted((root / "entries").glob("*.yaml")):
            for lid, raw in (_load_yaml(path) or {}).items():
                self.entries[lid.lower()] = _facts(lid, raw, "entry", path.name)
        self.families = [
            (re.compile(item["pattern"], re.IGNORECASE), item)
            for item in _load_yaml(root / "families.yaml") or []
        ]
        self.categories: dict[str, dict[str, Any]] = _load_yaml(root / "categories.yaml") or {}
        self.hub_ids: dict[str, str | None] = {
            str(k).lower(): v for k, v in (_load_yaml(root / "hub-ids.yaml") or {}).items()
        }
        self._spdx_categories = _spdx_categories()

    def facts(self, license_id: str) -> LicenseFacts:
        """Facts for one license id (no operators). Unknown ids get use `unknown`."""
        key = license_id.lower()
        if key in self.entries:
            return self.entries[key]
        for pattern, item in self.families:
            if pattern.fullmatch(license_id):
                raw = dict(item["facts"], name=item.get("name", ""), notes=item.get("notes", ""))
                return _facts(license_id, raw, "family", "families.yaml")
        category = self._spdx_categories.get(key)
        if category and category in self.categories:
            return _facts(license_id, self.categories[category], f"category:{category}", "categories.yaml")
        return LicenseFacts(id=license_id, use=UseClass.UNKNOWN, basis="none")


@cache
def _spdx_categories() -> dict[str, str]:
    categories: dict[str, str] = {}
    for entry in get_license_index():
        for key in [entry.get("spdx_license_key"), *entry.get("other_spdx_license_keys", [])]:
            if key and entry.get("category"):
                categories.setdefault(key.lower(), entry["category"])
    return categories


@cache
def load_kb(root: str | None = None) -> KnowledgeBase:
    return KnowledgeBase(Path(root) if root else data_dir("licenses"))
