"""`provenance registry build|add|info|export`: manage a known-works registry (images and text works)."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import click

from provenance.errors import ProvenanceError
from provenance.images.fingerprint import expand_variant_sets
from provenance.registry.build import (
    IMAGE_SUFFIXES,
    BuildReport,
    add_to_registry,
    build_registry,
    read_metadata,
    write_hash_list,
)
from provenance.registry.store import read_table
from provenance.registry.text_build import (
    TEXT_SUFFIXES,
    TextBuildReport,
    add_text,
    export_text,
    import_text,
    iter_text_files,
)
from provenance.registry.text_store import TextRegistry, check_text_part, read_text_part, sidecar


def _report(rep: object) -> None:
    assert isinstance(rep, BuildReport)
    click.echo(f"added {rep.works_added} works ({rep.rows_added} fingerprints); "
               f"registry now holds {rep.total_works} works ({rep.total_rows} fingerprints)")
    if rep.skipped_existing:
        click.echo(f"skipped {rep.skipped_existing} works already registered")
    for file, reason in rep.errors:
        click.echo(f"error: {file}: {reason}", err=True)


def _text_report(rep: TextBuildReport) -> None:
    click.echo(f"text: added {rep.works_added} works; registry now holds {rep.total_works} text works "
               f"({rep.text_bytes / 1e6:.1f} MB of text, {rep.ngrams:,} n-grams, fingerprints "
               f"{rep.array_bytes / 1e6:.1f} MB)")
    if rep.skipped_existing:
        click.echo(f"skipped {rep.skipped_existing} text works already registered")
    for file, reason in rep.errors:
        click.echo(f"error: {file}: {reason}", err=True)


def _has_images(folder: str) -> bool:
    root = Path(folder)
    if root.is_file():
        return root.suffix.lower() in IMAGE_SUFFIXES
    return any(p.suffix.lower() in IMAGE_SUFFIXES for p in root.rglob("*") if p.is_file())


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
    """Fingerprint the images and text works in FOLDER (and/or import hash lists) into a new registry.

    Text works: .txt, .md, .rst, .html, JSON Lines (the `text` field), .epub, .pdf (extra: pdf); one
    file is one work unless works.csv gives several files one work_id (or unit=record). Only
    fingerprints are kept: the arrays go to the folder REGISTRY.textfp/ beside the file.

    \b
    Examples:
      provenance registry build ./known_works -o registry.parquet --metadata works.csv
      provenance registry build --hashes shared-hashes.csv -o registry.parquet
    """
    if folder is None and not hash_lists:
        raise click.UsageError("give a FOLDER of images or text works, --hashes, or both")
    try:
        names = expand_variant_sets(variants)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--variants") from exc
    jobs = jobs or os.cpu_count() or 1
    try:
        shutil.rmtree(sidecar(output), ignore_errors=True)  # a new registry: no text of an old one
        images = folder if folder is not None and (Path(folder).is_dir() or _has_images(folder)) else None
        rep = build_registry(output, images, hash_lists, metadata, names, jobs)
        if hash_lists or folder is None or _has_images(folder):
            _report(rep)
        errors = bool(rep.errors)
        if folder is not None and next(iter_text_files(folder), None) is not None:
            trep = add_text(output, folder, read_metadata(metadata) if metadata else None, jobs)
            _text_report(trep)
            errors = errors or bool(trep.errors)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    if errors:
        raise SystemExit(3)


@registry.command("add")
@click.argument("registry_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("source", type=click.Path(exists=True))
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False))
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (0: all cores).")
def add(registry_file: str, source: str, metadata: str | None, jobs: int) -> None:
    """Add SOURCE to REGISTRY_FILE: a folder of images and text works, one image or text file, a
    hash list (.csv), or another registry (.parquet, with its REGISTRY.textfp/ folder) whose
    text fingerprints a rights holder handed out.

    \b
    Examples:
      provenance registry add registry.parquet ./more_works
      provenance registry add registry.parquet publisher-fingerprints.parquet
    """
    jobs = jobs or os.cpu_count() or 1
    suffix = Path(source).suffix.lower()
    errors = False
    try:
        if suffix == ".parquet":
            _text_report(import_text(registry_file, source))
            return
        if suffix == ".csv" or _has_images(source):
            rep = add_to_registry(registry_file, source, metadata, jobs)
            _report(rep)
            errors = bool(rep.errors)
        if (Path(source).is_dir() or suffix in TEXT_SUFFIXES) and next(iter_text_files(source), None) is not None:
            trep = add_text(registry_file, source, read_metadata(metadata) if metadata else None, jobs)
            _text_report(trep)
            errors = errors or bool(trep.errors)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    if errors:
        raise SystemExit(3)


@registry.command("info")
@click.argument("registry_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--verify", is_flag=True, help="Also compare every text fingerprint array with its recorded sha256.")
def info(registry_file: str, verify: bool) -> None:
    """Show how a registry was built and what it holds.

    \b
    Example:
      provenance registry info registry.parquet
    """
    try:
        table, meta = read_table(registry_file)
        part = read_text_part(registry_file)
        if part is not None and verify:
            check_text_part(part, registry_file, verify=True)
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
    if part is None:
        return
    works = TextRegistry(registry_file, part).works_table
    holders = Counter(h or "(unknown)" for h in works.column("rights_holder").to_pylist())
    r = part.recipe
    click.echo(f"text works:   {part.works} ({part.text_bytes / 1e6:.1f} MB of text, {part.ngrams:,} n-grams, "
               f"{part.anchors:,} anchors)")
    click.echo(f"text recipe:  {r.scheme}, normalisation {r.norm}, n = {r.n_word} words / {r.n_cjk} CJK "
               f"characters, winnowing window {r.winnow}, Bloom {r.bloom_bits:g} bits k={r.bloom_k}, "
               f"max_df {r.max_df}, Unicode {r.unicode}")
    per_gb = part.array_bytes / part.text_bytes if part.text_bytes else 0.0
    click.echo(f"fingerprints: {part.array_bytes / 1e6:.1f} MB in {len(part.segments)} segment(s) under "
               f"{part.folder}/ ({per_gb:.2f} GB per GB of text){'; sha256 verified' if verify else ''}")
    click.echo(f"text built:   provenance {part.tool_version}, {part.created}")
    for holder, n in holders.most_common(10):
        click.echo(f"rights holder: {holder}: {n} text works")


@registry.command("export")
@click.argument("registry_file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def export(registry_file: str, output: str) -> None:
    """Write what can be shared without the works: the image fingerprints as a hash list (-o NAME.csv),
    or the text fingerprints as a registry of their own (-o NAME.parquet, plus NAME.parquet.textfp/).

    \b
    Examples:
      provenance registry export registry.parquet -o shared-hashes.csv
      provenance registry export registry.parquet -o text-fingerprints.parquet
    """
    try:
        if Path(output).suffix.lower() == ".parquet":
            rep = export_text(registry_file, output)
            click.echo(f"wrote the fingerprints of {rep.works_added} text works to {output} and "
                       f"{sidecar(output).name}/ ({rep.array_bytes / 1e6:.1f} MB)")
            return
        n = write_hash_list(registry_file, output)
    except ProvenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {n} image fingerprints to {output}")
