"""Folders written by `datasets`' `save_to_disk`: their files, plus the license each
`dataset_info.json` declares, as folder-level evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance.detectors.cards import card_evidence
from provenance.model import Evidence, SourceInfo
from provenance.sources.local import LocalSource


def is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and ((path / "dataset_dict.json").is_file()
                              or ((path / "dataset_info.json").is_file() and (path / "state.json").is_file()))


def saved_dataset_evidence(root: Path) -> list[Evidence]:
    """The `license` of each `dataset_info.json` of a save_to_disk folder, as card metadata for its folder."""
    found: list[Evidence] = []
    for info_path in sorted(root.rglob("dataset_info.json")):
        if info_path.is_symlink():
            continue
        rel = info_path.relative_to(root).as_posix()
        scope = rel.rpartition("/")[0]
        try:
            data = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the file is scanned as an asset too; its problem is reported there
        if isinstance(data, dict) and isinstance(data.get("license"), str) and data["license"].strip():
            found += card_evidence(rel, scope, {"license": data["license"].strip()})
    return found


class SavedDatasetSource(LocalSource):
    """A `save_to_disk` folder: its files, plus the license its `dataset_info.json` declares."""

    def __init__(self, root: str | Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.info = SourceInfo(name=self.info.name, kind="datasets-saved", root=self.info.root,
                               details=_saved_details(self.root))

    def scope_evidence(self) -> list[Evidence]:
        return saved_dataset_evidence(self.root)


def _saved_details(root: Path) -> dict[str, Any]:
    splits = []
    dict_file = root / "dataset_dict.json"
    if dict_file.is_file():
        try:
            splits = list(json.loads(dict_file.read_text(encoding="utf-8")).get("splits", []))
        except (OSError, ValueError, AttributeError):
            splits = []
    return {"format": "save_to_disk", "splits": splits}
