"""`provenance scan PATH`: scan, write the results, exit with the verdict."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from provenance.api import build_options
from provenance.cli.console import ProgressLine, print_summary, summary_dict
from provenance.errors import ProvenanceError
from provenance.model import EXIT_USAGE
from provenance.scan import Scanner
from provenance.sources.huggingface import DEFAULT_SAMPLE_RECORDS, Sampling, open_source
from provenance.sources.local import LocalSource


@click.command()
@click.argument("path", type=click.Path(exists=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("provenance-report"),
              show_default=True, help="Folder for scan.json, assets.parquet and reports.")
@click.option("--use", type=click.Choice(["commercial", "research"]), default=None,
              help="Intended use of the trained model (default: the policy's, else commercial).")
@click.option("--policy", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Policy YAML file.")
@click.option("--declarations", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Declarations YAML (default: provenance.yaml at the root of PATH).")
@click.option("--exclude", multiple=True, help="Gitignore-style pattern to leave out (repeatable).")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (default: report and skip them).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes; 0 means all cores.")
@click.option("--max-errors", type=click.IntRange(min=0), default=None,
              help="Unreadable assets tolerated before the verdict is 'incomplete' (default 0).")
@click.option("--optout-domains", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File of domains that opted out of text and data mining (one a line); records from them "
                   "are tdm-opt-out findings.")
@click.option("--sample-records", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_RECORDS, show_default=True,
              help="Records per split read through datasets streaming when a Hub dataset's files are remote.")
@click.option("--all-records", is_flag=True, help="Read every record of remote Hub data files instead of a sample.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def scan(path: Path, output: Path, use: str | None, policy: Path | None, declarations: Path | None,
         exclude: tuple[str, ...], follow_symlinks: bool, jobs: int, max_errors: int | None,
         optout_domains: Path | None, sample_records: int, all_records: bool, quiet: bool, as_json: bool) -> None:
    """Scan PATH (a folder, a file, hf://datasets/ORG/NAME[@REV] or a Hugging Face cache) and exit
    0 pass, 1 policy failure, 2 usage error, 3 incomplete."""
    try:
        opts = build_options(path, use=use, policy=policy, declarations=declarations, exclude=exclude,
                             follow_symlinks=follow_symlinks, jobs=jobs, max_errors=max_errors,
                             optout_domains=optout_domains,
                             recorded={"sample_records": None if all_records else sample_records,
                                       "all_records": all_records})
        sampling = Sampling(sample_records, all_records)
        source = open_source(path, exclude=opts.exclude, follow_symlinks=follow_symlinks, skip_dirs=[output],
                             sampling=sampling) \
            or LocalSource(path, exclude=opts.exclude, follow_symlinks=follow_symlinks, skip_dirs=[output])
        progress = None if quiet or as_json else ProgressLine()
        result = Scanner(source, opts).run(output, progress=progress)
    except ProvenanceError as exc:
        click.echo(f"provenance: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if progress:
        progress.done()
    if as_json:
        click.echo(json.dumps(summary_dict(result), ensure_ascii=False, indent=2))
    elif not quiet:
        print_summary(result)
    sys.exit(result.exit_code)
