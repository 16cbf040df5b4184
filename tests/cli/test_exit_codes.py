"""Exit codes the shell sees: a bad -o is a usage error (2) in one line, Ctrl-C is 130 and the
interrupted scan resumes."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main

MIT = """MIT License

Copyright (c) 2024 Example

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def _default_sigint() -> None:
    """A terminal's foreground program gets SIGINT; a test run started in the background (`cmd &`,
    nohup) has it ignored, and Python then installs no KeyboardInterrupt handler in the child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def corpus(tree):
    return tree({"a/LICENSE": "MIT License\n", "a/x.txt": "some text\n", "b.txt": "more text\n"})


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for word in words:
        assert word in lines[0]


def test_output_naming_a_file_is_a_usage_error(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "results.txt"
    target.write_text("not a folder\n")
    _one_line_error(CliRunner().invoke(main, ["scan", str(corpus), "-o", str(target)]), "is a file", "-o")
    assert target.read_text() == "not a folder\n"
    _one_line_error(CliRunner().invoke(main, ["scan", str(corpus), "-o", str(target / "sub")]), "cannot create")


def test_output_that_cannot_be_written_is_a_usage_error(corpus: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes through permission bits; /proc refuses new entries even to root
        target = Path("/proc/provenance-test-output")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out"
    _one_line_error(CliRunner().invoke(main, ["scan", str(corpus), "-o", str(target)]), str(target))


def test_report_to_a_bad_folder_is_a_usage_error(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "--no-reports"])
    assert done.exit_code == 1 and (out / "scan.json").is_file()  # b.txt is unlicensed
    target = tmp_path / "file"
    target.write_text("x")
    _one_line_error(CliRunner().invoke(main, ["report", str(out / "scan.json"), "-o", str(target)]), "is a file")
    _one_line_error(CliRunner().invoke(main, ["report", str(out), "-o", str(target / "deeper")]), "cannot create")
    ok = CliRunner().invoke(main, ["report", str(out), "-o", str(tmp_path / "reports"), "--lang", "en"])
    assert ok.exit_code == 0 and (tmp_path / "reports" / "data-legality.en.md").is_file()


@pytest.mark.slow
def test_ctrl_c_exits_130_and_the_rerun_resumes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    # Big enough that a JSON progress event (one every 2 s) comes while most of the scan is ahead:
    # with 2,400 files a quiet machine finished before the first one and the signal came too late.
    folders, per_folder = 12, 600
    total = folders * per_folder + 1
    for d in range(folders):
        (corpus / f"d{d:02d}").mkdir(parents=True)
        for i in range(per_folder):
            (corpus / f"d{d:02d}" / f"f{i:03d}.txt").write_text(f"plain text number {i} of folder {d}. " * 30)
    (corpus / "LICENSE").write_text(MIT)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "provenance", "scan", str(corpus), "-o", str(out), "--no-reports", "-j", "2"]
    # Ctrl-C in a terminal signals the whole foreground process group: the workers too.
    proc = subprocess.Popen([*cmd, "--log-format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=_default_sigint)
    assert proc.stderr is not None
    interrupted_at = None
    for line in proc.stderr:
        event = json.loads(line)
        # a batch is committed to the cache, and enough work is left that the signal lands mid-scan
        if event["event"] == "progress" and 256 <= event["files"] <= total - 2000:
            os.killpg(proc.pid, signal.SIGINT)
            interrupted_at = event["files"]
            break
    rest = proc.stderr.read()
    assert interrupted_at is not None, f"no progress event with work ahead; enlarge the corpus: {rest[-500:]}"
    assert proc.wait(timeout=120) == 130, rest
    last = json.loads(rest.splitlines()[-1])
    assert last["event"] == "interrupted" and last["exit_code"] == 130 and "resume" in last["message"]
    assert not (out / "scan.json").exists()  # no verdict from half a scan

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    stats = again.stdout.splitlines()[-1]
    analysed = int(stats.split("Analysed ")[1].split()[0])
    reused = int(stats.split("reused ")[1].split()[0])
    assert reused >= 256 and analysed + reused == total, stats


def test_ctrl_c_in_any_command_is_130(tmp_path: Path) -> None:
    """`report` waiting on a scan.json that is a FIFO (nothing ever writes it) is stopped by a real
    SIGINT: click's default would exit 1 ("Aborted!"), the code of a failed policy."""
    fifo = tmp_path / "scan.json"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "provenance", "report", str(fifo)], preexec_fn=_default_sigint,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wchan = Path(f"/proc/{proc.pid}/wchan")
    deadline = time.monotonic() + 60
    while wchan.read_text() != "wait_for_partner":  # blocked opening the FIFO
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc/*/stat)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


def _big_corpus(root: Path) -> Path:
    """More data files than the auto engine analyses in-process before it starts a pool."""
    from provenance.engine.local import AutoEngine
    from provenance.scanner import BATCH_ITEMS

    for i in range(BATCH_ITEMS * (AutoEngine(2).serial_first + 8)):
        folder = root / f"d{i % 12:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:05d}.txt").write_text(f"plain text number {i}\n")
    (root / "LICENSE").write_text(MIT)
    return root


@pytest.mark.slow
def test_a_worker_killed_mid_scan_exits_3_and_leaves_no_verdict(tmp_path: Path) -> None:
    """A worker process SIGKILLed (as the kernel's OOM killer does) while the pool works: exit 3
    (incomplete), one line saying a worker died, and no scan.json, not even the one an earlier
    scan left in the output folder."""
    corpus = _big_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "provenance", "scan", str(corpus), "-o", str(out), "--no-reports", "--no-cache"]
    earlier = subprocess.run([*cmd, "-j", "1"], capture_output=True, text=True, timeout=300)
    assert earlier.returncode == 0 and json.loads((out / "scan.json").read_text())["verdict"]["status"] == "pass"

    proc = subprocess.Popen([*cmd, "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    killed = None
    deadline = time.monotonic() + 300
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        # The pool's workers are the forkserver's children: grandchildren of the scan.
        workers = [w for child in _children(proc.pid) for w in _children(child)]
        if workers:
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
        else:
            time.sleep(0.01)
    _, err = proc.communicate(timeout=300)
    assert killed is not None, f"no worker process was ever started (exit {proc.returncode}): {err}"
    assert proc.returncode == 3, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "scan incomplete" in lines[0] and "a worker process died" in lines[0]
    assert not (out / "scan.json").exists()  # the earlier pass is not left to be read as this scan's
    assert not list(out.glob(".assets.parquet.*.tmp"))


def _bug_here(ctx: object, pieces: object) -> object:
    raise RuntimeError("simulated bug in the batch work")


def _bug_in_workers(ctx: object, pieces: object) -> object:
    from provenance.analysis.batches import process_batch

    if multiprocessing.parent_process() is not None:  # a pool worker, not the scan's own process
        raise RuntimeError("simulated bug in a worker")
    return process_batch(ctx, pieces)  # type: ignore[arg-type]


def _stale_pass(corpus: Path, out: Path) -> None:
    """An earlier passing scan in the output folder, whose verdict must not outlive a failed rescan."""
    done = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "--no-reports", "--no-cache", "-j", "1"])
    assert done.exit_code == 0, done.output
    assert json.loads((out / "scan.json").read_text())["verdict"]["status"] == "pass"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_internal_error_exits_3_and_leaves_no_verdict(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          log_format: str) -> None:
    """A bug (an exception no code path expects) must not look like a policy failure (exit 1) or a
    pass to a pipeline: exit 3, one line or one `error` event, no scan.json."""
    corpus = tree({"LICENSE": MIT, "a/x.txt": "some text\n", "b.txt": "more text\n"})
    out = tmp_path / "out"
    _stale_pass(corpus, out)
    # The batch work the engine runs (pass 2) fails: here standing for any bug in the pipeline.
    monkeypatch.setattr("provenance.scanner.process_batch", _bug_here)
    done = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "--no-reports", "--no-cache", "-j", "1",
                                     "--log-format", log_format])
    assert done.exit_code == 3, done.output
    assert "Traceback" not in done.output and done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if log_format == "json":
        event = json.loads(lines[-1])
        assert event["event"] == "error" and event["exit_code"] == 3
        message = event["message"]
    else:
        assert len(lines) == 1, done.stderr
        message = lines[0]
    assert "internal error, scan incomplete: RuntimeError: simulated bug in the batch work" in message
    assert not (out / "scan.json").exists()
    assert not list(out.glob(".assets.parquet.*.tmp"))


@pytest.mark.slow
def test_an_exception_in_a_worker_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same bug hit only inside a pool worker comes back to the scan as an internal error (exit 3)."""
    corpus = _big_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    _stale_pass(corpus, out)
    monkeypatch.setattr("provenance.scanner.process_batch", _bug_in_workers)
    done = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "--no-reports", "--no-cache", "-j", "2"])
    assert done.exit_code == 3, done.output
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.output, done.output
    assert "internal error, scan incomplete: RuntimeError: simulated bug in a worker" in lines[0]
    assert not (out / "scan.json").exists()
