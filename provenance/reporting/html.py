"""HTML rendering of the filing section: one self-contained file, inline CSS and SVG, no scripts,
no external requests (a Content-Security-Policy forbids them). Every text goes through `h()`."""

from __future__ import annotations

from functools import cache

from provenance.reporting.document import BarChart, Cell, Document, Fields, Heading, Para, Table
from provenance.reporting.escape import h
from provenance.resources import data_dir

# No scripts, no requests: only the inline style and data: images are allowed.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
       "form-action 'none'")
# Colours by legend position: for license classes commercial, non-commercial, research-only, no grant,
# unidentified, no license.
PALETTE = ("#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#9e9e9e", "#8d1c13", "#1565c0", "#00838f")
SINGLE = "#1565c0"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


@cache
def stylesheet() -> str:
    return (data_dir("reports") / "templates" / "report.css").read_text(encoding="utf-8")


def _cell(c: Cell, tag: str = "td") -> str:
    text = h(c.text) if c.text else ""
    if c.code and text:
        text = f"<code>{text}</code>"
    cls = f' class="tone-{h(c.tone)}"' if c.tone else ""
    return f"<{tag}{cls}>{text}</{tag}>"


def _chart(chart: BarChart) -> str:
    """Horizontal (stacked) bars as inline SVG; the legend names the segments."""
    names: list[str] = list(chart.series)
    for _, segments in chart.bars:
        for name, _value in segments:
            if name not in names:
                names.append(name)
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    if len(names) == 1:
        colour[names[0]] = SINGLE
    used = {name for _, segments in chart.bars for name, _value in segments}
    names = [n for n in names if n in used]
    peak = max((sum(v for _, v in segs) for _, segs in chart.bars), default=0.0) or 1.0
    label_w, bar_w, row_h = 180, 440, 22
    height = row_h * max(1, len(chart.bars)) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 60}" '
             f'height="{height}" viewBox="0 0 {label_w + bar_w + 60} {height}">',
             f"<title>{h(chart.title)}</title>"]
    for i, (label, segments) in enumerate(chart.bars):
        y = 4 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}">{h(label[:32])}</text>')
        x = float(label_w)
        total = 0.0
        for name, value in segments:
            w = bar_w * value / peak
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                         f'fill="{colour[name]}"><title>{h(name)}: {value:g}</title></rect>')
            x += w
            total += value
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}">{total:g}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{colour[n]}"></i>{h(n)}</span>' for n in names)
    return (f"<figure><figcaption>{h(chart.title)}</figcaption>{''.join(parts)}"
            f'<div class="legend">{legend}</div></figure>')


def render_html(doc: Document) -> str:
    body: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            anchor = f' id="{h(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{h(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            cls = f' class="tone-{h(block.tone)}"' if block.tone else ""
            body.append(f"<p{cls}>{h(block.text)}</p>")
        elif isinstance(block, Fields):
            items = "".join(f"<dt>{h(label)}</dt>{_cell(value, 'dd')}" for label, value in block.rows)
            body.append(f'<dl class="fields">{items}</dl>')
        elif isinstance(block, Table):
            head = "".join(f"<th>{h(x)}</th>" for x in block.headers)
            rows = block.rows or (tuple(Cell("-") for _ in block.headers),)
            trs = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
        elif isinstance(block, BarChart):
            body.append(_chart(block))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{HTML_LANG.get(doc.lang, doc.lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(doc.title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
