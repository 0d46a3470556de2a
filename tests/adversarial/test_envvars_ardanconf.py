"""Attacks on the reads of ardanlabs/conf structs (text_ardanconf) and of a defaults dict
looked up in the environment: renaming the library's import, naming the variable with an
``env:`` tag, or hiding a field in an embedded section declared in another file does not
hide a new variable."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
DOCS = {"docs/config.md": "- `APP_WEB_PORT`\n- `APP_WEB_HOST`\n"}
MAIN = """package config

import (
\t{imported}
)

type Config struct {
\tWeb Web
{extra}}

type Web struct {
\tPort string
\tHost string{web}
}

func Load() (Config, error) {
\tvar cfg Config
\t_, err := {alias}.Parse("APP", &cfg)
\treturn cfg, err
}
"""


def _main(imported: str, alias: str, extra: str = "", web: str = "") -> str:
    out = MAIN.replace("{imported}", imported).replace("{alias}", alias)
    return out.replace("{extra}", extra).replace("{web}", web)


@pytest.mark.parametrize(
    ("imported", "alias"),
    [
        ('"github.com/ardanlabs/conf/v3"', "conf"),
        ('settings "github.com/ardanlabs/conf/v3"', "settings"),
        ('"github.com/ardanlabs/conf/v2"', "conf"),
    ],
)
def test_a_new_field_is_blocked_whatever_the_import_s_name(
    attack: AttackFactory, imported: str, alias: str
) -> None:
    base = {"internal/config/config.go": _main(imported, alias), **DOCS}
    head = {"internal/config/config.go": _main(imported, alias, web="\n\tAdminToken string")}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "APP_WEB_ADMIN_TOKEN" in text_of(verdict)
    assert "APP_WEB_PORT" not in text_of(verdict)


def test_an_env_tag_cannot_borrow_a_documented_field_s_name(attack: AttackFactory) -> None:
    # the tag renames the new field's variable: the documented path-derived name
    # (APP_WEB_HOST exists already) is not what the library reads
    imported = '"github.com/ardanlabs/conf/v3"'
    tagged = '\n\tHostAlias string `conf:"env:SECRET_BACKDOOR"`'
    base = {"internal/config/config.go": _main(imported, "conf"), **DOCS}
    head = {"internal/config/config.go": _main(imported, "conf", web=tagged)}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "APP_SECRET_BACKDOOR" in text_of(verdict)


def test_an_embedded_section_in_another_file_is_walked(attack: AttackFactory) -> None:
    imported = '"github.com/ardanlabs/conf/v3"'
    base = {"internal/config/config.go": _main(imported, "conf"), **DOCS}
    head = {
        "internal/config/config.go": _main(imported, "conf", extra="\tHidden\n"),
        "internal/config/hidden.go": (
            "package config\n\ntype Hidden struct {\n\tDebugShell bool\n}\n"
        ),
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "APP_DEBUG_SHELL" in text_of(verdict)


def test_a_key_added_to_a_defaults_dict_read_through_a_helper_is_blocked(
    attack: AttackFactory,
) -> None:
    module = (
        "import os\n\nDEFAULTS = {{\n    'APP_WEB_PORT': '80',\n{extra}}}\n\n"
        "def _env(name, default):\n    return os.environ.get(name, default)\n\n"
        "SETTINGS = {{k: _env(k, v) for k, v in DEFAULTS.items()}}\n"
    )
    base = {"app/settings.py": module.format(extra=""), **DOCS}
    head = {"app/settings.py": module.format(extra="    'APP_DEBUG_SHELL': False,\n")}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "APP_DEBUG_SHELL" in text_of(verdict)
