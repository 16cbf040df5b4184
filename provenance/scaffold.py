"""`provenance init`: a commented provenance.yaml (the service, one source per top-level folder with
a guessed type and the fields to fill) and a policy.yaml that spells out the defaults.

Fields to fill are written as `null`: a loaded file treats them as not declared (the reports say
"not declared"), never as an empty declaration. Nothing is overwritten."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pathspec
import yaml

from provenance.atomic import write_new_text
from provenance.declarations import DECLARATIONS_FILE_NAME, REGIONS, SOURCE_TYPES
from provenance.errors import ConfigError
from provenance.model import AssetKind, Rule
from provenance.policy import DEFAULT_FAILING, USES, Policy
from provenance.sources.kinds import kind_of
from provenance.sources.local import IGNORE_FILE
from provenance.words import RULES, SEVERITY, word

POLICY_FILE_NAME = "policy.yaml"
#: Files counted per folder for the comment above its entry; past this the count says "or more".
COUNT_LIMIT = 100_000
_SKIP = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", "provenance-report"})

# Folder names that hint at how data was obtained, tried in this order.
_TYPE_HINTS = (
    ("self-collected", re.compile(r"crawl|scrap|spider|web|collect|harvest|爬|采集", re.IGNORECASE)),
    ("commercial", re.compile(r"vendor|purchas|licens|commercial|bought|supplier|partner|采购|商业", re.IGNORECASE)),
    ("synthetic", re.compile(r"synth|generat|augment|合成|生成", re.IGNORECASE)),
    ("user-input", re.compile(r"user|feedback|upload|submission|用户", re.IGNORECASE)),
    ("open-source", re.compile(r"open|public|hf|huggingface|wiki|commons|开源|公开", re.IGNORECASE)),
)

#: Fields worth filling per source type, beside name, type, origin and region.
_FIELDS = {
    "open-source": (("license", "SPDX id, only when the data does not state it itself (a LICENSE or card)"),
                    ("version", "release or commit the data was taken from")),
    "self-collected": (("collection_log", "file recording what was collected, when and from where"),
                       ("robots_respected", "true when robots.txt and opt-outs were honoured"),
                       ("collected", "date or period of collection")),
    "commercial": (("contract", "contract or order number"),
                   ("supplier_commitment", "the supplier's written commitment that the data is lawful"),
                   ("license", "LicenseRef-... naming the contract terms")),
    "user-input": (("authorization", "how users agreed that their input may be used for training"),),
    "synthetic": (("notes", "which model generated the data, and from what inputs"),),
}
_ORIGIN_HINT = {
    "open-source": "URL of the dataset or project",
    "self-collected": "website(s) or app collected from",
    "commercial": "the supplier's name",
    "user-input": "the product the input comes from",
    "synthetic": "the generator (model name and version)",
}


@dataclass(frozen=True)
class FolderGuess:
    """A top-level folder and what `init` guessed about it."""

    name: str
    type: str | None
    #: Why the type was guessed (empty when it was not).
    reason: str
    files: int
    bytes: int
    #: License files and cards found directly in the folder.
    license_files: tuple[str, ...]


@dataclass(frozen=True)
class InitResult:
    written: tuple[Path, ...]
    #: Files that existed and were left as they were.
    kept: tuple[Path, ...]
    folders: tuple[FolderGuess, ...]


def _count(folder: Path) -> tuple[int, int]:
    files = size = 0
    stack = [str(folder)]
    while stack and files < COUNT_LIMIT:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.name not in _SKIP:
                                stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            files += 1
                            size += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return files, size


def guess_folder(folder: Path) -> FolderGuess:
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError:
        names = []
    licenses = tuple(n for n in names if kind_of(n) in (AssetKind.LICENSE_FILE, AssetKind.DATASET_CARD))
    kind, reason = None, ""
    for candidate, pattern in _TYPE_HINTS:
        if pattern.search(folder.name):
            kind, reason = candidate, f"the folder name '{folder.name}'"
            break
    if kind is None and any(kind_of(n) is AssetKind.LICENSE_FILE for n in licenses):
        kind, reason = "open-source", f"{', '.join(licenses)} in the folder"
    files, size = _count(folder)
    return FolderGuess(folder.name, kind, reason, files, size, licenses)


def top_folders(root: Path) -> list[FolderGuess]:
    """The top-level folders a scan would read: not hidden, not version control, not left out by
    the root's .provenanceignore."""
    ignore = root / IGNORE_FILE
    lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines() if ignore.is_file() else []
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return [guess_folder(p) for p in sorted(root.iterdir())
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and p.name not in _SKIP
            and not spec.match_file(p.name + "/")]


def _q(value: str) -> str:
    """A YAML scalar for a name or glob (quoted when YAML would read it as something else)."""
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip()
    return dumped.removesuffix("\n...").removesuffix("...").strip()


def _commented(text: str, comment: str, width: int = 28) -> str:
    return (text + " ").ljust(width) + "# " + comment


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} TB"


def declarations_text(root: Path, folders: list[FolderGuess]) -> str:
    tool_files = (DECLARATIONS_FILE_NAME, POLICY_FILE_NAME, IGNORE_FILE)
    loose = sum(1 for p in root.iterdir() if p.is_file() and p.name not in tool_files)
    lines = [
        "# provenance.yaml: what you state about the service and where each part of the data came from.",
        "# Written by `provenance init`; fill in the null values. A null is 'not declared': the reports",
        "# say so rather than invent it. The scan reads license files, cards and headers in the data",
        "# itself; declare a license only for data that does not state one. Unknown keys are an error.",
        "",
        "service:",
        "  name: null            # the generative AI service these data train",
        "  provider: null        # the company providing it",
        "  purpose: null         # what it is for (zh or en), e.g. product exterior design; checks off-purpose content",
        "  domains: []           # e.g. [design and manufacturing]",
        "  base_model: null      # the base model, when fine-tuning one",
        "  contact: null",
        "",
        f"# Source types: {', '.join(SOURCE_TYPES)}. Regions: {', '.join(REGIONS)}.",
        "# The first entry whose path glob matches a file is its source.",
    ]
    if not folders:
        lines += ["sources: []            # no folders found: add {path: \"folder/**\", type: ..., origin: ...}"]
    else:
        lines.append("sources:")
    for f in folders:
        more = "+" if f.files >= COUNT_LIMIT else ""
        lines.append(f"  # {f.name}/: {f.files:,}{more} file{'' if f.files == 1 else 's'}, {_size(f.bytes)}"
                     + (f"; found {', '.join(f.license_files)}" if f.license_files else ""))
        lines.append(f"  - path: {_q(f.name + '/**')}")
        lines.append(f"    name: {_q(f.name)}")
        if f.type:
            lines.append(f"    type: {f.type:<16}  # guessed from {f.reason}: check it")
        else:
            lines.append(f"    type: null              # one of {', '.join(SOURCE_TYPES)}")
        lines.append(f"    origin: null            # {_ORIGIN_HINT.get(f.type or '', 'where the data came from')}")
        lines.append(f"    region: null            # {', '.join(REGIONS)}")
        for key, hint in _FIELDS.get(f.type or "", ()):
            lines.append(_commented(f"    {key}: null", hint))
    if loose:
        lines += ["", f"# {loose} file(s) directly in {root.name or root}/ are not under any source above;",
                  "# add an entry (path: \"*.txt\") for them, or move them into a folder."]
    lines += [
        "",
        "ip:",
        "  owner: null             # who handles intellectual-property questions",
        "  complaint_channel: null # where rights holders can complain (e-mail, URL)",
        "",
    ]
    return "\n".join(lines)


def policy_text() -> str:
    default = Policy()
    lines = [
        "# policy.yaml: what fails the pre-training gate. Written by `provenance init` with the defaults",
        "# spelled out; `provenance scan DIR --policy policy.yaml` uses it.",
        "",
        "name: default",
        f"use: {default.use}          # {' or '.join(USES)}: what the trained model will be used for (--use overrides)",
        f"max_errors: {default.max_errors}            # unreadable assets tolerated before the verdict is"
        " 'incomplete' (exit 3)",
        "",
        "# Severity per rule: error fails the gate (exit 1); warning and info are reported only.",
        "rules:",
    ]
    for rule in Rule:
        severity = "error" if rule in DEFAULT_FAILING else SEVERITY[rule].value
        lines.append(_commented(f"  {rule.value}: {severity}", word(RULES, rule, "en"), 34))
    lines += [
        "",
        "deny: []                 # SPDX ids that fail wherever they apply, e.g. [AGPL-3.0-only]",
        "allow: []                # when not empty, only these SPDX ids pass",
        "",
        "# A rule fails only above these limits: max_assets, max_records, max_share_bytes, max_share_assets.",
        "thresholds: {}           # e.g. {unlicensed: {max_share_bytes: 0.01}}",
        "",
        "# Exceptions with a reason (and an end date): the verdict lists them, and expired ones stop applying.",
        "waivers: []              # e.g. [{rule: use-restricted, path: \"legacy/**\", reason: \"agreement LEG-7\","
        " expires: 2027-06-30}]",
        "",
    ]
    return "\n".join(lines)


def init_project(root: str | Path) -> InitResult:
    """Write provenance.yaml and policy.yaml into `root`; files that exist are kept."""
    folder = Path(root)
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder")
    folders = top_folders(folder)
    written, kept = [], []
    for name, text in ((DECLARATIONS_FILE_NAME, declarations_text(folder, folders)),
                       (POLICY_FILE_NAME, policy_text())):
        target = folder / name
        try:
            write_new_text(target, text)
        except FileExistsError:
            kept.append(target)
            continue
        except OSError as exc:
            raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from None
        written.append(target)
    return InitResult(tuple(written), tuple(kept), tuple(folders))
