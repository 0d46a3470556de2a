"""Attacks on the reads of command-line flags' variables (text_urfave): renaming the
urfave/cli import, or moving a name into a source chain, does not hide a new variable, and
texts pumped against the flag scans still let the real read through. No assertion here
is about speed (bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of
from tests.adversarial.test_bounded_input import assert_env_reads_survive

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
FLAGS = "package main\n\nimport {imported}\n\nvar flags = []{q}Flag{{\n{flags}}}\n"
DOCS = {"docs/server.md": "- Name: `APP_SERVER_ADDR`\n"}
OLD = '\t&{q}StringFlag{{Name: "addr", Sources: {q}EnvVars("APP_SERVER_ADDR")}},\n'


@pytest.mark.parametrize(
    ("imported", "q", "new"),
    [
        ('ucli "github.com/urfave/cli/v3"', "ucli.", '{q}EnvVars("APP_SOCKET_MODE")'),
        ('. "github.com/urfave/cli/v3"', "", '{q}EnvVar("APP_SOCKET_MODE")'),
        (
            '"github.com/urfave/cli/v3"',
            "cli.",
            '{q}NewValueSourceChain({q}File("/etc/mode"), {q}EnvVar("APP_SOCKET_MODE"))',
        ),
    ],
)
def test_a_new_flag_variable_is_blocked_whatever_the_import_s_name(
    attack: AttackFactory, imported: str, q: str, new: str
) -> None:
    old = OLD.format(q=q)
    added = f'\t&{q}StringFlag{{Name: "mode", Sources: {new.format(q=q)}}},\n'
    base = {"cmd/flags.go": FLAGS.format(imported=imported, q=q, flags=old), **DOCS}
    head = {"cmd/flags.go": FLAGS.format(imported=imported, q=q, flags=old + added), **DOCS}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "APP_SOCKET_MODE" in text_of(verdict)
    assert "APP_SERVER_ADDR" not in text_of(verdict)


def test_pumped_flag_forms_still_report_the_real_read(
    attack: AttackFactory, tmp_path: Path
) -> None:
    pumped = (
        'package main\n\nimport "github.com/urfave/cli/v3"\n\nvar _ = 1 /*\n'
        + "cli.NewValueSourceChain(cli.EnvVar(\n" * 5000
        + 'EnvVar: "' * 20000
        + "\nEnvVars: []string{" * 5000
        + "*/\n"
    )
    real = FLAGS.format(
        imported='"github.com/urfave/cli/v3"',
        q="cli.",
        flags='\t&cli.StringFlag{Name: "x", Sources: cli.EnvVars("APP_REAL_FLAG")},\n',
    )
    case = attack(POLICY, {"README.md": "x\n"}, {"cmd/pumped.go": pumped, "cmd/flags.go": real})
    assert_env_reads_survive(case, tmp_path, "APP_REAL_FLAG")
