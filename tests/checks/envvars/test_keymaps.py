"""Rust settings libraries that map prefixed variables onto configuration keys (keymaps.py),
and configuration templates documenting those keys, commented out or not (configdocs.py),
on real git repositories."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.envvars.configdocs import is_sample, parse_sample
from gatekeeper.checks.envvars.docs import Documentation
from gatekeeper.checks.envvars.keymaps import KeyMap, keymaps, keys_of
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

#: lldap's layout: figment reads LLDAP_* into the configuration, nested at "__"
CONFIGURATION = """use figment::{providers::Env, Figment};

pub fn init() -> Figment {
    Figment::new().merge(FileAdapter::wrap(Env::prefixed("LLDAP_").split("__")).ignore(&[]))
}
"""
CLI = """use clap::Parser;

#[derive(Parser)]
pub struct RunOpts {{
    #[clap(long, env = "LLDAP_LDAP_PORT")]
    pub ldap_port: Option<u16>,
{new}
}}
"""
TEMPLATE = """## All the values can be overridden through environment variables, prefixed
## with "LLDAP_". For instance, "ldap_port" can be overridden with "LLDAP_LDAP_PORT".

## The port on which to have the LDAP server.
#ldap_port = 3890
{top}
[smtp_options]
## How the connection is encrypted.
#smtp_encryption = "TLS"
"""
ENCRYPTION = (
    '    #[clap(long, env = "LLDAP_SMTP_OPTIONS__SMTP_ENCRYPTION")]\n    pub enc: Option<String>,'
)
RESET = '    #[clap(long, env = "LLDAP_FORCE_LDAP_USER_PASS_RESET")]\n    pub reset: Option<bool>,'
TYPO = '    #[clap(long, env = "LLDAP_FORCE_LADP_USER_PASS_RESET")]\n    pub reset: Option<bool>,'
TOP_KEY = "# force_ldap_user_pass_reset = false\n"


_run = run_on_git


def _undocumented(found: list[Finding]) -> list[str]:
    return [f.message.split()[0] for f in found if f.rule.endswith("undocumented")]


def _base(top: str = "", *, mapping: bool = True) -> dict[str, str]:
    files = {
        "server/src/cli.rs": CLI.format(new=""),
        "lldap_config.docker_template.toml": TEMPLATE.format(top=top),
    }
    if mapping:
        files["server/src/configuration.rs"] = CONFIGURATION
    return files


def test_a_nested_key_in_the_template_documents_its_variable(git_repo: Any) -> None:
    found = _run(git_repo, _base(), {"server/src/cli.rs": CLI.format(new=ENCRYPTION)})
    assert _undocumented(found) == []


def test_a_flat_key_commented_out_at_the_top_documents_its_variable(git_repo: Any) -> None:
    found = _run(git_repo, _base(TOP_KEY), {"server/src/cli.rs": CLI.format(new=RESET)})
    assert _undocumented(found) == []


def test_a_misspelt_variable_is_not_documented_by_the_key_it_meant(git_repo: Any) -> None:
    found = _run(git_repo, _base(TOP_KEY), {"server/src/cli.rs": CLI.format(new=TYPO)})
    assert _undocumented(found) == ["LLDAP_FORCE_LADP_USER_PASS_RESET"]


def test_a_key_in_another_table_does_not_document_the_variable(git_repo: Any) -> None:
    # smtp_encryption is documented under [smtp_options], not at the top
    other = '    #[clap(long, env = "LLDAP_SMTP_ENCRYPTION")]\n    pub enc: Option<String>,'
    found = _run(git_repo, _base(), {"server/src/cli.rs": CLI.format(new=other)})
    assert _undocumented(found) == ["LLDAP_SMTP_ENCRYPTION"]


def test_without_a_mapping_in_the_code_a_template_key_documents_no_variable(
    git_repo: Any,
) -> None:
    found = _run(git_repo, _base(mapping=False), {"server/src/cli.rs": CLI.format(new=ENCRYPTION)})
    assert _undocumented(found) == ["LLDAP_SMTP_OPTIONS__SMTP_ENCRYPTION"]


def test_a_mapping_only_in_the_tests_maps_nothing(git_repo: Any) -> None:
    files = _base(mapping=False)
    files["tests/common/config.rs"] = CONFIGURATION
    found = _run(git_repo, files, {"server/src/cli.rs": CLI.format(new=ENCRYPTION)})
    assert _undocumented(found) == ["LLDAP_SMTP_OPTIONS__SMTP_ENCRYPTION"]


def test_a_template_in_a_test_folder_documents_nothing(git_repo: Any) -> None:
    files = _base()
    files["tests/lldap_config.docker_template.toml"] = files.pop(
        "lldap_config.docker_template.toml"
    )
    found = _run(git_repo, files, {"server/src/cli.rs": CLI.format(new=ENCRYPTION)})
    assert _undocumented(found) == ["LLDAP_SMTP_OPTIONS__SMTP_ENCRYPTION"]


def test_config_rs_prefix_and_separator(git_repo: Any) -> None:
    setup = (
        "let c = Config::builder()\n"
        '    .add_source(Environment::with_prefix("APP").separator("__"));\n'
    )
    reads = (
        'fn main() {\n    let a = std::env::var("APP__DATABASE__URL");\n'
        '    let b = std::env::var("APP__DATABASE__POOL");\n}\n'
    )
    found = _run(
        git_repo,
        {"src/settings.rs": setup, "config.example.toml": '[database]\nurl = "postgres://"\n'},
        {"src/main.rs": reads},
    )
    assert _undocumented(found) == ["APP__DATABASE__POOL"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Env::prefixed("LLDAP_").split("__")', (KeyMap("LLDAP_", "__"),)),
        ('Env::prefixed("app_")', (KeyMap("APP_", None),)),
        ('Environment::with_prefix("APP")', (KeyMap("APP_", None),)),
        ('Environment::with_prefix("APP").separator("__")', (KeyMap("APP__", "__"),)),
        (
            'Environment::with_prefix("APP").prefix_separator("_").separator("__")',
            (KeyMap("APP_", "__"),),
        ),
        ('Env::raw().split("__")', ()),  # no prefix: not every variable is a key
        ("Env::prefixed(PREFIX)", ()),  # a prefix computed at run time is not known
    ],
)
def test_mappings_read_from_the_code(source: str, expected: tuple[KeyMap, ...]) -> None:
    assert keymaps([f"let f = {source};"]) == expected


def test_keys_of_a_name() -> None:
    maps = (KeyMap("LLDAP_", "__"),)
    assert keys_of("LLDAP_SMTP_OPTIONS__SMTP_ENCRYPTION", maps) == ("smtp_options.smtp_encryption",)
    assert keys_of("LLDAP_LDAP_PORT", maps) == ("ldap_port",)
    assert keys_of("OTHER_PORT", maps) == ()
    assert keys_of("LLDAP_", maps) == ()
    assert keys_of("LLDAP_A____B", maps) == ()  # an empty part is no key


def test_template_names_and_commented_keys() -> None:
    assert is_sample("lldap_config.docker_template.toml")
    assert is_sample("app-config.example.yaml")
    assert not is_sample("Cargo.toml")
    assert not is_sample("tsconfig.json")
    doc = Documentation()
    text = "#[ldaps_options]\n## prose, not a key\n#enabled=true\n[live]\nport = 1\n"
    assert parse_sample("x_config.template.toml", text, doc)
    assert doc.find_key("ldaps_options.enabled") == ("x_config.template.toml", 3)
    assert doc.find_key("live.port") is not None
    assert doc.find_key("prose") is None


def test_a_broken_toml_template_still_documents_its_lines() -> None:
    doc = Documentation()
    assert parse_sample("config.sample.toml", "[a\n#b = 1\n", doc)
    assert doc.find_key("b") is not None
