"""How real license files differ from the reference text: one function per variant, deterministic."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

_COMMENT_STYLES = ("#", "//", "/*", ";", "--")


def original(text: str, seed: int) -> str:
    return text


def rewrapped(text: str, seed: int) -> str:
    """Every paragraph reflowed to a different width."""
    width = 50 + (seed * 7) % 40
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width=width) for p in paragraphs if p.strip())


def comment_block(text: str, seed: int) -> str:
    """The text as a source-file header in one of five comment styles."""
    style = _COMMENT_STYLES[seed % len(_COMMENT_STYLES)]
    lines = text.splitlines()
    if style == "/*":
        return (
            "/*\n"
            + "\n".join(" * " + line if line else " *" for line in lines)
            + "\n */\nint main(void) { return 0; }\n"
        )
    body = "\n".join(f"{style} {line}" if line else style for line in lines)
    return body + "\n\nimport os\n" if style == "#" else body + "\n"


def crlf(text: str, seed: int) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def fill_fields(text: str) -> str:
    """Template fields filled in the way a project would."""
    text = re.sub(r"<\s*(?:year|yyyy|jahr)\s*>", "2021", text, flags=re.IGNORECASE)
    return re.sub(r"<(?![^<>\n]*(?:@|://|#))[^<>\n]{1,60}>", "Acme Data Labs", text)


def changed_copyright(text: str, seed: int) -> str:
    """Fields filled, copyright lines replaced by other holders, and one more copyright line on top."""
    text = fill_fields(text)
    holder = ("Zhang Wei", "Example Corp.", "The Data Commons Project contributors", "Jane Q. Doe")[seed % 4]
    out = []
    for line in text.splitlines():
        if re.match(r"\s*(?:copyright\s*(?:\(c\)|©)?\s*(?:\d{4}|<)|\(c\)\s*\d{4}|©\s*\d{4})", line, re.I):
            line = f"Copyright (c) 2018-2024 {holder}"
        out.append(line)
    return f"Copyright 2024 {holder}. Some parts copyright 2020 Someone Else.\n\n" + "\n".join(out)


def markdown(text: str, seed: int) -> str:
    """A LICENSE.md: heading, bold title lines, list markers, a closing link."""
    lines = text.splitlines()
    out = ["# License", ""]
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i < 3 and stripped and len(stripped) < 70:
            out.append(f"## {stripped}")
        elif re.match(r"^\(?[a-z0-9]{1,2}[.)]\s", stripped):
            out.append(f"- {stripped}")
        elif stripped.isupper() and 0 < len(stripped) < 80:
            out.append(f"**{stripped}**")
        else:
            out.append(line)
    out += ["", "---", "", "_See the [repository](https://example.org/repo) for details._"]
    return "\n".join(out)


_README_HEAD = """# Tiny Corpus of Street Signs

Tiny Corpus is a small image-and-caption dataset collected by volunteers in 2023. It holds
12,400 photographs of street signs with captions in English and Chinese, split into train,
validation and test folders. See `data/` for the Parquet shards.

## Usage

```python
from datasets import load_dataset
ds = load_dataset("example/tiny-corpus", split="train")
```

## License

The dataset and the accompanying code are distributed under the terms below.

"""
_README_TAIL = """

## Citation

```bibtex
@misc{tinycorpus2023,
  title  = {Tiny Corpus of Street Signs},
  author = {Doe, Jane and Zhang, Wei},
  year   = {2023}
}
```

Questions: open an issue on the tracker.
"""


def embedded(text: str, seed: int) -> str:
    """The license inside a longer README."""
    return _README_HEAD + fill_fields(text) + _README_TAIL


def html(text: str, seed: int) -> str:
    """A LICENSE.html: paragraphs in <p>, quotes and ampersands as entities, a page around it."""
    escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    paragraphs = [p for p in re.split(r"\n\s*\n", escaped) if p.strip()]
    body = "\n".join(f'<p class="license">{p.replace(chr(10), "<br/>" + chr(10))}</p>' for p in paragraphs)
    return f"<!DOCTYPE html>\n<html><head><title>License</title></head>\n<body>\n{body}\n</body></html>\n"


VARIANTS: dict[str, Callable[[str, int], str]] = {
    "original": original,
    "rewrapped": rewrapped,
    "comment": comment_block,
    "crlf": crlf,
    "copyright": changed_copyright,
    "markdown": markdown,
    "embedded": embedded,
    "html": html,
}
