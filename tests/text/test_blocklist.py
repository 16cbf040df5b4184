from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import ConfigError
from provenance.text.blocklist import Blocklist, load_blocklist, parse_blocklist


def test_parse_and_load(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("\ufeff# 注释\n赌博\n\n  casino  \n# skip\nBad Phrase\n", encoding="utf-8")
    assert load_blocklist(path) == ("赌博", "casino", "Bad Phrase")
    assert parse_blocklist("a\r\nb\n") == ("a", "b")
    with pytest.raises(ConfigError):
        load_blocklist(tmp_path / "missing.txt")


def test_match_chinese_anywhere_latin_whole_words() -> None:
    blocklist = Blocklist(("赌博", "casino", "bad phrase"))
    assert blocklist.match("他们在网上赌博").entries == (("赌博", 1),)
    assert blocklist.match("ＣＡＳＩＮＯ night, Casino again").entries == (("casino", 2),)
    assert not blocklist.match("casinos and occasional").blocked
    assert blocklist.match("a BAD  phrase? no; a Bad Phrase!").entries == (("bad phrase", 1),)


def test_duplicates_and_literal_star() -> None:
    blocklist = Blocklist(("abc", "ABC", "x*"))
    assert blocklist.entries == ("abc", "x*")
    assert blocklist.match("x* here").blocked
    assert not blocklist.match("xyz here").blocked


def test_picklable_and_rebuilt() -> None:
    blocklist = Blocklist(("违禁词",))
    assert blocklist.match("含违禁词").blocked
    copy = pickle.loads(pickle.dumps(blocklist))
    assert copy.match("含违禁词").blocked


def test_many_entries_stay_fast() -> None:
    entries = tuple(f"entry{i:05d}" for i in range(20_000)) + tuple(f"词{i}语" for i in range(20_000))
    blocklist = Blocklist(entries)
    text = "plain words and 中文内容 " * 2000 + " entry19999 "
    blocklist.match("warm up")
    started = time.perf_counter()
    match = blocklist.match(text)
    elapsed = time.perf_counter() - started
    assert match.entries == (("entry19999", 1),)
    assert elapsed < 0.5


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text(alphabet="赌博诈骗毒品枪支", min_size=1, max_size=3), min_size=1, max_size=8),
    st.text(alphabet="赌博诈骗毒品枪支的了是", max_size=40),
)
def test_cjk_entries_match_exactly_the_substrings(entries: list[str], text: str) -> None:
    blocklist = Blocklist(tuple(entries))
    found = {e for e, _ in blocklist.match(text).entries}
    assert found == {e for e in blocklist.entries if e in text}
