"""The online code path (real huggingface_hub calls) against a local stand-in for the Hub API:
gated, missing, unknown revision, unreachable, and a Hub commit that is already cached."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import datasets
import huggingface_hub.constants as hf_constants
import pytest

from provenance.api import scan
from tests.hubcache import TOKEN_MARKER, sha_of

SEEN_AUTH: list[str] = []


class FakeHub(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _reply(self, status: int, body: dict[str, object], error_code: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error_code:
            self.send_header("X-Error-Code", error_code)
            self.send_header("X-Error-Message", body.get("error", ""))  # type: ignore[arg-type]
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        SEEN_AUTH.append(self.headers.get("Authorization", ""))
        path = self.path.split("?", 1)[0]
        if path.startswith("/api/datasets/acme/gated"):
            self._reply(403, {"error": "Access to dataset acme/gated is restricted."}, "GatedRepo")
        elif "/revision/nope" in path:
            self._reply(404, {"error": "Invalid rev id: nope"}, "RevisionNotFound")
        elif path.startswith("/api/datasets/acme/remote"):
            self._reply(200, {"id": "acme/remote", "sha": "f" * 40, "private": False, "gated": "auto",
                              "siblings": [{"rfilename": "README.md", "size": 40},
                                           {"rfilename": "data/train-0.parquet", "size": 1000},
                                           {"rfilename": "data/test-0.parquet", "size": 500}],
                              "cardData": {"license": "mit", "source_datasets": ["extended|acme/strict-upstream"]}})
        elif path.startswith("/api/datasets/acme/permissive"):
            self._reply(200, {"id": "acme/permissive", "sha": sha_of("acme/permissive"), "private": False,
                              "gated": False, "siblings": [{"rfilename": "README.md"}], "cardData": {}})
        else:
            self._reply(404, {"error": "Repository not found"}, "RepoNotFound")


@pytest.fixture()
def online(hub_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hf_constants, "ENDPOINT", endpoint)
    monkeypatch.setattr(datasets.config, "HF_ENDPOINT", endpoint)  # datasets keeps its own copy
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    SEEN_AUTH.clear()
    yield endpoint
    server.shutdown()
    server.server_close()


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
