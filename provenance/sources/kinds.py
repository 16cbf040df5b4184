"""Asset kinds from file names."""

from __future__ import annotations

import re

from provenance.model import AssetKind

_LICENSE_NAME = re.compile(
    r"^(?:(?:data(?:set)?[-_.])?licen[cs]e|copying|notice|unlicense|copyright)(?:[-._][\w.+-]{0,40})?$"
    r"|\.licen[cs]e$", re.IGNORECASE
)
_CARD_NAME = re.compile(r"^readme(?:\.(?:md|markdown|txt|rst))?$", re.IGNORECASE)

_EXTENSIONS: dict[AssetKind, tuple[str, ...]] = {
    AssetKind.TEXT: (".txt", ".text", ".md", ".markdown", ".rst", ".tex", ".htm", ".html", ".xml", ".srt",
                     ".vtt", ".log", ".org", ".adoc", ".yaml", ".yml", ".toml", ".ini", ".cfg"),
    AssetKind.CODE: (".py", ".pyi", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".java", ".c", ".h", ".cc", ".cpp",
                     ".hpp", ".cxx", ".go", ".rs", ".rb", ".php", ".cs", ".swift", ".kt", ".kts", ".scala",
                     ".sh", ".bash", ".zsh", ".pl", ".pm", ".lua", ".r", ".m", ".mm", ".sql", ".jl", ".dart",
                     ".hs", ".ml", ".ex", ".exs", ".erl", ".clj", ".css", ".scss", ".vue", ".svelte",
                     ".ipynb", ".el", ".vim", ".f90", ".proto", ".cmake", ".gradle"),
    AssetKind.TABLE: (".jsonl", ".ndjson", ".jsonlines", ".json", ".csv", ".tsv", ".parquet", ".arrow", ".feather",
                      ".ipc"),
    AssetKind.IMAGE: (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif",
                      ".avif", ".jp2", ".ico"),
    AssetKind.AUDIO: (".wav", ".mp3", ".flac", ".ogg", ".oga", ".m4a", ".opus", ".aac", ".wma", ".aiff"),
    AssetKind.VIDEO: (".mp4", ".mkv", ".webm", ".avi", ".mov", ".m4v", ".mpg", ".mpeg", ".wmv"),
    AssetKind.ARCHIVE: (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tbz2", ".txz"),
}
_BY_EXTENSION = {ext: kind for kind, exts in _EXTENSIONS.items() for ext in exts}
# "license_check.py", "license_index.json.ABOUT": code and data whose names start like a license file.
_NOT_LICENSE = frozenset(
    ext.lstrip(".") for kind in (AssetKind.CODE, AssetKind.TABLE, AssetKind.IMAGE, AssetKind.ARCHIVE)
    for ext in _EXTENSIONS[kind]
)


# First letters of card and license-file names (readme, license, copying, notice, unlicense, data_license).
_SPECIAL_START = frozenset("rlcnud")
#: Descriptors that formats and tools keep beside the data, by exact (lower-case) name.
DATASET_METADATA_NAMES = frozenset({
    "dataset_info.json", "dataset_infos.json", "dataset_dict.json",  # datasets (save_to_disk, legacy infos)
    "croissant.json", "datapackage.json", "dataset-metadata.json",  # Croissant, Frictionless, Kaggle
    ".zenodo.json", "citation.cff", ".gitattributes", ".gitignore", ".gitmodules", ".huggingface.yaml",
})
#: save_to_disk's state.json is metadata only beside a dataset_info.json (elsewhere it may be data).
SAVED_STATE = "state.json"


def kind_in_folder(name: str, has_dataset_info: bool) -> AssetKind:
    """Kind of a file, knowing whether its folder holds a dataset_info.json (save_to_disk)."""
    if has_dataset_info and name == SAVED_STATE:
        return AssetKind.DATASET_METADATA
    return kind_of(name)


def kind_of(name: str) -> AssetKind:
    """Kind of a file from its base name."""
    lower = name.lower()
    if lower in DATASET_METADATA_NAMES or lower.endswith(".croissant.json"):
        return AssetKind.DATASET_METADATA
    dot = lower.rfind(".")
    ext = lower[dot:] if dot > 0 else ""
    if name.isascii() and lower[:1] not in _SPECIAL_START and not lower.endswith(("license", "licence")):
        # The common case: neither a card nor a license name. (Only for ASCII: the rules match
        # case-insensitively, and "ſ" or "İ" can stand for "s" or "i" there.)
        return _BY_EXTENSION.get(ext, AssetKind.OTHER)
    if _CARD_NAME.match(name):
        return AssetKind.DATASET_CARD
    if _LICENSE_NAME.search(name) and not _NOT_LICENSE.intersection(lower.split(".")[1:]):
        return AssetKind.LICENSE_FILE
    return _BY_EXTENSION.get(ext, AssetKind.OTHER)
