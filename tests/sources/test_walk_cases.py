"""What the walk reads and leaves out: the output folder, followed symlinks, ignore patterns."""

from __future__ import annotations

from pathlib import Path

import provenance


def _scan(root: Path, out: Path, **kw):
    return provenance.scan(root, out, reports=False, **kw)


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets()}


def test_output_folder_must_not_be_the_corpus(tree) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    res = CliRunner().invoke(main, ["scan", str(root), "-o", str(root)])
    assert res.exit_code == 2 and "scanned folder" in res.output
    res = CliRunner().invoke(main, ["scan", str(root), "-o", str(root.parent)])
    assert res.exit_code == 2
    assert sorted(p.name for p in root.iterdir()) == ["LICENSE", "a.txt"]


def test_license_files_behind_followed_symlinks_count(tree, tmp_path: Path) -> None:
    import os

    root = tree({"README.md": "---\nlicense: mit\n---\n", "inside/LICENSE": "Released under CC0 1.0.\n"})
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "LICENSE").write_text("Released under CC BY-NC 4.0.\n")
    (ext / "data.txt").write_text("d")
    os.symlink(ext, root / "sub")
    os.symlink(root / "inside", root / "alias")  # another name for a folder in the corpus
    result = _scan(root, tmp_path / "out", follow_symlinks=True)
    rows = _rows(result)
    assert rows["sub/data.txt"]["license"] == "CC-BY-NC-4.0" and "sub/LICENSE" in rows
    # the first name in walk order is scanned, the other is listed as skipped, not as an error
    assert "alias/LICENSE" in rows and "inside/LICENSE" not in rows and not result.errors
    assert {"path": "inside", "reason": "same folder as alias, scanned there"} in [dict(s) for s in result.skipped]


def test_what_the_walk_leaves_out_is_said(tree, tmp_path: Path) -> None:
    import pytest

    from provenance.errors import ConfigError

    root = tree({"LICENSE": "Released under the MIT License.\n", "ok.txt": "t", ".provenanceignore": "nc/\n",
                 "nc/LICENSE": "This dataset is licensed under CC BY-NC 4.0.\n", "nc/x.txt": "t",
                 "__pycache__/d.jsonl": '{"license":"cc-by-nc-4.0"}\n',
                 "data/nc/LICENSE": "This dataset is licensed under CC BY-NC 4.0.\n", "data/nc/x.txt": "t"})
    result = _scan(root, root / "report")  # an output folder inside the corpus is allowed while it is new
    params = result.to_dict()["parameters"]
    # nc/ and data/nc/ (gitignore rules), and __pycache__/
    assert params["ignore_patterns"] == ["nc/"] and params["ignored"] == 3
    assert {"path": "report", "reason": "this scan's output or cache folder; not scanned"} in result.skipped
    # A corpus folder full of data is not an output folder: refused instead of skipped and written into.
    with pytest.raises(ConfigError, match="holds files provenance did not write"):
        _scan(root, root / "data" / "nc")
    assert _scan(root, root / "report").exit_code == 0  # a previous output folder is fine (nc/ is left out on purpose)
