"""The scanner's names that the archive, embedded-media and Hugging Face modules use. They import
this lazily: the scanner imports the sources, so a module-level import would be circular."""

from __future__ import annotations

from provenance.scanner import Analyzed, Limits, Scanner, WorkContext, run_detectors, temporary_output

__all__ = ["Analyzed", "Limits", "Scanner", "WorkContext", "run_detectors", "temporary_output"]
