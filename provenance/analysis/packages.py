"""Installed Python packages in a corpus: a `*.dist-info` folder's license evidence (its license
files and METADATA) covers the folders its RECORD says the package installed, which otherwise sit
beside it with no license of their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from provenance.analysis.context import Analyzed
from provenance.detectors.python_package import DETECTOR_ID
from provenance.model import Evidence, EvidenceKind
from provenance.resolve import ScopeIndex


def installed_folders(metadata: Iterable[Analyzed]) -> dict[str, str]:
    """Each top-level folder an installed package's RECORD lists -> the dist-info folder."""
    out: dict[str, str] = {}
    for done in metadata:
        installs = next((o.facts.get("installs") for det, o in done.outputs if det == DETECTOR_ID
                         and "installs" in o.facts), None)
        if not installs:
            continue
        info = done.entry.asset.folder
        parent = info.rpartition("/")[0]
        for top in installs:
            out.setdefault(f"{parent}/{top}" if parent else str(top), info)
    return out


def package_evidence(metadata: Iterable[Analyzed], scope: ScopeIndex) -> list[Evidence]:
    """Evidence to add to the scope: each dist-info's folder evidence, copied to every folder its
    package installed that has no evidence of its own (a package's own LICENSE speaks for it).

    The prose of a README inside an installed package is the package's documentation, not its
    terms (METADATA and the license files are): it is taken out of the scope first, so a README
    that explains "research-only" as a word does not restrict the package's files."""
    installed = installed_folders(metadata)
    if not installed:
        return []
    scope.discard(lambda e: e.kind is EvidenceKind.CARD_PROSE and _under(e.scope, installed))
    folders = scope.folders()
    out: list[Evidence] = []
    for target, info in installed.items():
        if target in folders:
            continue
        evidence = [e for folder, found in folders.items() if folder == info or folder.startswith(info + "/")
                    for e in found]
        out += [replace(e, scope=target) for e in evidence]
    return out


def _under(folder: str, tops: dict[str, str]) -> bool:
    parts = folder.split("/")
    return any("/".join(parts[:i]) in tops for i in range(1, len(parts) + 1))
