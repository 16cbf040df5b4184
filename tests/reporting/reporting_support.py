"""Helpers for the reporting tests: corpora built by code, scanned and normalised.

`built` is a corpus written here (declarations, Chinese text, a card, a table with per-record
licenses, hostile file names). `examples` is the repository's examples/corpus when the checkout has
it. Scan results are normalised (the temporary root becomes /corpus) so golden files are stable.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from provenance.api import scan
from provenance.results import ScanResult, load_result

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "corpus"
# A top-level folder is a logical source: its name reaches tables, charts and SPDX package names.
HOSTILE_SOURCE = "[src](javascript:alert(5)) <i>"
HOSTILE_NAMES = (
    "<script>alert(1)<\\script>.txt",
    "<img src=x onerror=alert(1)>.txt",
    "[x](javascript:alert(1)).md",
    "pipe|name `tick` *star* _u_ #h.txt",
)

DECLARATIONS = """\
service:
  name: 示例客服助手 Demo Support Assistant
  provider: Example Co.
  purpose: customer-service dialogue
  domains: [retail support]
sources:
  - path: "web/**"
    name: web
    type: self-collected
    origin: "https://example.cn/help"
    collection_log: logs/crawl.jsonl
    region: domestic
    language: zh
  - path: "books/**"
    name: books
    type: commercial
    origin: Northwind Books
    contract: NW-2025-001
    region: foreign
    language: en
  - path: "open/**"
    name: open
    type: open-source
    origin: "https://example.org/open"
    license: apache-2.0
    region: foreign
    language: en
ip:
  owner: Example Co. legal
  complaint_channel: ip@example.com
"""


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def build_corpus(root: Path) -> Path:
    """The code-built corpus every golden file of `built` comes from."""
    files = {
        "provenance.yaml": DECLARATIONS,
        "web/README.md": "---\nlicense: cc-by-4.0\n---\n# 帮助中心\n客服问答，<b>抓取</b>自 example.cn。\n",
        "web/faq-1.txt": "如何退货？请在三十天内联系客服。\n",
        "web/faq-2.txt": "How do I reset my password? Use the link in settings.\n",
        "books/README.md": "---\nlicense: cc-by-nc-4.0\n---\n# Books [card](javascript:alert(2))\n",
        "books/chapter-1.txt": "It was a bright cold day in April.\n",
        "open/notes.txt": "SPDX-License-Identifier: Apache-2.0\nOpen notes about support dialogues.\n",
        "open/records.csv": "id,text,license\n1,hello,cc-by-4.0\n2,world,cc0-1.0\n3,again,\n",
        "cards/README.md": "---\nlicense: \"<img src=x onerror=alert(3)>\"\n---\n# [x](javascript:alert(4))\n",
        "cards/item.txt": "carded item\n",
        "loose.txt": "notes without any license\n",
        f"{HOSTILE_SOURCE}/item.txt": "SPDX-License-Identifier: MIT\nitem\n",
    }
    write_tree(root, files)
    for name in HOSTILE_NAMES:
        (root / "hostile" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "hostile" / name).write_text("hostile name\n", encoding="utf-8")
    return root


def copy_examples(root: Path) -> Path:
    shutil.copytree(EXAMPLES, root)
    return root


def normalise(out: Path, root: Path) -> ScanResult:
    """Replace the temporary corpus root by /corpus in scan.json, so outputs do not depend on tmp paths."""
    path = out / "scan.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    text = text.replace(json.dumps(str(root))[1:-1], "/corpus")
    path.write_text(text + "\n", encoding="utf-8")
    return load_result(out)


def scan_into(corpus: Path, out: Path, **options: Any) -> ScanResult:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        scan(corpus, out, jobs=1, **options)
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return normalise(out, corpus)


def visible_pipes(line: str) -> int:
    """Unescaped `|` in a Markdown table line."""
    return len(re.findall(r"(?<!\\)\|", line))
