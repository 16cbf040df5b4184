"""`provenance diff OLD/ NEW/`: what changed between two scans; exit 1 when something got worse."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from provenance.atomic import write_text
from provenance.cli.console import Console
from provenance.diff import diff_scans, to_markdown
from provenance.errors import ProvenanceError
from provenance.model import EXIT_CODES, EXIT_USAGE, Status


@click.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True,
              help="Markdown (for people, CI summaries, a filing's update) or JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the diff to this file instead of stdout.")
def diff(old: Path, new: Path, fmt: str, output: Path | None) -> None:
    """Compare two saved scans (output folders or their scan.json): assets added and removed,
    license and use-class changes, new and resolved findings, per source. Exit 0 when nothing got
    worse, 1 when something did (a worse verdict, new error findings, a more restrictive use
    class, more unreadable assets), 2 for a usage error.

    \b
    Examples:
      provenance diff last-release/ provenance-report/
      provenance diff old/scan.json new/scan.json --format json -o diff.json
    """
    console = Console()
    try:
        found = diff_scans(old, new)
    except ProvenanceError as exc:
        console.error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    text = (json.dumps(found.to_dict(), ensure_ascii=False, indent=2) + "\n") if fmt == "json" else to_markdown(found)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_text(output, text)
        except OSError as exc:
            console.error(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)
            sys.exit(EXIT_USAGE)
    sys.exit(EXIT_CODES[Status.FAIL] if found.worse else 0)
