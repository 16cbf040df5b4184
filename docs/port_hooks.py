"""Apply the hf hooks to main's core files (run at the repository root); stops at an anchor that moved."""
# ruff: noqa: E501 - the anchors are lines of the core files, kept whole
import sys
from pathlib import Path


def edit(p: str, old: str, new: str) -> None:
    s = Path(p).read_text()
    if old not in s:
        sys.exit(f"anchor not found in {p}: {old[:80]!r}")
    Path(p).write_text(s.replace(old, new, 1))


# sources/interface.py
p = "provenance/sources/interface.py"
edit(p, "from collections.abc import Iterator", "from collections.abc import Iterable, Iterator")
edit(p, "from provenance.model import METADATA_KINDS, Asset, SourceInfo",
     "from provenance.model import METADATA_KINDS, Asset, Evidence, SourceInfo")
s = Path(p).read_text().rstrip() + '''

    def scope_evidence(self) -> Iterable[Evidence]:
        """Folder-level license evidence the source knows without a file to read it from
        (a save_to_disk `dataset_info.json`, a `datasets` object's info). Default: none."""
        return ()
'''
Path(p).write_text(s)

# summary.py
p = "provenance/summary.py"
edit(p, '''        for name, s in sorted(self.sources.items()):
            d = declared.get(name)
            rows.append({
                "name": name,
                "kind": info.kind,
                "root": info.root,
                "revision": info.revision,''', '''        per_source = dict(info.details.get("per_source") or {})  # hook: a source of several datasets
        for name, s in sorted(self.sources.items()):
            d = declared.get(name)
            sub = per_source.get(name, {})
            rows.append({
                "name": name,
                "kind": sub.get("kind", info.kind),
                "root": sub.get("root", info.root),
                "revision": sub.get("revision", info.revision),''')
edit(p, '''                **({"details": dict(info.details)} if info.details else {}),''',
     '''                **({"details": dict(sub.get("details", info.details))} if info.details else {}),''')

# detectors/__init__.py
p = "provenance/detectors/__init__.py"
edit(p, '''    registry: str | None = None

    def fingerprint''', '''    registry: str | None = None
    #: Domains that opted out of text and data mining (URL records from them: tdm-opt-out).
    optout_domains: tuple[str, ...] = ()

    def fingerprint''')
edit(p, '''self.blocked_threshold], ensure_ascii=False''', '''self.blocked_threshold,
             sorted(self.optout_domains)], ensure_ascii=False''')
edit(p, '''        detectors.append(BlocklistDetector(config.blocklist, config.blocked_threshold))
    return detectors''', '''        detectors.append(BlocklistDetector(config.blocklist, config.blocked_threshold))
    from provenance.crawl import UrlDomainDetector  # hook: issue 4 (lazy: these import detectors.*)
    from provenance.lineage import LineageDetector

    detectors += [LineageDetector(), UrlDomainDetector(config.optout_domains)]
    return detectors''')

# detectors/records.py
p = "provenance/detectors/records.py"
edit(p, '''        column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), " AND ")
    elif not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):''', '''        column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), " AND ")
    elif pa.types.is_dictionary(column.type):
        pass  # hook: counted by dictionary code, never decoded row by row
    elif not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):''')
edit(p, '''    tally.field = columns[0]
    for batch in pf.iter_batches(columns=[columns[0]], batch_size=BATCH_ROWS):''', '''    tally.field = columns[0]
    kind = pf.schema_arrow.field(columns[0]).type
    if str(kind) in ("string", "large_string"):
        # hook: license strings read dictionary-encoded: counting codes beats decoding every string
        source = str(content.local_path) if content.local_path else content.open()
        pf = pq.ParquetFile(source, read_dictionary=[columns[0]])
    for batch in pf.iter_batches(columns=[columns[0]], batch_size=BATCH_ROWS):''')

# api.py
p = "provenance/api.py"
edit(p, '''    recorded: dict[str, Any] | None = None,
) -> ScanOptions:''', '''    recorded: dict[str, Any] | None = None,
    optout_domains: str | Path | None = None,
) -> ScanOptions:''')
edit(p, '''        registry=str(registry) if registry else None,
    )''', '''        registry=str(registry) if registry else None,
        optout_domains=tuple(sorted(load_optout(optout_domains))) if optout_domains else (),  # hook: issue 4
    )''')
edit(p, '''"registry": config.registry,
    }''', '''"registry": config.registry,
    }
    if optout_domains:
        recorded["optout_domains"] = {"file": str(Path(optout_domains).absolute()),
                                      "domains": len(config.optout_domains)}''')
edit(p, '''    opts = build_options(root, **options)
    opts.cache = cache_file(out, cache)
    source = LocalSource(root, exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=[out])''', '''    sampling = Sampling(options.pop("sample_records", DEFAULT_SAMPLE_RECORDS), options.pop("all_records", False))
    opts = build_options(root, **options)
    opts.recorded.update(sample_records=None if sampling.all_records else sampling.records,
                         all_records=sampling.all_records)
    opts.cache = cache_file(out, cache)
    source = open_source(str(path), exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=[out],
                         sampling=sampling) \\
        or LocalSource(root, exclude=opts.exclude, follow_symlinks=opts.follow_symlinks, skip_dirs=[out])''')
edit(p, '''from provenance.declarations import''', '''from provenance.crawl import load_optout
from provenance.declarations import''')
edit(p, '''from provenance.sources.local import LocalSource''', '''from provenance.sources.huggingface import DEFAULT_SAMPLE_RECORDS, Sampling, open_source
from provenance.sources.local import LocalSource''')

# cli/scan.py
p = "provenance/cli/scan.py"
edit(p, '''@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")''', '''@click.option("--optout-domains", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File of domains that opted out of text and data mining (one a line); records from them "
                   "are tdm-opt-out findings.")
@click.option("--sample-records", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_RECORDS, show_default=True,
              help="Records per split read through datasets streaming when a Hub dataset's files are remote.")
@click.option("--all-records", is_flag=True, help="Read every record of remote Hub data files instead of a sample.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")''')
edit(p, '''         quiet: bool, as_json: bool) -> None:''', '''         optout_domains: Path | None, sample_records: int, all_records: bool,
         quiet: bool, as_json: bool) -> None:''')
edit(p, '''registry=registry)
        opts.cache = cache_file(output, False if no_cache else cache_dir or True)
        source = LocalSource(path, exclude=opts.exclude, follow_symlinks=follow_symlinks, skip_dirs=[output])''', '''registry=registry,
                             optout_domains=optout_domains,
                             recorded={"sample_records": None if all_records else sample_records,
                                       "all_records": all_records})
        opts.cache = cache_file(output, False if no_cache else cache_dir or True)
        source = open_source(path, exclude=opts.exclude, follow_symlinks=follow_symlinks, skip_dirs=[output],
                             sampling=Sampling(sample_records, all_records)) \\
            or LocalSource(path, exclude=opts.exclude, follow_symlinks=follow_symlinks, skip_dirs=[output])''')
edit(p, '''from provenance.sources.local import LocalSource''', '''from provenance.sources.huggingface import DEFAULT_SAMPLE_RECORDS, Sampling, open_source
from provenance.sources.local import LocalSource''')

# scanner.py
p = "provenance/scanner.py"
edit(p, '''    sparse_min_size: int = 64 * 2**20
''', '''    sparse_min_size: int = 64 * 2**20
    #: Member count, expanded size, ratio and nesting bounds for archives (hook: sources.archives).
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)
''')
edit(p, '''    cache_data: str | None = None
''', '''    cache_data: str | None = None
    #: Archive members and media embedded in tables, each analysed like a file (hook: sources.archives).
    members: tuple[Analyzed, ...] = ()
''')
edit(p, '''def analyze(ctx: WorkContext, entry: Entry) -> Analyzed:
    """Read one asset once and run every detector that applies, unless the cache already knows
    the answer. Never raises for bad data."""
''', '''def analyze(ctx: WorkContext, entry: Entry) -> Analyzed:
    """Read one asset once and run every detector that applies, unless the cache already knows
    the answer. Never raises for bad data."""
    if entry.asset.kind is AssetKind.ARCHIVE:  # hook: archives are read member by member (not cached)
        from provenance.sources.archives import analyze_archive

        return analyze_archive(ctx, entry)
    done = _analyze_file(ctx, entry)
    if entry.asset.kind is AssetKind.TABLE:  # hook: media embedded in tables become members
        from provenance.sources.embedded import table_members

        local = ctx.source.local_path(entry)
        content = AssetContent(entry.asset, b"", False, lambda: ctx.source.open(entry), Path(local) if local else None)
        members, problem = table_members(ctx, entry, content)
        done = replace(done, members=members, errors=done.errors + ((problem,) if problem else ()))
    return done


def _analyze_file(ctx: WorkContext, entry: Entry) -> Analyzed:
''')
edit(p, '''    findings = [f for out in outputs for f in out.findings] + list(resolution.findings)''', '''    # hook: an archive whose members were listed is a container; its members carry the license findings.
    own_findings = () if done.members and asset.kind is AssetKind.ARCHIVE else resolution.findings
    findings = [f for out in outputs for f in out.findings] + list(own_findings)''')
edit(p, '''            results.append(conclude(ctx, done))
''', '''            results.append(conclude(ctx, done))
            results += [conclude(ctx, member) for member in done.members]  # hook: rows of their own
''')
edit(p, '''        writer = AssetTableWriter(out_dir)''', '''        for ev in self.source.scope_evidence():  # hook: evidence the source holds outside any file
            scope.add(ev)

        writer = AssetTableWriter(out_dir)''')
edit(p, '''from provenance.sources.interface import''', '''from provenance.sources.archives import ArchiveLimits
from provenance.sources.interface import''')
print("hooks applied")
