"""The Python API: the same scan and gate as the CLI, for pipelines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provenance.cache import CACHE_FILE
from provenance.crawl import load_optout
from provenance.declarations import DECLARATIONS_FILE_NAME, Declarations, load_declarations
from provenance.detectors import DetectorConfig, build_detectors
from provenance.errors import ConfigError
from provenance.policy import Policy, load_policy
from provenance.results import ScanResult
from provenance.scanner import Limits, Scanner, ScanOptions, temporary_output
from provenance.sources.huggingface import DEFAULT_SAMPLE_RECORDS, Sampling, open_source
from provenance.sources.interface import Source
from provenance.sources.local import LocalSource
from provenance.text.blocklist import load_blocklist
from provenance.text.lexicon import DOMAIN_BY_ID


def _domain_id(name: object) -> str:
    """"design and manufacturing" -> "design_manufacturing": ids as people write them."""
    return re.sub(r"[\s-]+", "_", str(name).strip().lower().replace(" and ", " "))


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
    engine: str = "local",
    ray_address: str | None = None,
    purpose: str | None = None,
    blocklist: Sequence[str | Path] = (),
    blocked_threshold: float = 0.05,
    registry: str | Path | None = None,
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
    purpose = purpose or decl.service.get("purpose")
    declared_domains = decl.service.get("domains") or ()
    domains = [_domain_id(d) for d in ([declared_domains] if isinstance(declared_domains, str) else declared_domains)]
    # Domains outside the sensitive-domain taxonomy (e.g. "retail support") are kept in the record
    # but cannot widen what counts as relevant.
    unmapped = [d for d in domains if d not in DOMAIN_BY_ID]
    config = DetectorConfig(
        purpose=str(purpose) if purpose else None,
        domains=tuple(d for d in domains if d in DOMAIN_BY_ID),
        blocklist=load_blocklist(*blocklist) if blocklist else (),
        blocked_threshold=blocked_threshold,
        registry=str(registry) if registry else None,
        optout_domains=tuple(sorted(load_optout(optout_domains))) if optout_domains else (),
    )
    recorded = {
        **(recorded or {}),
        "purpose": config.purpose, "domains": list(config.domains), "domains_unmapped": unmapped,
        "blocklist": [str(p) for p in blocklist], "blocklist_entries": len(config.blocklist),
        "blocked_threshold": blocked_threshold, "registry": config.registry,
    }
    if optout_domains:
        recorded["optout_domains"] = {"file": str(Path(optout_domains).absolute()),
                                      "domains": len(config.optout_domains)}
    return ScanOptions(
        use=pol.use, jobs=jobs, exclude=tuple(exclude), follow_symlinks=follow_symlinks,
        limits=limits or Limits(), declarations=decl, policy=pol, detectors=build_detectors(config),
        recorded=recorded, config_key=config.fingerprint(), engine=engine, ray_address=ray_address,
    )


def spdx_files_for(result: ScanResult | None, choice: str = "all") -> str:
    """Files the SPDX manifests list: all (the default at any size: they are streamed), flagged or
    none. `auto`, from before they were streamed, means all."""
    return "all" if choice == "auto" else choice


def open_corpus(path: str | Path, output_dir: Path, opts: ScanOptions, sampling: Sampling) -> Source:
    """The source for PATH: a Hugging Face id, cache or save_to_disk folder, else a local folder or
    file. The folders the scan writes to (output, cache) are never scanned."""
    if not str(path).startswith("hf://"):
        check_output(Path(path), output_dir)
    skip = [output_dir, *([opts.cache.parent] if opts.cache else [])]
    return open_source(str(path), exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=skip,
                       sampling=sampling) \
        or LocalSource(path, exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=skip)


def check_output(root: Path, output_dir: Path) -> None:
    """The output folder may sit inside the corpus (it is left out of the scan), but it must not be
    the corpus itself or hold it: results would be written among the data."""
    try:
        root_real, out_real = root.resolve(), output_dir.resolve()
    except OSError:
        return
    if root_real.is_dir() and (out_real == root_real or root_real.is_relative_to(out_real)):
        raise ConfigError(f"the output folder {output_dir} is the scanned folder or contains it; choose another -o")
    if out_real.is_relative_to(root_real) and out_real.is_dir():
        foreign = sorted(p.name for p in out_real.iterdir() if not _ours(p.name))
        if foreign:
            raise ConfigError(
                f"the output folder {output_dir} is inside the scanned folder and holds files provenance did not"
                f" write ({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}): they would be left out"
                " of the scan and written among; choose another -o")


def _ours(name: str) -> bool:
    """A name provenance writes into an output folder (results, reports, cache, temporary files)."""
    return (name in {"scan.json", "assets.parquet", ".cache", "eu-training-summary.md", "review.json"}
            or name.startswith(("data-legality.", "manifest.")) or (name.startswith(".") and name.endswith(".tmp")))


def cache_file(output_dir: Path, cache: bool | str | Path) -> Path | None:
    """Where the analysis cache lives: inside the output folder unless given a folder; None when off."""
    if cache is False:
        return None
    folder = output_dir / ".cache" if cache is True else Path(cache)
    return folder / CACHE_FILE


def scan(
    path: str | Path,
    output_dir: str | Path | None = None,
    cache: bool | str | Path = True,
    reports: bool = True,
    **options: Any,
) -> ScanResult:
    """Scan a folder or file, write scan.json and assets.parquet, and return the result.

    `output_dir=None` writes to a new temporary folder (its path is `result.output_dir`).
    `reports`: write the filing section (zh, en; md, html), SPDX manifests and the EU summary
    next to scan.json, as the CLI does.
    `cache`: True keeps the analysis cache in the output folder (a rescan redoes only what
    changed, and a killed scan resumes), a folder path shares it, False turns it off.
    Keyword options are those of `build_options` (use, policy, declarations, exclude, ...).
    Raises ProvenanceError subclasses for bad arguments; problems in the data are findings.
    """
    root = Path(path)
    out = Path(output_dir) if output_dir is not None else temporary_output()
    sampling = Sampling(options.pop("sample_records", DEFAULT_SAMPLE_RECORDS), options.pop("all_records", False))
    opts = build_options(root, **options)
    opts.recorded.update(sample_records=None if sampling.all_records else sampling.records,
                         all_records=sampling.all_records)
    opts.cache = cache_file(out, cache)
    result = Scanner(open_corpus(path, out, opts, sampling), opts).run(out)
    if reports:
        from provenance.reporting import write_reports

        result = write_reports(result, out, spdx_files=spdx_files_for(result), reuse=cache is not False).result
    return result
