"""What can be sampled in a saved scan: every record of a table, and every text, code file, image,
audio or video asset (archive members included). The same definition counts the corpus's items
in the reports (`items_of`), so the filing section and `provenance sample draw` agree."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from provenance.errors import ConfigError

SCAN_FILE = "scan.json"
ASSETS_FILE = "assets.parquet"


@dataclass(frozen=True)
class Unit:
    """One asset that holds items: `count` records of a table, or one text."""

    path: str
    kind: str
    count: int


@dataclass(frozen=True)
class Stratum:
    """One source and its units in a fixed order (by path), so item numbers are stable."""

    source: str
    root: str
    units: tuple[Unit, ...]

    @property
    def size(self) -> int:
        return sum(u.count for u in self.units)


@dataclass(frozen=True)
class Population:
    scan_dir: Path
    strata: tuple[Stratum, ...]

    @property
    def size(self) -> int:
        return sum(s.size for s in self.strata)


#: Kinds whose assets are one item each (tables count their records instead).
SINGLE_ITEM_KINDS = frozenset({"text", "code", "image", "audio", "video"})


def items_of(kind: str, records: int | None) -> int:
    """How many review items an asset holds: its records for a table, 1 for a text, code file or
    media asset, 0 for license files, cards, descriptors, archives (their members count) and others."""
    if kind == "table":
        return int(records or 0)
    return 1 if kind in SINGLE_ITEM_KINDS else 0


def scan_dir_of(scan: str | Path) -> Path:
    """Accept the scan's output folder or its scan.json."""
    path = Path(scan)
    folder = path if path.is_dir() else path.parent
    if not (folder / SCAN_FILE).is_file() or not (folder / ASSETS_FILE).is_file():
        raise ConfigError(f"{scan}: not a scan output (needs {SCAN_FILE} and {ASSETS_FILE})")
    return folder


def load_population(scan: str | Path) -> Population:
    folder = scan_dir_of(scan)
    try:
        meta = json.loads((folder / SCAN_FILE).read_text(encoding="utf-8"))
        table = pq.read_table(folder / ASSETS_FILE, columns=["path", "source", "kind", "records"])
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read scan in {folder}: {exc}") from exc
    roots = {s["name"]: str(s.get("root", "")) for s in meta.get("sources", [])}
    units: dict[str, list[Unit]] = {}
    for row in table.to_pylist():
        count = items_of(row["kind"], row["records"])
        if count:
            units.setdefault(row["source"], []).append(Unit(row["path"], row["kind"], count))
    strata = tuple(
        Stratum(name, _root(folder, roots.get(name, "")), tuple(sorted(units[name], key=lambda u: u.path)))
        for name in sorted(units)
    )
    return Population(folder, strata)


def _root(scan_dir: Path, root: str) -> str:
    """A source root as recorded; a relative one is taken from the scan folder if it exists there."""
    if root and not Path(root).is_absolute() and (scan_dir / root).exists():
        return str(scan_dir / root)
    return root
