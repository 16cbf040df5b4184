"""`provenance summary OUT/`: the verdict and the findings table of a saved scan, as Markdown."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from provenance.cli.console import Console, summary_dict
from provenance.errors import ProvenanceError
from provenance.job_summary import job_summary
from provenance.model import EXIT_USAGE
from provenance.results import load_result


@click.command()
@click.argument("scan", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
def summary(scan: Path, fmt: str) -> None:
    """Print the verdict, the findings table and what could not be read of the saved scan SCAN
    (an output folder or its scan.json): Markdown for CI job summaries and pull requests, or JSON.

    \b
    Examples:
      provenance summary provenance-report/ >> "$GITHUB_STEP_SUMMARY"
      provenance summary out/scan.json --format json
    """
    try:
        result = load_result(scan)
    except ProvenanceError as exc:
        Console().error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(summary_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(job_summary(result), nl=False)
