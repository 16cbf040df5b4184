"""Running the detectors on one asset's content."""

from __future__ import annotations

from collections.abc import Sequence

from provenance.analysis.context import Analyzed, WorkContext
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.model import Problem, ProblemKind

_SILENT = DetectorOutput()


def run_detectors(detectors: Sequence[Detector],
                  content: AssetContent) -> tuple[list[tuple[str, DetectorOutput]], list[Problem]]:
    """Every detector that applies, on one asset (or archive member); a detector bug becomes a
    problem of kind CRASH, never the end of the scan or a hidden asset."""
    outputs: list[tuple[str, DetectorOutput]] = []
    problems: list[Problem] = []
    for detector in detectors:
        if not detector.applies(content.asset):
            continue
        try:
            out = detector.detect(content)
        except Exception as exc:
            message = f"detector {detector.id} failed: {type(exc).__name__}: {exc}"[:300]
            outputs.append((detector.id, DetectorOutput(errors=(message,))))
            problems.append(Problem(ProblemKind.CRASH, message))
            continue
        outputs.append((detector.id, out))
        problems += [Problem(ProblemKind.CONTENT, reason) for reason in out.errors]
    return outputs, problems


def said_volatile(ctx: WorkContext, done: Analyzed) -> bool:
    """A volatile detector (lineage) said something about the asset."""
    volatile = ctx.volatile
    return bool(volatile) and any(det in volatile and out != _SILENT for det, out in done.outputs)
