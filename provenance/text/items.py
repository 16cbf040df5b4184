"""The unit the text detectors count: one text asset, or one record of a table."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.detectors.interface import AssetContent
from provenance.model import AssetKind

#: Kinds whose content the text detectors read: text files, and tables record by record.
TEXT_KINDS = frozenset({AssetKind.TEXT, AssetKind.CODE, AssetKind.TABLE})
#: How many example locations a finding lists.
MAX_LOCATIONS = 20


@dataclass(frozen=True)
class TextItem:
    """One item to check."""

    text: str
    #: None for a whole text asset (hits are located by line inside it); for a record, its
    #: locator as the record reader names it: "12" for JSONL line 12, "row=5" for a table row.
    locator: str | None = None


def location(path: str, item: TextItem, line: int) -> str:
    """`notes.txt:12` for a line of a text asset, `data.jsonl:12` for a record."""
    return f"{path}:{item.locator if item.locator is not None else line}"


def read_items(content: AssetContent) -> tuple[tuple[TextItem, ...], dict[str, int]]:
    """The asset as one item (a table: one item per record), and facts about how it was read."""
    if content.asset.kind is AssetKind.TABLE:
        from provenance.records_text import record_items

        return content.cached("record_items", lambda: record_items(content))
    text, _reason = content.text()
    if text is None:
        return (), {"unreadable": 1}
    return (TextItem(text),), ({} if content.complete else {"partial": 1})
