"""Attacks on round 26's Go helper reads and their documentation by a config file.

A key read through the repository's own helper (``conf.GetConfigString("x")``) counts as
documented when an INI-style config file at head sets it as a live ``key = value`` line,
as an ``.env.example`` line documents a variable (at head: the change that adds the read
may add the line). Each case shows what does not document it: a comment, a value, a file
in test data, a file that is no config, and a plain ``os.Getenv`` of an upper-case
variable, which the helper's config file has nothing to do with.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
CONF = (
    'package conf\n\nimport "os"\n\n'
    "func GetConfigString(key string) string {\n"
    '\tif value, ok := os.LookupEnv(key); ok {\n\t\treturn value\n\t}\n\treturn ""\n}\n'
)
BASE = {
    "go.mod": "module example.com/app\n\ngo 1.22\n",
    "conf/conf.go": CONF,
    "conf/app.conf": "appname = app\n",
}
READ = {
    "object/mask.go": (
        'package object\n\nimport "example.com/app/conf"\n\n'
        'func Masked() bool {\n\treturn conf.GetConfigString("enableErrorMask2") == "true"\n}\n'
    )
}


def _blocked(attack: AttackFactory, extra: dict[str, str]) -> None:
    verdict = attack(ENV, BASE, {**READ, **extra}).judge()
    assert_blocked(verdict, "env-vars/undocumented")


def test_a_commented_out_line_documents_nothing(attack: AttackFactory) -> None:
    _blocked(attack, {"conf/app.conf": "appname = app\n# enableErrorMask2 = true\n"})


def test_the_key_as_a_value_documents_nothing(attack: AttackFactory) -> None:
    _blocked(attack, {"conf/app.conf": "appname = app\nmode = enableErrorMask2\n"})


def test_a_config_file_in_test_data_documents_nothing(attack: AttackFactory) -> None:
    _blocked(attack, {"object/testdata/app.conf": "enableErrorMask2 = true\n"})


def test_a_file_that_is_no_config_documents_nothing(attack: AttackFactory) -> None:
    _blocked(attack, {"notes.txt": "enableErrorMask2 = true\n"})


def test_a_config_line_does_not_document_a_plain_environment_read(attack: AttackFactory) -> None:
    # os.Getenv("MASK_ERRORS") reads the environment only: app.conf listing it is no doc
    head = {
        "object/mask.go": (
            'package object\n\nimport "os"\n\n'
            'func Masked() bool {\n\treturn os.Getenv("MASK_ERRORS") == "true"\n}\n'
        ),
        "conf/app.conf": "appname = app\nMASK_ERRORS = true\n",
    }
    assert_blocked(attack(ENV, BASE, head).judge(), "env-vars/undocumented")


def test_a_config_line_does_not_document_a_direct_read_of_the_same_name(
    attack: AttackFactory,
) -> None:
    # only a helper reads the config file too: os.Getenv("enableErrorMask2") reads no file
    head = {
        "object/mask.go": (
            'package object\n\nimport "os"\n\n'
            'func Masked() bool {\n\treturn os.Getenv("enableErrorMask2") == "true"\n}\n'
        ),
        "conf/app.conf": "appname = app\nenableErrorMask2 = true\n",
    }
    assert_blocked(attack(ENV, BASE, head).judge(), "env-vars/undocumented")
