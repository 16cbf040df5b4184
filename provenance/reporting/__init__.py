"""Reports and manifests from a saved scan: the data-legality section (zh/en; md, html, pdf),
SPDX 2.3 and SPDX 3.0.1 manifests, and the EU AI Act training-content summary."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from provenance.errors import ReportError
from provenance.reporting.document import ManifestFile
from provenance.reporting.facts import build_facts
from provenance.reporting.interface import ReportContext, Reporter, SpdxFiles
from provenance.reporting.strings import LANGS
from provenance.results import ScanResult

FORMATS = ("md", "html", "pdf")


def _manifest_file(path: Path) -> ManifestFile:
    data = path.read_bytes()
    return ManifestFile(path.name, hashlib.sha256(data).hexdigest(), len(data))


def _section_reporters(langs: Iterable[str], formats: Iterable[str]) -> list[Reporter]:
    from provenance.reporting.sections import HtmlReporter, MarkdownReporter, PdfReporter

    makers: dict[str, Callable[[str], Reporter]] = {"md": MarkdownReporter, "html": HtmlReporter,
                                                   "pdf": PdfReporter}
    return [makers[fmt](lang) for lang in langs for fmt in formats]


def write_reports(
    result: ScanResult,
    out_dir: Path,
    langs: Iterable[str] = ("zh", "en"),
    formats: Iterable[str] = ("md", "html"),
    spdx_files: str = "all",
    manifests: bool = True,
) -> list[Path]:
    """Write the reports for a saved scan into `out_dir` and return their paths.

    data-legality.<lang>.<fmt> for each language and format, manifest.spdx.json and
    manifest.spdx3.jsonld (when `manifests`), and eu-training-summary.md. Every file is written
    atomically; with SOURCE_DATE_EPOCH set, reruns give byte-identical files.
    """
    langs, formats = tuple(langs), tuple(formats)
    for lang in langs:
        if lang not in LANGS:
            raise ReportError(f"unknown report language '{lang}'; choose from {', '.join(LANGS)}")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ReportError(f"unknown report format '{fmt}'; choose from {', '.join(FORMATS)}")
    try:
        files = SpdxFiles(spdx_files)
    except ValueError:
        raise ReportError(f"--spdx-files must be one of {', '.join(f.value for f in SpdxFiles)}") from None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(result, build_facts(result), out_dir, files)
    written: list[Path] = []
    if manifests:
        from provenance.reporting.spdx2 import Spdx2Reporter
        from provenance.reporting.spdx3 import Spdx3Reporter

        written += [Spdx2Reporter().write(ctx), Spdx3Reporter().write(ctx)]
        ctx = ReportContext(result, ctx.facts, out_dir, files, tuple(_manifest_file(p) for p in written))
    for reporter in _section_reporters(langs, formats):
        written.append(reporter.write(ctx))
    from provenance.reporting.eu_summary import EuSummaryReporter

    written.append(EuSummaryReporter().write(ctx))
    return written


__all__ = ["FORMATS", "ReportContext", "Reporter", "SpdxFiles", "write_reports"]
