"""The Python API: the same scan and gate as the CLI, for pipelines. One builder: the CLI makes a
ScanRequest from its options and calls `run_scan`, as `scan()` does from keyword arguments."""

from __future__ import annotations

import re
import shutil
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from provenance.analysis.context import Limits
from provenance.atomic import ensure_output_dir
from provenance.cache import CACHE_FILE
from provenance.declarations import DECLARATIONS_FILE_NAME, Declarations, load_declarations
from provenance.detectors import DetectorConfig, build_detectors
from provenance.detectors.urls import load_optout
from provenance.errors import ConfigError, unknown_name
from provenance.policy import USES, Policy, load_policy
from provenance.reporting import FORMATS, ReportFailure, write_reports
from provenance.reporting.interface import SpdxFiles
from provenance.reporting.strings import LANGS
from provenance.results import ScanResult
from provenance.scanner import Progress, Scanner, ScanOptions, temporary_output
from provenance.sources import open_source
from provenance.sources.hub_files import DEFAULT_SAMPLE_RECORDS, Sampling
from provenance.sources.interface import Source
from provenance.text.blocklist import load_blocklist
from provenance.text.lexicon import DOMAIN_BY_ID

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class ScanRequest:
    """Everything a scan can be asked to do, as a user says it. Checked when made: a bad value is a
    ConfigError (CLI exit 2) before the first file is read."""

    #: A folder, a file, `hf://datasets/ORG/NAME[@REV]`, a Hub cache or a save_to_disk folder.
    path: str | Path
    #: Where scan.json, assets.parquet and the reports go; None: a new temporary folder that lives as
    #: long as the returned result (see `scan`).
    output_dir: str | Path | None = None
    #: Intended use of the trained model (commercial, research); None: the policy's.
    use: str | None = None
    policy: str | Path | Policy | None = None
    #: None: provenance.yaml at the root of `path`, when there is one.
    declarations: str | Path | Declarations | None = None
    exclude: Sequence[str] = ()
    follow_symlinks: bool = False
    #: Worker processes; 0: all cores.
    jobs: int = 0
    max_errors: int | None = None
    limits: Limits | None = None
    engine: str = "local"
    ray_address: str | None = None
    purpose: str | None = None
    blocklist: Sequence[str | Path] = ()
    blocked_threshold: float = 0.05
    #: Known-works registries: one path or several (images and text works).
    registry: str | Path | Sequence[str | Path] | None = None
    optout_domains: str | Path | None = None
    #: Records per split read through `datasets` streaming when Hub data files are remote.
    sample_records: int = DEFAULT_SAMPLE_RECORDS
    all_records: bool = False
    #: True: the analysis cache inside the output folder; a folder path shares it; False: off.
    cache: bool | str | Path = True
    #: Write the filing section, manifests and EU summary beside scan.json.
    reports: bool = True
    langs: Sequence[str] = ("zh", "en")
    formats: Sequence[str] = ("md", "html")
    spdx_files: str = "auto"
    #: Extra parameters recorded in scan.json.
    recorded: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.registry is not None:
            object.__setattr__(self, "registry", (self.registry,) if isinstance(self.registry, (str, Path))
                               else tuple(self.registry))
        for name in ("exclude", "blocklist", "langs", "formats"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, (str, Path)) else tuple(value))
        if self.use is not None and self.use not in USES:
            raise unknown_name("use", self.use, USES)
        if self.engine not in ENGINES:
            raise unknown_name("engine", self.engine, ENGINES)
        for lang in self.langs:
            if lang not in LANGS:
                raise unknown_name("report language", lang, LANGS)
        for fmt in self.formats:
            if fmt not in FORMATS:
                raise unknown_name("report format", fmt, FORMATS)
        spdx_choices = ("auto", *(f.value for f in SpdxFiles))
        if self.spdx_files not in spdx_choices:
            raise unknown_name("--spdx-files choice", self.spdx_files, spdx_choices)
        if self.jobs < 0:
            raise ConfigError(f"jobs must be 0 (all cores) or more, got {self.jobs}")
        if self.max_errors is not None and self.max_errors < 0:
            raise ConfigError(f"max_errors must be 0 or more, got {self.max_errors}")
        if not 0 <= self.blocked_threshold <= 1:
            raise ConfigError(f"blocked_threshold is a share between 0 and 1, got {self.blocked_threshold}")
        if self.sample_records < 1:
            raise ConfigError(f"sample_records must be at least 1, got {self.sample_records}")

    @classmethod
    def of(cls, path: str | Path, **options: Any) -> ScanRequest:
        """A request from keyword options; an unknown option is a ConfigError naming the closest."""
        names = {f.name for f in fields(cls)}
        for key in options:
            if key not in names:
                raise unknown_name("scan option", key, names - {"path"})
        return cls(path=path, **options)

    @property
    def root(self) -> Path:
        return Path(self.path)

    @property
    def output(self) -> Path | None:
        return Path(self.output_dir) if self.output_dir is not None else None

    @property
    def registries(self) -> tuple[str | Path, ...]:
        return tuple(self.registry or ())  # type: ignore[arg-type]  # a tuple after __post_init__

    def sampling(self) -> Sampling:
        return Sampling(self.sample_records, self.all_records)


@dataclass(frozen=True)
class ScanRun:
    """A finished scan: its result, and how each asset's analysis was obtained (for the console)."""

    result: ScanResult
    #: Counts by Origin value (analysed, cached, rehashed, reused) and `reused_folders`.
    stats: Mapping[str, int]
    #: Reports that could not be written, each with why (the others were; scan.json records them).
    failed: tuple[ReportFailure, ...] = ()


def _domain_id(name: object) -> str:
    """"design and manufacturing" -> "design_manufacturing": ids as people write them."""
    return re.sub(r"[\s-]+", "_", str(name).strip().lower().replace(" and ", " "))


def _declarations(request: ScanRequest) -> Declarations:
    given, root = request.declarations, request.root
    if isinstance(given, Declarations):
        return given
    if given:
        return load_declarations(given)
    if root.is_dir() and (root / DECLARATIONS_FILE_NAME).is_file():
        return load_declarations(root / DECLARATIONS_FILE_NAME)
    return Declarations()


def _policy(request: ScanRequest) -> Policy:
    given = request.policy
    pol = given if isinstance(given, Policy) else load_policy(given) if given else Policy()
    overrides: dict[str, Any] = {}
    if request.use:
        overrides["use"] = request.use
    if request.max_errors is not None:
        overrides["max_errors"] = request.max_errors
    return Policy(**{**pol.__dict__, **overrides}) if overrides else pol


def cache_file(output_dir: Path, cache: bool | str | Path) -> Path | None:
    """Where the analysis cache lives: inside the output folder unless given a folder; None when off."""
    if cache is False:
        return None
    folder = output_dir / ".cache" if cache is True else Path(cache)
    return folder / CACHE_FILE


def scan_options(request: ScanRequest, output_dir: Path | None = None) -> ScanOptions:
    """The scanner's options for a request: policy and declarations loaded, detectors configured."""
    policy = _policy(request)
    decl = _declarations(request)
    purpose = request.purpose or decl.service.get("purpose")
    declared_domains = decl.service.get("domains") or ()
    domains = [_domain_id(d) for d in ([declared_domains] if isinstance(declared_domains, str) else declared_domains)]
    # Domains outside the sensitive-domain taxonomy (e.g. "retail support") are kept in the record
    # but cannot widen what counts as relevant.
    unmapped = [d for d in domains if d not in DOMAIN_BY_ID]
    optout = request.optout_domains
    config = DetectorConfig(
        purpose=str(purpose) if purpose else None,
        domains=tuple(d for d in domains if d in DOMAIN_BY_ID),
        blocklist=load_blocklist(*request.blocklist) if request.blocklist else (),
        blocked_threshold=request.blocked_threshold,
        registries=tuple(str(r) for r in request.registries),
        text_thresholds=policy.known_works,
        optout_domains=tuple(sorted(load_optout(optout))) if optout else (),
    )
    recorded: dict[str, Any] = {
        **request.recorded,
        "purpose": config.purpose, "domains": list(config.domains), "domains_unmapped": unmapped,
        "blocklist": [str(p) for p in request.blocklist], "blocklist_entries": len(config.blocklist),
        "blocked_threshold": request.blocked_threshold,
        "registry": config.registries[0] if len(config.registries) == 1 else list(config.registries) or None,
    }
    if optout:
        recorded["optout_domains"] = {"file": str(Path(optout).absolute()), "domains": len(config.optout_domains)}
    recorded.update(sample_records=None if request.all_records else request.sample_records,
                    all_records=request.all_records)
    return ScanOptions(
        use=policy.use, jobs=request.jobs, exclude=(*request.exclude, *config_inside(request)),
        follow_symlinks=request.follow_symlinks,
        limits=request.limits or Limits(), declarations=decl, policy=policy,
        detectors=tuple(build_detectors(config)), recorded=recorded, config_key=config.fingerprint(),
        engine=request.engine, ray_address=request.ray_address,
        cache=cache_file(output_dir, request.cache) if output_dir is not None else None,
    )


def config_inside(request: ScanRequest) -> tuple[str, ...]:
    """Anchored ignore patterns for the files given to the scan as configuration (policy,
    declarations, blocklists, opt-out list, registry) that sit inside the scanned folder: they
    are inputs to the tool, not training data (`provenance init` writes policy.yaml there)."""
    root = request.root
    if str(request.path).startswith("hf://") or not root.is_dir():
        return ()
    given = [request.policy, request.declarations, *request.blocklist, request.optout_domains, *request.registries]
    out = []
    real_root = root.resolve()
    for item in given:
        if isinstance(item, (str, Path)) and item:
            try:
                rel = Path(item).resolve().relative_to(real_root)
            except (ValueError, OSError):
                continue
            out.append("/" + glob_escape(rel.as_posix()))
    return tuple(out)


def glob_escape(path: str) -> str:
    """A path as a gitignore pattern that matches only itself."""
    return re.sub(r"([\\*?\[\]!#])", r"\\\1", path)


def open_corpus(request: ScanRequest, output_dir: Path, opts: ScanOptions) -> Source:
    """The source for the request's path. The folders the scan writes to (output, cache) are never scanned."""
    path = str(request.path)
    if not path.startswith("hf://"):
        check_output(request.root, output_dir)
    skip = [output_dir, *([opts.cache.parent] if opts.cache else [])]
    return open_source(path, exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=skip,
                       sampling=request.sampling())


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


def spdx_files_for(result: ScanResult | None, choice: str = "all") -> str:
    """Files the SPDX manifests list: all (the default at any size: they are streamed), flagged or
    none. `auto`, from before they were streamed, means all."""
    return "all" if choice == "auto" else choice


def run_scan(request: ScanRequest, progress: Progress | None = None, source: Source | None = None) -> ScanRun:
    """Scan what the request names (or `source`, a source made by the caller), write scan.json,
    assets.parquet and, when asked, the reports; return the result and how it was obtained."""
    temporary = request.output is None
    out = request.output or temporary_output()
    try:
        opts = scan_options(request, out)
        corpus = source or open_corpus(request, out, opts)
        if not temporary:
            ensure_output_dir(out)  # a file in the way or no permission: a usage error before any work
        scanner = Scanner(corpus, opts)
        result = scanner.run(out, progress=progress)
        failed: tuple[ReportFailure, ...] = ()
        if request.reports:
            run = write_reports(result, out, request.langs, request.formats,
                                spdx_files_for(result, request.spdx_files), reuse=request.cache is not False)
            result, failed = run.result, run.failed
    except BaseException:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
        raise
    if temporary:
        # Nobody asked for these files: they last as long as the result that reads them
        # (`result.assets()`), and go when it is garbage-collected or the interpreter exits.
        weakref.finalize(result, shutil.rmtree, str(out), True)
    return ScanRun(result, scanner.stats, failed)


def scan(path: str | Path, output_dir: str | Path | None = None, cache: bool | str | Path = True,
         reports: bool = True, **options: Any) -> ScanResult:
    """Scan a folder or file, write scan.json and assets.parquet, and return the result.

    `output_dir=None` writes to a new temporary folder (its path is `result.output_dir`) that is
    removed when the returned result is garbage-collected or the interpreter exits: read what you
    need from it (`result.assets()`) while you hold it, or name an `output_dir` to keep the files.
    `reports`: write the filing section (zh, en; md, html), SPDX manifests and the EU summary
    next to scan.json, as the CLI does.
    `cache`: True keeps the analysis cache in the output folder (a rescan redoes only what
    changed, and a killed scan resumes), a folder path shares it, False turns it off.
    Keyword options are the fields of `ScanRequest` (use, policy, declarations, exclude, ...).
    Raises ProvenanceError subclasses for bad arguments; problems in the data are findings.
    """
    request = ScanRequest.of(path, output_dir=output_dir, cache=cache, reports=reports, **options)
    return run_scan(request).result
