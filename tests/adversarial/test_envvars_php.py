"""Attacks on PHP's reads (text_php) and on the example-env naming rule: a Laravel app's
new undocumented variable blocks whatever form reads it, a name mentioned in a comment
or a string at base does not make it "read before", and an env file named like an
example is spared ``env-file-committed`` but not the secrets rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of
from tests.adversarial.test_bounded_input import assert_env_reads_survive

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
CONFIG = "config/services.php"
OLD = "<?php\n\nreturn [\n    'mail' => env('MAIL_HOST', 'smtp'),\n{new}];\n"
EXAMPLE = {".env.example": "APP_KEY=\nMAIL_HOST=smtp\n"}


@pytest.mark.parametrize(
    "new",
    [
        "    'secret' => env('NEW_SECRET'),\n",
        "    'secret' => \\getenv(\"NEW_SECRET\"),\n",
        "    'secret' => $_ENV['NEW_SECRET'] ?? '',\n",
        # a comment and a string before it do not swallow the real read
        "    /* ) */ 'x' => ')', 'secret' => env( // ')\n 'NEW_SECRET'),\n",
    ],
)
def test_a_new_undocumented_php_variable_blocks(attack: AttackFactory, new: str) -> None:
    base = {CONFIG: OLD.format(new=""), **EXAMPLE}
    verdict = attack(POLICY, base, {CONFIG: OLD.format(new=new)}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "NEW_SECRET" in text_of(verdict)
    assert "MAIL_HOST is read" not in text_of(verdict)


@pytest.mark.parametrize(
    "decoy",
    [
        "<?php\n// return env('NEW_SECRET');\n",
        "<?php\n/* env('NEW_SECRET') */\n",
        "<?php\n$help = \"set env('NEW_SECRET') to enable\";\n",
        "<?php\n$this->env('NEW_SECRET');\n",
    ],
)
def test_a_name_only_mentioned_at_base_is_still_new(attack: AttackFactory, decoy: str) -> None:
    # planted at base in a file the change leaves alone, it must not count as a read
    base = {CONFIG: OLD.format(new=""), "app/Decoy.php": decoy, **EXAMPLE}
    head = {CONFIG: OLD.format(new="    'secret' => env('NEW_SECRET'),\n")}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "NEW_SECRET" in text_of(verdict)


def test_a_mention_in_a_php_comment_documents_nothing(attack: AttackFactory) -> None:
    new = "    // NEW_SECRET=the API key, see .env.example\n    'secret' => env('NEW_SECRET'),\n"
    verdict = attack(POLICY, {CONFIG: OLD.format(new=""), **EXAMPLE},
                     {CONFIG: OLD.format(new=new)}).judge()  # fmt: skip
    assert_blocked(verdict, "env-vars/undocumented")


SECURITY = "version: 1\nchecks:\n  security: {}\n"
AWS = "AKIA" + "2E3F4G5H6I7J2K3L"


@pytest.mark.parametrize(
    "path", [".env.example.complete", ".env.production.example.bak", ".env.sample.local"]
)
def test_a_real_key_in_a_file_named_like_an_example_still_blocks(
    attack: AttackFactory, path: str
) -> None:
    verdict = attack(SECURITY, {"README.md": "x\n"}, {path: f"AWS_ACCESS_KEY_ID={AWS}\n"}).judge()
    assert_blocked(verdict, "security/secret-aws-access-key")
    assert AWS not in text_of(verdict)


@pytest.mark.parametrize("path", [".env.production", ".env.local", "deploy/.env"])
def test_a_real_env_file_still_blocks_beside_an_example(attack: AttackFactory, path: str) -> None:
    head = {".env.example.complete": "DB_HOST=db\n", path: "DB_HOST=prod-db.internal\n"}
    verdict = attack(SECURITY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/env-file-committed")
    assert f"{path} is committed" in text_of(verdict)
    assert ".env.example.complete is committed" not in text_of(verdict)


def test_pumped_php_call_forms_still_report_the_real_read(
    attack: AttackFactory, tmp_path: Path
) -> None:
    # unclosed calls, quotes and subscripts by the hundred thousand: each is looked at once
    pumped = (
        "<?php\n"
        + "env(   " * 50000
        + "%env(" * 50000
        + "$_ENV[" * 50000
        + "\n/* "
        + "*/ '" * 20000
        + "\n"
    )
    view = "{{ env(" * 50000 + "{!! " * 20000
    real = OLD.format(new="    'secret' => env('NEW_REAL_SECRET'),\n")
    head = {"app/pumped.php": pumped, "resources/views/p.blade.php": view, CONFIG: real}
    case = attack(POLICY, {CONFIG: OLD.format(new=""), **EXAMPLE}, head)
    assert_env_reads_survive(case, tmp_path, "NEW_REAL_SECRET")


@pytest.mark.parametrize(
    "value",
    [
        # a made-up processor in front of a variable's name does not hide it
        "%env(settings:mailer:NEW_SECRET)%",
        "%env(string:settings:NEW_SECRET)%",
    ],
)
def test_a_custom_processor_does_not_hide_an_upper_case_variable(
    attack: AttackFactory, value: str
) -> None:
    yml = "framework:\n  mailer:\n    dsn: '%env(MAIL_HOST)%'\n"
    base = {"config/packages/mailer.yaml": yml, **EXAMPLE}
    head = {"config/packages/mailer.yaml": yml + f"    secret: '{value}'\n"}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "NEW_SECRET" in text_of(verdict)


def test_symfonys_own_processors_do_not_hide_a_lower_case_variable(attack: AttackFactory) -> None:
    # only a processor of the project's own makes a lower-case key a settings key
    yml = "framework:\n  mailer:\n    dsn: '%env(MAIL_HOST)%'\n"
    base = {"config/packages/mailer.yaml": yml, **EXAMPLE}
    head = {"config/packages/mailer.yaml": yml + "    secret: '%env(default:x:new_secret)%'\n"}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "new_secret" in text_of(verdict)
