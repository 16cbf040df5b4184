"""Policy files: values that are not usable are usage errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import provenance


def test_bad_threshold_values_are_usage_errors() -> None:
    import pytest

    from provenance.errors import ConfigError
    from provenance.policy import parse_policy

    with pytest.raises(ConfigError, match="must be a number"):
        parse_policy({"thresholds": {"unlicensed": {"max_assets": "lots"}}})


@pytest.mark.parametrize(("policy", "message"), [
    ("rules:\n  unknown-licence: error\n", "unknown rule id .* 'unknown-licence'; did you mean 'unknown-license'"),
    ("rules:\n  unlicensed: eror\n", "did you mean 'error'"),
    ("thresholds:\n  unlicenced: {max_assets: 1}\n", "did you mean 'unlicensed'"),
    ("thresholds:\n  unlicensed: {max_asset: 1}\n", "did you mean 'max_assets'"),
    ("waivers:\n  - {rule: use-restricte, path: 'a/**', reason: x}\n", "did you mean 'use-restricted'"),
    ("waivers:\n  - {rule: use-restricted, path: 'a/**', reason: x, expire: 2027-01-01}\n", "did you mean 'expires'"),
    ("rule:\n  unlicensed: error\n", "unknown key .* 'rule'; did you mean 'rules'"),
    ("use: Research\n", "did you mean 'research'"),
])
def test_typos_in_a_policy_file_are_usage_errors_naming_the_closest(tree, tmp_path: Path, policy: str,
                                                                      message: str) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    (tmp_path / "policy.yaml").write_text(policy)
    res = CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "out"), "--policy",
                                    str(tmp_path / "policy.yaml")])
    assert res.exit_code == 2, res.output
    assert re.search(message, res.output), res.output
    assert not (tmp_path / "out" / "scan.json").exists()  # refused before any file was read


def test_a_wrong_use_in_the_api_is_a_usage_error_not_a_scan_error_per_file(tree, tmp_path: Path) -> None:
    from provenance.errors import ConfigError

    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    with pytest.raises(ConfigError, match="did you mean 'research'"):
        provenance.scan(root, tmp_path / "out", use="Research")
    with pytest.raises(ConfigError, match="unknown scan option 'polcy'; did you mean 'policy'"):
        provenance.scan(root, tmp_path / "out", polcy="p.yaml")
