from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cli.sample import sample
from provenance.errors import ConfigError
from provenance.sampling.draw import allocate, draw
from provenance.sampling.population import load_population
from provenance.sampling.review import summarise, wilson
from provenance.sampling.review_csv import ReviewRow, read_rows, safe_cell, unsafe_cell

JSONL_RECORDS = 300
CSV_ROWS = 120
PARQUET_ROWS = 80
TEXTS = 25


def build_scan(tmp_path: Path) -> Path:
    """A corpus with two sources and a scan output folder describing it."""
    web = tmp_path / "corpus" / "web"
    books = tmp_path / "corpus" / "books"
    (web / "docs").mkdir(parents=True)
    books.mkdir(parents=True)
    with (web / "data.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(JSONL_RECORDS):
            fh.write(json.dumps({"id": i, "text": f"record {i} 联系 138{i:08d}"}, ensure_ascii=False) + "\n")
            if i % 50 == 0:
                fh.write("\n")  # blank lines are not records
    with (web / "table.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        for i in range(CSV_ROWS):
            writer.writerow([f"=cmd|' /C calc'!A{i}" if i == 0 else f"csv row {i}", "x"])
    for i in range(TEXTS):
        (web / "docs" / f"doc{i:02d}.txt").write_text(f"document {i}\n" + "正文 " * 200, encoding="utf-8")
    pq.write_table(pa.table({"text": [f"parquet row {i}" for i in range(PARQUET_ROWS)]}), books / "b.parquet")
    out = tmp_path / "scan"
    out.mkdir()
    scan = {
        "schema": 1,
        "sources": [
            {"name": "web", "kind": "local", "root": str(web)},
            {"name": "books", "kind": "local", "root": str(books)},
        ],
    }
    (out / "scan.json").write_text(json.dumps(scan), encoding="utf-8")
    rows = [("data.jsonl", "web", "table", JSONL_RECORDS), ("table.csv", "web", "table", CSV_ROWS),
            ("b.parquet", "books", "table", PARQUET_ROWS), ("LICENSE", "web", "license-file", None),
            ("img.png", "web", "image", None)]
    rows += [(f"docs/doc{i:02d}.txt", "web", "text", None) for i in range(TEXTS)]
    table = pa.table({
        "path": [r[0] for r in rows],
        "source": [r[1] for r in rows],
        "kind": [r[2] for r in rows],
        "size": [1] * len(rows),
        "sha256": ["0" * 64] * len(rows),
        "license": [None] * len(rows),
        "use_class": ["unknown"] * len(rows),
        "findings": [[] for _ in rows],
        "records": pa.array([r[3] for r in rows], type=pa.int64()),
        "facts_json": ["{}"] * len(rows),
    })
    pq.write_table(table, out / "assets.parquet")
    return out / "scan.json"


def test_population_counts_records_texts_and_media(tmp_path: Path) -> None:
    population = load_population(build_scan(tmp_path))
    sizes = {s.source: s.size for s in population.strata}
    # the image is one item; the license file is none
    assert sizes == {"web": JSONL_RECORDS + CSV_ROWS + TEXTS + 1, "books": PARQUET_ROWS}


def test_allocation_is_proportional_and_exact() -> None:
    assert allocate([900, 100], 100) == [90, 10]
    assert allocate([1000, 3], 10) == [9, 1]  # every source is seen
    assert sum(allocate([7, 11, 13], 17)) == 17
    assert allocate([5, 5], 50) == [5, 5]


def test_same_seed_same_sample_other_seed_differs(tmp_path: Path) -> None:
    population = load_population(build_scan(tmp_path))
    first = draw(population, 60, seed=7)
    assert first == draw(population, 60, seed=7)
    assert first != draw(population, 60, seed=8)
    assert len(first) == 60 and len(set(first)) == 60
    assert sum(1 for i in first if i.source == "books") == round(60 * PARQUET_ROWS / population.size)


def test_cli_draw_writes_safe_csv_with_excerpts(tmp_path: Path) -> None:
    scan = build_scan(tmp_path)
    out = tmp_path / "review.csv"
    result = CliRunner().invoke(sample, [str(scan), "-n", "400", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 400
    raw = out.read_text(encoding="utf-8-sig")
    for line in raw.splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@"))
    jsonl = [r for r in rows if r.path == "data.jsonl"]
    assert jsonl and all(r.locator.startswith("line ") for r in jsonl)
    # The locator is the file's line number (blank lines are not records but count as lines).
    lines = (tmp_path / "corpus/web/data.jsonl").read_text(encoding="utf-8").splitlines()
    for r in jsonl:
        record = json.loads(lines[int(r.locator.split()[1]) - 1])
        assert r.excerpt.startswith(f"{record['id']} | record {record['id']} ")
        assert "138****" in r.excerpt and record["text"][-11:] not in r.excerpt  # masked
    formula = [r for r in rows if r.path == "table.csv" and r.locator == "row 0"]
    if formula:
        assert formula[0].excerpt.startswith("=cmd")  # read back intact
        assert "'=cmd" in raw
    texts = [r for r in rows if r.path.startswith("docs/")]
    assert texts and all(r.locator == "" and len(r.excerpt) <= 200 for r in texts)
    again = tmp_path / "again.csv"
    result = CliRunner().invoke(sample, ["-n", "400", "--seed", "3", "-o", str(again), str(scan)])
    assert result.exit_code == 0, result.output  # options before the scan also mean "draw"
    assert again.read_bytes() == out.read_bytes()
    other = tmp_path / "other.csv"
    CliRunner().invoke(sample, [str(scan), "-n", "400", "--seed", "4", "-o", str(other)])
    assert other.read_bytes() != out.read_bytes()


def test_cli_fraction_and_import_records_review(tmp_path: Path) -> None:
    scan = build_scan(tmp_path)
    out = tmp_path / "tech.csv"
    args = [str(scan.parent), "--fraction", "0.1", "--seed", "1", "-o", str(out)]
    result = CliRunner().invoke(sample, args)
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 53  # ceil(0.1 * 525)
    verdicts = ["不合格" if i == 0 else "合格" for i in range(len(rows))]
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sample_id", "source", "path", "locator", "excerpt", "verdict", "note"])
        for row, verdict in zip(rows, verdicts, strict=True):
            writer.writerow([row.sample_id, row.source, row.path, row.locator, row.excerpt, verdict, ""])
    result = CliRunner().invoke(sample, ["import", str(out)])
    assert result.exit_code == 0, result.output
    review = json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))
    tech = review["reviews"]["technical"]
    assert tech["n"] == 53 and tech["qualified"] == 52 and tech["threshold"] == 0.98
    assert tech["rate"] == pytest.approx(52 / 53, abs=1e-6)
    assert tech["pass"] is True and tech["reasons"] == []  # 98.1% >= 98%
    assert tech["ci_low"] < tech["rate"] < tech["ci_high"]
    assert json.loads(scan.read_text())["sources"]  # scan.json untouched
    # A second unqualified item brings the rate to 96.2%: the technical check fails.
    text = out.read_text(encoding="utf-8-sig").replace(",合格,", ",不合格,", 1)
    out.write_text(text, encoding="utf-8-sig")
    result = CliRunner().invoke(sample, ["import", str(out)])
    assert result.exit_code == 1 and "FAIL" in result.output  # a failed check fails the command
    tech = json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))["reviews"]["technical"]
    assert tech["pass"] is False and tech["unqualified"] == 2


def test_import_rejects_unknown_verdicts_and_counts_blanks(tmp_path: Path) -> None:
    rows = (ReviewRow("1", "s", "p", "", "", "合格"), ReviewRow("2", "s", "p", "", "", "maybe"))
    with pytest.raises(ConfigError):
        summarise(rows, "human", 10, None, "r.csv")
    rows = (ReviewRow("1", "s", "p", "", "", "qualified"), ReviewRow("2", "s", "p", "", "", ""))
    summary = summarise(rows, "human", 2, None, "r.csv")
    assert summary.reviewed == 1 and not summary.passed and "have no verdict" in summary.reasons[0]


def test_human_rule_needs_4000_and_96_percent() -> None:
    rows = tuple(ReviewRow(str(i), "s", "p", "", "", "合格" if i >= 150 else "不合格") for i in range(4000))
    summary = summarise(rows, "human", 100_000, 1, "r.csv")
    assert summary.rate == pytest.approx(0.9625) and summary.passed
    small = summarise(rows[:3000], "human", 100_000, 1, "r.csv")
    assert not small.passed and any("below the required 4000" in r for r in small.reasons)


def test_wilson_interval_known_values() -> None:
    low, high = wilson(96, 100)
    assert low == pytest.approx(0.9016, abs=1e-4) and high == pytest.approx(0.9843, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_safe_cells() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", " =x", "＝1"):
        assert safe_cell(bad).startswith("'")
        assert unsafe_cell(safe_cell(bad)) == bad
    assert safe_cell("ordinary 文本") == "ordinary 文本"
    assert safe_cell("a\nb") == "a b"


def test_review_file_round_trip_keeps_formulas_inert(tmp_path: Path) -> None:
    from provenance.sampling.review_csv import write_rows

    path = tmp_path / "r.csv"
    evil = "=HYPERLINK(\"http://x\",\"y\")"
    rows = [ReviewRow("000001", "web", "a.txt", "", evil), ReviewRow("000002", "web", "@b", "", "中文")]
    write_rows(path, rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    cells = [c for row in csv.reader(raw.decode("utf-8-sig").splitlines()) for c in row]
    assert not any(c.startswith(("=", "@")) for c in cells)
    back = read_rows(path)
    assert back[0].excerpt == evil and back[1].path == "@b" and back[1].excerpt == "中文"
    # A spreadsheet saved in a Chinese locale (GB18030) still imports.
    path.write_bytes(raw.decode("utf-8-sig").replace(",,", ",合格,").encode("gb18030"))
    assert [r.verdict for r in read_rows(path)] == ["合格", "合格"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=8), st.integers(1, 3000))
def test_allocation_properties(sizes: list[int], total: int) -> None:
    counts = allocate(sizes, total)
    assert sum(counts) == min(total, sum(sizes))
    assert all(0 <= c <= s for c, s in zip(counts, sizes, strict=True))


def test_cli_usage_errors_and_import_without_plan(tmp_path: Path) -> None:
    scan = build_scan(tmp_path)
    out = tmp_path / "r.csv"
    args = [str(scan), "-n", "5", "--fraction", "0.1", "--seed", "1", "-o", str(out)]
    both = CliRunner().invoke(sample, args)
    assert both.exit_code == 2 and "exactly one" in both.output
    assert CliRunner().invoke(sample, [str(scan), "-n", "20", "--seed", "1", "-o", str(out)]).exit_code == 0
    (tmp_path / "r.meta.json").unlink()
    lost = CliRunner().invoke(sample, ["import", str(out)])
    assert lost.exit_code == 2 and "--scan" in lost.output
    # Without the plan the kind is not guessed: 20 rows could be either check.
    unsure = CliRunner().invoke(sample, ["import", str(out), "--scan", str(scan)])
    assert unsure.exit_code == 2 and "--kind" in unsure.output
    assert not (scan.parent / "review.json").exists()
    done = CliRunner().invoke(sample, ["import", str(out), "--scan", str(scan), "--kind", "human"])
    assert done.exit_code == 1, done.output  # nothing reviewed yet: the check fails
    human = json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))["reviews"]["human"]
    assert human["n"] == 20 and human["reviewed"] == 0 and human["pass"] is False


def _fill(path: Path, verdict: str) -> None:
    rows = read_rows(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sample_id", "source", "path", "locator", "excerpt", "verdict", "note"])
        for row in rows:
            writer.writerow([row.sample_id, row.source, row.path, row.locator, row.excerpt, verdict, ""])


def test_import_never_replaces_the_other_review(tmp_path: Path) -> None:
    scan = build_scan(tmp_path)
    tech, human = tmp_path / "tech.csv", tmp_path / "human.csv"
    assert CliRunner().invoke(sample, [str(scan), "--fraction", "0.1", "--seed", "1", "-o", str(tech)]).exit_code == 0
    assert CliRunner().invoke(sample, [str(scan), "-n", "60", "--seed", "2", "-o", str(human)]).exit_code == 0
    _fill(tech, "合格")
    assert CliRunner().invoke(sample, ["import", str(tech)]).exit_code == 0
    # The technical file forced as human while its plan says technical: refused; without its plan
    # and without --kind: refused too (no guessing).
    meta = tmp_path / "tech.meta.json"
    contradict = CliRunner().invoke(sample, ["import", str(tech), "--kind", "human"])
    assert contradict.exit_code == 2 and "contradicts" in contradict.output
    meta.unlink()
    blind = CliRunner().invoke(sample, ["import", str(tech), "--scan", str(scan)])
    assert blind.exit_code == 2 and "--kind" in blind.output
    reviews = json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))["reviews"]
    assert set(reviews) == {"technical"} and reviews["technical"]["pass"] is True
    # The human check goes in beside the technical one, which stays as it was.
    _fill(human, "qualified")
    # (60 items are below the 525 the human check needs for this population: it fails, exit 1)
    assert CliRunner().invoke(sample, ["import", str(human)]).exit_code == 1
    reviews = json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))["reviews"]
    assert reviews["technical"]["pass"] is True and reviews["technical"]["n"] == 53
    assert reviews["human"]["n"] == 60
    # Another file for the human check does not silently replace the recorded one.
    other = tmp_path / "human-2.csv"
    other.write_bytes(human.read_bytes())
    again = CliRunner().invoke(sample, ["import", str(other), "--scan", str(scan), "--kind", "human"])
    assert again.exit_code == 2 and "--replace" in again.output
    assert json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))["reviews"]["human"][
        "review_file"] == str(human.resolve())
    forced = CliRunner().invoke(sample, ["import", str(other), "--scan", str(scan), "--kind", "human", "--replace"])
    assert forced.exit_code == 1, forced.output
    assert json.loads((scan.parent / "review.json").read_text(encoding="utf-8"))["reviews"]["human"][
        "review_file"] == str(other.resolve())


def test_excerpts_locate_rows_and_report_unreadable(tmp_path: Path) -> None:
    from provenance.sampling.draw import SampleItem
    from provenance.sampling.excerpt import excerpts

    scan = build_scan(tmp_path)
    web, books = tmp_path / "corpus/web", tmp_path / "corpus/books"
    items = (
        SampleItem("web", "table.csv", "table", 3),
        SampleItem("web", "table.csv", "table", CSV_ROWS + 5),
        SampleItem("web", "missing.jsonl", "table", 0),
        SampleItem("web", "docs/doc01.txt", "text", None),
    )
    found = excerpts(str(web), items)
    assert found[items[0]].locator == "row 3" and found[items[0]].text == "csv row 3 | x"
    assert found[items[1]].text == "[record not found]"
    assert found[items[2]].text == "[unreadable: FileNotFoundError]"
    assert found[items[3]].text.startswith("document 1 正文") and len(found[items[3]].text) == 200
    row = SampleItem("books", "b.parquet", "table", 77)
    assert excerpts(str(books), (row,))[row].text == "parquet row 77"
    assert scan.is_file()


def test_choose_is_uniform_and_reproducible() -> None:
    from provenance.sampling.draw import HashRandom, choose

    picks = choose(HashRandom(1, "s"), 1000, 100)
    assert len(set(picks)) == 100 and picks == sorted(picks) and all(0 <= p < 1000 for p in picks)
    assert picks == choose(HashRandom(1, "s"), 1000, 100)
    assert picks != choose(HashRandom(1, "t"), 1000, 100)  # each source has its own stream
    assert choose(HashRandom(3, "s"), 5, 5) == [0, 1, 2, 3, 4]
    # 500 draws of 5 from 20: each position is expected 125 times (sd about 10).
    hits = [0] * 20
    for seed in range(500):
        for p in choose(HashRandom(seed, "u"), 20, 5):
            hits[p] += 1
    assert min(hits) > 90 and max(hits) < 160


def test_review_file_must_match_the_drawn_sample() -> None:
    rows = tuple(ReviewRow(str(i), "s", "p", "", "", "合格") for i in range(10))
    assert summarise(rows, "human", 10, 1, "r.csv", drawn=10).passed
    short = summarise(rows[:9], "human", 10, 1, "r.csv", drawn=10)
    assert not short.passed and any("9 rows but 10" in r for r in short.reasons)
    twice = summarise((*rows[:9], rows[0]), "human", 10, 1, "r.csv", drawn=10)
    assert not twice.passed and "the review file repeats sample ids" in twice.reasons


def test_the_report_and_the_sampler_count_the_same_items(tree, tmp_path: Path) -> None:
    import provenance
    from provenance.reporting.clauses import corpus_items
    from provenance.reporting.facts import build_facts
    from tests.imgfixtures import encode, make_photo

    root = tree({
        "LICENSE": "Released under the MIT License.\n", "README.md": "# Data\n",
        "a.jsonl": '{"text": "a"}\n{"text": "b"}\n{"text": "c"}\n', "b.csv": "text\nx\ny\n",
        "notes.txt": "hello", "tool.py": "print(1)\n", "photo.png": encode(make_photo(3), "PNG"),
    })
    result = provenance.scan(root, tmp_path / "out", reports=False)
    population = load_population(tmp_path / "out")
    assert population.size == 3 + 2 + 1 + 1 + 1  # records, the text, the code file, the image
    assert corpus_items(build_facts(result)) == population.size
    kinds = {item.kind for item in draw(population, population.size, seed=1)}
    assert kinds == {"table", "text", "code", "image"}
