"""`text-works`: passages of registered text works in files, records and whole scans."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import provenance
from provenance.analysis.context import Limits
from provenance.detectors import DetectorConfig, build_detectors
from provenance.detectors.interface import AssetContent
from provenance.detectors.text_works import TextWorksDetector
from provenance.errors import ConfigError, RegistryError
from provenance.model import Asset, AssetKind, Rule, Severity
from provenance.policy import parse_policy
from provenance.textworks.thresholds import SpanThresholds
from provenance.textworks.tokens import winnow
from tests.registry.textcorpus import build_text_registry, chinese, cjk_of, english, words_of

HOST = english(500, 400)
ZH_HOST = chinese(501, 600)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return build_text_registry(tmp_path_factory.mktemp("textreg"))


def content(name: str, data: bytes, kind: AssetKind = AssetKind.TEXT, head: int = 8 << 20) -> AssetContent:
    asset = Asset(path=name, kind=kind, size=len(data), source="test")
    return AssetContent(asset, data[:head], len(data) <= head, lambda: io.BytesIO(data))


def inside(passage: str, host: str = HOST, sep: str = " ") -> str:
    words = host.split()
    half = len(words) // 2
    return sep.join(words[:half]) + sep + passage + sep + sep.join(words[half:])


def test_long_passage_is_an_error_with_work_span_shares_and_place(registry: tuple[Path, dict[str, str]]) -> None:
    reg, works = registry
    det = TextWorksDetector([str(reg)])
    out = det.detect(content("notes/a.txt", inside(words_of(works["isbn:111"], 700, 120)).encode()))
    (f,) = out.findings
    assert f.rule is Rule.KNOWN_WORK and f.severity is Severity.ERROR
    assert "'The Long Road'" in f.message and "isbn:111" in f.message and "Acme Books" in f.message
    assert "120 words" in f.message and "of the work" in f.message
    assert f.locations == ("line 1", "https://example.org/road")
    (m,) = out.facts["matches"]
    assert (m["work_id"], m["words"], m["cjk"], m["kind"], m["level"]) == ("isbn:111", 120, 0, "text", "error")
    assert 0.2 < m["share_item"] < 0.3 and 0.03 < m["share_work"] < 0.05
    json.dumps(out.facts)


def test_thresholds_short_quote_excerpt_and_error(registry: tuple[Path, dict[str, str]]) -> None:
    reg, works = registry
    det = TextWorksDetector([str(reg)])
    novel, poems = works["isbn:111"], works["poems:1"]
    cases = [
        (words_of(novel, 1200, 12), None),  # a short quote: never reported
        (words_of(novel, 1300, 30), Rule.KNOWN_WORK_EXCERPT),
        (words_of(novel, 1400, 50), Rule.KNOWN_WORK),
        (cjk_of(poems, 300, 25), None),
        (cjk_of(poems, 600, 60), Rule.KNOWN_WORK_EXCERPT),
        (cjk_of(poems, 900, 100), Rule.KNOWN_WORK),
    ]
    for passage, rule in cases:
        host, sep = (ZH_HOST, "") if "\u4e00" <= passage[0] <= "\u9fff" else (HOST, " ")
        text = inside(passage, host, sep) if sep else host[:300] + passage + host[300:]
        out = det.detect(content("x.txt", text.encode()))
        assert [f.rule for f in out.findings] == ([rule] if rule else []), (passage[:30], out.facts)
    # the policy moves the lines: a 60-word error span is only an excerpt when errors start at 80
    strict = TextWorksDetector([str(reg)], SpanThresholds(error_words=80, error_chars=160))
    out = strict.detect(content("x.txt", inside(words_of(novel, 1500, 60)).encode()))
    assert [f.rule for f in out.findings] == [Rule.KNOWN_WORK_EXCERPT]


def test_edited_copies_are_found(registry: tuple[Path, dict[str, str]]) -> None:
    reg, works = registry
    det = TextWorksDetector([str(reg)])
    passage = words_of(works["news:7"], 200, 80)
    edits = {
        "rewrapped": "\n".join(passage[i:i + 61] for i in range(0, len(passage), 61)).replace(" \n", "\n"),
        "upper, no punctuation": "".join(ch for ch in passage.upper() if ch.isalnum() or ch.isspace()),
        "typographic": passage.replace("'", "\u2019").replace(", ", " \u2014 "),
        "html": "<div><p>" + passage.replace(" ", " <em>", 3).replace(". ", ".</p><p>") + "</p></div>",
        "3% noise": " ".join(w if i % 33 else w + "x" for i, w in enumerate(passage.split())),
    }
    for name, text in edits.items():
        out = det.detect(content("page.html", inside(text).encode()))
        assert [f.rule for f in out.findings] == [Rule.KNOWN_WORK], name
        assert out.facts["matches"][0]["work_id"] == "news:7"


def test_passage_split_across_records_is_one_span(registry: tuple[Path, dict[str, str]]) -> None:
    reg, works = registry
    det = TextWorksDetector([str(reg)])
    words = words_of(works["isbn:111"], 2000, 90).split()
    records = [HOST[:200] + " " + " ".join(words[:30]), " ".join(words[30:60]), " ".join(words[60:]) + " fin"]
    data = "".join(json.dumps({"text": r, "license": "CC0-1.0"}) + "\n" for r in records).encode()
    out = det.detect(content("data/train.jsonl", data, AssetKind.TABLE))
    (f,) = out.findings
    assert f.rule is Rule.KNOWN_WORK and f.count == 3 and "90 words" in f.message
    assert out.facts["matches"][0]["where"] == "record 1 to record 3"
    # a Parquet table: rows located as row=N
    buf = io.BytesIO()
    pq.write_table(pa.table({"text": records}), buf)
    out = det.detect(content("data/train.parquet", buf.getvalue(), AssetKind.TABLE))
    assert out.facts["matches"][0]["where"] == "row=0 to row=2"


def test_unrelated_text_matches_nothing(registry: tuple[Path, dict[str, str]]) -> None:
    reg, _ = registry
    det = TextWorksDetector([str(reg)])
    for seed in range(600, 640):
        text = english(seed, 800) if seed % 2 else chinese(seed, 1500)
        out = det.detect(content("u.txt", text.encode()))
        assert not out.findings, seed


def test_large_text_is_streamed_to_the_end(registry: tuple[Path, dict[str, str]]) -> None:
    reg, works = registry
    det = TextWorksDetector([str(reg)])
    filler = "\n".join(english(700 + i, 400) for i in range(20))
    text = filler + "\n" + words_of(works["song:9"], 50, 100) + "\n" + filler
    data = text.encode()
    out = det.detect(content("big.txt", data, head=4096))  # head smaller than the file: streamed
    (f,) = out.findings
    assert f.rule is Rule.KNOWN_WORK and "'Night Song'" in f.message
    line = filler.count("\n") + 2
    assert out.facts["matches"][0]["where"] == f"line {line - (line - 1) % 64}"


def test_detector_is_picklable_and_checks_registries_at_start(registry: tuple[Path, dict[str, str]],
                                                              tmp_path: Path) -> None:
    reg, works = registry
    det = pickle.loads(pickle.dumps(TextWorksDetector([str(reg)])))
    assert det.applies(Asset("a.txt", AssetKind.TEXT, 1, "s")) and det.applies(Asset("t.csv", AssetKind.TABLE, 1, "s"))
    assert not det.applies(Asset("a.png", AssetKind.IMAGE, 1, "s"))
    assert det.detect(content("a.txt", inside(words_of(works["isbn:222"], 40, 70)).encode())).findings
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"nope")
    with pytest.raises(RegistryError):
        TextWorksDetector([str(bad)])
    assert not TextWorksDetector([]).applies(Asset("a.txt", AssetKind.TEXT, 1, "s"))


def test_build_detectors_takes_several_registries(registry: tuple[Path, dict[str, str]]) -> None:
    reg, _ = registry
    dets = build_detectors(DetectorConfig(registries=(str(reg), str(reg))))
    (tw,) = [d for d in dets if isinstance(d, TextWorksDetector)]
    assert tw.registries == (str(reg), str(reg))
    assert DetectorConfig(registries=(str(reg),)).fingerprint() != DetectorConfig(
        registries=(str(reg),), text_thresholds=SpanThresholds(error_words=60)).fingerprint()


def test_policy_known_works_section() -> None:
    pol = parse_policy({"known_works": {"error_words": 80, "quote_chars": 30}})
    assert pol.known_works == SpanThresholds(error_words=80, quote_chars=30)
    with pytest.raises(ConfigError, match="unknown key"):
        parse_policy({"known_works": {"error_word": 80}})
    with pytest.raises(ConfigError, match="shorter"):
        parse_policy({"known_works": {"quote_words": 60}})


def test_scan_with_two_registries_reports_and_fails(registry: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    reg, works = registry
    other = tmp_path / "other"
    other.mkdir()
    (other / "memo.txt").write_text(english(800, 500))
    from provenance.registry.text_build import add_text

    reg2 = tmp_path / "second.parquet"
    add_text(reg2, other)
    data = tmp_path / "data"
    data.mkdir()
    (data / "LICENSE").write_text("CC0 1.0 Universal\n\nhttps://creativecommons.org/publicdomain/zero/1.0/\n")
    (data / "a.txt").write_text(inside(words_of(works["isbn:111"], 100, 70)))
    (data / "b.jsonl").write_text(json.dumps({"text": inside(words_of(english(800, 500), 20, 30))}) + "\n")
    (data / "c.txt").write_text(HOST)
    result = provenance.scan(data, tmp_path / "out", registry=[reg, reg2], reports=True, cache=False,
                             limits=Limits())
    rows = {r["path"]: r for r in result.assets()}

    def known(path: str) -> list[str]:
        return [f["rule"] for f in json.loads(rows[path]["findings_json"]) if "known" in f["rule"]]

    assert known("a.txt") == ["known-work"] and known("b.jsonl") == ["known-work-excerpt"] and not known("c.txt")
    assert result.verdict.status.value == "fail" and ("known-work", 1) in result.verdict.failed
    assert json.loads(rows["a.txt"]["facts_json"])["text-works"]["matches"][0]["title"] == "The Long Road"
    section = (tmp_path / "out" / "data-legality.en.md").read_text()
    assert "The Long Road" in section


def test_winnowing_keeps_an_anchor_in_every_window() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        m, w = int(rng.integers(1, 300)), int(rng.integers(1, 20))
        h = rng.integers(0, 50, size=m).astype(np.uint64)  # many ties
        sel = set(winnow(h, w).tolist())
        for i in range(max(1, m - w + 1)):
            window = range(i, min(m, i + w))
            assert sel & set(window), (m, w, i)
            best = max(j for j in window if h[j] == min(h[k] for k in window))
            assert best in sel


def test_text_inside_datasets_objects_is_checked(registry: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    reg, works = registry
    rows = {"text": [HOST[:300], inside(words_of(works["isbn:222"], 30, 80)), chinese(900, 200)],
            "license": ["cc0-1.0"] * 3}
    ds = datasets.Dataset.from_dict(rows)
    for obj, path in ((ds, "data.arrow"), (datasets.IterableDatasetDict({"train": ds.to_iterable_dataset()}),
                                            "train.jsonl")):
        result = provenance.scan_dataset(obj, "books", tmp_path / f"out-{path}", registry=reg, cache=False)
        (row,) = [r for r in result.assets() if r["path"] == path]
        rules = [f["rule"] for f in json.loads(row["findings_json"])]
        assert "known-work" in rules, (path, rules)
        where = json.loads(row["facts_json"])["text-works"]["matches"][0]["where"]
        assert where == ("row=1" if path.endswith(".arrow") else "record 2")
