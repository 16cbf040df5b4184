"""Values that flow through a scan. Frozen dataclasses and enums only: no I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class AssetKind(str, Enum):
    """What an asset is, decided from its name (and for text, its first bytes)."""

    TEXT = "text"
    CODE = "code"
    TABLE = "table"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    ARCHIVE = "archive"
    LICENSE_FILE = "license-file"
    DATASET_CARD = "dataset-card"
    #: Files a format or tool keeps beside the data (save_to_disk's dataset_info.json and state.json,
    #: dataset_infos.json, Croissant and Frictionless descriptors, .gitattributes): metadata, not data.
    DATASET_METADATA = "dataset-metadata"
    OTHER = "other"


# Kinds that describe data rather than being training data themselves: read in pass 1 (they may
# hold folder evidence), listed with their hashes, never unlicensed themselves.
METADATA_KINDS = frozenset({AssetKind.LICENSE_FILE, AssetKind.DATASET_CARD, AssetKind.DATASET_METADATA})


class UseClass(str, Enum):
    """What a license lets a trainer do, from most to least permissive."""

    COMMERCIAL = "commercial"
    NON_COMMERCIAL = "non-commercial"
    RESEARCH_ONLY = "research-only"
    NO_GRANT = "no-grant"  # all rights reserved: nothing is granted
    UNKNOWN = "unknown"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Name(str, Enum):
    """An enum whose members compare, hash and print as their string value, so a dict keyed by
    members and one keyed by the same strings (read from scan.json or a policy file) agree."""

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Rule(Name):
    """Every finding's rule id."""

    UNLICENSED = "unlicensed"
    USE_RESTRICTED = "use-restricted"
    LICENSE_CONFLICT = "license-conflict"
    SCAN_ERROR = "scan-error"
    UNKNOWN_LICENSE = "unknown-license"
    RIGHTS_RESERVED = "rights-reserved"
    ATTRIBUTION_REQUIRED = "attribution-required"
    SHARE_ALIKE = "share-alike"
    NO_DERIVATIVES = "no-derivatives"
    LICENSE_DENIED = "license-denied"
    LICENSE_NOT_ALLOWED = "license-not-allowed"
    KNOWN_WORK = "known-work"
    #: A passage of a registered text work longer than a short quote but below the error span.
    KNOWN_WORK_EXCERPT = "known-work-excerpt"
    TDM_OPT_OUT = "tdm-opt-out"
    BLOCKED_CONTENT = "blocked-content"
    PERSONAL_INFO = "personal-info"
    OFF_PURPOSE = "off-purpose"
    ARCHIVE_MEMBER_SKIPPED = "archive-member-skipped"
    UPSTREAM_UNRESOLVED = "upstream-unresolved"
    URL_DOMAINS = "url-domains"
    RECORD_SOURCES = "record-sources"
    #: A file of 0 bytes: listed, nothing to check; not a read error.
    EMPTY_FILE = "empty-file"
    #: Only part of an asset was checked on purpose (a sample of a table's embedded media).
    PARTIALLY_CHECKED = "partially-checked"


class ProblemKind(str, Enum):
    """Why part of an asset could not be checked, by what can be done about it."""

    #: The name itself (not valid UTF-8, control characters); the file is still read.
    NAME = "name"
    #: Opening or reading failed, or the file changed, vanished, is too large or sparse: may differ next time.
    READ = "read"
    #: The bytes were read but are not what the name says, or are damaged: a fact about the content.
    CONTENT = "content"
    #: A detector raised: a bug to see again on the next scan, never remembered.
    CRASH = "crash"


@dataclass(frozen=True)
class Problem:
    """A reason an asset (or part of one) could not be fully checked; it becomes a `scan-error`."""

    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return self.message


class EvidenceKind(str, Enum):
    """Where a piece of license information was read."""

    LICENSE_FILE = "license-file"
    CARD_METADATA = "card-metadata"
    CARD_PROSE = "card-prose"
    SPDX_HEADER = "spdx-header"
    #: A license notice in a file's leading comment ("Licensed under the Apache License, Version 2.0")
    #: or a module's `__license__`.
    HEADER_NOTICE = "header-notice"
    RECORD_FIELD = "record-field"
    IMAGE_METADATA = "image-metadata"
    DECLARATION = "declaration"


class Level(str, Enum):
    """How specific evidence is. A more specific level overrides a less specific one."""

    RECORD = "record"
    FILE = "file"
    DIRECTORY = "directory"
    DECLARED = "declared"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.RECORD: 0, Level.FILE: 1, Level.DIRECTORY: 2, Level.DECLARED: 3}


@dataclass(frozen=True)
class Location:
    """A place in the corpus: a path, and optionally a 1-based line or a field name."""

    path: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.field:
            return f"{self.path}#{self.field}"
        return self.path


@dataclass(frozen=True)
class Evidence:
    """One claim about licensing, with where it was seen and how sure the reading is."""

    kind: EvidenceKind
    level: Level
    location: Location
    #: Normalised SPDX expression, or None when the text was seen but not identified.
    license: str | None
    #: What the source said, shortened; never a whole file.
    raw: str
    #: 0..1: how sure the matcher is that `license` is what the text means.
    confidence: float
    #: Which matcher or rule produced this evidence.
    matcher: str
    #: For directory evidence: the folder it covers ("" is the source root).
    scope: str = ""
    #: For record evidence: how many records carry this value.
    records: int = 0
    #: A rights reservation ("All rights reserved") rather than a grant.
    reservation: bool = False
    #: What part of a project folder evidence covers: "data", "code", "model", or "" (all of it).
    #: DATA_LICENSE says "data"; a dataset card's metadata speaks for the data, not the scripts.
    applies_to: str = ""

    @property
    def declared(self) -> bool:
        return self.kind is EvidenceKind.DECLARATION


@dataclass(frozen=True)
class Finding:
    """Something wrong (or worth knowing) about one asset."""

    rule: Rule
    severity: Severity
    path: str
    message: str
    #: Records affected, when the finding is about records inside the asset.
    count: int = 1
    #: Places that back the finding (e.g. both sides of a conflict).
    locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asset:
    """One file, archive member or dataset file, before it is read."""

    #: Path relative to the source root, POSIX separators; archive members as `a.tar!member`.
    path: str
    kind: AssetKind
    size: int
    source: str
    mtime_ns: int = 0

    @property
    def folder(self) -> str:
        head, _, _ = self.path.rpartition("/")
        return head


@dataclass(frozen=True)
class RecordLicense:
    """How many records of a table carry one license value."""

    #: The value as written ("" for records without one), shortened.
    value: str
    #: Its SPDX expression; None when missing or not identified.
    license: str | None
    count: int
    #: Where the value was read (column or field name).
    field: str = ""


@dataclass(frozen=True)
class AssetResult:
    """Everything one scan learned about one asset."""

    asset: Asset
    sha256: str | None
    sha1: str | None
    #: Effective license as an SPDX expression; None when no grant was found.
    license: str | None
    use_class: UseClass
    #: Location of the evidence the effective license came from ("" when none).
    license_source: str
    evidence: tuple[Evidence, ...]
    findings: tuple[Finding, ...]
    #: Why the asset could not be read completely; None when it was.
    error: str | None = None
    #: Records seen inside a table asset, None for non-tables.
    records: int | None = None
    #: Per-record license values with counts (tables with a license column).
    record_licenses: tuple[RecordLicense, ...] = ()
    #: Detector-specific facts keyed by detector id; JSON-serialisable.
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceInfo:
    """A scanned source: a folder, a file, a Hub dataset."""

    name: str
    kind: str
    root: str
    revision: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanErrorEntry:
    """An asset (or part of one) that could not be read, and why."""

    path: str
    reason: str
    source: str = ""
    #: "error" counts towards --max-errors; "warning" is listed only.
    severity: str = "error"


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one rule in one folder, counted."""

    rule: str
    severity: Severity
    folder: str
    assets: int
    records: int
    bytes: int
    examples: tuple[str, ...]


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


EXIT_CODES = {Status.PASS: 0, Status.FAIL: 1, Status.INCOMPLETE: 3}
EXIT_USAGE = 2
#: Stopped by Ctrl-C (SIGINT), as shells report it: never 1, which means "the data fails the policy".
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Waived:
    rule: str
    pattern: str
    reason: str
    expires: str | None
    assets: int


@dataclass(frozen=True)
class Verdict:
    """The gate's answer, with every reason that led to it."""

    status: Status
    reasons: tuple[str, ...]
    #: Rule ids that failed the policy, with the number of assets.
    failed: tuple[tuple[str, int], ...] = ()
    waived: tuple[Waived, ...] = ()
    #: Assets that could not be fully read; a pass always says how many.
    skipped: int = 0
    policy: str = "default"
    use: str = "commercial"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS
