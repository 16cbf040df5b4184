"""The data-legality section in Markdown, HTML and PDF (printed from the HTML)."""

from __future__ import annotations

from pathlib import Path

from provenance.atomic import write_bytes, write_text
from provenance.reporting.document import Document, build_document
from provenance.reporting.html import render_html
from provenance.reporting.interface import ReportContext, Reporter
from provenance.reporting.markdown import render_markdown
from provenance.reporting.pdf import html_to_pdf
from provenance.reporting.strings import strings


class _SectionReporter(Reporter):
    suffix = ""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def file_name(self) -> str:
        return f"data-legality.{self.lang}.{self.suffix}"

    def document(self, ctx: ReportContext) -> Document:
        return build_document(ctx.facts, strings(self.lang), ctx.manifests)


class MarkdownReporter(_SectionReporter):
    suffix = "md"

    def write(self, ctx: ReportContext) -> Path:
        path = ctx.out_dir / self.file_name()
        write_text(path, render_markdown(self.document(ctx)))
        return path


class HtmlReporter(_SectionReporter):
    suffix = "html"

    def write(self, ctx: ReportContext) -> Path:
        path = ctx.out_dir / self.file_name()
        write_text(path, render_html(self.document(ctx)))
        return path


class PdfReporter(_SectionReporter):
    suffix = "pdf"

    def write(self, ctx: ReportContext) -> Path:

        path = ctx.out_dir / self.file_name()
        write_bytes(path, html_to_pdf(render_html(self.document(ctx)), ctx.result.created))
        return path
