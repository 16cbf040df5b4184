"""The HTML section in a real headless Chromium: it loads without console errors, corpus text stays
text (no injected element or script), nothing is fetched, and a screenshot is kept in tests/artifacts/."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from provenance.reporting.browser import find_chromium, run_chromium

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    return binary


def test_html_in_chromium(chromium: str, built_reports: Path, tmp_path: Path) -> None:
    page = built_reports / "data-legality.zh.html"
    # Also load a copy without the Content-Security-Policy, so escaping alone is what is tested.
    bare = tmp_path / "no-csp.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "",
                           page.read_text(encoding="utf-8")), encoding="utf-8")
    for html_file in (page, bare):
        proc = run_chromium(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom",
                             html_file.as_uri()])
        assert proc.returncode == 0, proc.stderr[-2000:]
        dom = proc.stdout
        assert "训练数据合法性说明" in dom
        # The hostile names are in the page as text, and produced no element.
        assert "&lt;img src=x onerror=alert(1)&gt;.txt" in dom
        assert "&lt;script&gt;alert(1)&lt;\\script&gt;.txt" in dom
        tags = {tag for tag, _ in _tags(dom)}
        assert not tags & {"script", "img", "iframe", "object", "embed", "a", "link", "form"}, tags
        assert not any(attr.startswith("on") for _, attrs in _tags(dom) for attr in attrs)
        console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]
        assert console == [], console
        # Chromium's net log names every URL it requests; only the file itself may appear.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", dom.split("<body", 1)[0])

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "data-legality.zh.png"
    if shot.exists():
        shot.unlink()
    proc = run_chromium(["--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()])
    assert shot.is_file() and shot.stat().st_size > 10_000, proc.stderr[-2000:]
    shutil.copy(built_reports / "data-legality.en.html", ARTIFACTS / "data-legality.en.html")
