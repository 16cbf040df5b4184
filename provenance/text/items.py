"""The unit the text checks count: one text asset, or one record of a table."""

from __future__ import annotations

from dataclasses import dataclass

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
