"""Dataset cards: README.md with YAML front matter, read safely.

Safe loading only, no anchors/aliases (alias bombs), at most MAX_FRONT_MATTER bytes and MAX_NODES
YAML nodes. Real cards are large: a copy of the Hugging Face `wikipedia` card (300+ languages,
a `dataset_info` block for each) holds 25,045 nodes in 193 KB, so the node cap sits at four
times that, and the byte cap bounds what any card can cost. When a card still passes the node
cap, its top-level `license*` keys are read on their own, so the license evidence (often the only
evidence a dataset has) is not lost with the rest; `Card.partial` says what was left unread.
libyaml parses when PyYAML has it (about 6x faster on that card).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_FRONT_MATTER = 256 * 1024
MAX_NODES = 100_000

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)(?:\r?\n)---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# PyYAML's libyaml loader when built with it: same safe constructors, C parser and composer.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A top-level key line: no indentation, a plain or quoted key, a colon.
_TOP_KEY = re.compile(r"""^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#:'"-][^:\n]*?))[ \t]*:(?:[ \t]|$)""")


class _Refused(yaml.YAMLError):
    """The document is refused for a reason of ours (aliases, size)."""


@dataclass(frozen=True)
class Card:
    """A parsed card: its metadata, its prose body, and where the body starts."""

    metadata: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    #: 1-based line number of the first body line in the file.
    body_line: int = 1
    #: Why the front matter could not be read; None when fine or absent.
    error: str | None = None
    #: When only part of the front matter was read (its top-level license keys, the rest being
    #: over the node cap): why. `metadata` then holds those keys only.
    partial: str | None = None


def load_yaml(raw: str, max_nodes: int | None = None) -> Any:
    """Safe YAML with no aliases and at most `max_nodes` nodes (default MAX_NODES). Raises
    yaml.YAMLError for malformed or refused documents, RecursionError for absurd nesting."""
    max_nodes = MAX_NODES if max_nodes is None else max_nodes
    loader = _LOADER(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node, max_nodes)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check(root: yaml.Node, max_nodes: int) -> None:
    """Walk the composed graph: an alias is a node met twice; count nodes against the cap."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise _Refused("aliases are not allowed in a dataset card")
        seen.add(id(node))
        if len(seen) > max_nodes:
            raise _Refused(f"more than {max_nodes} YAML nodes")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def license_keys(raw: str, max_nodes: int | None = None) -> dict[str, Any]:
    """The top-level keys whose name starts with `licen` (license, licenses, license_name,
    license_link...), each parsed on its own from its lines of `raw`; keys that do not parse
    are left out."""
    lines = raw.splitlines()
    keys = [(i, m) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line))]
    found: dict[str, Any] = {}
    for n, (start, m) in enumerate(keys):
        key = next(g for g in m.groups() if g is not None).strip()
        if not key.lower().startswith("licen"):
            continue
        end = keys[n + 1][0] if n + 1 < len(keys) else len(lines)
        try:
            part = load_yaml("\n".join(lines[start:end]), max_nodes)
        except (yaml.YAMLError, RecursionError):
            continue
        if isinstance(part, dict):
            found.update((str(k), v) for k, v in part.items())
    return found


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
        data = load_yaml(raw)
    except _Refused as exc:
        if str(exc).startswith("more than"):
            keys = license_keys(raw)
            if keys:
                return Card(keys, body, body_line, partial=f"{exc}: only the top-level license keys were read")
        return Card({}, body, body_line, f"malformed YAML front matter: {exc}")
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
