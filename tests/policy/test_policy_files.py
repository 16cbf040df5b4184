"""Policy files: values that are not usable are usage errors."""

from __future__ import annotations


def test_bad_threshold_values_are_usage_errors() -> None:
    import pytest

    from provenance.errors import ConfigError
    from provenance.policy import parse_policy

    with pytest.raises(ConfigError, match="must be a number"):
        parse_policy({"thresholds": {"unlicensed": {"max_assets": "lots"}}})
