"""PHP's reads (text_php): Laravel's ``env()``, ``getenv``, the superglobals and Symfony's
``%env()%``, each found when new and undocumented, and quiet when documented in a
Laravel example file, read at base, or no read at all (a comment, a string, a method)."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.envvars.text_php import php_reads, symfony_reads
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

CONFIG = "config/services.php"
BASE = (
    "<?php\n\nreturn [\n    'ldap' => [\n        'host' => env('LDAP_HOST', 'localhost'),\n"
    "{new}    ],\n];\n"
)
EXAMPLE = "APP_KEY=\nLDAP_HOST=localhost\n"


def _undocumented(found: list[Finding]) -> list[tuple[str, int | None]]:
    return sorted(
        (f.message.split()[0], f.location.start_line if f.location else None)
        for f in found
        if f.rule == "undocumented"
    )


@pytest.mark.parametrize(
    ("new", "how"),
    [
        ("        'ca' => env('LDAP_TLS_CACERTFILE'),\n", "env"),
        ("        'ca' => env(\"LDAP_TLS_CACERTFILE\", extension_loaded('x') ? 'a' : 0),\n", "env"),
        ("        'ca' => \\env( 'LDAP_TLS_CACERTFILE' , null),\n", "env"),
        ("        'ca' => getenv('LDAP_TLS_CACERTFILE'),\n", "getenv"),
        ("        'ca' => Env::get('LDAP_TLS_CACERTFILE'),\n", "Env::get"),
        ("        'ca' => $_ENV['LDAP_TLS_CACERTFILE'] ?? null,\n", "$_ENV"),
        ("        'ca' => $_SERVER[\"LDAP_TLS_CACERTFILE\"] ?? null,\n", "$_SERVER"),
        ("        'ca' => '%env(LDAP_TLS_CACERTFILE)%',\n", "symfony"),
    ],
)
def test_each_php_read_form_of_a_new_variable_fires(git_repo: Any, new: str, how: str) -> None:
    found = run_on_git(
        git_repo,
        {CONFIG: BASE.format(new=""), ".env.example": EXAMPLE},
        {CONFIG: BASE.format(new=new)},
    )
    assert _undocumented(found) == [("LDAP_TLS_CACERTFILE", 6)], how


@pytest.mark.parametrize(
    "new",
    [
        "        // 'ca' => env('LDAP_TLS_CACERTFILE'),\n",
        "        # 'ca' => env('LDAP_TLS_CACERTFILE'),\n",
        "        /* 'ca' => env('LDAP_TLS_CACERTFILE'), */\n",
        "        'ca' => \"env('LDAP_TLS_CACERTFILE')\",\n",
        "        'ca' => $this->env('LDAP_TLS_CACERTFILE'),\n",
        "        'ca' => App::env('LDAP_TLS_CACERTFILE'),\n",
        "        'ca' => $_SERVER['HTTP_X_FORWARDED_HOST'] ?? null,\n",
        "        'ca' => $_SERVER['REQUEST_URI'],\n",
    ],
)
def test_what_is_no_read_of_a_variable_must_not_fire(git_repo: Any, new: str) -> None:
    found = run_on_git(
        git_repo,
        {CONFIG: BASE.format(new=""), ".env.example": EXAMPLE},
        {CONFIG: BASE.format(new=new)},
    )
    assert _undocumented(found) == []


@pytest.mark.parametrize(
    "example", [".env.example", ".env.example.complete", "docker/.env.sample.local"]
)
def test_a_variable_documented_in_a_laravel_example_file_passes(
    git_repo: Any, example: str
) -> None:
    new = "        'ca' => env('LDAP_TLS_CACERTFILE'),\n"
    found = run_on_git(
        git_repo,
        {CONFIG: BASE.format(new=""), example: EXAMPLE},
        {CONFIG: BASE.format(new=new), example: EXAMPLE + "# LDAP_TLS_CACERTFILE=/etc/ca.pem\n"},
    )
    assert _undocumented(found) == []


def test_a_variable_another_file_read_at_base_is_not_new(git_repo: Any) -> None:
    # the framework's own config files read variables nobody documents again
    new = "        'cache' => env('CACHE_PREFIX'),\n"
    found = run_on_git(
        git_repo,
        {
            CONFIG: BASE.format(new=""),
            "config/cache.php": "<?php\nreturn ['prefix' => env('CACHE_PREFIX', 'app')];\n",
            ".env.example": EXAMPLE,
        },
        {CONFIG: BASE.format(new=new)},
    )
    assert _undocumented(found) == []


def test_a_computed_name_is_dynamic_not_a_variable() -> None:
    reads = php_reads("<?php\n$x = env($name);\n$y = getenv('A_' . $n);\n$z = getenv();\n")
    assert [(r.name, r.line) for r in reads] == [("", 2), ("", 3)]


def test_setting_a_superglobal_and_defining_env_are_no_reads() -> None:
    src = (
        "<?php\n$_ENV['APP_SET'] = 'x';\n$_SERVER['APP_SET2'] ??= 'y';\n"
        "function env($key, $default = null) {}\nif ($_ENV['APP_READ'] === 'x') {}\n"
    )
    assert [(r.name, r.line) for r in php_reads(src)] == [("APP_READ", 5)]


def test_symfony_yaml_parameters_are_read(git_repo: Any) -> None:
    yml = "doctrine:\n  dbal:\n    url: '%env(resolve:DATABASE_URL)%'\n"
    new = yml + "    debug: '%env(bool:DOCTRINE_DEBUG)%'\n"
    found = run_on_git(
        git_repo,
        {"config/packages/doctrine.yaml": yml, ".env.dist": "DATABASE_URL=\n"},
        {"config/packages/doctrine.yaml": new},
    )
    assert _undocumented(found) == [("DOCTRINE_DEBUG", 4)]


def test_only_the_php_of_a_template_is_read() -> None:
    # an apostrophe in the HTML opens no string; a Blade comment reads nothing
    view = (
        "<p>Don't {{-- env('IN_COMMENT') --}}</p>\n<title>{{ env('APP_TITLE') }}</title>\n"
        "<p>It's env('IN_HTML')</p>\n@php $x = getenv('IN_BLOCK'); @endphp\n"
        "<?php echo env('IN_TAG'); ?> env('AFTER_TAG')\n"
    )
    assert [(r.name, r.line) for r in php_reads(view, blade=True)] == [
        ("APP_TITLE", 2),
        ("IN_BLOCK", 4),
        ("IN_TAG", 5),
    ]
    assert [r.name for r in php_reads(view)] == ["IN_TAG"]


def test_a_blade_view_s_new_read_fires(git_repo: Any) -> None:
    view = "resources/views/layout.blade.php"
    found = run_on_git(
        git_repo,
        {view: "<p>Don't</p>\n", ".env.example": EXAMPLE},
        {view: "<p>Don't</p>\n<title>{{ env('SITE_TITLE') }}</title>\n"},
    )
    assert _undocumented(found) == [("SITE_TITLE", 2)]


@pytest.mark.parametrize(
    ("value", "read"),
    [
        # Part-DB's settings bundle: a processor of the project's own and a settings key
        ("%env(int:settings:ai_ollama:timeout)%", False),
        ("%env(string:settings:exchange_rate:fixerApiKey)%", False),
        # Symfony's own processors hand the last part to the environment, whatever its case
        ("%env(string:fixerApiKey)%", True),
        ("%env(default:fallback_param:fixer_key)%", True),
        ("%env(key:path:json:fixer_key)%", True),
        # an upper-case name is a variable behind any processor
        ("%env(settings:ai:FIXER_API_KEY)%", True),
        ("%env(decrypt:FIXER_API_KEY)%", True),
    ],
)
def test_a_custom_processors_lower_case_key_is_no_variable(value: str, read: bool) -> None:
    yml = f"parameters:\n  fixer: '{value}'\n"
    names = [r.name for r in symfony_reads(yml)]
    assert bool(names) is read, names


def test_a_settings_key_in_symfony_yaml_is_not_undocumented(git_repo: Any) -> None:
    yml = (
        "ai:\n  platform:\n    ollama:\n"
        "      endpoint: '%env(string:settings:ai_ollama:endpoint)%'\n"
    )
    new = yml + "      api_key: '%env(string:AI_OLLAMA_API_KEY)%'\n"
    found = run_on_git(
        git_repo,
        {"config/packages/ai.yaml": "ai: ~\n", ".env": "APP_ENV=prod\n"},
        {"config/packages/ai.yaml": new},
    )
    assert _undocumented(found) == [("AI_OLLAMA_API_KEY", 5)]
