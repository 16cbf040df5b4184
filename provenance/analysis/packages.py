"""Installed Python packages in a corpus: a `*.dist-info` folder's license evidence (its license
files and METADATA) covers the folders its RECORD says the package installed, which otherwise sit
beside it with no license of their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from provenance.analysis.context import Analyzed
from provenance.detectors.python_package import DETECTOR_ID
from provenance.model import Evidence, EvidenceKind, Level, Location
from provenance.resolve import ScopeIndex


def installed_folders(metadata: Iterable[Analyzed]) -> dict[str, str]:
    """Each top-level folder an installed package's RECORD lists -> the dist-info folder."""
    out: dict[str, str] = {}
    for done in metadata:
        installs = _fact(done, "installs")
        if not installs:
            continue
        info = done.entry.asset.folder
        parent = info.rpartition("/")[0]
        for top in installs:
            out.setdefault(f"{parent}/{top}" if parent else str(top), info)
    return out


def installed_files(metadata: Iterable[Analyzed]) -> dict[str, str]:
    """Each file a package installed at the top of site-packages -> the dist-info folder. They share
    the root folder with every other package, so they are covered one by one, not by folder."""
    out: dict[str, str] = {}
    for done in metadata:
        files = _fact(done, "installs_files")
        info = done.entry.asset.folder
        parent = info.rpartition("/")[0]
        for name in files or ():
            out.setdefault(f"{parent}/{name}" if parent else str(name), info)
    return out


def declared_evidence(metadata: Iterable[Analyzed], scope: ScopeIndex) -> list[Evidence]:
    """METADATA's `License` value when it names no one license ("BSD"), as unidentified evidence
    for a dist-info with no license file: the package declared terms, which is not "no license";
    a reviewer must find out which."""
    folders = scope.folders()
    out = []
    for done in metadata:
        declared = _fact(done, "declared")
        info = done.entry.asset.folder
        if declared is None or _info_evidence(folders, info):
            continue
        out.append(Evidence(
            kind=EvidenceKind.CARD_METADATA, level=Level.DIRECTORY,
            location=Location(done.entry.asset.path, field=str(_fact(done, "declared_field") or "License")),
            license=None, raw=str(declared)[:200], confidence=0.0, matcher="package-metadata", scope=info,
        ))
    return out


def cover_installed_files(metadata: Iterable[Analyzed], scope: ScopeIndex) -> None:
    """Each top-level file a package installed gets its dist-info's terms as its own."""
    folders = scope.folders()
    for path, info in installed_files(metadata).items():
        for e in _package_terms(folders, info):
            scope.add_file(path, replace(e, scope=path))


def package_evidence(metadata: Iterable[Analyzed], scope: ScopeIndex) -> list[Evidence]:
    """Evidence to add to the scope: each dist-info's terms (`_package_terms`), copied to every folder its
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
        # auditwheel's `<name>.libs` holds the bundled shared libraries (libgfortran, libjpeg) whose
        # licenses the wheel's license files append: those files, not the package's declaration
        terms = _bundled_terms(folders, info) if target.endswith(".libs") else _package_terms(folders, info)
        out += [replace(e, scope=target) for e in terms]
    return out


def _package_terms(folders: dict[str, list[Evidence]], info: str) -> list[Evidence]:
    """What a dist-info says of the package's terms, as its own files see it: METADATA's license
    when it names one (the package's declaration; PEP 639 makes `License-Expression` the one to
    trust), else its license files'. A PSF text read as `Python-2.0.1 OR 0BSD` beside
    `License-Expression: PSF-2.0` is then no conflict on every file of the package."""
    declared = [e for e in folders.get(info, ()) if e.license and e.matcher == "package-metadata"]
    return declared or _info_evidence(folders, info)


def _bundled_terms(folders: dict[str, list[Evidence]], info: str) -> list[Evidence]:
    """The dist-info's license files (without METADATA's declaration, which is about the package's
    own code), or everything it says when it has none."""
    found = _info_evidence(folders, info)
    return [e for e in found if e.matcher != "package-metadata"] or found


def _fact(done: Analyzed, key: str) -> Any:
    """A fact the package detector recorded for this dist-info file, or None."""
    return next((o.facts[key] for det, o in done.outputs if det == DETECTOR_ID and key in o.facts), None)


def _info_evidence(folders: dict[str, list[Evidence]], info: str) -> list[Evidence]:
    """A dist-info folder's evidence, its `licenses/` sub-folder's included."""
    return [e for folder, found in folders.items() if folder == info or folder.startswith(info + "/") for e in found]


def _under(folder: str, tops: dict[str, str]) -> bool:
    parts = folder.split("/")
    return any("/".join(parts[:i]) in tops for i in range(1, len(parts) + 1))
