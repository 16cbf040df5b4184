"""Folders written by `datasets`' `save_to_disk`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance.model import SourceInfo
from provenance.sources.local import LocalSource


def is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and ((path / "dataset_dict.json").is_file()
                              or ((path / "dataset_info.json").is_file() and (path / "state.json").is_file()))


class SavedDatasetSource(LocalSource):
    """A `save_to_disk` folder: its files, with what the folder says about its splits. The license
    each `dataset_info.json` declares is read by the dataset-metadata detector, as in any folder."""

    def __init__(self, root: str | Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.info = SourceInfo(name=self.info.name, kind="datasets-saved", root=self.info.root,
                               details=_saved_details(self.root))


def _saved_details(root: Path) -> dict[str, Any]:
    splits = []
    dict_file = root / "dataset_dict.json"
    if dict_file.is_file():
        try:
            splits = list(json.loads(dict_file.read_text(encoding="utf-8")).get("splits", []))
        except (OSError, ValueError, AttributeError):
            splits = []
    return {"format": "save_to_disk", "splits": splits}
