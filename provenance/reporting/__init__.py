"""Reports and manifests from a saved scan: the data-legality section (zh/en; md, html, pdf),
SPDX 2.3 and SPDX 3.0.1 manifests, and the EU AI Act training-content summary.

scan.json and assets.parquet are complete before anything here runs. Each output is written on
its own: one that fails is removed (no stale copy is left beside new results), named with its
reason in the returned run and in scan.json (`reports.failed`), and the others are still written.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ReportError
from provenance.reporting import reuse as reuse_mod
from provenance.reporting.eu_summary import EuSummaryReporter
from provenance.reporting.facts import AssetFacts, asset_facts, build_facts
from provenance.reporting.interface import ReportContext, Reporter, SpdxFiles
from provenance.reporting.manifests import ReportFailure, failure, write_manifests
from provenance.reporting.sections import HtmlReporter, MarkdownReporter, PdfReporter
from provenance.reporting.strings import LANGS
from provenance.results import ScanResult

FORMATS = ("md", "html", "pdf")
MANIFEST_NAMES = ("manifest.spdx.json", "manifest.spdx3.jsonld")
EU_SUMMARY = "eu-training-summary.md"


@dataclass(frozen=True)
class ReportRun:
    """What one rendering wrote and what failed."""

    written: tuple[Path, ...]
    failed: tuple[ReportFailure, ...]
    #: The result with this run's failures recorded (scan.json is rewritten only when they change).
    result: ScanResult
    #: Manifests made from the previous rendering's bodies (same content; see reuse.py).
    reused: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


def check_options(langs: Iterable[str], formats: Iterable[str], spdx_files: str) -> SpdxFiles:
    """Raise ReportError (a usage error) for an unknown language, format or --spdx-files value."""
    for lang in langs:
        if lang not in LANGS:
            raise ReportError(f"unknown report language '{lang}'; choose from {', '.join(LANGS)}")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ReportError(f"unknown report format '{fmt}'; choose from {', '.join(FORMATS)}")
    try:
        return SpdxFiles(spdx_files)
    except ValueError:
        raise ReportError(f"--spdx-files must be one of {', '.join(f.value for f in SpdxFiles)}") from None


def _section_reporters(langs: Iterable[str], formats: Iterable[str]) -> list[Reporter]:

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
    reuse: bool = True,
) -> ReportRun:
    """Write the reports for a saved scan into `out_dir`.

    data-legality.<lang>.<fmt> for each language and format, manifest.spdx.json and
    manifest.spdx3.jsonld (when `manifests`), and eu-training-summary.md. Every file is written
    atomically; with SOURCE_DATE_EPOCH set, reruns give byte-identical files. Raises ReportError
    only for bad options; a report that cannot be produced is a `ReportFailure` in the run.
    `reuse`: when the content is that of the previous rendering into `out_dir`, take its asset pass
    and manifest bodies instead of reading assets.parquet again (same bytes; see reuse.py).
    """

    langs, formats = tuple(langs), tuple(formats)
    files = check_options(langs, formats, spdx_files)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sections = _section_reporters(langs, formats)

    others: list[Reporter] = [*sections, EuSummaryReporter()]
    names = [*(MANIFEST_NAMES if manifests else ()), *(r.file_name() for r in others)]
    written: list[Path] = []
    failed: list[ReportFailure] = []
    reused: tuple[str, ...] = ()
    record = None
    try:

        content = reuse_mod.content_digest(result)
        key = reuse_mod.render_key(content, result, (langs, formats, files.value, manifests)) if content else ""
        previous = reuse_mod.load_record(out_dir) if reuse and key else None
        if previous is not None and previous.key != key:
            previous = None
        assets = AssetFacts.from_json(previous.assets) if previous else asset_facts(result)
        ctx = ReportContext(result, build_facts(result, assets), out_dir, files,
                            content=reuse_mod.identity(result, assets.rows))
    except Exception as exc:  # without facts no report can be written; the scan's own files stand
        failed = [failure(name, exc) for name in names]
    else:
        states: dict[str, dict[str, object]] = {}
        if manifests:

            made = write_manifests(ctx, previous.intact(out_dir) if previous else None)
            written += [out_dir / m.name for m in made.written]
            failed += made.failed
            states, reused = made.states, made.reused
            ctx = dataclasses.replace(ctx, manifests=tuple(made.written))
        for reporter in others:
            try:
                written.append(reporter.write(ctx))
            except Exception as exc:
                failed.append(failure(reporter.file_name(), exc))
        if key and reuse and not failed:
            record = reuse_mod.RenderRecord(key, assets.to_json(), states)
    if record is not None:
        reuse_mod.save_record(out_dir, record)
    else:
        reuse_mod.forget(out_dir)
    for item in failed:  # a stale copy from an earlier scan must not pass for this one's
        with contextlib.suppress(OSError):
            stale = out_dir / item.name
            if stale.is_file():
                stale.unlink()
    recorded = tuple({"report": f.name, "reason": f.reason} for f in failed)
    if recorded != result.reports_failed:
        result = dataclasses.replace(result, reports_failed=recorded)
        if _same_folder(result.output_dir, out_dir):  # reports written elsewhere do not touch the scan
            result.save(out_dir)
    return ReportRun(tuple(written), tuple(failed), result, reused)


def _same_folder(a: str | None, b: Path) -> bool:
    try:
        return a is not None and Path(a).resolve() == b.resolve()
    except OSError:
        return False


__all__ = ["FORMATS", "ReportContext", "ReportFailure", "ReportRun", "Reporter", "SpdxFiles", "check_options",
           "write_reports"]
