"""A report that fails costs that report only: one line naming it, the other outputs written, the
failure in scan.json, exit 3. Rendering again reuses an unchanged scan's work and gives the same bytes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
from click.testing import CliRunner

from provenance.cli import main
from provenance.reporting import write_reports
from provenance.results import ScanResult, load_result, result_schema
from tests.reporting.reporting_support import EPOCH, build_corpus

OUTPUTS = {"data-legality.zh.md", "data-legality.en.md", "data-legality.zh.html", "data-legality.en.html",
           "manifest.spdx.json", "manifest.spdx3.jsonld", "eu-training-summary.md"}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provenance", *args], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})})


def test_a_report_that_cannot_be_written_costs_that_report_only(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    (out / "data-legality.en.html").mkdir(parents=True)  # something in its place: the rename fails
    (out / "manifest.spdx.json").mkdir()
    proc = _cli("scan", str(corpus), "-o", str(out), "-q", "-j", "1")
    assert proc.returncode == 3, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, proc.stderr  # one clear line per failed output, no traceback
    assert any(line.startswith("provenance: data-legality.en.html was not written:") for line in lines)
    assert any(line.startswith("provenance: manifest.spdx.json was not written:") for line in lines)
    assert "Traceback" not in proc.stderr
    present = {p.name for p in out.iterdir() if p.is_file()}
    assert OUTPUTS - {"data-legality.en.html", "manifest.spdx.json"} <= present
    assert {"scan.json", "assets.parquet"} <= present
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, result_schema())
    assert sorted(f["report"] for f in data["reports"]["failed"]) == ["data-legality.en.html", "manifest.spdx.json"]
    assert data["verdict"]["status"] == "fail"  # the data's verdict is kept as it is
    assert pq.ParquetFile(out / "assets.parquet").metadata.num_rows == data["summary"]["assets"]
    # the SPDX 3 manifest was written on its own and is valid
    proc = _cli("validate", str(out))
    assert "manifest.spdx3.jsonld: valid" in proc.stdout
    assert proc.returncode == 1 and "manifest.spdx.json is not in" in proc.stdout
    # once the obstacles are gone, rendering again writes everything and clears the record
    (out / "data-legality.en.html").rmdir()
    (out / "manifest.spdx.json").rmdir()
    proc = _cli("report", str(out / "scan.json"))
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} >= OUTPUTS
    assert "reports" not in json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert _cli("validate", str(out)).returncode == 0


def test_unreadable_assets_parquet_fails_every_report_and_removes_stale_ones(built_scan: ScanResult,
                                                                             tmp_path: Path) -> None:
    out = tmp_path / "scan"
    shutil.copytree(Path(built_scan.output_dir or ""), out)
    assert write_reports(load_result(out), out).ok
    path = out / "assets.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # cut in half
    result = CliRunner().invoke(main, ["report", str(out / "scan.json")])
    assert result.exit_code == 3
    assert result.output.count("was not written") == len(OUTPUTS)
    for name in OUTPUTS:  # an old report must not pass for one of this scan's
        assert not (out / name).exists(), name
    failed = load_result(out).reports_failed
    assert {f["report"] for f in failed} == OUTPUTS
    assert load_result(out).exit_code == 3


def test_bad_options_are_still_usage_errors(built_scan: ScanResult, tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "corpus")
    result = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "out"), "--lang", "fr"])
    assert result.exit_code == 2 and "unknown report language 'fr'" in result.output
    assert not (tmp_path / "out" / "scan.json").exists()  # refused before scanning


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in sorted(OUTPUTS)}


def test_rendering_again_reuses_the_previous_work_and_gives_the_same_bytes(built_scan: ScanResult,
                                                                           tmp_path: Path) -> None:
    out = tmp_path / "scan"
    shutil.copytree(Path(built_scan.output_dir or ""), out)
    first = write_reports(load_result(out), out)
    assert first.ok and first.reused == ()
    # The same scan at another time: scan.json differs only in `created`.
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    data["created"] = "2026-02-02T02:02:02Z"
    (out / "scan.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    again = write_reports(load_result(out), out)
    assert again.ok and set(again.reused) == {"manifest.spdx.json", "manifest.spdx3.jsonld"}
    reused = _snapshot(out)
    assert b"2026-02-02T02:02:02Z" in reused["manifest.spdx3.jsonld"]
    full = write_reports(load_result(out), out, reuse=False)
    assert full.ok and full.reused == ()
    assert _snapshot(out) == reused  # a spliced rendering is a full rendering, byte for byte
    assert not (out / ".cache" / "reports-v1.json").exists()  # reuse=False (--no-cache) keeps no record
    assert write_reports(load_result(out), out).reused == ()
    # A manifest touched since it was written is rendered in full, not spliced.
    spdx = out / "manifest.spdx.json"
    spdx.write_bytes(spdx.read_bytes().replace(b"NOASSERTION", b"NOASSERTIoN", 1))
    touched = write_reports(load_result(out), out)
    assert touched.reused == ("manifest.spdx3.jsonld",)
    assert _snapshot(out) == reused


def test_changed_content_is_rendered_in_full(built_scan: ScanResult, tmp_path: Path) -> None:
    out = tmp_path / "scan"
    shutil.copytree(Path(built_scan.output_dir or ""), out)
    assert write_reports(load_result(out), out).ok
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    data["sources"][0]["name"] = "renamed"
    (out / "scan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run = write_reports(load_result(out), out)
    assert run.ok and run.reused == ()
    assert b'"renamed"' in (out / "manifest.spdx.json").read_bytes()
    # and other options are another rendering
    assert write_reports(load_result(out), out, spdx_files="flagged").reused == ()
