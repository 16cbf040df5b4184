"""`provenance report scan.json -o DIR`: render the reports again from a saved scan."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from provenance.atomic import ensure_output_dir
from provenance.cli.console import Console, print_failures, split_list
from provenance.errors import ProvenanceError
from provenance.model import EXIT_CODES, EXIT_USAGE, Status
from provenance.reporting import write_reports
from provenance.results import load_result


@click.command()
@click.argument("scan_json", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Folder for the reports (default: the folder holding scan.json).")
@click.option("--lang", default="zh,en", show_default=True, help="Languages, comma-separated: zh, en.")
@click.option("--format", "formats", default="md,html", show_default=True,
              help="Formats of the data-legality section, comma-separated: md, html, pdf.")
@click.option("--spdx-files", type=click.Choice(["all", "flagged", "none"]), default="all", show_default=True,
              help="Files listed in the SPDX manifests: all, only those with findings, or none.")
@click.option("--no-manifests", is_flag=True, help="Do not write the SPDX manifests.")
def report(scan_json: Path, output: Path | None, lang: str, formats: str, spdx_files: str,
           no_manifests: bool) -> None:
    """Render data-legality.{zh,en}.{md,html}, the SPDX manifests and the EU summary from SCAN_JSON
    (a scan.json, or the folder holding it) without scanning again. Exit 0 when every output was
    written, 3 when one could not be (named on stderr), 2 for bad options.

    \b
    Examples:
      provenance report out/scan.json
      provenance report out/ -o filing/ --lang zh --format md,html,pdf
    """
    console = Console()
    try:
        result = load_result(scan_json)
        out = ensure_output_dir(output or Path(result.output_dir or "."))
        run = write_reports(result, out, langs=split_list(lang), formats=split_list(formats), spdx_files=spdx_files,
                            manifests=not no_manifests)
    except ProvenanceError as exc:
        console.error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    except OSError as exc:  # the disk filled up or the folder went away while writing
        console.error(f"cannot write the reports: {exc}", EXIT_CODES[Status.INCOMPLETE])
        sys.exit(EXIT_CODES[Status.INCOMPLETE])
    for path in run.written:
        click.echo(str(path))
    print_failures(run.failed, console)
    if run.failed:  # one line each was said above; the others were written
        sys.exit(EXIT_CODES[Status.INCOMPLETE])
