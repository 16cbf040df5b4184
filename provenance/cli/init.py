"""`provenance init [DIR]`: write provenance.yaml and policy.yaml to fill in; never overwrite."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from provenance.cli.console import Console
from provenance.errors import ProvenanceError
from provenance.model import EXIT_USAGE
from provenance.scaffold import init_project


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Write a commented provenance.yaml (the service, and one source per top-level folder of FOLDER
    with a guessed type and the fields to fill) and a policy.yaml with the defaults spelled out.
    Files that exist are left as they are.

    \b
    Example:
      provenance init ./data
      provenance scan ./data --policy ./data/policy.yaml -o out/
    """
    console = Console()
    try:
        done = init_project(folder)
    except ProvenanceError as exc:
        console.error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    for path in done.written:
        click.echo(f"wrote {path}")
    for path in done.kept:
        click.echo(f"kept  {path} (exists; not overwritten)")
    for f in done.folders:
        guess = f"type {f.type} (from {f.reason})" if f.type else "type not guessed"
        click.echo(f"  source {f.name}/: {f.files:,} file{'' if f.files == 1 else 's'}; {guess}")
    policy = folder / "policy.yaml"
    click.echo(f"\nFill in the null values, then:\n  provenance scan {folder} --policy {policy} -o provenance-report")
