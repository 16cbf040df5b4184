"""From what was learned about an asset to its result: one effective license and every finding."""

from __future__ import annotations

from provenance.analysis.context import Analyzed, WorkContext
from provenance.model import (
    Asset,
    AssetKind,
    AssetResult,
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    Location,
    Rule,
    Severity,
    UseClass,
)
from provenance.resolve import UNREADABLE, resolve
from provenance.sources.interface import Entry, Unreadable
from provenance.sources.kinds import kind_of, role_of

EMPTY_FILE = "empty file (0 bytes): nothing to check"


def conclude(ctx: WorkContext, done: Analyzed) -> AssetResult:
    """One effective license and every finding for an analyzed asset."""
    asset = done.entry.asset
    outputs = [out for _, out in done.outputs]
    own = [ev for out in outputs for ev in out.evidence if ev.level in (Level.FILE, Level.RECORD)]
    records = next((out.records for out in outputs if out.records is not None), None)
    record_licenses = next((out.record_licenses for out in outputs if out.record_licenses), ())
    resolution = resolve(
        asset.path, asset.kind, own, ctx.scope.nearest(asset.folder, role_of(asset.path, asset.kind), asset.path),
        ctx.declarations.evidence_for(asset.path), record_licenses, records, ctx.policy.use,
    )
    # An archive whose members were listed is a container: its members carry the license findings.
    own_findings = () if done.members and asset.kind is AssetKind.ARCHIVE else resolution.findings
    findings = [f for out in outputs for f in out.findings] + list(own_findings)
    findings += [Finding(Rule.SCAN_ERROR, Severity.ERROR, asset.path, p.message) for p in done.problems]
    if asset.size == 0 and done.sha256:
        # Listed with its reason, but not a failure to read: an empty file holds nothing to check.
        findings.append(Finding(Rule.EMPTY_FILE, Severity.WARNING, asset.path, EMPTY_FILE))
    findings += ctx.policy.license_findings(asset.path, resolution.license)
    return AssetResult(
        asset=asset, sha256=done.sha256, sha1=done.sha1, license=resolution.license,
        use_class=resolution.use_class if resolution.license else UseClass.UNKNOWN,
        license_source=resolution.source, evidence=resolution.evidence, findings=tuple(findings),
        error="; ".join(p.message for p in done.problems) or None, records=records,
        record_licenses=tuple(record_licenses),
        facts={det: dict(out.facts) for det, out in done.outputs if out.facts},
    )


def unreadable_terms(done: Analyzed) -> Evidence:
    """A license file or card that could not be read still speaks for its folder: the license
    there is unknown. Without this the folder's data would inherit a license from further up
    (MIT from the root, say) whenever --max-errors lets the scan pass over the read error."""
    asset = done.entry.asset
    kind = EvidenceKind.LICENSE_FILE if asset.kind is AssetKind.LICENSE_FILE else EvidenceKind.CARD_METADATA
    return Evidence(kind, Level.DIRECTORY, Location(asset.path), None,
                    f"could not be read: {done.problems[-1].message}"[:200], 0.0, UNREADABLE, scope=asset.folder)


def conclude_all(ctx: WorkContext, done: Analyzed) -> list[AssetResult]:
    """`conclude` for an asset and its members; a bug in resolving one of them becomes that
    asset's scan error, so the scan goes on and the gate cannot pass over it."""
    out = []
    for d in (done, *done.members):
        try:
            out.append(conclude(ctx, d))
        except Exception as exc:
            reason = f"internal error while resolving the license: {type(exc).__name__}: {exc}"[:300]
            asset = d.entry.asset
            finding = Finding(Rule.SCAN_ERROR, Severity.ERROR, asset.path, reason)
            out.append(AssetResult(asset, d.sha256, d.sha1, None, UseClass.UNKNOWN, "", (), (finding,), error=reason))
    return out


def logical_source(ctx: WorkContext, path: str, listed: str) -> str:
    """Declared source name, else the top-level folder of a local corpus, else the listed source."""
    declared = ctx.declarations.source_for(path)
    if declared:
        return declared.name
    if ctx.source.info.kind != "local" or "/" not in path:
        return listed
    return path.split("/", 1)[0]


def relabel(ctx: WorkContext, entry: Entry) -> Entry:
    """The entry under its logical source's name."""
    name = logical_source(ctx, entry.asset.path, entry.asset.source)
    if name == entry.asset.source:
        return entry
    a = entry.asset  # plain constructors: dataclasses.replace costs more on this per-asset path
    return Entry(Asset(a.path, a.kind, a.size, name, a.mtime_ns), entry.handle, entry.problem, entry.ctime_ns)


def unreadable(ctx: WorkContext, item: Unreadable) -> AssetResult:
    """A listed item that cannot be read still gets its row, with the reason."""
    source = logical_source(ctx, item.path, ctx.source.info.name)
    asset = Asset(item.path, kind_of(item.path.rsplit("/", 1)[-1]), 0, source)
    finding = Finding(Rule.SCAN_ERROR, Severity.ERROR, item.path, item.reason)
    return AssetResult(asset, None, None, None, UseClass.UNKNOWN, "", (), (finding,), error=item.reason)
