from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.model import AssetKind
from provenance.sources.interface import Entry, Skipped, Unreadable
from provenance.sources.kinds import kind_of
from provenance.sources.local import LocalSource


def _listing(source: LocalSource) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in source.entries():
        if isinstance(item, Entry):
            out[item.asset.path] = item
        else:
            out[item.path] = item
    return out


def test_kinds_from_names() -> None:
    assert kind_of("LICENSE") is AssetKind.LICENSE_FILE
    assert kind_of("LICENSE-MIT") is AssetKind.LICENSE_FILE
    assert kind_of("COPYING.txt") is AssetKind.LICENSE_FILE
    assert kind_of("cc-by-4.0.LICENSE") is AssetKind.LICENSE_FILE
    assert kind_of("license_check.py") is AssetKind.CODE
    assert kind_of("README.md") is AssetKind.DATASET_CARD
    assert kind_of("train.parquet") is AssetKind.TABLE
    assert kind_of("a.JPG") is AssetKind.IMAGE
    assert kind_of("shard-0001.tar") is AssetKind.ARCHIVE
    assert kind_of("notes.txt") is AssetKind.TEXT
    assert kind_of("blob.bin") is AssetKind.OTHER


def test_walk_is_sorted_relative_posix_and_honours_ignores(tree) -> None:
    root = tree({
        "b/two.txt": "2", "a/one.txt": "1", "a/skip.log": "x", "build/out.txt": "o",
        ".provenanceignore": "*.log\nbuild/\n", ".git/config": "x",
    })
    source = LocalSource(root, exclude=["b/"])
    paths = [i.asset.path for i in source.entries() if isinstance(i, Entry)]
    assert paths == ["a/one.txt"]
    entry = next(i for i in source.entries() if isinstance(i, Entry))
    assert entry.asset.size == 1 and entry.asset.kind is AssetKind.TEXT


def test_symlinks_are_not_followed_by_default(tree, tmp_path: Path) -> None:
    root = tree({"real.txt": "data", "dir/x.txt": "x"})
    os.symlink(root / "real.txt", root / "link.txt")
    os.symlink("missing-target", root / "dangling")
    os.symlink(root / "dir", root / "dir/loop")
    listing = _listing(LocalSource(root))
    assert isinstance(listing["link.txt"], Skipped)
    assert isinstance(listing["dangling"], Unreadable) and "broken symlink" in listing["dangling"].reason
    followed = _listing(LocalSource(root, follow_symlinks=True))
    assert isinstance(followed["link.txt"], Entry)
    assert isinstance(followed["dir/loop"], Unreadable) and "loop" in followed["dir/loop"].reason


def test_fifo_is_listed_as_unreadable_never_opened(tree) -> None:
    root = tree({"a.txt": "a"})
    os.mkfifo(root / "pipe")
    listing = _listing(LocalSource(root))
    assert isinstance(listing["pipe"], Unreadable) and "FIFO" in listing["pipe"].reason


def test_invalid_utf8_and_control_characters_in_names(tree) -> None:
    root = tree({"ok.txt": "x"})
    with open(os.path.join(os.fsencode(root), b"bad\xffname.txt"), "wb") as f:
        f.write(b"x")
    (root / "new\nline.txt").write_text("y")
    entries = [i for i in LocalSource(root).entries() if isinstance(i, Entry)]
    by_path = {e.asset.path: e for e in entries}
    assert "bad\\xffname.txt" in by_path and "not valid UTF-8" in (by_path["bad\\xffname.txt"].problem or "")
    assert "new\\x0aline.txt" in by_path and "control characters" in (by_path["new\\x0aline.txt"].problem or "")
    assert by_path["ok.txt"].problem is None


def test_single_file_source(tree) -> None:
    root = tree({"only.jsonl": '{"a": 1}\n'})
    paths = [i.asset.path for i in LocalSource(root / "only.jsonl").entries() if isinstance(i, Entry)]
    assert paths == ["only.jsonl"]


@settings(max_examples=300, deadline=None)
@given(stem=st.text(alphabet="abcdeilnoprstuyACEILNRST._-ſİıK", max_size=14),
       ext=st.sampled_from(["", ".txt", ".md", ".py", ".json", ".png", ".LICENSE", ".licence", ".rst", ".zip"]))
def test_the_fast_path_of_kind_of_agrees_with_the_name_rules(stem: str, ext: str) -> None:
    from provenance.sources import kinds

    name = stem + ext
    lower = name.lower()
    dot = lower.rfind(".")
    if kinds._CARD_NAME.match(name):
        expected = AssetKind.DATASET_CARD
    elif kinds._LICENSE_NAME.search(name) and not kinds._NOT_LICENSE.intersection(lower.split(".")[1:]):
        expected = AssetKind.LICENSE_FILE
    else:
        expected = kinds._BY_EXTENSION.get(lower[dot:] if dot > 0 else "", AssetKind.OTHER)
    assert kind_of(name) is expected


def test_a_name_that_reads_like_an_escape_stays_distinct(tmp_path: Path) -> None:
    from provenance.sources.local import display_path

    root = tmp_path / "c"
    root.mkdir()
    (root / "a\\xff.txt").write_text("literal backslash")
    with open(os.path.join(os.fsencode(root), b"a\xff.txt"), "wb") as f:
        f.write(b"raw byte")
    paths = sorted(e.asset.path for e in LocalSource(root).entries() if isinstance(e, Entry))
    assert paths == ["a\\\\xff.txt", "a\\xff.txt"]  # shown: a\\xff.txt (literal) and a\xff.txt (byte)
    assert display_path("plain/name.txt") == ("plain/name.txt", None)
    assert display_path("back\\slash") == ("back\\\\slash", None)  # doubled, not an error


def test_a_single_file_is_one_asset(tmp_path: Path) -> None:
    import provenance

    data = tmp_path / "one.jsonl"
    data.write_text('{"text": "a", "license": "mit"}\n{"text": "b", "license": "mit"}\n'
                    '{"text": "c", "license": "mit"}\n{"text": "d", "license": "mit"}\n')
    result = provenance.scan(data, tmp_path / "out", reports=False)
    rows = result.assets(columns=["path", "records"])
    assert [(r["path"], r["records"]) for r in rows] == [("one.jsonl", 4)]
    assert result.summary["assets"] == 1 and result.summary["records"] == 4
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n")
    assert provenance.scan(card, tmp_path / "out2", reports=False).summary["assets"] == 1


def test_a_root_given_with_dots_is_shown_plainly(tree, tmp_path: Path) -> None:
    import provenance

    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    result = provenance.scan(root / ".." / root.name, tmp_path / "out", reports=False)
    assert result.parameters["root"] == str(root) and ".." not in result.parameters["root"]
