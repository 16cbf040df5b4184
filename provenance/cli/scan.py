"""`provenance scan PATH`: scan, write the results, exit with the verdict."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from provenance.api import ScanRequest, run_scan
from provenance.cli.console import (
    LOG_FORMATS,
    Console,
    Progress,
    WorkEstimate,
    print_failures,
    print_summary,
    split_list,
    summary_dict,
)
from provenance.errors import ProvenanceError, ScanAbortedError
from provenance.model import EXIT_CODES, EXIT_INTERRUPTED, EXIT_USAGE, Status
from provenance.sources.hub_files import DEFAULT_SAMPLE_RECORDS


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
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where the per-asset work runs: this machine, or a Ray cluster (extra: provenance[ray]).")
@click.option("--ray-address", default=None, help="Ray cluster address (default: start a local Ray for the scan).")
@click.option("--max-errors", type=click.IntRange(min=0), default=None,
              help="Unreadable assets tolerated before the verdict is 'incomplete' (default 0).")
@click.option("--purpose", help="The service's purpose (zh or en); default: service.purpose in the declarations.")
@click.option("--blocklist", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Keyword list, one entry a line (repeatable); a source over the threshold fails.")
@click.option("--blocked-threshold", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="Share of a source's items with a blocklist entry that fails it.")
@click.option("--registry", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Known-works registry (images and text works) built with `provenance registry build` "
                   "(repeatable).")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the analysis cache (default: OUTPUT/.cache); share it between scans.")
@click.option("--no-cache", is_flag=True, help="Analyse every asset again; keep no cache.")
@click.option("--lang", default="zh,en", show_default=True, help="Languages of the filing section.")
@click.option("--format", "formats", default="md,html", show_default=True,
              help="Formats of the filing section (md, html, pdf).")
@click.option("--spdx-files", type=click.Choice(["all", "flagged", "none", "auto"]), default="all",
              show_default=True,
              help="Files the SPDX manifests list: all, only those with findings, or none (auto: all).")
@click.option("--no-reports", is_flag=True, help="Write only scan.json and assets.parquet.")
@click.option("--optout-domains", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File of domains that opted out of text and data mining (one a line); records from them "
                   "are tdm-opt-out findings.")
@click.option("--sample-records", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_RECORDS, show_default=True,
              help="Records per split read through datasets streaming when a Hub dataset's files are remote.")
@click.option("--all-records", is_flag=True, help="Read every record of remote Hub data files instead of a sample.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default="text", show_default=True,
              envvar="PROVENANCE_LOG_FORMAT",
              help="json: progress, unreadable items, the verdict and errors as JSON lines on stderr (for pipelines).")
def scan(path: Path, output: Path, use: str | None, policy: Path | None, declarations: Path | None,
         exclude: tuple[str, ...], follow_symlinks: bool, jobs: int, engine: str, ray_address: str | None,
         max_errors: int | None,
         purpose: str | None, blocklist: tuple[Path, ...], blocked_threshold: float, registry: tuple[Path, ...],
         cache_dir: Path | None, no_cache: bool, lang: str, formats: str, spdx_files: str, no_reports: bool,
         optout_domains: Path | None, sample_records: int, all_records: bool,
         quiet: bool, as_json: bool, log_format: str) -> None:
    """Scan PATH (a folder, a file, hf://datasets/ORG/NAME, a Hub cache) and exit 0 pass, 1 policy
    failure, 2 usage error, 3 incomplete (130 when interrupted: run it again to resume).

    \b
    Examples:
      provenance scan ./data -o out/
      provenance scan ./data -o out/ --use research --policy policy.yaml
      provenance scan hf://datasets/ORG/NAME -o out/ --log-format json
    """
    console = Console(log_format, quiet=quiet, text=not as_json)
    progress: Progress | None = None
    try:
        request = ScanRequest(
            path, output, use=use, policy=policy, declarations=declarations, exclude=exclude,
            follow_symlinks=follow_symlinks, jobs=jobs, engine=engine, ray_address=ray_address,
            max_errors=max_errors, purpose=purpose, blocklist=blocklist, blocked_threshold=blocked_threshold,
            registry=registry or None, optout_domains=optout_domains, sample_records=sample_records,
            all_records=all_records, cache=False if no_cache else cache_dir or True, reports=not no_reports,
            langs=split_list(lang), formats=split_list(formats), spdx_files=spdx_files,
        )
        console.event("start", path=str(path), output=str(output))
        progress = Progress(console, _estimate(request, console))
        done = run_scan(request, progress if progress.active else None)
        print_failures(done.failed, console)
    except KeyboardInterrupt:
        if progress:
            progress.done()
        resume = ("run the same command again to resume: finished work is kept in the analysis cache"
                  if not no_cache else "nothing was kept (--no-cache)")
        if console.json:
            console.event("interrupted", exit_code=EXIT_INTERRUPTED, message=resume)
        else:
            click.echo(f"provenance: interrupted; {resume}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except ScanAbortedError as exc:
        console.error(f"scan incomplete: {exc}", EXIT_CODES[Status.INCOMPLETE])
        sys.exit(EXIT_CODES[Status.INCOMPLETE])
    except ProvenanceError as exc:
        console.error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # a bug must not look like a policy failure (exit 1) to a pipeline
        console.error(f"internal error, scan incomplete: {type(exc).__name__}: {exc}", EXIT_CODES[Status.INCOMPLETE])
        sys.exit(EXIT_CODES[Status.INCOMPLETE])
    progress.done()
    result = done.result
    if as_json:
        click.echo(json.dumps(summary_dict(result), ensure_ascii=False, indent=2))
    print_summary(result, console)
    if request.cache is not False and not console.json:
        s = done.stats
        reused, rehashed = s.get("reused", 0), s.get("rehashed", 0)
        console.echo(f"Analysed {s.get('analysed', 0)} assets; reused {s.get('cached', 0) + rehashed + reused}"
                     f" from the cache ({reused} in {s.get('reused_folders', 0)} unchanged folders,"
                     f" {rehashed} re-hashed after a touch).")
    sys.exit(result.exit_code)


def _estimate(request: ScanRequest, console: Console) -> WorkEstimate | None:
    """Count the work ahead of a local folder scan in the background, for the ETA."""
    if console.quiet or not (console.json or (console.text and sys.stderr.isatty())):
        return None
    root = request.root
    if str(request.path).startswith("hf://") or not root.is_dir():
        return None
    skip = [request.output] if request.output else []
    if isinstance(request.cache, (str, Path)) and not isinstance(request.cache, bool):
        skip.append(Path(request.cache))
    return WorkEstimate(root, [p for p in skip if p is not None])
