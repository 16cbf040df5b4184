"""Markdown rendering of the filing section."""

from __future__ import annotations

from provenance.reporting.document import BarChart, Cell, Document, Fields, Heading, Para, Table
from provenance.reporting.escape import md


def _cell(c: Cell) -> str:
    return md(c.text) if c.text else " "


def render_markdown(doc: Document) -> str:
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + md(block.text), ""]
        elif isinstance(block, Para):
            lines += [md(block.text), ""]
        elif isinstance(block, Fields):
            lines += [f"- **{md(label)}**: {_cell(value)}" for label, value in block.rows] + [""]
        elif isinstance(block, Table):
            rows = block.rows or (tuple(Cell("-") for _ in block.headers),)
            lines.append("| " + " | ".join(md(h) for h in block.headers) + " |")
            lines.append("|" + "|".join("---" for _ in block.headers) + "|")
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            lines.append("")
        elif isinstance(block, BarChart):
            continue  # the same figures are in the tables beside it; charts are HTML only
    return "\n".join(lines).rstrip("\n") + "\n"
