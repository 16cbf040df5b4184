"""Lineage: upstream datasets named in a card become dependencies with their own license status.

`source_datasets: [extended|org/name]` (and a few other upstream keys) name the data a dataset
was derived from. Each upstream is looked up in the local Hub cache (the one the card lives in,
then the user's), then on the Hub unless offline. A derived dataset whose license is looser than
an upstream's is a `license-conflict`: license laundering.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from provenance.detectors.cards import card_evidence
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.frontmatter import parse_card
from provenance.hub import CachedDataset, cached_dataset_folder, hub_cache_dir, is_offline, redact, redact_logs
from provenance.licensing.expression import expression_facts
from provenance.model import Asset, AssetKind, Finding, Rule, Severity, UseClass

UPSTREAM_KEYS = ("source_datasets", "source_dataset", "upstream_datasets", "derived_from", "base_dataset")
_HUB_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/datasets/(?P<id>[\w.-]+(?:/[\w.-]+)?)/?$")
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?$")
# Values of source_datasets that name no upstream repository.
_NOT_UPSTREAM = frozenset({"original", "extended", "other", "unknown", "none"})


@dataclass(frozen=True)
class Dependency:
    """One upstream dataset and what is known of its license."""

    #: Hub repo id (or the name as written when it is not one).
    id: str
    #: Where it was named: `source_datasets`, ...
    field: str
    #: "resolved", "no-license" or "unresolved".
    status: str
    license: str | None = None
    #: "cache@<sha>" or "hub@<sha>" when resolved.
    where: str | None = None
    reason: str | None = None


def upstream_ids(metadata: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(repo id, field) of every upstream named in card metadata, in order, without repeats."""
    found: list[tuple[str, str]] = []
    for key in UPSTREAM_KEYS:
        value = metadata.get(key)
        values = value if isinstance(value, list) else [value] if value else []
        for item in values:
            if not isinstance(item, str):
                continue
            name = item.strip()
            if "|" in name:  # `extended|org/name`: the part after the bar is the dataset
                name = name.split("|", 1)[1].strip()
            match = _HUB_URL.match(name)
            if match:
                name = match.group("id")
            if not name or name.lower() in _NOT_UPSTREAM or not _REPO_ID.match(name):
                continue
            if name not in [f[0] for f in found]:
                found.append((name, key))
    return found


def cache_of(card_path: Path | None) -> Path | None:
    """The Hub cache a card file lives in (`<cache>/datasets--x--y/snapshots/<sha>/README.md`)."""
    if card_path is None:
        return None
    parts = card_path.parts
    for i in range(len(parts) - 3, 0, -1):
        if parts[i].startswith("datasets--") and parts[i + 1] == "snapshots":
            return Path(*parts[:i])
    return None


def card_license(metadata: Mapping[str, Any], path: str = "README.md") -> str | None:
    """The license a card's metadata declares, as one SPDX expression (several: all apply)."""
    evidence = [e for e in card_evidence(path, "", dict(metadata)) if e.license]
    return evidence[0].license if evidence else None


def _from_cache(repo_id: str, cache: Path) -> Dependency | None:
    """The upstream's card from a Hub cache, read as plain files (no Hugging Face library needed):
    its `main` snapshot, else its newest one."""
    folder = cached_dataset_folder(cache, repo_id)
    if not folder.is_dir():
        return None
    revision = CachedDataset(repo_id, folder).default_revision()
    if revision is None:
        return None
    card = folder / "snapshots" / revision / "README.md"
    inside = os.path.realpath(folder) + os.sep
    text = ""
    if card.is_file() and os.path.realpath(card).startswith(inside):  # links only into the repo's blobs
        with open(os.path.realpath(card), "rb") as stream:
            text = stream.read(1 << 20).decode("utf-8", errors="replace")
    lic = card_license(parse_card(text).metadata) if text else None
    return Dependency(repo_id, "", "resolved" if lic else "no-license", lic, f"cache@{revision}",
                      None if lic else "its card declares no license")


@lru_cache(maxsize=256)
def _from_hub(repo_id: str) -> Dependency:
    try:
        from huggingface_hub import HfApi  # optional at run time: without it, upstreams are unresolved
    except ImportError:
        return Dependency(repo_id, "", "unresolved",
                          reason="not in the local Hub cache; asking the Hub needs 'huggingface_hub' "
                                 "(pip install 'provenance[hf]')")

    redact_logs()
    try:
        info = HfApi().dataset_info(repo_id, timeout=10)
    except Exception as exc:  # gated, missing, private, network: all mean "could not resolve"
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Dependency(repo_id, "", "unresolved", reason=f"Hub lookup failed: {redact(text)[:200]}")
    meta = dict(info.card_data.to_dict()) if info.card_data is not None else {}
    lic = card_license(meta)
    return Dependency(repo_id, "", "resolved" if lic else "no-license", lic, f"hub@{info.sha}",
                      None if lic else "its card declares no license")


def resolve_dependencies(metadata: Mapping[str, Any], caches: Iterable[Path | None] = ()) -> list[Dependency]:
    """Every upstream of a card with its license status (cache first, Hub when online)."""
    places = [c for c in caches if c is not None]
    places.append(hub_cache_dir())
    out = []
    for repo_id, field in upstream_ids(metadata):
        dep = next((d for d in (_from_cache(repo_id, c) for c in dict.fromkeys(places)) if d), None)
        if dep is None:
            dep = (Dependency(repo_id, "", "unresolved", reason="not in the local Hub cache and offline")
                   if is_offline() else _from_hub(repo_id))
        out.append(Dependency(dep.id, field, dep.status, dep.license, dep.where, dep.reason))
    return out


def laundering(derived: str, dependency: Dependency) -> str | None:
    """Why a derived license is looser than its upstream's, or None when it is not."""
    if not dependency.license:
        return None
    up, down = expression_facts(dependency.license), expression_facts(derived)
    if up.use is UseClass.UNKNOWN or up.restrictiveness <= down.restrictiveness:
        return None
    dropped = [what for what, a, b in (("use restrictions", up.restrictiveness[0] > down.restrictiveness[0], True),
                                        ("share-alike", up.share_alike, not down.share_alike),
                                        ("no-derivatives", up.no_derivatives, not down.no_derivatives),
                                        ("attribution", up.attribution, not down.attribution)) if a and b]
    return ", ".join(dropped) or "terms"


def lineage_output(path: str, metadata: Mapping[str, Any], deps: list[Dependency]) -> DetectorOutput:
    findings: list[Finding] = []
    derived = card_license(metadata, path)
    for dep in deps:
        lost = laundering(derived, dep) if derived else None
        if lost:
            findings.append(Finding(
                Rule.LICENSE_CONFLICT, Severity.ERROR, path,
                f"license laundering: this dataset is {derived} but its upstream {dep.id} ({dep.where}) is "
                f"{dep.license}; the looser license drops the upstream's {lost}",
                locations=(f"{path}#{dep.field}", f"hf://datasets/{dep.id}"),
            ))
        elif dep.status == "unresolved":
            findings.append(Finding(Rule.UPSTREAM_UNRESOLVED, Severity.WARNING, path,
                                    f"upstream dataset {dep.id} could not be checked: {dep.reason}"))
    facts = {"dependencies": [asdict(d) for d in deps]} if deps else {}
    return DetectorOutput(findings=tuple(findings), facts=facts)


class LineageDetector(Detector):
    """Upstream datasets of a dataset card and license laundering against them."""

    id = "lineage"
    version = "2"  # 2: volatile, so cached card analyses from version 1 are not reused
    volatile = True

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.DATASET_CARD

    def detect(self, content: AssetContent) -> DetectorOutput:
        text, _ = content.text()
        if not text:
            return DetectorOutput()  # the card detector reports why the card cannot be read
        metadata = parse_card(text).metadata
        if not upstream_ids(metadata):
            return DetectorOutput()
        deps = resolve_dependencies(metadata, [cache_of(content.local_path)])
        return lineage_output(content.asset.path, metadata, deps)
