"""`resolve()` rule by rule: one row per precedence and conflict rule (README, "What it reads")."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from provenance.model import AssetKind, Evidence, EvidenceKind, Level, Location, RecordLicense
from provenance.resolve import ALL_RIGHTS_RESERVED, UNKNOWN, ScopeIndex, resolve

K = EvidenceKind


def ev(kind: EvidenceKind, level: Level, lic: str | None, where: str = "LICENSE", *, raw: str = "",
       matcher: str = "test", scope: str = "", reservation: bool = False) -> Evidence:
    return Evidence(kind, level, Location(where), lic, raw or (lic or ""), 1.0 if lic else 0.0, matcher,
                    scope=scope, reservation=reservation)


def folder(kind: EvidenceKind, lic: str | None, where: str = "LICENSE", **kw: object) -> Evidence:
    return ev(kind, Level.DIRECTORY, lic, where, **kw)  # type: ignore[arg-type]


def header(lic: str | None, raw: str = "") -> Evidence:
    return ev(K.SPDX_HEADER, Level.FILE, lic, "data.txt:1", raw=raw)


def declared(lic: str) -> Evidence:
    return ev(K.DECLARATION, Level.DECLARED, lic, "provenance.yaml#sources[0]")


@dataclass(frozen=True)
class Row:
    rule: str
    own: tuple[Evidence, ...] = ()
    inherited: tuple[Evidence, ...] = ()
    decl: tuple[Evidence, ...] = ()
    records: tuple[RecordLicense, ...] = ()
    use: str = "commercial"
    license: str | None = None
    #: Rule ids the resolution must raise (exactly these, info findings included).
    findings: frozenset[str] = field(default_factory=frozenset)
    source: str | None = None


ROWS = [
    Row("nothing at any level: unlicensed", license=None, findings=frozenset({"unlicensed"})),
    Row("a file's header beats its folder's license file",
        own=(header("MIT"),), inherited=(folder(K.LICENSE_FILE, "GPL-3.0-only"),), license="MIT",
        findings=frozenset({"attribution-required"}), source="data.txt:1"),
    Row("the folder's license beats the declaration when they agree",
        inherited=(folder(K.LICENSE_FILE, "MIT"),), decl=(declared("MIT"),), license="MIT", source="LICENSE",
        findings=frozenset({"attribution-required"})),
    Row("a declaration the data contradicts: conflict, the more restrictive applies",
        inherited=(folder(K.LICENSE_FILE, "MIT"),), decl=(declared("CC-BY-NC-4.0"),), license="CC-BY-NC-4.0",
        findings=frozenset({"license-conflict", "use-restricted", "attribution-required"})),
    Row("a declaration alone applies", decl=(declared("CC-BY-4.0"),), license="CC-BY-4.0",
        findings=frozenset({"attribution-required"})),
    Row("card and license file that share no license: conflict, the more restrictive applies",
        inherited=(folder(K.CARD_METADATA, "MIT", "README.md"), folder(K.LICENSE_FILE, "CC-BY-SA-4.0")),
        license="CC-BY-SA-4.0", findings=frozenset({"license-conflict", "attribution-required", "share-alike"})),
    Row("a card naming what the license file grants agrees with it",
        inherited=(folder(K.CARD_METADATA, "MIT", "README.md"), folder(K.LICENSE_FILE, "MIT")), license="MIT",
        findings=frozenset({"attribution-required"})),
    Row("license files named as alternatives are a choice (OR)",
        inherited=(folder(K.LICENSE_FILE, "MIT", "LICENSE-MIT"),
                   folder(K.LICENSE_FILE, "Apache-2.0", "LICENSE-APACHE")),
        license="Apache-2.0 OR MIT", findings=frozenset({"attribution-required"})),
    Row("other license files in one folder cover parts: all apply (AND)",
        inherited=(folder(K.LICENSE_FILE, "MIT", "LICENSE"), folder(K.LICENSE_FILE, "OFL-1.1", "COPYING.fonts")),
        license="MIT AND OFL-1.1", findings=frozenset({"attribution-required", "share-alike"})),
    Row("a reservation beside a grant: conflict, the reservation applies",
        inherited=(folder(K.LICENSE_FILE, "MIT"), folder(K.LICENSE_FILE, None, "COPYRIGHT", reservation=True,
                                                          raw="All rights reserved")),
        license=ALL_RIGHTS_RESERVED, findings=frozenset({"license-conflict", "use-restricted"})),
    Row("a reservation alone: rights reserved, and no grant for any use",
        inherited=(folder(K.LICENSE_FILE, None, reservation=True, raw="All rights reserved"),),
        license=ALL_RIGHTS_RESERVED, findings=frozenset({"rights-reserved", "use-restricted"})),
    Row("a header naming no terms inherits the folder's license, with a warning",
        own=(header(None, "NOASSERTION"),), inherited=(folder(K.LICENSE_FILE, "CC-BY-NC-4.0"),),
        license="CC-BY-NC-4.0", findings=frozenset({"unknown-license", "use-restricted", "attribution-required"})),
    Row("headers of one file that disagree: conflict, the more restrictive applies",
        own=(header("MIT"), ev(K.SPDX_HEADER, Level.FILE, "GPL-3.0-only", "data.txt:9")), license="GPL-3.0-only",
        findings=frozenset({"license-conflict", "attribution-required", "share-alike"})),
    Row("license: unknown alone is an unknown license (a warning), not a grant",
        inherited=(folder(K.CARD_METADATA, UNKNOWN, "README.md"),), license=UNKNOWN,
        findings=frozenset({"unknown-license"})),
    Row("a restricting sentence in card prose applies beside the card's metadata",
        inherited=(folder(K.CARD_METADATA, "CC-BY-4.0", "README.md"),
                   folder(K.CARD_PROSE, "LicenseRef-Research-Only", "README.md", matcher="restriction")),
        license="CC-BY-4.0 AND LicenseRef-Research-Only",
        findings=frozenset({"use-restricted", "attribution-required"})),
    Row("a non-commercial license is not restricted for research use",
        inherited=(folder(K.LICENSE_FILE, "CC-BY-NC-4.0"),), use="research", license="CC-BY-NC-4.0",
        findings=frozenset({"attribution-required"})),
    Row("records with their own value keep it; records without one inherit the file's license",
        inherited=(folder(K.LICENSE_FILE, "MIT"),),
        records=(RecordLicense("cc-by-4.0", "CC-BY-4.0", 3, "license"), RecordLicense("", None, 2, "license")),
        license="CC-BY-4.0 AND MIT", findings=frozenset({"attribution-required"})),
    Row("records without a value and nothing above them: unlicensed",
        records=(RecordLicense("", None, 4, "license"),), license=None, findings=frozenset({"unlicensed"})),
    Row("a record value naming no terms inherits the folder's license, with a warning",
        inherited=(folder(K.LICENSE_FILE, "CC-BY-NC-4.0"),), records=(RecordLicense("N/A", None, 2, "license"),),
        license="CC-BY-NC-4.0", findings=frozenset({"unknown-license", "use-restricted", "attribution-required"})),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.rule for r in ROWS])
def test_resolve(row: Row) -> None:
    records = sum(r.count for r in row.records) or None
    got = resolve("data.txt", AssetKind.TEXT, row.own, row.inherited, row.decl, row.records, records, row.use)
    assert got.license == row.license
    assert {f.rule for f in got.findings} == row.findings
    if row.source is not None:
        assert got.source == row.source


def test_a_license_file_or_card_is_never_unlicensed_itself() -> None:
    got = resolve("LICENSE", AssetKind.LICENSE_FILE, (), (), (), (), None, "commercial")
    assert got.license is None and got.findings == ()


def test_the_nearest_folder_wins_and_unreadable_terms_bring_the_parent_in() -> None:
    scope = ScopeIndex()
    scope.add(folder(K.LICENSE_FILE, "MIT", "LICENSE", scope=""))
    scope.add(folder(K.LICENSE_FILE, "CC-BY-4.0", "a/LICENSE", scope="a"))
    scope.add(folder(K.CARD_METADATA, None, "a/b/README.md", scope="a/b", raw="other"))
    assert [e.license for e in scope.nearest("a/c")] == ["CC-BY-4.0"]  # a sub-folder before its parent
    assert [e.license for e in scope.nearest("x")] == ["MIT"]
    # `license: other` in a/b names no terms: a/'s grant is weighed against it, not lost
    assert [e.license for e in scope.nearest("a/b/deep")] == [None, "CC-BY-4.0"]
    got = resolve("a/b/deep/x.txt", AssetKind.TEXT, (), scope.nearest("a/b/deep"), (), (), None, "commercial")
    assert got.license == UNKNOWN and "license-conflict" in {f.rule for f in got.findings}
