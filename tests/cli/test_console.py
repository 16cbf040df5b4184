"""What the console says: the first unreadable items and where the rest are, colour only on a
terminal without NO_COLOR, JSON lines for pipelines, an example in every --help."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.cli.console import SHOWN_PROBLEMS


@pytest.fixture
def damaged(tree):
    files: dict[str, str | bytes] = {"LICENSE": "SPDX-License-Identifier: CC0-1.0\n", "ok.txt": "fine\n"}
    for i in range(7):
        files[f"tables/broken-{i}.parquet"] = b"PAR1" + bytes(range(200)) + b"not a footer"
    return tree(files)


def test_console_names_the_first_unreadable_items(damaged: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", str(damaged), "-o", str(out), "--no-reports"])
    assert result.exit_code == 3, result.output
    text = result.stdout
    assert f"7 item(s) could not be read (first {SHOWN_PROBLEMS}):" in text
    named = [line for line in text.splitlines() if line.startswith("  tables/broken-")]
    assert len(named) == SHOWN_PROBLEMS and all(": " in line and line.split(": ", 1)[1] for line in named)
    assert f"full list: {out / 'scan.json'} ('errors')" in text
    errors = json.loads((out / "scan.json").read_text())["errors"]
    assert len(errors) == 7  # the full list is where the console says


def test_json_log_is_one_object_a_line(damaged: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", str(damaged), "-o", str(out), "--no-reports", "--log-format", "json"])
    assert result.exit_code == 3
    assert result.stdout == ""  # stdout stays free for --json
    events = [json.loads(line) for line in result.stderr.splitlines()]
    names = [e["event"] for e in events]
    assert names[0] == "start" and "done" in names
    done = next(e for e in events if e["event"] == "done")
    assert done["status"] == "incomplete" and done["exit_code"] == 3 and done["assets"] == 9
    assert [e["event"] for e in events].count("unreadable") == SHOWN_PROBLEMS
    usage = CliRunner().invoke(main, ["scan", str(damaged / "missing"), "--log-format", "json"])
    assert usage.exit_code == 2
    assert json.loads(usage.stderr.splitlines()[-1])["event"] == "error"


def test_json_progress_counts_files_bytes_records_and_the_work_ahead(tree, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"LICENSE": "SPDX-License-Identifier: CC0-1.0\n"}
    for i in range(30):
        files[f"d/part-{i:02d}.jsonl"] = "".join(f'{{"text": "row {j}"}}\n' for j in range(10))
    corpus = tree(files)
    result = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "out"), "--no-reports",
                                       "--log-format", "json"])
    assert result.exit_code == 0, result.output
    progress = [e for e in map(json.loads, result.stderr.splitlines()) if e["event"] == "progress"]
    last = progress[-1]
    size = sum(len(v) for v in files.values())
    assert (last["files"], last["bytes"], last["records"]) == (31, size, 300)
    assert (last["total_files"], last["total_bytes"]) == (31, size)  # counted in the background
    assert last["eta_s"] == 0 and last["files_per_s"] > 0


def _run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with a pseudo-terminal as stdout and stderr; return what it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "provenance", *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_colour_only_on_a_terminal_and_never_with_no_color(damaged: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    args = ["scan", str(damaged), "--no-reports", "-o"]
    coloured = _run_in_terminal([*args, str(tmp_path / "a")], env)
    assert "\x1b[" in coloured and "INCOMPLETE" in coloured
    assert "files/s" in coloured  # the progress line, on a terminal only
    plain = _run_in_terminal([*args, str(tmp_path / "b")], {**env, "NO_COLOR": "1"})
    assert "INCOMPLETE" in plain and "\x1b[" not in plain.replace("\r", "")
    piped = subprocess.run([sys.executable, "-m", "provenance", *args, str(tmp_path / "c")], capture_output=True,
                           text=True, env=env, timeout=300)
    assert "INCOMPLETE" in piped.stdout and "\x1b[" not in piped.stdout + piped.stderr
    assert "files/s" not in piped.stdout + piped.stderr


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the main group loads its commands lazily
        command = group.get_command(ctx, name)
        assert command is not None, name
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix}{name} ")
    return out


def test_every_command_has_an_example_in_its_help() -> None:
    commands = _commands(main)
    assert {"init", "scan", "explain", "diff", "report", "licenses show", "licenses list", "sample import"} <= {
        name for name, _ in commands}
    for name, _ in [("", main), *commands]:
        result = CliRunner().invoke(main, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output or "A first run" in result.output, f"provenance {name} --help"
        examples = result.output.split("Example", 1)[-1]
        assert f"provenance {name}".strip() in examples, f"provenance {name} --help shows no example of itself"


def test_the_use_class_table_says_no_license_for_unlicensed_data(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "SPDX-License-Identifier: CC0-1.0\n", "a/ok.txt": "fine\n", "b/x.txt": "text\n"})
    (root / "LICENSE").rename(root / "a" / "LICENSE")
    result = CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "out"), "--no-reports"])
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "use class (data)" in result.stdout
    assert "no license" in result.stdout and "none" not in rows
