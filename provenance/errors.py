"""Exceptions for misuse of the tool. A problem in the scanned data is never an exception:
it becomes a Finding or a ScanErrorEntry with its reason."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ProvenanceError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(ProvenanceError):
    """A declarations, policy or option value the user gave is wrong."""


def unknown_name(what: str, value: object, choices: Iterable[str]) -> ConfigError:
    """The error for a name that is not one of `choices`, naming the closest valid one."""
    options = sorted(choices)
    close = difflib.get_close_matches(str(value).lower(), options, n=1, cutoff=0.6)
    if close:
        return ConfigError(f"unknown {what} '{value}'; did you mean '{close[0]}'?")
    return ConfigError(f"unknown {what} '{value}' (valid: {', '.join(options)})")


class SourceError(ProvenanceError):
    """A source cannot be opened at all (missing folder, unknown dataset)."""


class KnowledgeBaseError(ProvenanceError):
    """The shipped license knowledge base is missing or malformed."""


class RegistryError(ProvenanceError):
    """A known-works registry cannot be used (bad file, other parameters)."""


class ReportError(ProvenanceError):
    """A report or manifest cannot be produced from a saved result."""


class ScanAbortedError(ProvenanceError):
    """The scan could not finish (a worker died); nothing half-written is left as a result."""


class MissingExtraError(ProvenanceError):
    """An optional dependency is needed for a feature and is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the optional dependency '{module}': pip install 'provenance[{extra}]'"
        )
