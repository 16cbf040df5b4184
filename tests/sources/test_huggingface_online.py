"""The online code path (real huggingface_hub calls) against a local stand-in for the Hub API:
gated, missing, unknown revision, unreachable, and a Hub commit that is already cached."""

from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import datasets
import huggingface_hub.constants as hf_constants
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from provenance.api import scan
from provenance.cli.scan import scan as scan_cmd
from provenance.detectors import lineage
from tests.hubcache import TOKEN_MARKER, sha_of

SEEN_AUTH: list[str] = []


class FakeHub(BaseHTTPRequestHandler):
    """The Hub API as far as the scanner uses it. Like real servers and proxies, it echoes the
    credentials it was sent when it refuses: in the error message (header and body), in headers,
    and in URLs (a redirect carrying the token as a query parameter)."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _token(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ").strip()

    def _reply(self, status: int, body: dict[str, object], error_code: str | None = None) -> None:
        if status >= 400:
            auth = self.headers.get("Authorization", "")
            body = {**body, "error": f"{body['error']} (request had Authorization: {auth})"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status >= 400:
            self.send_header("X-Error-Message", str(body["error"]))
            self.send_header("WWW-Authenticate", f'Bearer error="invalid_token", token="{self._token()}"')
            self.send_header("X-Request-Id", f"req-{self._token()}")
        if error_code:
            self.send_header("X-Error-Code", error_code)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _echo_plain(self, status: int) -> None:
        """A proxy's plain-text error page quoting the request's headers."""
        data = f"upstream refused GET {self.path}\nAuthorization: {self.headers.get('Authorization', '')}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", f"req-{self._token()}")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        SEEN_AUTH.append(self.headers.get("Authorization", ""))
        path = self.path.split("?", 1)[0]
        info = re.fullmatch(r"/api/datasets/(acme/[\w-]+)(?:/revision/([^/]+))?", path)
        repo, revision = info.groups() if info else (None, None)
        if path == "/api/datasets/acme/redirected/mirror":
            self._echo_plain(500)
        elif repo is None and path.startswith("/api/"):  # file trees and listings: refused, token echoed
            self._reply(403, {"error": f"Token {self._token()} may not list {path}"})
        elif repo is None:  # file contents: the proxy in front of the storage refuses
            self._echo_plain(403)
        elif repo == "acme/gated":
            self._reply(403, {"error": "Access to dataset acme/gated is restricted."}, "GatedRepo")
        elif revision == "nope":
            self._reply(404, {"error": "Invalid rev id: nope"}, "RevisionNotFound")
        elif repo in ("acme/forbidden", "acme/forbidden-upstream"):  # a refusal without an error code
            self._reply(403, {"error": f"Token {self._token()} has no read access to {repo}"})
        elif repo == "acme/redirected":  # to a mirror, the token in its URL
            self.send_response(302)
            self.send_header("Location", f"/api/datasets/acme/redirected/mirror?token={self._token()}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif repo == "acme/remote":
            self._reply(200, {"id": "acme/remote", "sha": "f" * 40, "private": False, "gated": "auto",
                              "siblings": [{"rfilename": "README.md", "size": 40},
                                           {"rfilename": "data/train-0.parquet", "size": 1000},
                                           {"rfilename": "data/test-0.parquet", "size": 500}],
                              "cardData": {"license": "mit",
                                           "source_datasets": ["extended|acme/strict-upstream",
                                                               "extended|acme/forbidden-upstream"]}})
        elif repo == "acme/permissive":
            self._reply(200, {"id": "acme/permissive", "sha": sha_of("acme/permissive"), "private": False,
                              "gated": False, "siblings": [{"rfilename": "README.md"}], "cardData": {}})
        else:
            self._reply(404, {"error": "Repository not found"}, "RepoNotFound")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:  # paths-info and the like
        SEEN_AUTH.append(self.headers.get("Authorization", ""))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._reply(403, {"error": f"Token {self._token()} may not list {self.path}"})


OUTSIDE: list[str] = []


def _local_only(real: Callable[..., Any]) -> Callable[..., Any]:
    """getaddrinfo for this machine only: any other host is recorded and refused."""

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            OUTSIDE.append(name)
            raise OSError(f"tests never touch the network ({name})")
        return real(host, *args, **kwargs)
    return getaddrinfo


@pytest.fixture()
def online(hub_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Libraries swallow their own network errors (datasets' download counter), so refusing is not
    # enough: what was attempted is recorded and checked at the end.
    OUTSIDE.clear()
    monkeypatch.setattr(socket, "getaddrinfo", _local_only(socket.getaddrinfo))
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setattr(hf_constants, "ENDPOINT", endpoint)  # read at import: the setting above is too late
    monkeypatch.setattr(datasets.config, "HF_ENDPOINT", endpoint)  # datasets keeps its own copy
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    SEEN_AUTH.clear()
    lineage._from_hub.cache_clear()  # upstream lookups are memoised per process
    yield endpoint
    lineage._from_hub.cache_clear()
    server.shutdown()
    server.server_close()
    assert not OUTSIDE, f"hosts other than the stand-in were contacted: {sorted(set(OUTSIDE))}"


def no_token(out: Path) -> None:
    for path in out.rglob("*"):
        if path.is_file():
            assert TOKEN_MARKER.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("spec,expected", [
    ("hf://datasets/acme/gated", "is gated"),
    ("hf://datasets/acme/private-or-missing", "does not exist on the Hub or is private"),
    ("hf://datasets/acme/permissive@nope", "revision 'nope' of dataset acme/permissive does not exist"),
])
def test_hub_refusals_are_clear_error_entries(online: str, tmp_path: Path, spec: str, expected: str) -> None:
    out = tmp_path / "out"
    result = scan(spec, out)
    assert result.exit_code == 3
    assert expected in result.errors[0].reason
    assert any(TOKEN_MARKER in a for a in SEEN_AUTH)  # the usual HF_TOKEN setting was used...
    no_token(out)  # ...and never written


def test_unreachable_hub_falls_back_to_cache(hub_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hf_constants, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    result = scan("hf://datasets/acme/permissive", tmp_path / "a")
    assert result.passed and result.sources[0]["details"]["origin"] == "cache"
    assert "cannot be reached" in result.sources[0]["details"]["hub"]
    result = scan("hf://datasets/acme/absent", tmp_path / "b")
    assert "cannot be reached" in result.errors[0].reason and "not in the local Hub cache" in result.errors[0].reason
    no_token(tmp_path)


def test_hub_commit_already_cached_is_read_from_disk(online: str, tmp_path: Path) -> None:
    result = scan("hf://datasets/acme/permissive", tmp_path / "out")
    src = result.sources[0]
    assert src["revision"] == sha_of("acme/permissive") and src["details"]["origin"] == "cache"
    assert result.passed
    no_token(tmp_path / "out")


def test_remote_dataset_lists_files_samples_and_reports_read_failures(online: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = scan("hf://datasets/acme/remote", out, sample_records=5)
    src = result.sources[0]
    details = src["details"]
    assert src["revision"] == "f" * 40 and details["origin"] == "hub" and details["gated"] == "auto"
    assert set(details["configs"]["default"]) == {"train", "test"}
    assert details["dependencies"][0]["license"] == "CC-BY-NC-4.0"  # the upstream, from the local cache
    assert details["sampling"]["records_per_split"] == 5
    assert {s["path"] for s in result.skipped} == {"data/train-0.parquet", "data/test-0.parquet"}
    # This stand-in serves no file contents: every read is an error entry with a reason, never a crash.
    assert result.exit_code == 3
    assert {e.path for e in result.errors} >= {"README.md"}
    assert all(e.reason for e in result.errors)
    no_token(out)


# Tokens of three shapes: the classic `hf_` + 34 letters, which the pattern in redact() would also
# catch; an OAuth access token (`hf_oauth_...`), which only the exact match catches; and a token
# that is only in the token file `hf auth login` writes (no HF_TOKEN), which redact() finds
# through huggingface_hub.get_token().
OAUTH_TOKEN = "hf_oauth_tokenmarker_a1b2c3d4e5f6_neverappear"
FILE_TOKEN = "hf_filetoken_marker_0f1e2d3c4b5a_neverappear"


@pytest.fixture(params=["env", "env-oauth", "token-file"])
def token(request: pytest.FixtureRequest, online: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    if request.param == "env":
        return TOKEN_MARKER  # hub_env set it
    if request.param == "env-oauth":
        monkeypatch.setenv("HF_TOKEN", OAUTH_TOKEN)
        return OAUTH_TOKEN
    monkeypatch.delenv("HF_TOKEN")
    path = tmp_path / "hf-token"
    path.write_text(FILE_TOKEN)
    monkeypatch.setattr(hf_constants, "HF_TOKEN_PATH", str(path))
    return FILE_TOKEN


def written_text(out: Path) -> dict[str, str]:
    """Every file under `out` as text: Parquet and SQLite decoded (their pages may compress or
    split a string), the rest as bytes read as Latin-1."""
    texts = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            texts[str(path)] = json.dumps(pq.read_table(path).to_pylist(), default=str)
        elif path.suffix == ".sqlite":
            with sqlite3.connect(path) as db:
                tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                texts[str(path)] = repr([db.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables])
        else:
            texts[str(path)] = path.read_bytes().decode("latin-1")
    return texts


def assert_token_absent(token: str, out: Path, *streams: str, caplog: pytest.LogCaptureFixture) -> None:
    texts = written_text(out)
    assert {"scan.json", "assets.parquet", "data-legality.en.md", "data-legality.zh.html",
            "eu-training-summary.md", "manifest.spdx.json"} <= {Path(p).name for p in texts}
    for path, text in texts.items():
        assert token not in text, path
    for stream in streams:
        assert token not in stream
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert logged  # the HTTP libraries log each request at DEBUG: the check below has records to read
    assert not [(name, msg) for name, msg in logged if token in msg]
    assert token not in caplog.text  # formatted, tracebacks included


# What the stand-in answers each request with, token echoed: a 403 without an error code (in the
# message header, the body and a request id header), a redirect to a URL carrying the token then a
# plain-text 500 quoting the request's headers, and a dataset that can be listed but whose file
# reads, streaming samples and upstream lookup are all refused.
ECHOING = ("hf://datasets/acme/forbidden", "hf://datasets/acme/redirected", "hf://datasets/acme/remote")


def test_tokens_the_hub_echoes_never_reach_outputs_or_logs(token: str, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    reasons: list[str] = []
    for spec in ECHOING:
        out = tmp_path / spec.rsplit("/", 1)[1]
        result = scan(spec, out, sample_records=5)
        assert result.exit_code == 3
        reasons += [e.reason for e in result.errors]
        reasons += [d["reason"] or "" for d in result.sources[0]["details"].get("dependencies", [])]
        captured = capfd.readouterr()
        assert_token_absent(token, out, captured.out, captured.err, caplog=caplog)
    assert any(a == f"Bearer {token}" for a in SEEN_AUTH)  # the token was sent, and echoed back:
    echoed = [r for r in reasons if "***" in r]
    assert any("?token=hf_***" in r or "?token=***" in r for r in echoed)  # ...in a URL
    assert any(r.startswith("Hub lookup failed") for r in echoed)  # ...to the upstream lookup
    assert any(r.startswith("cannot open: cannot read from the Hub") for r in echoed)  # ...to a file read
    answered = [r for r in echoed if r.startswith("the Hub answered HTTP")]  # a refusal is not "unreachable"
    assert len(answered) == 2 and any(r.startswith("the Hub answered HTTP 403") for r in answered)
    assert not any(" ((Request ID" in r for r in answered)  # the reason, not a bare request id


@pytest.mark.parametrize("spec,options", [
    ("hf://datasets/acme/remote", []),
    ("hf://datasets/acme/redirected", ["--log-format", "json", "--json"]),
])
def test_cli_never_prints_or_writes_the_token(token: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                              spec: str, options: list[str]) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    res = CliRunner().invoke(scan_cmd, [spec, "-o", str(out), "--sample-records", "5", *options])
    assert res.exit_code == 3, res.output
    # The echoed token reached the console, redacted: the summary's unreadable items (stdout), and
    # with --log-format json the events on stderr.
    assert "***" in res.stdout
    assert "***" in res.stderr or "--log-format" not in options
    assert_token_absent(token, out, res.output, res.stderr, caplog=caplog)
    assert any(a == f"Bearer {token}" for a in SEEN_AUTH)
