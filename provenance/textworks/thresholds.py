"""How long a matched passage must be to be reported, and to fail the gate."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from provenance.errors import ConfigError


@dataclass(frozen=True)
class SpanThresholds:
    """Span lengths that decide a text match's finding (policy `known_works:`).

    A span is measured in white-space words (`well-known`, `1,000` count one each) and CJK
    characters; a mixed span counts a character as half a word.
    """

    #: A span of at least this many words, or of `error_chars` CJK characters, is `known-work` (error).
    error_words: int = 50
    error_chars: int = 100
    #: A span of at most this many words, or `quote_chars` characters, is a short quote: never reported.
    #: Between the two: `known-work-excerpt` (warning).
    quote_words: int = 12
    quote_chars: int = 25

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"known_works.{name} must be a whole number of at least 1, got {value!r}")
        if self.quote_words >= self.error_words or self.quote_chars >= self.error_chars:
            raise ConfigError("known_works: a short quote must be shorter than an error span")

    @property
    def error_units(self) -> float:
        """Word units (a CJK character is half a word) from which a span is an error."""
        return min(float(self.error_words), self.error_chars / 2)

    @property
    def quote_units(self) -> float:
        """Word units up to which a span is a short quote."""
        return max(float(self.quote_words), self.quote_chars / 2)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def parse(cls, data: Any, where: str = "known_works") -> SpanThresholds:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ConfigError(f"{where} must be a mapping of {', '.join(cls.__dataclass_fields__)}")
        unknown = sorted(set(map(str, data)) - set(cls.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} "
                              f"(valid: {', '.join(cls.__dataclass_fields__)})")
        return cls(**{str(k): v for k, v in data.items()})
