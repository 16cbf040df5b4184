"""PDF of the filing section: the HTML printed by headless Chromium.

Chromium is already needed for the browser check, works offline and shapes Chinese with Debian's
fonts-noto-cjk; WeasyPrint would add Pango and its own CSS subset. The PDF's dates are set to the
scan time so that reruns with SOURCE_DATE_EPOCH give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from provenance.reporting.browser import print_to_pdf

_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9]{14}[^)]*\)")


def pdf_date(created: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except ValueError:
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return moment.strftime("%Y%m%d%H%M%S")


def html_to_pdf(html: str, created: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="provenance-pdf-") as tmp:
        src = Path(tmp) / "section.html"
        out = Path(tmp) / "section.pdf"
        src.write_text(html, encoding="utf-8")
        print_to_pdf(src, out)
        data = out.read_bytes()
    stamp = pdf_date(created).encode()

    def same_length(m: re.Match[bytes]) -> bytes:
        # Keep the byte length so the cross-reference offsets stay right.
        old = m.group(0)
        new = b"/" + m.group(1) + b" (D:" + stamp + b"+00'00')"
        return new + b" " * (len(old) - len(new)) if len(new) <= len(old) else old

    return _DATE.sub(same_length, data)
