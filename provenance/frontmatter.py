"""Dataset cards: README.md with YAML front matter, read safely."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_FRONT_MATTER = 256 * 1024
MAX_NODES = 20_000

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)(?:\r?\n)---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loading that refuses anchors/aliases (alias bombs) and very large documents."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed in a dataset card", event.start_mark)
        self._nodes = getattr(self, "_nodes", 0) + 1
        if self._nodes > MAX_NODES:
            raise yaml.composer.ComposerError(None, None, f"more than {MAX_NODES} YAML nodes", None)
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class Card:
    """A parsed card: its metadata, its prose body, and where the body starts."""

    metadata: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    #: 1-based line number of the first body line in the file.
    body_line: int = 1
    #: Why the front matter could not be read; None when fine or absent.
    error: str | None = None


def parse_card(text: str) -> Card:
    match = _FENCE.match(text)
    if not match:
        if text.lstrip("\ufeff").startswith("---"):
            return Card({}, text, 1, "front matter opened with '---' but never closed")
        return Card({}, text, 1)
    raw = match.group(1)
    body = text[match.end():]
    body_line = text.count("\n", 0, match.end()) + 1
    if len(raw) > MAX_FRONT_MATTER:
        return Card({}, body, body_line, f"front matter larger than {MAX_FRONT_MATTER // 1024} KiB")
    try:
        data = yaml.load(raw, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Card({}, body, body_line, f"malformed YAML front matter: {reason}")
    except RecursionError:
        return Card({}, body, body_line, "malformed YAML front matter: nested too deeply")
    if data is None:
        return Card({}, body, body_line)
    if not isinstance(data, dict):
        return Card({}, body, body_line, "YAML front matter is not a mapping")
    return Card({str(k): v for k, v in data.items()}, body, body_line)
