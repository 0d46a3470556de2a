"""Variables read by extension-less scripts with a shell's shebang count as read at base:
openpanel's ``packages/db/migrations/goose`` (``#!/bin/bash``) tested
``$CLICKHOUSE_URL_DIRECT`` long before a TypeScript client read it."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.envvars.sides import extensionless
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

GOOSE = """#!/bin/bash

if [ -n "$CLICKHOUSE_URL_DIRECT" ]; then
  export GOOSE_DBSTRING=$CLICKHOUSE_URL_DIRECT
fi
goose clickhouse "$GOOSE_DBSTRING" "$@"
"""
BASE = {"README.md": "# db\n", "packages/db/src/index.ts": "export const x = 1\n"}
CLIENT = {
    "packages/db/src/clickhouse-client.ts": (
        "export const url = process.env.CLICKHOUSE_URL_DIRECT ?? 'http://localhost'\n"
    )
}


def _names(found: list[Finding]) -> list[str]:
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


@pytest.mark.parametrize(
    ("path", "shebang"),
    [
        ("packages/db/migrations/goose", "#!/bin/bash"),
        ("scripts/migrate", "#!/usr/bin/env bash"),
        ("bin/run", "#!/bin/sh"),
        ("docker/conf.d/entry", "#!/usr/bin/env zsh"),  # a dotted folder above it
    ],
)
def test_a_variable_a_shell_script_without_extension_read_at_base_is_not_new(
    git_repo: Any, path: str, shebang: str
) -> None:
    base = {**BASE, path: GOOSE.replace("#!/bin/bash", shebang)}
    assert _names(run_on_git(git_repo, base, CLIENT)) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # not a shell script: no shebang, another interpreter's, or one not on line one
        ("packages/db/migrations/NOTES", "set $CLICKHOUSE_URL_DIRECT before running\n"),
        ("packages/db/migrations/goose", GOOSE.replace("#!/bin/bash", "#!/usr/bin/env node")),
        ("packages/db/migrations/goose", "\n" + GOOSE),
        # a script with an extension of no scanned language
        ("packages/db/migrations/goose.txt", GOOSE),
    ],
)
def test_a_name_in_a_file_that_is_no_shell_script_is_still_new(
    git_repo: Any, path: str, text: str
) -> None:
    base = {**BASE, path: text}
    assert _names(run_on_git(git_repo, base, CLIENT)) == ["CLICKHOUSE_URL_DIRECT"]


def test_a_variable_a_changed_script_without_extension_adds_is_new(git_repo: Any) -> None:
    base = {**BASE, "packages/db/migrations/goose": GOOSE}
    head = {"packages/db/migrations/goose": GOOSE + 'echo "$GOOSE_TABLE_PREFIX"\n'}
    assert _names(run_on_git(git_repo, base, head)) == ["GOOSE_TABLE_PREFIX"]


def test_only_the_file_name_decides_whether_a_path_has_an_extension() -> None:
    assert extensionless("packages/db/migrations/goose")
    assert extensionless("docker/conf.d/entry")
    assert not extensionless("scripts/migrate.sh")
    assert not extensionless(".envrc")
