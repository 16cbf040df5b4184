"""Optional compiled tokenise-and-hash kernel (numba). Placeholder: filled in below."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def piece_function() -> Callable[[str], Any] | None:
    return None
