"""The Python API: the same scan and gate as the CLI, for pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provenance.declarations import DECLARATIONS_FILE_NAME, Declarations, load_declarations
from provenance.policy import Policy, load_policy
from provenance.results import ScanResult
from provenance.scan import Limits, Scanner, ScanOptions, temporary_output
from provenance.sources.huggingface import DEFAULT_SAMPLE_RECORDS, Sampling, open_source
from provenance.sources.local import LocalSource


def build_options(
    root: Path,
    *,
    use: str | None = None,
    policy: str | Path | Policy | None = None,
    declarations: str | Path | Declarations | None = None,
    exclude: Sequence[str] = (),
    follow_symlinks: bool = False,
    jobs: int = 0,
    max_errors: int | None = None,
    limits: Limits | None = None,
    recorded: dict[str, Any] | None = None,
    optout_domains: str | Path | None = None,
) -> ScanOptions:
    """Options from user-level arguments; the CLI calls this too, so both behave the same."""
    pol = policy if isinstance(policy, Policy) else load_policy(policy) if policy else Policy()
    overrides: dict[str, Any] = {}
    if use:
        overrides["use"] = use
    if max_errors is not None:
        overrides["max_errors"] = max_errors
    if overrides:
        pol = Policy(**{**pol.__dict__, **overrides})
    if isinstance(declarations, Declarations):
        decl = declarations
    elif declarations:
        decl = load_declarations(declarations)
    elif root.is_dir() and (root / DECLARATIONS_FILE_NAME).is_file():
        decl = load_declarations(root / DECLARATIONS_FILE_NAME)
    else:
        decl = Declarations()
    extra = dict(recorded or {})
    detectors = None
    if optout_domains:  # hook: URL domains on the user's opt-out list become tdm-opt-out findings
        from provenance.crawl import load_optout, with_optout
        from provenance.detectors import default_detectors

        domains = load_optout(optout_domains)
        detectors = with_optout(default_detectors(), domains)
        extra["optout_domains"] = {"file": str(Path(optout_domains).absolute()), "domains": len(domains)}
    return ScanOptions(
        use=pol.use, jobs=jobs, exclude=tuple(exclude), follow_symlinks=follow_symlinks,
        limits=limits or Limits(), declarations=decl, policy=pol, recorded=extra, detectors=detectors,
    )


def scan(
    path: str | Path,
    output_dir: str | Path | None = None,
    **options: Any,
) -> ScanResult:
    """Scan a folder or file, write scan.json and assets.parquet, and return the result.

    `output_dir=None` writes to a new temporary folder (its path is `result.output_dir`).
    Keyword options are those of `build_options` (use, policy, declarations, exclude, ...).
    Raises ProvenanceError subclasses for bad arguments; problems in the data are findings.
    """
    root = Path(path)
    out = Path(output_dir) if output_dir is not None else temporary_output()
    sampling = Sampling(options.pop("sample_records", DEFAULT_SAMPLE_RECORDS), options.pop("all_records", False))
    opts = build_options(root, **options)
    opts.recorded.update(sample_records=None if sampling.all_records else sampling.records,
                         all_records=sampling.all_records)
    source = open_source(str(path), exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=[out],
                         sampling=sampling) \
        or LocalSource(root, exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=[out])
    return Scanner(source, opts).run(out)
