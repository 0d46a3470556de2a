"""Attacks on round 27's reading of extension-less shell scripts at base.

A variable that an extension-less script with a shell's shebang (openpanel's
``packages/db/migrations/goose``, ``#!/bin/bash``) read at base is not new when the change
reads it elsewhere. Each case shows a file that is no such read: a binary, a script that
sets the variable itself, one that names it only in a comment, one in test code, one
whose shebang is not on its first line or names another interpreter. The name stays new
and undocumented, so the change still blocks; they pass on the code before this round too.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
BASE = {"README.md": "# db\n", "packages/db/src/index.ts": "export const x = 1\n"}
READ = {
    "packages/db/src/clickhouse-client.ts": (
        "export const url = process.env.CLICKHOUSE_URL_DIRECT ?? 'http://localhost'\n"
    )
}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # binary: git skips it, whatever bytes spell the name
        ("packages/db/bin/goose", "#!/bin/bash\n\x00\x01$CLICKHOUSE_URL_DIRECT\x00\n"),
        # the script sets the variable before using it: it provides, not reads
        (
            "packages/db/migrations/goose",
            "#!/bin/bash\nCLICKHOUSE_URL_DIRECT=x\necho $CLICKHOUSE_URL_DIRECT\n",
        ),
        # named only in a comment, without a $
        (
            "packages/db/migrations/goose",
            "#!/bin/bash\n# CLICKHOUSE_URL_DIRECT: see docs\necho hi\n",
        ),
        # test code reads what the tests set up
        ("packages/db/tests/goose", "#!/bin/bash\necho $CLICKHOUSE_URL_DIRECT\n"),
        # no shell script: the shebang is not on line one, or names another interpreter
        ("packages/db/migrations/goose", "\n#!/bin/bash\necho $CLICKHOUSE_URL_DIRECT\n"),
        ("packages/db/migrations/goose", "#!/usr/bin/env perl\nprint $CLICKHOUSE_URL_DIRECT\n"),
        ("packages/db/migrations/goose", "#!/usr/bin/fish\necho $CLICKHOUSE_URL_DIRECT\n"),
    ],
)
def test_a_file_that_does_not_read_the_variable_at_base_leaves_it_new(
    attack: AttackFactory, path: str, text: str
) -> None:
    verdict = attack(ENV, {**BASE, path: text}, READ).judge()
    assert_blocked(verdict, "env-vars/undocumented")
