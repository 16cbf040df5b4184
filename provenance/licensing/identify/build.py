"""Building the index from the SPDX texts: one reference per distinct text, what parts of it are
optional (copyright lines, appendices), extra references for texts that include another license."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from provenance.licensing.identify.index import (
    SHINGLE,
    Index,
    IndexEntry,
    shared_counts,
    shingle_hashes,
    version_string,
    with_aliases,
    word_ids,
)
from provenance.licensing.identify.normalize import Tokens, tokenize
from provenance.licensing.identify.reference import load_bundle, without_texts

_COPYRIGHT_LINE = re.compile(r"^\W*(?:copyright|\(c\)|©|portions\s+copyright)\b", re.IGNORECASE)
# Where a license's own terms end and its advice on applying them begins; files often drop the advice.
_APPENDIX = re.compile(
    r"^\W*(?:end\s+of\s+terms\s+and\s+conditions|appendix\b.{0,20}how\s+to\s+apply|how\s+to\s+apply\s+these\s+terms)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Ref:
    """A reference text before hashing."""

    words: tuple[str, ...]
    members: tuple[str, ...]
    core: np.ndarray  # per word: part of the license terms proper
    note: str = ""


def _core_words(text: str, tokens: Tokens) -> np.ndarray:
    """Per word: False on a copyright line (real files put their own) or in an appendix on how to
    apply the license (often left out): neither is needed to identify the terms."""
    lines = text.splitlines()
    optional = {n for n, line in enumerate(lines, start=1) if _COPYRIGHT_LINE.match(line) and len(line) < 200}
    appendix = next((n for n, line in enumerate(lines, start=1) if _APPENDIX.match(line)), None)
    if appendix is not None and appendix > len(lines) // 3:
        optional.update(range(appendix, len(lines) + 1))
    return np.fromiter((n not in optional for n in tokens.lines), dtype=bool, count=len(tokens.lines))


def _references() -> list[_Ref]:
    """One reference per distinct SPDX text; ids with identical texts share it."""
    groups: dict[tuple[str, ...], list[str]] = {}
    cores: dict[tuple[str, ...], np.ndarray] = {}
    for lic in load_bundle().licenses:
        if not lic.text or lic.deprecated:
            continue
        tokens = tokenize(lic.text, reference=True)
        groups.setdefault(tokens.words, []).append(lic.id)
        cores.setdefault(tokens.words, _core_words(lic.text, tokens))
    return [_Ref(words, tuple(members), cores[words]) for words, members in groups.items()]


def _without_included(refs: list[_Ref], index: Index) -> list[_Ref]:
    """Extra references for texts that include another whole license (the SPDX LGPL-3.0 text
    carries the GPL-3.0 text after its own): the text without the included one, same ids, since
    real files often hold only their own part."""
    sizes = index.sizes
    known = {r.words for r in refs}
    out: list[_Ref] = []
    for a, ref in enumerate(refs):
        shared = shared_counts(index, index.shingles_of(a))
        for b in np.flatnonzero(
            (shared >= 0.95 * sizes) & (sizes >= 150) & (sizes <= 0.9 * sizes[a])
        ).tolist():
            inner = refs[b].words
            text = " ".join(ref.words)
            head, tail = " ".join(inner[:25]), " ".join(inner[-25:])
            start, end = text.find(head), text.rfind(tail)
            if start < 0 or end < start:
                continue
            first = text[:start].count(" ") if start else 0
            last = first + text[start : end + len(tail)].count(" ") + 1
            if len(ref.words) - last > 0.05 * len(ref.words):
                continue  # only a whole license appended at the end, as LGPL-3.0 appends GPL-3.0
            words = ref.words[:first]
            if len(words) < 150 or words in known or _near_existing(index, words, a):
                continue
            core = ref.core[:first]
            note = f"without the {refs[b].members[0]} text it includes"
            out.append(_Ref(words, ref.members, core, note))
            known.add(words)
    return out


def _near_existing(index: Index, words: tuple[str, ...], source: int) -> bool:
    """True when a reference other than `source` already holds 90% of these words' shingles."""
    hashes = np.unique(shingle_hashes(word_ids(words, index.vocab)))
    hashes = hashes[hashes != 0]
    shared = shared_counts(index, hashes)
    shared[source] = 0
    return bool(hashes.size) and int(shared.max()) >= 0.9 * hashes.size


def _assemble(refs: list[_Ref]) -> Index:
    vocab: dict[str, int] = {}
    entries: list[IndexEntry] = []
    sets: list[np.ndarray] = []
    places: list[np.ndarray] = []
    flags: list[np.ndarray] = []
    repeats: list[np.ndarray] = []
    for ref in refs:
        for w in ref.words:
            vocab.setdefault(w, len(vocab) + 1)
        all_hashes = shingle_hashes(word_ids(ref.words, vocab))
        hashes, first, counts = np.unique(all_hashes, return_index=True, return_counts=True)
        keep = hashes != 0
        # A shingle is core when all its words are.
        core_shingle = np.ones(all_hashes.size, dtype=bool)
        for k in range(SHINGLE):
            core_shingle &= ref.core[k : k + all_hashes.size]
        core = core_shingle[first[keep]]
        entries.append(IndexEntry(ref.members, int(keep.sum()), int(core.sum()), ref.note))
        sets.append(hashes[keep])
        places.append(first[keep].astype(np.int32))
        flags.append(core)
        repeats.append(counts[keep] > 1)
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([s.size for s in sets])
    ref_hashes = np.concatenate(sets)
    owner = np.repeat(np.arange(len(sets), dtype=np.int32), [s.size for s in sets])
    order = np.argsort(ref_hashes, kind="stable")
    keys, first_key = np.unique(ref_hashes[order], return_index=True)
    return Index(
        version=version_string(),
        entries=tuple(entries),
        vocab=with_aliases(vocab),
        ref_hashes=ref_hashes,
        ref_offsets=offsets,
        ref_positions=np.concatenate(places),
        ref_core=np.concatenate(flags),
        ref_repeat=np.concatenate(repeats),
        ref_order=np.concatenate([np.argsort(p, kind="stable").astype(np.int32) for p in places]),
        bases=base_map(entries),
        catalog=without_texts(load_bundle()),
        post_keys=keys,
        post_starts=np.append(first_key, ref_hashes.size).astype(np.int64),
        post_entries=owner[order],
    )


def base_map(entries: tuple[IndexEntry, ...] | list[IndexEntry]) -> dict[int, int]:
    """Variant -> base by SPDX id: drop trailing "-part"s until a single-license entry's id remains."""
    by_id = {e.members[0]: i for i, e in enumerate(entries) if len(e.members) == 1 and not e.note}
    out = {}
    for i, e in enumerate(entries):
        if len(e.members) != 1 or e.note:
            continue
        parts = e.members[0].split("-")
        for cut in range(len(parts) - 1, 0, -1):
            base = by_id.get("-".join(parts[:cut]))
            if base is not None:
                out[i] = base
                break
    return out


def build_index() -> Index:
    refs = _references()
    first = _assemble(refs)
    extra = _without_included(refs, first)
    return _assemble(refs + extra) if extra else first
