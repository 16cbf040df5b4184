"""Words for the values users meet on the command line (rules, use classes, evidence kinds and
levels) in English and Chinese, and one lookup function for the sentences built from them.

Used by `explain`, `init`, `licenses` and `diff`; the filing reports keep their own strings in
reports/strings/. A missing key is a bug and fails loudly."""

from __future__ import annotations

from typing import Any

from provenance.errors import ConfigError, unknown_name
from provenance.model import EvidenceKind, Level, Rule, Severity, UseClass

LANGS = ("en", "zh")

RULES: dict[str, tuple[str, str]] = {
    Rule.UNLICENSED: ("no evidence of a grant", "没有任何授权证据"),
    Rule.USE_RESTRICTED: ("the license does not allow the declared use", "许可证不允许声明的用途"),
    Rule.LICENSE_CONFLICT: ("evidence at the same level disagrees, or the data contradicts a declaration",
                            "同一层级的证据互相矛盾，或数据与声明不符"),
    Rule.SCAN_ERROR: ("could not be read (or an empty file)", "无法读取（或为空文件）"),
    Rule.UNKNOWN_LICENSE: ("license evidence not identified, or terms the knowledge base does not know",
                           "许可证证据未能识别，或知识库不了解其训练使用条款"),
    Rule.RIGHTS_RESERVED: ("all rights reserved and no license", "保留所有权利且没有许可证"),
    Rule.ATTRIBUTION_REQUIRED: ("attribution required", "需要署名"),
    Rule.SHARE_ALIKE: ("share-alike terms", "相同方式共享条款"),
    Rule.NO_DERIVATIVES: ("no derivatives allowed", "禁止演绎"),
    Rule.LICENSE_DENIED: ("a license on the policy's deny list", "许可证在策略的禁止名单上"),
    Rule.LICENSE_NOT_ALLOWED: ("a license outside the policy's allow list", "许可证不在策略的允许名单内"),
    Rule.KNOWN_WORK: ("an image or a text passage matches the known-works registry",
                      "图像或文本段落与已知作品登记库匹配"),
    Rule.KNOWN_WORK_EXCERPT: ("a passage of a registered text work, longer than a short quote",
                              "包含已登记文本作品的段落（超过简短引用）"),
    Rule.TDM_OPT_OUT: ("the rights holder opted out of text and data mining or AI training",
                       "权利人声明不得用于文本与数据挖掘或人工智能训练"),
    Rule.BLOCKED_CONTENT: ("a source's share of blocklisted items is over the threshold",
                           "来源中含屏蔽词的条目比例超过阈值"),
    Rule.PERSONAL_INFO: ("personal information found (masked)", "发现个人信息（已脱敏）"),
    Rule.OFF_PURPOSE: ("content in a sensitive domain the declared purpose does not cover",
                       "内容属于声明用途未涵盖的敏感领域"),
    Rule.ARCHIVE_MEMBER_SKIPPED: ("archive members left unread (limits)", "压缩包成员因限制未读取"),
    Rule.UPSTREAM_UNRESOLVED: ("an upstream dataset named in the card could not be checked",
                               "数据卡中列出的上游数据集无法核查"),
    Rule.URL_DOMAINS: ("records come from these web domains", "记录来自以下网站域名"),
    Rule.RECORD_SOURCES: ("records name their sources", "记录注明了来源"),
    Rule.EMPTY_FILE: ("empty file: nothing to check", "空文件：无内容可检查"),
    Rule.PARTIALLY_CHECKED: ("only part checked (malformed rows or a sample, said with counts)",
                             "仅部分检查（格式错误的行或抽样，附数量）"),
}

#: The severity a rule's findings carry (policy `rules:` can make any of them fail the gate).
SEVERITY: dict[str, Severity] = {
    **{r: Severity.ERROR for r in (Rule.UNLICENSED, Rule.USE_RESTRICTED, Rule.LICENSE_CONFLICT, Rule.SCAN_ERROR,
                                   Rule.LICENSE_DENIED, Rule.LICENSE_NOT_ALLOWED, Rule.KNOWN_WORK, Rule.TDM_OPT_OUT,
                                   Rule.BLOCKED_CONTENT)},
    **{r: Severity.WARNING for r in (Rule.UNKNOWN_LICENSE, Rule.RIGHTS_RESERVED, Rule.PERSONAL_INFO,
                                     Rule.KNOWN_WORK_EXCERPT, Rule.OFF_PURPOSE, Rule.ARCHIVE_MEMBER_SKIPPED,
                                     Rule.UPSTREAM_UNRESOLVED, Rule.EMPTY_FILE, Rule.PARTIALLY_CHECKED)},
    **{r: Severity.INFO for r in (Rule.ATTRIBUTION_REQUIRED, Rule.SHARE_ALIKE, Rule.NO_DERIVATIVES,
                                  Rule.URL_DOMAINS, Rule.RECORD_SOURCES)},
}

USE_CLASSES: dict[str, tuple[str, str]] = {
    UseClass.COMMERCIAL: ("commercial use allowed", "允许商业使用"),
    UseClass.NON_COMMERCIAL: ("non-commercial use only", "仅限非商业使用"),
    UseClass.RESEARCH_ONLY: ("research use only", "仅限研究使用"),
    UseClass.NO_GRANT: ("nothing granted (all rights reserved)", "未授予任何权利（保留所有权利）"),
    UseClass.UNKNOWN: ("terms not known: a person has to review them", "条款未知，需要人工审核"),
}

EVIDENCE_KINDS: dict[str, tuple[str, str]] = {
    EvidenceKind.LICENSE_FILE: ("license file", "许可证文件"),
    EvidenceKind.CARD_METADATA: ("dataset card metadata", "数据卡元数据"),
    EvidenceKind.CARD_PROSE: ("dataset card text", "数据卡正文"),
    EvidenceKind.SPDX_HEADER: ("SPDX header in the file", "文件内的 SPDX 标识"),
    EvidenceKind.HEADER_NOTICE: ("license notice at the top of the file", "文件开头的许可声明"),
    EvidenceKind.RECORD_FIELD: ("license field of the records", "记录的许可证字段"),
    EvidenceKind.IMAGE_METADATA: ("image metadata", "图像元数据"),
    EvidenceKind.DECLARATION: ("declarations file", "声明文件"),
}

LEVELS: dict[str, tuple[str, str]] = {
    Level.RECORD: ("record", "记录"),
    Level.FILE: ("file", "文件"),
    Level.DIRECTORY: ("folder", "文件夹"),
    Level.DECLARED: ("declared", "声明"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    Severity.ERROR: ("error", "错误"),
    Severity.WARNING: ("warning", "警告"),
    Severity.INFO: ("info", "提示"),
}


def lang_index(lang: str) -> int:
    if lang not in LANGS:
        raise unknown_name("language", lang, LANGS)
    return LANGS.index(lang)


def word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The word for `key` in `lang`; a key the table does not know is shown as it is (a newer
    scan.json may carry a rule this version does not describe)."""
    pair = table.get(key)
    return pair[lang_index(lang)] if pair else str(key)


class Phrases:
    """Sentences with {placeholders}, per language."""

    def __init__(self, table: dict[str, tuple[str, str]], lang: str) -> None:
        self.table = table
        self.lang = lang
        self.i = lang_index(lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        try:
            text = self.table[key][self.i]
        except KeyError:
            raise ConfigError(f"no phrase '{key}'") from None
        return text.format(**params) if params else text
