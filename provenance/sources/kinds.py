"""Asset kinds from file names."""

from __future__ import annotations

import re

from provenance.model import AssetKind

# Words that say what a license file covers when they come before or after its name
# (DATA_LICENSE, MODEL_LICENSE, WEIGHT_DIFF_LICENSE, LICENSE-CODE, LICENSE.data.md).
_SCOPE_WORDS = {
    "data": ("data", "dataset", "datasets", "content", "corpus"),
    "code": ("code", "software", "source"),
    "model": ("model", "models", "weight", "weights", "weight_diff", "weight-diff", "checkpoint", "checkpoints"),
}
_SCOPE_PREFIX = "|".join(w for words in _SCOPE_WORDS.values() for w in words)
_LICENSE_NAME = re.compile(
    rf"^(?:(?:{_SCOPE_PREFIX})[-_.])?(?:licen[cs]e|copying|notice|unlicense|copyright)(?:[-._][\w.+-]{{0,40}})?$"
    r"|\.licen[cs]e$", re.IGNORECASE
)
_SCOPE_OF_WORD = {w: scope for scope, words in _SCOPE_WORDS.items() for w in words}


def license_file_scope(name: str) -> str:
    """What a license file's name says it covers: "data", "code", "model", or "" (everything)."""
    lower = name.lower()
    for ext in (".txt", ".md", ".rst"):
        lower = lower.removesuffix(ext)
    for word in re.split(r"[-_.](?=[a-z])", lower):
        if word in _SCOPE_OF_WORD:
            return _SCOPE_OF_WORD[word]
    head = lower.split("licen")[0].rstrip("-_.")
    return _SCOPE_OF_WORD.get(head, "")


#: Extensions of model weights and checkpoints.
MODEL_EXTENSIONS = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".ggml", ".onnx", ".h5", ".pb",
                    ".tflite", ".mlmodel", ".pdparams")
# Files of a project that are not its data: documentation, requirements, build and tool configuration.
_DOC_EXTENSIONS = (".md", ".markdown", ".rst", ".adoc", ".org")
_CONFIG_EXTENSIONS = (".yaml", ".yml", ".toml", ".ini", ".cfg")
_PROJECT_FILES = re.compile(r"^(?:requirements[\w.-]*\.txt|constraints\.txt|cmakelists\.txt|makefile|dockerfile"
                            r"|setup\.cfg|manifest\.in|changelog[\w.-]*|authors[\w.-]*|contributing[\w.-]*"
                            r"|package(?:-lock)?\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|pipfile(?:\.lock)?"
                            r"|tsconfig[\w.-]*\.json|\.eslintrc[\w.-]*|[\w.-]*\.schema\.json|schema\.json)$",
                            re.IGNORECASE)
# Folders of a project's tooling: JSON there is configuration or templates, not records.
_CONFIG_FOLDERS = frozenset({"config", "configs", "conf", "settings", ".github", ".vscode", ".devcontainer",
                             ".circleci", "scripts", "tools", "templates"})
# Folders of a project's own web interface or documentation figures: what is there goes with the code.
_PROJECT_FOLDERS = frozenset({"gui", "web", "frontend", "ui", "static", "site", "www", "assets", "figures", "figs",
                              "docs", "doc"})


def role_of(path: str, kind: AssetKind) -> str:
    """What an asset is to a project, for license files that cover only part of it: "code" (code,
    configuration, requirements), "docs", "model" (weights), or "data" (everything else)."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if kind is AssetKind.CODE or _PROJECT_FILES.match(name):
        return "code"
    if lower.endswith(MODEL_EXTENSIONS):
        return "model"
    if kind is AssetKind.TEXT and lower.endswith(_DOC_EXTENSIONS):
        return "docs"
    if lower.endswith(_CONFIG_EXTENSIONS):
        return "code"
    folders = path.lower().split("/")[:-1]
    if kind is AssetKind.TABLE and lower.endswith(".json") and any(f in _CONFIG_FOLDERS for f in folders):
        return "code"
    if any(f in _PROJECT_FOLDERS for f in folders):
        return "docs"
    return "data"
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


# First letters of card and license-file names (readme, license, copying, notice, unlicense, and the
# scope words before them: data_license, model_license, weight_diff_license, software_license).
_SPECIAL_START = frozenset("rlcnudmwsd")
#: Descriptors that formats and tools keep beside the data, by exact (lower-case) name.
DATASET_METADATA_NAMES = frozenset({
    "dataset_info.json", "dataset_infos.json", "dataset_dict.json",  # datasets (save_to_disk, legacy infos)
    "croissant.json", "datapackage.json", "dataset-metadata.json",  # Croissant, Frictionless, Kaggle
    ".zenodo.json", "citation.cff", ".gitattributes", ".gitignore", ".gitmodules", ".huggingface.yaml",
})
#: save_to_disk's state.json is metadata only beside a dataset_info.json (elsewhere it may be data).
SAVED_STATE = "state.json"


#: What pip and setuptools keep beside an installed package, in its `*.dist-info` or `*.egg-info` folder.
PACKAGE_INFO_SUFFIXES = (".dist-info", ".egg-info")
PACKAGE_INFO_NAMES = frozenset({"METADATA", "PKG-INFO", "RECORD", "WHEEL", "INSTALLER", "REQUESTED",
                                "entry_points.txt", "top_level.txt", "direct_url.json", "SOURCES.txt",
                                "dependency_links.txt", "requires.txt", "not-zip-safe"})


def kind_in_folder(name: str, has_dataset_info: bool, folder: str = "") -> AssetKind:
    """Kind of a file, knowing whether its folder holds a dataset_info.json (save_to_disk) and the
    folder's name (a package's `*.dist-info`)."""
    if has_dataset_info and name == SAVED_STATE:
        return AssetKind.DATASET_METADATA
    if name in PACKAGE_INFO_NAMES and folder.endswith(PACKAGE_INFO_SUFFIXES):
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
