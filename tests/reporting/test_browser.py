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


def _load(html_file: Path) -> tuple[str, list[str]]:
    """(DOM after scripts ran, console and CSP messages) for one page in headless Chromium."""
    proc = run_chromium(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom",
                         html_file.as_uri()])
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]


def test_harness_sees_a_script_that_runs(chromium: str, built_reports: Path, tmp_path: Path) -> None:
    """Positive control: a script planted in a copy of the page is seen (DOM change and console line)."""
    planted = tmp_path / "planted.html"
    text = (built_reports / "data-legality.en.html").read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", text)
    planted.write_text(text.replace("</main>", "<script>document.body.setAttribute('data-ran', '1');"
                                                "console.error('planted');</script></main>"), encoding="utf-8")
    dom, console = _load(planted)
    assert 'data-ran="1"' in dom
    assert any("planted" in line for line in console)


def test_html_in_chromium(chromium: str, built_reports: Path, tmp_path: Path) -> None:
    page = built_reports / "data-legality.zh.html"
    # Also load a copy without the Content-Security-Policy, so escaping alone is what is tested.
    bare = tmp_path / "no-csp.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "",
                           page.read_text(encoding="utf-8")), encoding="utf-8")
    for html_file in (page, bare):
        dom, console = _load(html_file)
        assert "data-ran" not in dom
        assert "训练数据合法性说明" in dom
        # The hostile names are in the page as text, and produced no element.
        assert "&lt;img src=x onerror=alert(1)&gt;.txt" in dom
        assert "&lt;script&gt;alert(1)&lt;\\\\script&gt;.txt" in dom
        tags = {tag for tag, _ in _tags(dom)}
        assert not tags & {"script", "img", "iframe", "object", "embed", "a", "link", "form"}, tags
        assert not any(attr.startswith("on") for _, attrs in _tags(dom) for attr in attrs)
        assert console == [], console
        # Nothing that could fetch: no src or href anywhere (the CSP would also refuse it, and log it).
        assert not any(k in ("src", "href", "xlink:href", "srcset") for _, attrs in _tags(dom) for k in attrs)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "data-legality.zh.png"
    if shot.exists():
        shot.unlink()
    proc = run_chromium(["--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()])
    assert shot.is_file() and shot.stat().st_size > 10_000, proc.stderr[-2000:]
    shutil.copy(built_reports / "data-legality.en.html", ARTIFACTS / "data-legality.en.html")
