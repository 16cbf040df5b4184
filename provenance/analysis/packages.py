"""Installed Python packages in a corpus: a `*.dist-info` folder's license evidence (its license
files and METADATA) covers the folders its RECORD says the package installed, which otherwise sit
beside it with no license of their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from provenance.analysis.context import Analyzed
from provenance.detectors.python_package import DETECTOR_ID
from provenance.model import Evidence
from provenance.resolve import ScopeIndex


def package_evidence(metadata: Iterable[Analyzed], scope: ScopeIndex) -> list[Evidence]:
    """Evidence to add to the scope: each dist-info's folder evidence, copied to every folder its
    package installed that has no evidence of its own (a package's own LICENSE speaks for it)."""
    folders = scope.folders()
    out: list[Evidence] = []
    for done in metadata:
        installs = next((o.facts.get("installs") for det, o in done.outputs if det == DETECTOR_ID
                         and "installs" in o.facts), None)
        if not installs:
            continue
        info = done.entry.asset.folder
        evidence = [e for folder, found in folders.items() if folder == info or folder.startswith(info + "/")
                    for e in found]
        if not evidence:
            continue
        parent = info.rpartition("/")[0]
        for top in installs:
            target = f"{parent}/{top}" if parent else str(top)
            if target not in folders:
                out += [replace(e, scope=target) for e in evidence]
    return out
