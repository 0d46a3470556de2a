"""A module-level dict of defaults whose keys a loop looks up in the environment (Flask
apps' ``DEFAULT_CONFIG``), a wrapper reading ``KEY`` and ``KEY_FILE``, reST titles
underlined with ``~`` and env files an installer renders, on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

CONFIG = "core/admin/app/configuration.py"
DOCS = "docs/configuration.rst"
MODULE = """import os

DEFAULT_CONFIG = {
    'SECRET_KEY': 'changeMe',
    'DB_FLAVOR': None,
{extra}}

class ConfigManager:
    def __init__(self):
        self.config = dict()

    def __get_env(self, key, value):
        key_file = key + "_FILE"
        if key_file in os.environ:
            with open(os.environ.get(key_file)) as file:
                return file.read().strip()
        return os.environ.get(key, value)

    def init_app(self, app):
        self.config.update({
            key: self.__get_env(key, value)
            for key, value in DEFAULT_CONFIG.items()
        })
"""
RST = "Settings\n~~~~~~~~\n\nThe ``SECRET_KEY`` is secret.\n\n``DB_FLAVOR`` picks the database.\n"


def _module(extra: str = "") -> str:
    return MODULE.replace("{extra}", extra)


def _undocumented(found: list[Finding]) -> list[tuple[str, int | None]]:
    return [
        (f.message.split()[0], f.location.start_line if f.location else None)
        for f in found
        if f.rule.endswith("undocumented")
    ]


def test_a_new_default_looked_up_in_the_environment_fires_at_its_key(git_repo: Any) -> None:
    base = {CONFIG: _module(), DOCS: RST}
    found = run_on_git(git_repo, base, {CONFIG: _module("    'ANONMAIL_MAX_RETRIES': 10,\n")})
    # one finding at the key's line; KEY_FILE is the same setting's other form
    assert _undocumented(found) == [("ANONMAIL_MAX_RETRIES", 6)]


def test_a_new_default_documented_after_a_tilde_title_passes(git_repo: Any) -> None:
    docs = RST + "\nRetries\n~~~~~~~\n\nSet ``ANONMAIL_MAX_RETRIES`` to retry.\n"
    found = run_on_git(
        git_repo,
        {CONFIG: _module(), DOCS: RST},
        {CONFIG: _module("    'ANONMAIL_MAX_RETRIES': 10,\n"), DOCS: docs},
    )
    assert _undocumented(found) == []


def test_a_dict_whose_keys_never_reach_the_environment_reads_nothing(git_repo: Any) -> None:
    plain = """import os

LIMITS = {
    'MAX_ITEMS': 10,
{extra}}

def limits(config):
    for key, value in LIMITS.items():
        config[key] = value
    return {key: os.environ for key in LIMITS}
"""
    found = run_on_git(
        git_repo,
        {"app/limits.py": plain.replace("{extra}", "")},
        {"app/limits.py": plain.replace("{extra}", "    'MAX_PAGES': 3,\n")},
    )
    assert _undocumented(found) == []


def test_a_plain_loop_over_the_keys_fires(git_repo: Any) -> None:
    loop = """import os

DEFAULTS = {{'PORT_A': '1', {extra}}}

def load():
    out = {{}}
    for key in DEFAULTS.keys():
        out[key] = os.getenv(key, DEFAULTS[key])
    return out
"""
    found = run_on_git(
        git_repo,
        {"svc/settings.py": loop.format(extra="")},
        {"svc/settings.py": loop.format(extra="'QUEUE_URL': ''")},
    )
    assert _undocumented(found) == [("QUEUE_URL", 3)]


def test_a_rendered_env_file_provides_what_it_sets(git_repo: Any) -> None:
    env = "# Whether tika scans attachments\nFULL_TEXT_SEARCH_ATTACHMENTS={{ tika_enabled }}\n"
    new = "    'FULL_TEXT_SEARCH_ATTACHMENTS': False,\n"
    found = run_on_git(
        git_repo,
        {CONFIG: _module(), DOCS: RST},
        {CONFIG: _module(new), "setup/flavors/compose/mailu.env": env},
    )
    assert _undocumented(found) == []
    # the same file without placeholders is a committed env file, no installer's template
    found = run_on_git(
        git_repo,
        {CONFIG: _module(), DOCS: RST},
        {CONFIG: _module(new + "    'OTHER_NEW': 1,\n"), "setup/app.env": "OTHER_NEW=1\n"},
    )
    assert [n for n, _ in _undocumented(found)] == ["OTHER_NEW"]
