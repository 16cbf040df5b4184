"""The online code path (real huggingface_hub calls) against a local stand-in for the Hub API:
gated, missing, unknown revision, unreachable, and a Hub commit that is already cached."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import huggingface_hub.constants as hf_constants
import pytest

from provenance.api import scan
from tests.hf.hubcache import TOKEN_MARKER, sha_of

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
