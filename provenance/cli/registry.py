"""`provenance registry build|add|info|export`: manage a known-works registry."""

from __future__ import annotations

import os
from collections import Counter

import click

from provenance.errors import ProvenanceError
from provenance.images.fingerprint import expand_variant_sets
from provenance.registry.build import BuildReport, add_to_registry, build_registry, write_hash_list
from provenance.registry.store import read_table


def _report(rep: object) -> None:
    assert isinstance(rep, BuildReport)
    click.echo(f"added {rep.works_added} works ({rep.rows_added} fingerprints); "
               f"registry now holds {rep.total_works} works ({rep.total_rows} fingerprints)")
    if rep.skipped_existing:
        click.echo(f"skipped {rep.skipped_existing} works already registered")
    for file, reason in rep.errors:
        click.echo(f"error: {file}: {reason}", err=True)


@click.group("registry")
def registry() -> None:
    """Registry of known works (image fingerprints) that must not be trained on.

    \b
    Examples:
      provenance registry build ./known_works -o registry.parquet --metadata works.csv
      provenance scan ./data --registry registry.parquet
    """


@registry.command("build")
@click.argument("folder", required=False, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Registry file to write.")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False),
              help="CSV joined by file name: file,title,owner,rights,source.")
@click.option("--hashes", "hash_lists", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Hash list CSV to import (phash hex, optional dhash, title, owner, rights).")
@click.option("--variants", default="crop,rotate", show_default=True,
              help="Extra fingerprints per work against crops and small rotations: crop, rotate, none.")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (0: all cores).")
def build(folder: str | None, output: str, metadata: str | None, hash_lists: tuple[str, ...],
          variants: str, jobs: int) -> None:
    """Fingerprint the images in FOLDER (and/or import hash lists) into a new registry.

    \b
    Examples:
      provenance registry build ./known_works -o registry.parquet --metadata works.csv
      provenance registry build --hashes shared-hashes.csv -o registry.parquet
    """
    if folder is None and not hash_lists:
        raise click.UsageError("give a FOLDER of images, --hashes, or both")
    try:
        names = expand_variant_sets(variants)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--variants") from exc
    try:
        rep = build_registry(output, folder, hash_lists, metadata, names, jobs or os.cpu_count() or 1)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(rep)
    if rep.errors:
        raise SystemExit(3)


@registry.command("add")
@click.argument("registry_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("source", type=click.Path(exists=True))
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False))
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (0: all cores).")
def add(registry_file: str, source: str, metadata: str | None, jobs: int) -> None:
    """Add the images in SOURCE (a folder, an image, or a hash list .csv) to REGISTRY_FILE.

    \b
    Example:
      provenance registry add registry.parquet ./more_works
    """
    try:
        rep = add_to_registry(registry_file, source, metadata, jobs or os.cpu_count() or 1)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(rep)
    if rep.errors:
        raise SystemExit(3)


@registry.command("info")
@click.argument("registry_file", type=click.Path(exists=True, dir_okay=False))
def info(registry_file: str) -> None:
    """Show how a registry was built and what it holds.

    \b
    Example:
      provenance registry info registry.parquet
    """
    try:
        table, meta = read_table(registry_file)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    ids = table.column("work_id").to_pylist()
    owners = Counter(o or "(unknown)" for o in
                     dict(zip(ids, table.column("owner").to_pylist(), strict=True)).values())
    no_dhash = table.column("dhash").null_count
    click.echo(f"registry:     {registry_file}")
    click.echo(f"works:        {len(set(ids))}")
    click.echo(f"fingerprints: {table.num_rows}" + (f" ({no_dhash} pHash only)" if no_dhash else ""))
    click.echo(f"algorithm:    {meta.algorithm}")
    click.echo(f"decode:       {meta.decode}")
    click.echo(f"variants:     {', '.join(meta.variants) or 'none'}")
    click.echo(f"built with:   provenance {meta.tool_version}, imagehash {meta.imagehash_version}")
    click.echo(f"created:      {meta.created}")
    for owner, n in owners.most_common(10):
        click.echo(f"owner:        {owner}: {n} works")


@registry.command("export")
@click.argument("registry_file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def export(registry_file: str, output: str) -> None:
    """Write the registry as a hash list CSV that can be shared without the images.

    \b
    Example:
      provenance registry export registry.parquet -o shared-hashes.csv
    """
    try:
        n = write_hash_list(registry_file, output)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {n} fingerprints to {output}")
