"""Text works and unrelated text made by code (seeded), and a small text registry built from them."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

from provenance.registry.build import read_metadata
from provenance.registry.text_build import add_text

_SYLLABLES = ["ka", "lo", "mi", "ren", "sta", "vel", "dor", "an", "is", "tum", "pra", "el", "ose", "qui", "bar",
              "nel", "tho", "ur", "gam", "fi", "wes", "cor", "ly", "po", "zen", "ith", "ma", "ro", "sel", "du"]


def english(seed: int, words: int) -> str:
    """Prose-like English: capitalised sentences, commas, an apostrophe now and then."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(4000)]
    out, sentence = [], 0
    for i in range(words):
        w = rng.choice(vocab)
        if sentence == 0:
            w = w.capitalize()
        if rng.random() < 0.03:
            w += "'s"
        sentence += 1
        if sentence > 6 and rng.random() < 0.15:
            w += "."
            sentence = 0
        elif rng.random() < 0.06:
            w += ","
        out.append(w)
        if i % 13 == 12:
            out.append("\n")
    return " ".join(out).replace(" \n ", "\n")


def chinese(seed: int, chars: int) -> str:
    """Chinese-like text: Han characters with full-width commas and full stops."""
    rng = random.Random(seed)
    pool = [chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3000)]
    out = []
    for i in range(chars):
        out.append(rng.choice(pool))
        if i % 17 == 16:
            out.append("，" if rng.random() < 0.7 else "。")
    return "".join(out)


def words_of(text: str, start: int, n: int) -> str:
    return " ".join(text.split()[start:start + n])


def cjk_of(text: str, start: int, n: int) -> str:
    """n Han characters from `start` (punctuation between them kept)."""
    han = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    return text[han[start]:han[start + n - 1] + 1]


def epub(path: Path, chapters: list[str]) -> Path:
    """A minimal EPUB: container, OPF spine, one XHTML file per chapter."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                    '</rootfiles></container>')
        items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
                        for i in range(len(chapters)))
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
        zf.writestr("OEBPS/content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
                    f'version="3.0"><manifest>{items}</manifest><spine>{spine}</spine></package>')
        for i, text in enumerate(chapters):
            body = "".join(f"<p>{p}</p>" for p in text.split("\n"))
            zf.writestr(f"OEBPS/c{i}.xhtml", f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>')
    return path


def make_works(root: Path) -> dict[str, str]:
    """A folder of works in every readable format, and works.csv; returns the texts by work id."""
    root.mkdir(parents=True, exist_ok=True)
    texts = {
        "novel": english(1, 3000),
        "article": english(2, 1200),
        "poems": chinese(3, 2500),
        "lyrics": english(4, 400),
    }
    (root / "novel.txt").write_text(texts["novel"], encoding="utf-8")
    (root / "article.html").write_text("<html><body><h1>Title</h1>" + "".join(
        f"<p>{p}</p>" for p in texts["article"].split("\n")) + "</body></html>", encoding="utf-8")
    (root / "poems.md").write_text("# 诗\n\n" + texts["poems"], encoding="utf-8")
    half = len(texts["lyrics"]) // 2
    with open(root / "lyrics.jsonl", "w", encoding="utf-8") as fh:
        for part in (texts["lyrics"][:half], texts["lyrics"][half:]):
            fh.write(json.dumps({"text": part}) + "\n")
    texts["book"] = english(5, 1500)
    epub(root / "book.epub", texts["book"].split("\n")[:60])
    texts["book"] = "\n".join(texts["book"].split("\n")[:60])
    (root.parent / "works.csv").write_text(
        "file,work_id,title,rights_holder,license,source_url\n"
        "novel.txt,isbn:111,The Long Road,Acme Books,All rights reserved,https://example.org/road\n"
        "article.html,news:7,Market Report,Daily Post,,https://example.org/news/7\n"
        "poems.md,poems:1,诗集,文艺出版社,,\n"
        "lyrics.jsonl,song:9,Night Song,Label X,,\n"
        "book.epub,isbn:222,Short Book,Acme Books,,\n", encoding="utf-8")
    return {"isbn:111": texts["novel"], "news:7": texts["article"], "poems:1": texts["poems"],
            "song:9": texts["lyrics"], "isbn:222": texts["book"]}


def build_text_registry(tmp_path: Path, name: str = "registry.parquet") -> tuple[Path, dict[str, str]]:
    works = make_works(tmp_path / "works")
    reg = tmp_path / name
    rep = add_text(reg, tmp_path / "works", read_metadata(tmp_path / "works.csv"))
    assert not rep.errors, rep.errors
    return reg, works
