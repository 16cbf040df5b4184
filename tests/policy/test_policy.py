from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import provenance
from provenance.errors import ConfigError
from provenance.policy import parse_policy


def _corpus(tree) -> Path:
    return tree({
        "LICENSE": "Released under the MIT License.\n",
        "a.txt": "a" * 100,
        "legacy/README.md": "---\nlicense: cc-by-nc-4.0\n---\n",
        "legacy/old.txt": "o" * 10,
        "gpl/x.c": "// SPDX-License-Identifier: GPL-3.0-only\nint x;\n",
    })


def test_default_policy_fails_on_use_restriction(tree, tmp_path: Path) -> None:
    result = provenance.scan(_corpus(tree), tmp_path / "o")
    assert result.verdict.status.value == "fail"
    assert dict(result.verdict.failed)["use-restricted"] == 1  # the text under the card, not the card


def test_waivers_with_expiry(tree, tmp_path: Path) -> None:
    root = _corpus(tree)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    waiver = {"rule": "use-restricted", "path": "legacy/**", "reason": "licensed separately, ticket LEG-7"}
    result = provenance.scan(root, tmp_path / "o", policy=parse_policy({"waivers": [{**waiver, "expires": future}]}))
    assert result.verdict.status.value == "pass"
    assert result.verdict.waived[0].assets == 1 and result.verdict.waived[0].reason.endswith("LEG-7")
    old = parse_policy({"waivers": [{**waiver, "expires": "2020-01-01"}]})
    expired = provenance.scan(root, tmp_path / "o2", policy=old)
    assert expired.verdict.status.value == "fail"
    assert any("expired on 2020-01-01" in r for r in expired.verdict.reasons)


def test_deny_and_allow_lists(tree, tmp_path: Path) -> None:
    root = _corpus(tree)
    denied = provenance.scan(root, tmp_path / "o", use="research", policy=parse_policy({"deny": ["GPL-3.0-only"]}))
    assert dict(denied.verdict.failed) == {"license-denied": 1}
    allowed = provenance.scan(root, tmp_path / "o2", policy=parse_policy({"use": "research", "allow": ["MIT"]}))
    assert set(dict(allowed.verdict.failed)) == {"license-not-allowed"}


def test_thresholds_and_severities(tree, tmp_path: Path) -> None:
    root = _corpus(tree)
    (root / "stray.txt").write_text("s")
    (root / "LICENSE").unlink()
    # 'unlicensed' covers a.txt (100 B) and stray.txt (1 B) out of ~170 B: over 10% of bytes
    strict = parse_policy({"use": "research", "thresholds": {"unlicensed": {"max_share_bytes": 0.10}}})
    assert "unlicensed" in dict(provenance.scan(root, tmp_path / "o", policy=strict).verdict.failed)
    loose = parse_policy({"use": "research", "thresholds": {"unlicensed": {"max_share_bytes": 0.9}}})
    assert provenance.scan(root, tmp_path / "o2", policy=loose).verdict.status.value == "pass"
    warn_only = parse_policy({"use": "research", "rules": {"unlicensed": "warning"}})
    assert provenance.scan(root, tmp_path / "o3", policy=warn_only).verdict.status.value == "pass"


@pytest.mark.parametrize("bad", [
    {"colour": "red"},
    {"use": "military"},
    {"rules": {"unlicensed": "fatal"}},
    {"deny": ["Not-A-License"]},
    {"waivers": [{"rule": "unlicensed", "path": "x/**"}]},
    {"waivers": [{"rule": "unlicensed", "path": "x/**", "reason": "r", "expires": "soon"}]},
    {"thresholds": {"unlicensed": {"max_share": 0.1}}},
    ["not", "a", "mapping"],
])
def test_bad_policies_are_clear_errors(bad: object) -> None:
    with pytest.raises(ConfigError):
        parse_policy(bad)
