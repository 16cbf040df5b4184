"""`provenance sample draw` on what a real `provenance scan` wrote (not a hand-made scan.json): every
drawn item is in the corpus, the counts are the ones the filing section states, and a seed redraws
the same sample."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from provenance.cli import main
from provenance.sampling.review_csv import ReviewRow, read_rows
from tests.imgfixtures import encode, make_photo

JSONL_RECORDS = 120
CSV_ROWS = 60
PARQUET_ROWS = 40
TEXTS = 12


def _corpus(tree) -> Path:
    jsonl = ""
    for i in range(JSONL_RECORDS):
        jsonl += json.dumps({"id": i, "text": f"crawl record {i}"}) + "\n"
        if i % 25 == 0:
            jsonl += "\n"  # blank lines: not records, but they count as lines for the locator
    table = io.BytesIO()
    pq.write_table(pa.table({"text": [f"book row {i}" for i in range(PARQUET_ROWS)]}), table)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("one.txt", "deep/two.txt"):
            zf.writestr(name, f"archived {name}\n")
    files: dict[str, str | bytes] = {
        "LICENSE": "Released under the MIT License.\n",
        "web/pages.jsonl": jsonl,
        "web/table.csv": "text,label\n" + "".join(f"csv row {i},x\n" for i in range(CSV_ROWS)),
        "web/bundle.zip": archive.getvalue(),
        "books/README.md": "---\nlicense: cc-by-4.0\n---\n# Books\n",
        "books/rows.parquet": table.getvalue(),
        "books/cover.png": encode(make_photo(2), "PNG"),
        "code/tool.py": "print('tool')\n",
    }
    for i in range(TEXTS):
        files[f"books/chapters/ch{i:02d}.txt"] = f"chapter {i} " + "text " * 50
    return tree(files)


def _report_counts(report: Path) -> tuple[int, int]:
    """(items for sampling, the technical check's minimum) as the filing section states them."""
    text = report.read_text(encoding="utf-8")
    items = re.search(r"\*\*Items for sampling[^*]*\*\*: ([\d,]+)", text)
    technical = re.search(r"\*\*Technical check\*\*: at least 10% of items \(([\d,]+)\)", text)
    assert items and technical, text
    return int(items.group(1).replace(",", "")), int(technical.group(1).replace(",", ""))


def _assert_in_corpus(corpus: Path, row: ReviewRow, sources: dict[str, str]) -> None:
    """The drawn item is there: its file (or archive member), and its record at the locator."""
    assert sources[row.path] == row.source, row
    assert not row.excerpt.startswith(("[record not found]", "[unreadable")), row
    if "!" in row.path:
        archive, member = row.path.split("!", 1)
        with zipfile.ZipFile(corpus / archive) as zf:
            assert member in zf.namelist(), row
        return
    file = corpus / row.path
    assert file.is_file(), row
    if row.path.endswith(".jsonl"):
        number = int(row.locator.removeprefix("line "))
        record = json.loads(file.read_text(encoding="utf-8").splitlines()[number - 1])
        assert row.excerpt == f"{record['id']} | {record['text']}", row
    elif row.path.endswith(".csv"):
        index = int(row.locator.removeprefix("row "))
        data = list(csv.reader(file.read_text(encoding="utf-8").splitlines()))[1:]
        assert row.excerpt == " | ".join(data[index]), row
    elif row.path.endswith(".parquet"):
        index = int(row.locator.removeprefix("row "))
        assert row.excerpt == pq.read_table(file).column("text")[index].as_py(), row
    elif row.path.endswith(".txt"):
        assert row.locator == "" and " ".join(file.read_text(encoding="utf-8").split()).startswith(
            row.excerpt.rstrip("…")), row


def test_draw_from_a_real_scan(tree, tmp_path: Path) -> None:
    corpus = _corpus(tree)
    out = tmp_path / "out"
    scanned = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "--no-cache", "--lang", "en",
                                        "--format", "md", "--spdx-files", "none", "-q"])
    assert scanned.exit_code == 0, scanned.output
    items, technical = _report_counts(out / "data-legality.en.md")
    # records of the three tables, the texts, the code file, the image and the two archive members
    assert items == JSONL_RECORDS + CSV_ROWS + PARQUET_ROWS + TEXTS + 1 + 1 + 2
    sources = {r["path"]: r["source"] for r in pq.read_table(out / "assets.parquet").to_pylist()}

    # The technical check (10%) from the scan folder: as many items as the report asks for.
    tech = tmp_path / "tech.csv"
    drawn = CliRunner().invoke(main, ["sample", "draw", str(out), "--fraction", "0.1", "--seed", "7", "-o", str(tech)])
    assert drawn.exit_code == 0, drawn.output
    assert drawn.output.splitlines()[0].startswith(f"{technical} of {items} items (technical check, seed 7)")
    rows = read_rows(tech)
    assert len(rows) == technical
    plan = json.loads((tmp_path / "tech.meta.json").read_text(encoding="utf-8"))
    assert plan["size"] == technical and plan["population"] == items
    assert sum(drawn for _, drawn, _ in plan["strata"]) == technical
    assert {source for source, _, _ in plan["strata"]} == {"web", "books", "code"}

    # A larger draw from scan.json: every item is in the corpus, none twice, every source seen.
    big = tmp_path / "big.csv"
    redo = CliRunner().invoke(main, ["sample", "draw", str(out / "scan.json"), "-n", "150", "--seed", "3",
                                     "-o", str(big)])
    assert redo.exit_code == 0, redo.output
    rows = read_rows(big)
    assert len(rows) == 150 and len({(r.path, r.locator) for r in rows}) == 150
    for row in rows:
        _assert_in_corpus(corpus, row, sources)
    drawn_kinds = {Path(r.path.split("!")[0]).suffix for r in rows}
    assert drawn_kinds >= {".jsonl", ".csv", ".parquet", ".txt"}

    # The same seed draws the same sample, byte for byte; another seed another one.
    again = tmp_path / "again.csv"
    assert CliRunner().invoke(main, ["sample", "draw", str(out / "scan.json"), "-n", "150", "--seed", "3",
                                     "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == big.read_bytes()
    assert (tmp_path / "again.meta.json").read_text() == (tmp_path / "big.meta.json").read_text()
    other = tmp_path / "other.csv"
    assert CliRunner().invoke(main, ["sample", "draw", str(out / "scan.json"), "-n", "150", "--seed", "4",
                                     "-o", str(other)]).exit_code == 0
    assert [(r.path, r.locator) for r in read_rows(other)] != [(r.path, r.locator) for r in rows]
