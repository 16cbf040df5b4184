"""CSV and TSV as real repositories hold them: every column read as text, and rows that do not
fit the header (too many or too few fields) skipped and counted instead of ending the read."""

from __future__ import annotations

import csv
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv

from provenance.detectors.interface import AssetContent

BLOCK_SIZE = 1 << 22


def csv_header(head: bytes, delimiter: str) -> list[str]:
    """Column names from the first line (all that is needed to read every column as text)."""
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
    return next(csv.reader([first], delimiter=delimiter), [])


def delimiter_of(name: str) -> str:
    return "\t" if name.lower().endswith(".tsv") else ","


class CsvRecords:
    """A streaming reader over a CSV/TSV asset; `bad` rows are skipped and counted, `first_bad`
    keeps the start of the first one."""

    def __init__(self, content: AssetContent) -> None:
        self.content = content
        self.delimiter = delimiter_of(content.asset.path)
        self.bad = 0
        self.first_bad = ""

    def _skip(self, row: Any) -> str:
        self.bad += 1
        if not self.first_bad:
            self.first_bad = str(row.text or "")[:80]
        return "skip"

    def reader(self) -> Any:
        # Every column read as text: types guessed from the first block would call a valid file
        # malformed where a numeric column later holds text.
        header = csv_header(self.content.head, self.delimiter)
        return pcsv.open_csv(
            self.content.open(),
            read_options=pcsv.ReadOptions(block_size=BLOCK_SIZE),
            parse_options=pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True,
                                            invalid_row_handler=self._skip),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                strings_can_be_null=False),
        )

    def skipped(self) -> str | None:
        """What was skipped, in words; None when every row fitted."""
        if not self.bad:
            return None
        return f"{self.bad} row(s) do not fit the header's columns and were skipped (first: {self.first_bad!r})"
