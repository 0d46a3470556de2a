"""Every remedy that names a policy key names a real one, in full.

A remedy is what a tech lead copies into the policy: `secrets.allowlist` sends them
looking for a key that does not exist at the top level; `checks.security.secrets.allowlist`
is where it lives. The keys are checked against the schema `gatekeeper policy schema`
prints, so a key renamed in a check's schema fails here until its remedies follow.

Remedies come from every installed check's rule catalog and, for remedies a check
composes at run time, from the ``remedy=`` arguments in the checks' source and the
``setting=`` each check gives the suppression judge (whose remedy names it).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatekeeper.changes.suppressions import TRUST_KEY
from gatekeeper.cli import cli
from gatekeeper.cli.catalog import key_paths
from gatekeeper.plugins import discover

CHECKS_SRC = Path(__file__).resolve().parents[2] / "src" / "gatekeeper" / "checks"
_SPAN = re.compile(r"`([^`]+)`")
_KEY = re.compile(r"^[a-z_][a-z0-9_-]*(\[\])?(\.[a-z_][a-z0-9_-]*(\[\])?)*$")
_YAML_KEY = re.compile(r"^([^\s:]+):(\s.*)?$")

#: spans that look like a key of the policy but are YAML of another file (an OpenAPI
#: spec's version line), reviewed by hand
NOT_POLICY = {"openapi: 3.1.0"}


@pytest.fixture(scope="module")
def schema_paths() -> set[str]:
    result = CliRunner().invoke(cli, ["policy", "schema"])
    assert result.exit_code == 0, result.output
    return {path for path, _ in key_paths(json.loads(result.output), "")}


def _constants(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _setting(node: ast.expr) -> str | None:
    """The policy key a ``setting=`` argument names (f-strings over TRUST_KEY)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
        elif isinstance(part.value, ast.Name) and part.value.id == "TRUST_KEY":
            parts.append(TRUST_KEY)
        else:
            return None
    return "".join(parts)


def _source_remedies() -> Iterator[tuple[str, str]]:
    """Strings given as ``remedy=`` in the checks, and the module constants so passed;
    and the keys given as ``setting=`` to the suppression judge, which its remedies name
    (``sets `<setting>: true` ``)."""
    for path in sorted(CHECKS_SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        where = str(path.relative_to(CHECKS_SRC))
        for node in ast.walk(tree):
            for keyword in getattr(node, "keywords", ()):
                if keyword.arg == "setting":
                    key = _setting(keyword.value)
                    assert key is not None, f"{where}: setting= is not a key this test can read"
                    yield where, f"a base policy sets `{key}: true`"
                if keyword.arg != "remedy":
                    continue
                value = keyword.value
                for name in (n.id for n in ast.walk(value) if isinstance(n, ast.Name)):
                    if name in constants:
                        yield from ((where, text) for text in _constants(constants[name]))
                yield from ((where, text) for text in _constants(value))


def _all_remedies() -> list[tuple[str, str]]:
    registry = discover()
    out = [
        (f"{cid}/{rid}", rule.remedy)
        for cid, loaded in sorted(registry.checks.items())
        for rid, rule in sorted(getattr(loaded.cls, "rules", {}).items())
        if rule.remedy
    ]
    return out + list(_source_remedies())


def key_problems(text: str, paths: set[str]) -> list[str]:
    """What is wrong with the policy keys ``text`` names (empty when nothing is)."""
    tops = {path.split(".")[0].split("[")[0] for path in paths}
    problems = []
    for span in _SPAN.findall(text):
        if span in NOT_POLICY:
            continue
        yaml_key = _YAML_KEY.match(span)
        key = yaml_key.group(1) if yaml_key else span
        if not _KEY.match(key):
            continue  # code, a command, a marker: not a key
        if key.split(".")[0].split("[")[0] in tops and ("." in key or yaml_key):
            if key not in paths:
                problems.append(f"`{span}`: no such key in the policy schema")
            continue
        # a key written from the middle (`secrets.allowlist`, `report:`) or bare
        fuller = sorted(p for p in paths if p.endswith("." + key) and p.startswith("checks."))
        if fuller and ("." in key or yaml_key or key == span):
            problems.append(f"`{span}`: name the key in full ({' or '.join(fuller[:3])})")
    return problems


def test_the_schema_walk_finds_nested_and_list_keys(schema_paths: set[str]) -> None:
    # the walk the test stands on: a nested block's key, a list item's key, a top key
    assert "checks.security.secrets.allowlist" in schema_paths
    assert "checks.command[].timeout" in schema_paths
    assert "waivers[].expires" in schema_paths


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add it to `checks.security.secrets.allowlist`", []),
        ("set `checks.coverage.trust_pr_suppressions: true`", []),
        ("add it to `secrets.allowlist`", ["name the key in full"]),
        ("name it with `report:`", ["name the key in full"]),
        ("raise its `timeout`", ["name the key in full"]),
        ("set `checks.security.secret.allowlist`", ["no such key"]),
        ("mark it `# nosec B101`, pin `name==1.0`, run `alembic merge heads`", []),
    ],
)
def test_key_problems_tells_full_keys_from_partial_and_wrong_ones(
    schema_paths: set[str], text: str, expected: list[str]
) -> None:
    problems = key_problems(text, schema_paths)
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected, strict=True):
        assert words in problem


def test_every_remedy_names_real_policy_keys_in_full(schema_paths: set[str]) -> None:
    remedies = _all_remedies()
    assert len(remedies) > 400  # the catalogs and the source were both read
    bad = [
        f"{where}: {problem}"
        for where, text in remedies
        for problem in key_problems(text, schema_paths)
    ]
    assert not bad, "\n".join(sorted(set(bad)))
    assert any("`checks.security.secrets.allowlist`" in text for _, text in remedies)
