"""The GitHub Action, the pre-commit hook and the example workflow, run here: the Action's shell
steps with the GitHub files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) pointed at temp files; steps that
use other actions (setup-python, upload-artifact) cannot run here, so their inputs are checked."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
WORKFLOW = yaml.safe_load((ROOT / "examples" / "workflows" / "training-data-gate.yml").read_text())
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Runs a composite action's steps as the GitHub runner would, as far as this machine can."""

    def __init__(self, workspace: Path, inputs: dict[str, str]) -> None:
        unknown = set(inputs) - set(ACTION["inputs"])
        assert not unknown, f"not inputs of action.yml: {unknown}"
        self.inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()} | inputs
        self.workspace = workspace
        self.summary = workspace / "step_summary.md"
        self.outputs: dict[str, dict[str, str]] = {}
        self.skipped: list[dict[str, Any]] = []
        self.used: list[dict[str, Any]] = []

    def value(self, expr: str) -> str:
        if expr.startswith("inputs."):
            return self.inputs[expr.removeprefix("inputs.")]
        if expr.startswith("steps."):
            _, step, _, name = expr.split(".", 3)
            return self.outputs.get(step, {}).get(name, "")
        if expr == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"expression not understood by this runner: {expr}")

    def render(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, expr: str | None) -> bool:
        if expr is None:
            return True
        python = re.sub(r"(inputs|steps)\.[\w.-]+", lambda m: repr(self.value(m.group(0))), expr)
        python = python.replace("always()", "True").replace("&&", " and ").replace("||", " or ")
        return bool(eval(python, {"__builtins__": {}}, {}))  # the conditions are this repository's own

    def run(self) -> list[subprocess.CompletedProcess[str]]:
        done = []
        for step in ACTION["runs"]["steps"]:
            if not self.condition(step.get("if")):
                self.skipped.append(step)
                continue
            if "uses" in step:
                self.used.append({"uses": step["uses"], "with": {k: self.render(str(v))
                                                                for k, v in (step.get("with") or {}).items()}})
                continue
            assert step["shell"] == "bash"
            output = self.workspace / f"output-{len(done)}"
            output.touch()
            env = {**os.environ, **{k: self.render(str(v)) for k, v in (step.get("env") or {}).items()},
                   "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(self.summary),
                   "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(self.workspace),
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "PIP_NO_INDEX": "1"}
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", self.render(step["run"])],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600)
            if step.get("id"):
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines())
            done.append(proc)
        return done


def _workspace(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / "data" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / rel).write_text(text)
    return tmp_path


CLEAN = {"LICENSE": "SPDX-License-Identifier: CC0-1.0\n", "a/notes.txt": "some notes\n"}


def test_action_fails_the_job_and_writes_the_summary(tmp_path: Path) -> None:
    examples = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "corpus", examples)
    runner = Runner(tmp_path, {"path": "data", "install": "false", "args": "--lang en --format md"})
    steps = runner.run()
    scan, gate = steps[-2], steps[-1]
    assert scan.returncode == 0, scan.stderr  # the scan step records the code; the gate step fails
    assert runner.outputs["scan"] == {"exit-code": "1", "status": "fail", "report-dir": "provenance-report"}
    assert gate.returncode == 1
    summary = runner.summary.read_text()
    assert "### provenance: ❌ FAIL (exit 1)" in summary
    assert "| `license-conflict` | 3 |" in summary and "**fails**" in summary
    out = tmp_path / "provenance-report"
    assert (out / "data-legality.en.md").is_file() and not (out / "data-legality.zh.md").exists()
    # Steps that use other actions: checked, not run.
    assert [s.get("uses", s.get("name")) for s in runner.skipped] == ["actions/setup-python@v5", "Install provenance"]
    (upload,) = runner.used
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert upload["with"]["name"] == "provenance-report"
    paths = upload["with"]["path"].split()
    assert paths == ["provenance-report", "!provenance-report/.cache"]
    assert (tmp_path / paths[0] / "scan.json").is_file() and (tmp_path / paths[0] / ".cache").is_dir()


@pytest.mark.parametrize(("fail_on", "scan_code", "job_code"), [
    ("gate", 0, 0), ("gate", 1, 1), ("gate", 3, 3), ("gate", 2, 2), ("incomplete", 1, 0), ("incomplete", 3, 3),
    ("never", 1, 0), ("never", 3, 0), ("other", 1, 2)])
def test_gate_step(fail_on: str, scan_code: int, job_code: int) -> None:
    gate = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Gate")
    assert gate["env"] == {"CODE": "${{ steps.scan.outputs.exit-code }}", "FAIL_ON": "${{ inputs.fail-on }}"}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", gate["run"]], capture_output=True,
                          text=True, env={**os.environ, "CODE": str(scan_code), "FAIL_ON": fail_on})
    assert proc.returncode == job_code, proc.stdout


def test_action_passes_and_takes_quoted_options(tmp_path: Path) -> None:
    _workspace(tmp_path, {**CLEAN, "logs/crawl log.jsonl": "{}\n"})
    runner = Runner(tmp_path, {"path": "data", "install": "false", "upload-artifact": "false",
                               "args": "--no-reports --exclude 'logs/crawl log.jsonl'", "use": "research"})
    steps = runner.run()
    assert steps[-1].returncode == 0 and runner.outputs["scan"]["status"] == "pass"
    scan = json.loads((tmp_path / "provenance-report" / "scan.json").read_text())
    assert scan["parameters"]["ignore_patterns"] == ["logs/crawl log.jsonl"] and scan["parameters"]["use"] == "research"
    assert not list((tmp_path / "provenance-report").glob("data-legality.*"))
    assert runner.used == [] and "✅ PASS" in runner.summary.read_text()


def test_action_usage_error(tmp_path: Path) -> None:
    _workspace(tmp_path, CLEAN)
    runner = Runner(tmp_path, {"path": "data", "install": "false", "policy": "missing.yaml"})
    steps = runner.run()
    assert runner.outputs["scan"]["status"] == "usage-error" and steps[-1].returncode == 2
    assert "usage-error (exit 2)" in runner.summary.read_text()


def test_action_install_step(tmp_path: Path) -> None:
    """The install step runs pip for real (offline: provenance is installed already); by default it
    installs the action's own checkout, which declares the `provenance` command."""
    _workspace(tmp_path, CLEAN)
    runner = Runner(tmp_path, {"path": "data", "package": "provenance", "upload-artifact": "false",
                               "args": "--no-reports"})
    steps = runner.run()
    assert steps[0].returncode == 0, steps[0].stderr  # pip: requirement already satisfied
    assert runner.used == [{"uses": "actions/setup-python@v5", "with": {"python-version": "3.11"}}]
    install = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Install provenance")
    assert '"${PACKAGE:-$GITHUB_ACTION_PATH}"' in install["run"]
    assert 'provenance = "provenance.cli:main"' in (ROOT / "pyproject.toml").read_text()


def test_action_file_refers_only_to_what_it_defines() -> None:
    text = (ROOT / "action.yml").read_text()
    for name in re.findall(r"inputs\.([\w-]+)", text):
        assert name in ACTION["inputs"], name
    ids = {s.get("id") for s in ACTION["runs"]["steps"]}
    for step in re.findall(r"steps\.([\w-]+)\.", text):
        assert step in ids
    assert ACTION["runs"]["using"] == "composite"


def test_pre_commit_hooks(tmp_path: Path) -> None:
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False
    hook = next(h for h in HOOKS if h["id"] == "provenance-scan")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "LICENSE").write_text("SPDX-License-Identifier: CC-BY-4.0\n")
    (repo / "text.txt").write_text("some text\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(shlex.split(hook["entry"]) + hook.get("args", []), cwd=repo, env=env,
                              capture_output=True, text=True, timeout=600)

    first = commit()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / ".provenance" / "scan.json").is_file()
    (repo / "scraped.txt").write_text("no license here\n")
    (repo / "sub").mkdir()
    (repo / "sub" / "LICENSE").write_text("Released for non-commercial research purposes only.\n")
    (repo / "sub" / "b.txt").write_text("more\n")
    second = commit()
    assert second.returncode == 1 and "use-restricted" in second.stdout
    assert "reused 2 from the cache" in second.stdout  # LICENSE and text.txt were not analysed again
    paths = json.dumps(json.loads((repo / ".provenance" / "scan.json").read_text())["skipped"])
    assert ".provenance" in paths  # its own output is left out of the scan


def test_example_workflow_uses_the_action_as_defined() -> None:
    steps = WORKFLOW["jobs"]["gate"]["steps"]
    step = next(s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/provenance"))
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert step["with"]["fail-on"] in ("gate", "incomplete", "never")
    assert any("provenance diff" in s.get("run", "") for s in steps)
    gate = next(s for s in steps if s.get("name") == "Gate")
    assert f"steps.{step['id']}.outputs.exit-code" in gate["if"] and "exit-code" in gate["run"]
    assert set(ACTION["outputs"]) >= {"exit-code", "status"}
