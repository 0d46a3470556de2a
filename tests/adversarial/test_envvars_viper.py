"""Attacks on the reads of viper keys (``AutomaticEnv``) and their documentation by key
path: a PR cannot document a new key with a sample nobody ships (a test folder's YAML,
fixtures, vendored or installed packages, ``.github``), with a sample that cannot be read,
and texts pumped against the viper scans still let the real read through. No assertion
here is about speed (bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of
from tests.adversarial.test_bounded_input import assert_env_reads_survive

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
KB = 1 << 10
SETUP = (
    'package config\n\nimport (\n\t"strings"\n\n\t"github.com/spf13/viper"\n)\n\n'
    "type Key string\n\nconst (\n\tDatabaseHost Key = `database.host`\n{new})\n\n"
    "func (k Key) GetString() string {{ return viper.GetString(string(k)) }}\n\n"
    'func Init() {{\n\tviper.SetEnvPrefix("vikunja")\n'
    '\tviper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))\n\tviper.AutomaticEnv()\n}}\n'
)
NEW = "\tDatabaseSchema Key = `database.schema`\n"
SAMPLE = "database:\n  host: db\n  schema: public\n"


@pytest.mark.parametrize(
    "where",
    [
        "tests/config.yml",
        "pkg/config/testdata/config.yaml",
        "e2e/fixtures/config.sample.yml",
        "vendor/github.com/x/config.yml",
        "frontend/node_modules/x/config.yml",
        ".github/config.yml",
    ],
)
def test_a_key_documented_only_where_nothing_ships_is_still_blocked(
    attack: AttackFactory, where: str
) -> None:
    base = {"pkg/config/config.go": SETUP.format(new=""), "README.md": "x\n"}
    head = {"pkg/config/config.go": SETUP.format(new=NEW), where: SAMPLE}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "VIKUNJA_DATABASE_SCHEMA" in text_of(verdict)


@pytest.mark.parametrize(
    "sample",
    [
        # an alias bomb: refused, documents nothing
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "database: {schema: x}\n",
        # nested past any recursion limit
        "[" * 200_000 + "]" * 200_000,
        # not text a parser reads
        "database:\n  schema: [\n",
    ],
    ids=["alias-bomb", "deep", "malformed"],
)
def test_a_sample_that_cannot_be_read_documents_nothing(attack: AttackFactory, sample: str) -> None:
    base = {"pkg/config/config.go": SETUP.format(new=""), "README.md": "x\n"}
    name = "config.json" if sample.startswith("[") else "config.yml"
    head = {"pkg/config/config.go": SETUP.format(new=NEW), name: sample}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "VIKUNJA_DATABASE_SCHEMA" in text_of(verdict)


def _lines(unit: str, size: int = 256 * KB, width: int = 1000) -> str:
    per_line = max(1, width // len(unit))
    return ((unit * per_line + "\n") * (size // (per_line * len(unit)) + 1))[:size]


#: unclosed getter calls, method headers without a body, typed constants by the
#: thousand, viper values by the thousand: each on the whole gate with a setup present
IMPORT = 'package svc\nimport "github.com/spf13/viper"\n'
PUMPS = {
    "svc/calls.go": IMPORT + _lines("viper.GetString("),
    "svc/methods.go": IMPORT + "type Key string\n" + "func (k Key) G() string {\n" * (8 * KB),
    "svc/consts.go": IMPORT
    + "func (k Key) G() string { return viper.GetString(string(k)) }\n"
    + "const (\n"
    + "\tA Key = `a.b`\n" * (16 * KB)
    + ")\n",
    "svc/values.go": IMPORT
    + "".join(f"var v{i} *viper.Viper\n" for i in range(8 * KB))
    + _lines("v1.GetString("),
}


def test_pumped_viper_texts_pass_through_and_the_real_read_is_still_reported(
    attack: AttackFactory, tmp_path: Path
) -> None:
    head = {
        **PUMPS,
        "pkg/config/config.go": SETUP.format(new=NEW.replace("schema", "pumped_but_found")),
    }
    case = attack(POLICY, {"README.md": "a\n"}, head)
    assert_env_reads_survive(case, tmp_path, "VIKUNJA_DATABASE_PUMPED_BUT_FOUND")
