"""The effective policy writes every default out, nested blocks included."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.security.common import part_settings
from gatekeeper.plugins import discover
from gatekeeper.policy.defaults import config_defaults, properties
from gatekeeper.policy.load import load_policy
from gatekeeper.policy.model import Policy

CHECKS = discover().classes()


def load(text: str) -> Policy:
    return load_policy(text, source="p.yml", checks=CHECKS, pr=PullRequest())


def test_the_security_parts_are_written_out() -> None:
    security = load("version: 1\nchecks: {security: true}\n").document["checks"]["security"]
    assert security["bandit"]["min_severity"] == "medium"
    assert security["bandit"]["include"] == ["*.py", "*.pyw"]
    assert security["bandit"]["max_file_bytes"] == 10 * 1024 * 1024
    assert security["secrets"]["honour_pragmas"] is True
    assert "*.lock" in security["secrets"]["exclude"]
    assert security["dependencies"]["timeout"] == 15.0
    assert "**/auth/**" in security["sensitive"]["paths"]
    assert {security[p]["enabled"] for p in ("bandit", "secrets", "dependencies", "sensitive")} == {
        True
    }


def test_a_part_the_policy_sets_keeps_the_defaults_beside_it() -> None:
    text = "version: 1\nchecks:\n  security: {bandit: {skips: [B101]}, secrets: block}\n"
    security = load(text).document["checks"]["security"]
    assert security["bandit"]["skips"] == ["B101"]
    assert security["bandit"]["min_severity"] == "medium"
    assert security["secrets"] == "block"  # a shorthand stays as written


def test_the_written_out_defaults_mean_what_the_code_does_without_them() -> None:
    written = load("version: 1\nchecks: {security: true}\n").check("security").config
    for part in ("bandit", "secrets", "dependencies", "sensitive"):
        explicit, implicit = part_settings(written[part]), part_settings(None)
        assert (explicit.enabled, explicit.level, explicit.on_error) == (
            implicit.enabled,
            implicit.level,
            implicit.on_error,
        )
        for key, value in explicit.options.items():
            assert implicit.get(key, value) == value, (part, key)


def _declared(node: Any, root: Any, path: tuple[str, ...]) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, sub in properties(node, root).items():
        if isinstance(sub, dict) and "default" in sub:
            out[(*path, key)] = sub["default"]
        else:
            out.update(_declared(sub, root, (*path, key)))
    return out


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_declared_default_is_filled_in(check_id: str) -> None:
    schema = CHECKS[check_id].config_schema
    declared = _declared(schema, schema, ())
    defaults = config_defaults(CHECKS[check_id])
    for path, value in declared.items():
        here: Any = defaults
        for part in path:
            here = here[part]
        assert here == value, (check_id, path)
