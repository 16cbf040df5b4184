"""The pipeline examples in examples/pipelines run as a user would run them, on data built here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq
import pytest

PIPELINES = Path(__file__).resolve().parents[1] / "examples" / "pipelines"


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "HF_DATASETS_CACHE": str(tmp_path / "hf-cache"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def test_datasets_pipeline(tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    import datasets

    values = ["cc-by-4.0", "cc-by-nc-4.0", "", None, "mit", "who knows"]
    with (tmp_path / "part.jsonl").open("w") as fh:
        for i in range(30):
            record = {"text": f"record {i}"}
            if values[i % 6] is not None:
                record["license"] = values[i % 6]
            fh.write(json.dumps(record) + "\n")
    cmd = [sys.executable, str(PIPELINES / "datasets_pipeline.py"), str(tmp_path / "*.jsonl"), str(tmp_path / "out"),
           str(tmp_path / "kept"), "--dataset-license", "cc-by-4.0"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=_env(tmp_path), timeout=600)
    assert done.returncode == 0, done.stderr
    assert "kept 20 of 30 records (dropped: 5 unknown-license, 5 use-restricted)" in done.stdout
    kept = datasets.load_from_disk(str(tmp_path / "kept"))
    assert kept.num_rows == 20 and "cc-by-nc-4.0" not in kept["license"] and "who knows" not in kept["license"]
    assert (tmp_path / "out" / "scan.json").is_file()
    research = subprocess.run([*cmd[:3], str(tmp_path / "out-r"), str(tmp_path / "kept-r"), "--use", "research",
                               "--dataset-license", "cc-by-4.0"], capture_output=True, text=True,
                              env=_env(tmp_path), timeout=600)
    assert "kept 25 of 30 records (dropped: 5 unknown-license)" in research.stdout, research.stderr


@pytest.mark.slow
def test_ray_pipeline(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    shards = tmp_path / "shards"
    (shards / "conflict").mkdir(parents=True)
    cycle = ["cc-by-4.0", None, "cc-by-nc-4.0", "mit"]
    for s in range(3):
        pq.write_table(pa.table({"text": [f"shard {s} row {i}" for i in range(40)],
                                 "license": [cycle[i % 4] for i in range(40)]}), shards / f"part-{s}.parquet")
    pq.write_table(pa.table({"text": ["x", "y"], "license": pa.array([None, None], pa.string())}),
                   shards / "conflict" / "part-9.parquet")
    (shards / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# Shards\n")
    (shards / "conflict" / "README.md").write_text("---\nlicense: mit\n---\n")
    (shards / "conflict" / "LICENSE").write_text("SPDX-License-Identifier: GPL-3.0-only\n")
    done = subprocess.run([sys.executable, str(PIPELINES / "ray_pipeline.py"), str(shards), str(tmp_path / "out"),
                           str(tmp_path / "kept")], capture_output=True, text=True, env=_env(tmp_path), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "left out: conflict/part-9.parquet (license-conflict)" in done.stdout
    assert "kept 90 of 120 records from 3 shard(s)" in done.stdout
    kept = pa_dataset.dataset(tmp_path / "kept", format="parquet").to_table()
    assert kept.num_rows == 90 and set(kept.column("license").to_pylist()) == {"cc-by-4.0", None, "mit"}
    assert not any(t.startswith("x") or t == "y" for t in kept.column("text").to_pylist())


def _gate(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[subprocess.CompletedProcess[str], Path]:
    data = tmp_path / "data"
    for rel, content in files.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_bytes(content if isinstance(content, bytes) else content.encode())
    marker = tmp_path / "trained"
    env = {**_env(tmp_path), "PROVENANCE_OUT": str(tmp_path / "out"), "PROVENANCE_ARGS": "--no-reports -q"}
    done = subprocess.run(["bash", str(PIPELINES / "pretrain_gate.sh"), str(data), "touch", str(marker)],
                          capture_output=True, text=True, env=env, timeout=600)
    return done, marker


def test_shell_gate_trains_only_on_a_pass(tmp_path: Path) -> None:
    done, marker = _gate(tmp_path / "pass", {"LICENSE": "SPDX-License-Identifier: CC0-1.0\n", "a.txt": "text\n"})
    assert done.returncode == 0 and marker.exists() and "gate: pass" in done.stdout


def test_shell_gate_stops_on_a_failed_policy(tmp_path: Path) -> None:
    done, marker = _gate(tmp_path, {"a.txt": "no license\n"})
    assert done.returncode == 1 and not marker.exists() and "the policy failed" in done.stderr


def test_shell_gate_stops_on_an_incomplete_scan(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"LICENSE": "SPDX-License-Identifier: CC0-1.0\n",
                                     "broken.parquet": b"PAR1" + bytes(100) + b"PAR1"}
    done, marker = _gate(tmp_path, files)
    assert done.returncode == 3 and not marker.exists() and "incomplete" in done.stderr


def test_shell_gate_usage(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(PIPELINES / "pretrain_gate.sh"), str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
