"""`provenance validate` and the official libraries as judges: the examples, a hostile corpus, many
sources, 20,500 listed files, a copy of a few installed distributions and of this environment's whole
site-packages give valid manifests, and the sections stay bounded."""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import re
import shutil
import socket
import sysconfig
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import provenance
from provenance.cli import main
from provenance.reporting import write_reports
from provenance.reporting.validate import validate_outputs, validate_scan_json, validate_spdx2, validate_spdx3
from provenance.results import load_result
from tests.reporting.reporting_support import EXAMPLES, copy_examples, scan_into, write_tree


def _valid(out: Path) -> None:
    verdicts = validate_outputs(out)
    assert {v.file for v in verdicts} == {"scan.json", "manifest.spdx.json", "manifest.spdx3.jsonld"}
    assert all(v.valid for v in verdicts), [(v.file, v.messages[:5]) for v in verdicts]


def test_validate_command(built_scan, built_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built_reports, out)
    shutil.copy(Path(built_scan.output_dir or "") / "scan.json", out / "scan.json")
    result = CliRunner().invoke(main, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert "manifest.spdx.json: valid (spdx-tools" in result.output
    assert "manifest.spdx3.jsonld: valid (spdx-python-model" in result.output
    # A license id no list knows, without extracted licensing info; an SPDX 3 reference to nothing.
    spdx = out / "manifest.spdx.json"
    spdx.write_text(spdx.read_text(encoding="utf-8").replace('"licenseConcluded": "MIT"',
                                                            '"licenseConcluded": "Not-A-License-xyz"', 1),
                    encoding="utf-8")
    jsonld = out / "manifest.spdx3.jsonld"
    graph = json.loads(jsonld.read_text(encoding="utf-8"))
    rel = next(o for o in graph["@graph"] if o.get("relationshipType") == "contains")
    rel["to"] = [*rel["to"], "https://spdx.invalid/nothing#file-0"]
    jsonld.write_text(json.dumps(graph), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(out)])
    assert result.exit_code == 1
    assert "Not-A-License-xyz" in result.output
    assert "https://spdx.invalid/nothing#file-0" in result.output
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "missing")]).exit_code == 2


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/corpus is not in this checkout")
def test_examples_validate(tmp_path: Path) -> None:
    result = scan_into(copy_examples(tmp_path / "corpus"), tmp_path / "scan")
    _valid(Path(result.output_dir or ""))


def test_hostile_corpus_validates(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "corpus", {
        "LICENSE": "Released under the MIT License.\n",
        "binary.txt": "\x00\x01\x02" * 100,
        "empty.txt": "",
        "ragged.csv": "a,license\n1,mit\n2\n3,tekhvc,x\n",
        "bad.jsonl": '{"license": "GPL-2.0 WITH WITH"}\n{broken\n',
        "card/README.md": "---\nlicense: [mit\n---\n",
        "weird/README.md": "---\nlicense: other\nlicense_name: \"<script>alert(1)</script> terms\"\n---\n",
        "weird/x.txt": "x",
        "headers/a.py": "# SPDX-License-Identifier: MIT AND (Apache-2.0\nx = 1\n",
        "headers/b.py": "# SPDX-License-Identifier: LicenseRef-Custom_Terms\nx = 1\n",
        "headers/c.py": "# SPDX-License-Identifier: BSD-Source-Code-no-disclaimer\nx = 1\n",
    })
    os.mkfifo(root / "fifo")
    os.symlink("nowhere", root / "dangling")
    with open(os.path.join(os.fsencode(root), b"name-\xff.txt"), "wb") as f:
        f.write(b"invalid UTF-8 name")
    (root / "new\nline.txt").write_text("newline in the name")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "socket"))
    sock.close()
    result = scan_into(root, tmp_path / "scan")
    assert not result.reports_failed
    _valid(Path(result.output_dir or ""))


def test_sections_stay_bounded_with_many_sources(tmp_path: Path) -> None:
    files: dict[str, str] = {}
    for i in range(300):  # 300 top-level folders: 300 sources
        files[f"src-{i:03d}/data.txt"] = "text"
        if i % 2:
            files[f"src-{i:03d}/LICENSE"] = "Released under the MIT License.\n"
    for i in range(80):  # 80 folders with unlicensed files: 80+ finding groups
        files[f"loose/part-{i:02d}/a.txt"] = "a"
    result = scan_into(write_tree(tmp_path / "corpus", files), tmp_path / "scan")
    out = Path(result.output_dir or "")
    en = (out / "data-legality.en.md").read_text(encoding="utf-8")
    assert "… 276 more sources" in en  # 301 sources, 25 shown
    assert re.search(r"… \d+ more folders and rules", en)
    assert len(en) < 80_000
    html = (out / "data-legality.en.html").read_text(encoding="utf-8")
    assert html.count("<html") == 1 and "<script" not in html and len(html) < 150_000
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert (out / "eu-training-summary.md").stat().st_size < 20_000
    manifest = json.loads((out / "manifest.spdx.json").read_text(encoding="utf-8"))
    assert len(manifest["packages"]) == 301  # the manifests list every source and file
    assert len(manifest["files"]) == result.summary["assets"]
    _valid(out)


def _valid_in_parallel(out: Path) -> None:
    """`_valid`, with the two manifests judged at once in two processes (spdx-python-model takes
    most of the time on a large manifest)."""
    assert validate_scan_json(out / "scan.json").valid
    context = multiprocessing.get_context("forkserver")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        v2 = pool.submit(validate_spdx2, out / "manifest.spdx.json")
        v3 = pool.submit(validate_spdx3, out / "manifest.spdx3.jsonld")
        verdicts = [v2.result(), v3.result()]
    assert all(v.valid for v in verdicts), [(v.file, v.messages[:5]) for v in verdicts]
    assert verdicts[0].checked == 20_500  # files listed, as spdx-tools read them


def _many_tiny_files(root: Path, folders: int, files: int) -> Path:
    """`folders` licensed folders of `files` tiny files (a fifth Python with an SPDX header), written
    with plain system calls (Path.write_text took 11 s for 20,500 files here, this about 2 s)."""
    licenses = ["mit", "apache-2.0", "cc-by-4.0", "cc-by-nc-4.0", "cc0-1.0", "tekhvc"]
    for f in range(folders):
        d = root / f"part-{f // 50}" / f"folder-{f:03d}"
        d.mkdir(parents=True)
        if f % 2:
            (d / "LICENSE").write_text(f"This folder is licensed under {licenses[f % len(licenses)].upper()}.\n")
        else:
            (d / "README.md").write_text(f"---\nlicense: {licenses[f % len(licenses)]}\n---\n")
        for i in range(files):
            py = i % 5 == 0
            body = (b"# SPDX-License-Identifier: MIT\n" if py else b"") + b"item %d %d\n" % (f, i)
            fd = os.open(d / (f"f{i:03d}.py" if py else f"f{i:03d}.txt"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, body)
            finally:
                os.close(fd)
    return root


def _repeat_rows(scan: Path, dst: Path, total: int) -> int:
    """A saved scan whose assets.parquet holds `total` rows: the rows of `scan` again and again,
    paths prefixed copy-K/ (as bench/reports.py --million-from does); scan.json as it is."""
    dst.mkdir()
    shutil.copy(scan / "scan.json", dst / "scan.json")
    rows = pq.read_table(scan / "assets.parquet")
    tables, written, k = [], 0, 0
    while written < total:
        part = rows.slice(0, total - written)
        paths = pc.binary_join_element_wise(f"copy-{k}", part.column("path"), "/")
        tables.append(part.set_column(part.schema.get_field_index("path"), "path", paths))
        written, k = written + part.num_rows, k + 1
    pq.write_table(pa.concat_tables(tables), dst / "assets.parquet", compression="zstd")
    return written


@pytest.mark.slow
def test_twenty_thousand_files(tmp_path: Path) -> None:
    """Manifests listing 20,500 files, judged by the official libraries.

    Measured on the shared 2-core machine (load average 3-5): a real scan of a 20,705-file corpus
    written here took ~22 s and its validation 34-45 s, 67-81 s in all. So 2,255 real files are
    scanned (~3 s) and their rows repeated to 20,500 in assets.parquet, from which the manifests
    are streamed as from any scan (~4 s); the two validators then run side by side, spdx-python-model
    taking most of the time (~30-45 s)."""
    root = _many_tiny_files(tmp_path / "corpus", folders=205, files=10)
    scanned = provenance.scan(root, tmp_path / "scan", reports=False, cache=False)
    assert scanned.summary["assets"] == 2255
    out = tmp_path / "out"
    assert _repeat_rows(Path(scanned.output_dir or ""), out, 20_500) == 20_500
    run = write_reports(load_result(out), out, langs=("en",), formats=("md",))
    assert run.ok, run.failed
    manifest = json.loads((out / "manifest.spdx.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 20_500
    assert len({f["SPDXID"] for f in manifest["files"]}) == 20_500
    assert len(manifest["packages"]) == 5  # part-0 .. part-4
    _valid_in_parallel(out)


#: Installed distributions copied, file by file from their RECORD, into a real site-packages tree:
#: dist-info folders with license files and License-Expression metadata, a compiled module, dual
#: licenses (packaging: Apache-2.0 OR BSD-2-Clause in two license files), a file vendored under
#: another license (packaging/licenses/__init__.py, MIT, from hatch).
INSTALLED = ("click", "PyYAML", "idna", "packaging", "certifi", "python-dateutil", "typing_extensions", "attrs",
             "boolean.py", "sortedcontainers")
#: Distributions whose own package files the scan must credit with the license their metadata declares.
BY_METADATA = {"click": "click", "idna": "idna", "certifi": "certifi", "PyYAML": "yaml", "attrs": "attr",
               "packaging": "packaging"}


def _copy_installed(corpus: Path) -> dict[str, str]:
    """Copy INSTALLED into `corpus` as installed; return relative path -> SHA-256 of each file."""
    copied: dict[str, str] = {}
    for name in INSTALLED:
        dist = importlib.metadata.distribution(name)
        for entry in dist.files or ():
            source = Path(str(dist.locate_file(entry)))
            if "__pycache__" in entry.parts or ".." in entry.parts or not source.is_file():
                continue
            target = corpus / entry
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            copied[entry.as_posix()] = hashlib.sha256(source.read_bytes()).hexdigest()
    return copied


def test_a_copy_of_installed_packages(tmp_path: Path) -> None:
    """A real site-packages tree (a few of this environment's distributions, ~200 files, ~8 s):
    every file listed with its real digest, package files credited with the license their metadata
    declares, and both manifests valid for the official libraries."""
    corpus = tmp_path / "site-packages"
    copied = _copy_installed(corpus)
    assert len(copied) > 100
    result = provenance.scan(corpus, tmp_path / "out", jobs=1, langs=("en",), formats=("md",))
    assert not result.reports_failed, result.reports_failed
    out = Path(result.output_dir or "")
    manifest = json.loads((out / "manifest.spdx.json").read_text(encoding="utf-8"))
    files = {f["fileName"].removeprefix("./"): f for f in manifest["files"]}
    assert set(files) == set(copied)
    for path, entry in files.items():
        assert {"algorithm": "SHA256", "checksumValue": copied[path]} in entry["checksums"], path
    for dist_name, package in BY_METADATA.items():
        meta = importlib.metadata.distribution(dist_name).metadata
        declared = meta["License-Expression"] or meta["License"]  # certifi says it in License
        assert declared, dist_name
        own = [f for p, f in files.items() if p.startswith(f"{package}/") and p.endswith(".py")
               and p != "packaging/licenses/__init__.py"]
        assert own, package
        wrong = {f["fileName"]: f["licenseConcluded"] for f in own
                 if f["licenseConcluded"] != declared and not _same_choice(f["licenseConcluded"], declared)}
        assert not wrong, (dist_name, declared, wrong)
    if "packaging/licenses/__init__.py" in files:
        assert files["packaging/licenses/__init__.py"]["licenseConcluded"] == "MIT"
    _valid(out)


def _same_choice(a: str, b: str) -> bool:
    """`A OR B` and `B OR A` (a file's own header may name the choice in the other order)."""
    return " OR " in a and sorted(a.split(" OR ")) == sorted(b.split(" OR "))


@pytest.mark.slow
def test_a_copy_of_site_packages(tmp_path: Path) -> None:
    """Real license metadata of every package in this environment (numpy's bundled licenses,
    ids newer than the validators' lists, ScanCode keys): never scanned in place. About 1.3 GB and
    25,000 files with the dev extras: 140 s on the shared 2-core machine (load average 6)."""
    source = Path(sysconfig.get_paths()["purelib"])
    corpus = tmp_path / "site-packages"
    shutil.copytree(source, corpus, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    result = provenance.scan(corpus, tmp_path / "out")
    assert not result.reports_failed, result.reports_failed
    assert result.exit_code in (0, 1)  # the data may fail the policy; the scan and its outputs complete
    _valid(Path(result.output_dir or ""))
