"""The scanner's names that the Hugging Face and archive modules use, wherever the scanner lives
(`provenance.scan` on this branch, `provenance.scanner` after the core's rename), so these
modules merge without edits. Imported lazily by them: the scanner imports sources."""

from __future__ import annotations

try:
    from provenance.scanner import (  # type: ignore[import-not-found, unused-ignore]
        Analyzed,
        Limits,
        Scanner,
        WorkContext,
        temporary_output,
    )
except ImportError:  # before the rename
    from provenance.scan import Analyzed, Limits, Scanner, WorkContext, temporary_output  # type: ignore[no-redef, unused-ignore]

__all__ = ["Analyzed", "Limits", "Scanner", "WorkContext", "temporary_output"]
