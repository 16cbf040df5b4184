"""`provenance explain OUT/ PATH`: why one asset got its license and findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from provenance.cli.console import Console
from provenance.errors import ProvenanceError
from provenance.explain import explain as explain_asset
from provenance.model import EXIT_USAGE
from provenance.words import LANGS


@click.command()
@click.argument("scan", type=click.Path(exists=True, path_type=Path))
@click.argument("path")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language: en or zh.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the sentences and the evidence behind them.")
def explain(scan: Path, path: str, lang: str, as_json: bool) -> None:
    """Explain why PATH got its license and findings in the saved scan SCAN (an output folder or
    its scan.json): the evidence found, the precedence rule that decided, what was overridden,
    and what the license allows. PATH is as in assets.parquet, or a file path under the scanned folder.

    \b
    Examples:
      provenance explain out/ conflict/sketches.txt
      provenance explain out/ examples/corpus/crawl/pages.jsonl --lang zh
    """
    try:
        found = explain_asset(scan, path, lang)
    except ProvenanceError as exc:
        Console().error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in found], ensure_ascii=False, indent=2))
        return
    click.echo("\n\n".join(e.text() for e in found))
