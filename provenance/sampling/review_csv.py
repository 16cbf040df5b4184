"""The review spreadsheet: written so no cell can run as a formula, read back with verdicts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ConfigError

COLUMNS = ("sample_id", "source", "path", "locator", "excerpt", "verdict", "note")
#: Characters that make Excel, LibreOffice or Sheets read a cell as a formula or command.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

QUALIFIED = frozenset({"合格", "qualified", "pass", "passed", "ok", "yes", "y", "是", "1", "✓", "√"})
UNQUALIFIED = frozenset({"不合格", "unqualified", "fail", "failed", "no", "n", "否", "0", "✗", "×"})


@dataclass(frozen=True)
class ReviewRow:
    sample_id: str
    source: str
    path: str
    locator: str
    excerpt: str
    verdict: str = ""
    note: str = ""


def safe_cell(value: str) -> str:
    """Prefix a cell that would start a formula with an apostrophe (OWASP CSV injection advice)."""
    text = value.replace("\r", " ").replace("\n", " ")
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


def unsafe_cell(value: str) -> str:
    """Undo `safe_cell` when reading back."""
    rest = value[1:]
    if value.startswith("'") and rest.startswith(_FORMULA_START):
        return rest
    if value.startswith("'") and rest.lstrip().startswith(_FORMULA_START):
        return rest
    return value


def write_rows(path: Path, rows: Iterable[ReviewRow]) -> int:
    """UTF-8 with a BOM so spreadsheet programs show Chinese correctly. Returns rows written."""
    count = 0
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([safe_cell(getattr(row, c)) for c in COLUMNS])
            count += 1
    tmp.replace(path)
    return count


def read_rows(path: Path) -> tuple[ReviewRow, ...]:
    """Read a review file back; spreadsheets in Chinese locales often save as GB18030."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ConfigError(f"{path}: not UTF-8 or GB18030 text")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"sample_id", "verdict"} - set(reader.fieldnames or ())
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    rows = []
    for record in reader:
        values = {c: unsafe_cell((record.get(c) or "").strip()) for c in COLUMNS}
        rows.append(ReviewRow(**values))
    return tuple(rows)


def parse_verdict(value: str) -> bool | None:
    """True (qualified), False (unqualified) or None (not reviewed yet). Unknown words raise."""
    key = value.strip().casefold()
    if not key:
        return None
    if key in QUALIFIED:
        return True
    if key in UNQUALIFIED:
        return False
    raise ValueError(value)
