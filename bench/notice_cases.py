"""The notice phrasings of bench/data/*.tsv and how a find_notices answer is scored against them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from provenance.licensing.identify.types import Identification

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class NoticeCase:
    language: str
    expected: str  # SPDX ids joined by " | ", "?" ambiguous, "!" reservation, "-" nothing
    text: str

    @property
    def kind(self) -> str:
        return {"?": "ambiguous", "!": "reservation", "-": "negative"}.get(self.expected, "grant")


def load_cases(pattern: str = "notices_*.tsv") -> list[NoticeCase]:
    """The tuned set (notices_en, notices_zh) by default; "heldout_*.tsv" for the held-out one."""
    cases = []
    for path in sorted(DATA.glob(pattern)):
        language = path.stem.split("_", 1)[1] if path.stem.startswith("notices") else path.stem.split("_")[0]
        for line in path.read_text("utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            expected, text = line.split("\t", 1)
            cases.append(NoticeCase(language, expected.strip(), text.replace("\\n", "\n")))
    return cases


def notice_correct(case: NoticeCase, found: tuple[Identification, ...]) -> bool:
    """Exactly the expected statements: no extra license, no missed one."""
    grants = {f.expression for f in found if f.expression}
    ambiguous = [f for f in found if f.expression is None and f.ambiguous]
    reserved = [f for f in found if f.reservation]
    if case.kind == "negative":
        return not found
    if case.kind == "ambiguous":
        return bool(ambiguous) and not grants
    if case.kind == "reservation":
        return bool(reserved) and not grants
    return grants == {e.strip() for e in case.expected.split("|")} and not reserved


def expression_correct(case: NoticeCase, expression: str | None) -> bool:
    """For tools that answer with one expression per file (ScanCode): the same license set."""
    if case.kind in ("negative", "ambiguous", "reservation"):
        return expression is None or expression.strip() == ""
    if not expression:
        return False
    got = {
        t for t in expression.replace("(", " ").replace(")", " ").split() if t not in ("AND", "OR", "WITH")
    }
    return got == {e.strip() for e in case.expected.split("|")}
