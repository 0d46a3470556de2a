"""Flags whose value comes from the environment (text_urfave): urfave/cli v1, v2 and v3,
kingpin, on real git repositories laid out like woodpecker's cmd/server/flags.go."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.envvars.text_reads import go_reads
from gatekeeper.checks.envvars.text_urfave import flag_reads
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

#: a flags file: ``{imported}`` is the library's import line, ``{flags}`` the flag literals
FLAGS = """package main

import (
\t"time"

\t{imported}
)

var flags = []cli.Flag{{
\t&cli.StringFlag{{
\t\tName:  "server-addr",
\t\t{old}
\t}},
{flags}}}

var _ = time.Second
"""
#: woodpecker's docs: a heading, then the variable's name in a code span
DOCS = "### SERVER_ADDR\n\n- Name: `WOODPECKER_SERVER_ADDR`\n- Default: `:8000`\n"
#: each version's import, the form reading WOODPECKER_SERVER_ADDR, and a new flag's form
FORMS = {
    "v1": (
        '"github.com/urfave/cli"',
        'EnvVar: "WOODPECKER_SERVER_ADDR",',
        'EnvVar: "WOODPECKER_UNIX_SOCKET_PERMISSION, WOODPECKER_SOCKET_MODE",',
    ),
    "v2": (
        '"github.com/urfave/cli/v2"',
        'EnvVars: []string{"WOODPECKER_SERVER_ADDR"},',
        'EnvVars: []string{"WOODPECKER_UNIX_SOCKET_PERMISSION", "WOODPECKER_SOCKET_MODE"},',
    ),
    "v3": (
        '"github.com/urfave/cli/v3"',
        'Sources: cli.EnvVars("WOODPECKER_SERVER_ADDR"),',
        'Sources: cli.EnvVars("WOODPECKER_UNIX_SOCKET_PERMISSION", "WOODPECKER_SOCKET_MODE"),',
    ),
    "v3-chain": (
        '"github.com/urfave/cli/v3"',
        'Sources: cli.NewValueSourceChain(cli.EnvVar("WOODPECKER_SERVER_ADDR")),',
        'Sources: cli.NewValueSourceChain(\n\t\t\tcli.EnvVar("WOODPECKER_UNIX_SOCKET_PERMISSION"),'
        '\n\t\t\tcli.File("/etc/woodpecker/mode"),\n\t\t\tcli.EnvVar("WOODPECKER_SOCKET_MODE"),\n\t\t),',
    ),
}
#: the line of the new flag's form in FLAGS
NEW_LINE = 16


def _flags(version: str, *, new: bool = False, old: str | None = None) -> str:
    imported, base_form, new_form = FORMS[version]
    flag = f'\t&cli.StringFlag{{\n\t\tName: "unix-socket-permission",\n\t\t{new_form}\n\t}},\n'
    return FLAGS.format(imported=imported, old=old or base_form, flags=flag if new else "")


def _undocumented(found: list[Finding]) -> list[tuple[str, int]]:
    return [
        (f.message.split()[0], f.location.start_line if f.location else 0)
        for f in found
        if f.rule == "undocumented"
    ]


@pytest.mark.parametrize("version", sorted(FORMS))
def test_a_new_undocumented_flag_variable_fires(git_repo: Any, version: str) -> None:
    docs = {"docs/10-server.md": DOCS}
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags(version), **docs},
        {"cmd/server/flags.go": _flags(version, new=True), **docs},
    )
    assert _undocumented(found) == [("WOODPECKER_UNIX_SOCKET_PERMISSION", NEW_LINE)], [
        f.message for f in found
    ]


@pytest.mark.parametrize("version", sorted(FORMS))
def test_a_new_flag_documented_by_any_of_its_names_does_not_fire(
    git_repo: Any, version: str
) -> None:
    docs = DOCS + "\n### SOCKET_MODE\n\n- Name: `WOODPECKER_SOCKET_MODE`\n"
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags(version), "docs/10-server.md": DOCS},
        {"cmd/server/flags.go": _flags(version, new=True), "docs/10-server.md": docs},
    )
    assert _undocumented(found) == []


@pytest.mark.parametrize(("before", "after"), [("v1", "v2"), ("v2", "v3"), ("v3", "v3-chain")])
def test_a_flag_moved_to_another_version_s_form_is_not_new(
    git_repo: Any, before: str, after: str
) -> None:
    old = FORMS[before][2].replace("\n", " ")
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags(before, old=old)},
        {"cmd/server/flags.go": _flags(after, old=FORMS[after][2])},
    )
    assert _undocumented(found) == []


def test_a_flag_read_at_base_in_another_file_is_not_new(git_repo: Any) -> None:
    found = run_on_git(
        git_repo,
        {
            "cmd/server/flags.go": _flags("v3"),
            "cmd/agent/flags.go": _flags("v2", old=FORMS["v2"][2]),
        },
        {"cmd/server/flags.go": _flags("v3", new=True), "cmd/agent/flags.go": None},
    )
    assert _undocumented(found) == []


def test_the_forms_need_the_library_imported() -> None:
    for version in sorted(FORMS):
        text = _flags(version, new=True).replace(FORMS[version][0], '"example.com/cli"')
        assert go_reads(text) == [], version


def test_an_aliased_or_dot_import_is_followed() -> None:
    text = (
        'package main\nimport ucli "github.com/urfave/cli/v3"\n'
        'var a = ucli.EnvVars("APP_A")\nvar b = cli.EnvVars("NOT_THROUGH_THE_ALIAS")\n'
    )
    assert [r.name for r in flag_reads(text, lambda n: None)] == ["APP_A"]
    dotted = 'package main\nimport . "github.com/urfave/cli/v3"\nvar a = EnvVar("APP_A")\n'
    assert [r.name for r in flag_reads(dotted, lambda n: None)] == ["APP_A"]


def test_constants_and_names_that_cannot_be_known() -> None:
    text = (
        'package main\nimport "github.com/urfave/cli/v2"\nconst envB = "APP_B"\n'
        'var f = &cli.StringFlag{EnvVars: []string{envB, prefix() + "_C"}}\n'
        "var g = &cli.StringFlag{EnvVars: []string{config.EnvD}}\n"
    )
    reads = flag_reads(text, lambda n: "APP_D" if n == "config.EnvD" else None)
    assert [(r.name, r.line) for r in reads] == [("", 4), ("APP_B", 4), ("APP_D", 5)]


def test_kingpin_envar() -> None:
    text = (
        'package main\nimport "gopkg.in/alecthomas/kingpin.v2"\n'
        'var d = kingpin.Flag("debug", "").Envar("APP_DEBUG").Bool()\n'
        'var o = kingpin.Flag("old", "").OverrideDefaultFromEnvar("APP_OLD").Bool()\n'
    )
    assert [(r.name, r.how) for r in flag_reads(text, lambda n: None)] == [
        ("APP_DEBUG", "kingpin Envar"),
        ("APP_OLD", "kingpin Envar"),
    ]
    # the same call without kingpin imported is anyone's method
    assert flag_reads(text.replace("kingpin.v2", "other"), lambda n: None) == []


@pytest.mark.parametrize(
    "doc",
    [
        "- `unix-socket-permission` sets the socket's mode\n",  # ntfy's option lists
        "| `--unix-socket-permission` | the socket's mode |\n",
        "| unix-socket-permission | the socket's mode |\n",
    ],
)
@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_a_new_flag_documented_by_its_option_name_does_not_fire(
    git_repo: Any, version: str, doc: str
) -> None:
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags(version), "docs/config.md": DOCS},
        {"cmd/server/flags.go": _flags(version, new=True), "docs/config.md": DOCS + doc},
    )
    assert _undocumented(found) == []


def test_another_option_documented_does_not_document_the_flag(git_repo: Any) -> None:
    doc = DOCS + "- `unix-socket` and `--socket-permission` are other options\n"
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags("v3"), "docs/config.md": DOCS},
        {"cmd/server/flags.go": _flags("v3", new=True), "docs/config.md": doc},
    )
    assert _undocumented(found) == [("WOODPECKER_UNIX_SOCKET_PERMISSION", NEW_LINE)]


def test_a_flag_s_keys_are_its_name_and_aliases_and_kingpin_has_none() -> None:
    text = (
        'package main\nimport "github.com/urfave/cli/v2"\nvar f = []cli.Flag{\n'
        '\taltsrc.NewStringFlag(&cli.StringFlag{Name: "web-push-expiry", Aliases:'
        ' []string{"web_push_expiry"}, EnvVars: []string{"NTFY_WEB_PUSH_EXPIRY"}}),\n}\n'
    )
    (read,) = flag_reads(text, lambda n: None)
    assert read.keys == ("web-push-expiry", "web_push_expiry")
    kingpin = (
        'package main\nimport "github.com/alecthomas/kingpin/v2"\n'
        'var d = kingpin.Flag("debug", "").Envar("APP_DEBUG").Bool()\n'
    )
    assert [r.keys for r in flag_reads(kingpin, lambda n: None)] == [()]


TEMPLATE = '# ntfy server config file\n\n# Listen address\n#\n# server-addr: ":80"\n'


@pytest.mark.parametrize(
    "line", ["# unix-socket-permission: 0660\n", "#   unix-socket-permission:\n#     - a\n"]
)
def test_a_flag_named_in_the_shipped_yaml_template_does_not_fire(git_repo: Any, line: str) -> None:
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags("v2"), "server/server.yml": TEMPLATE},
        {"cmd/server/flags.go": _flags("v2", new=True), "server/server.yml": TEMPLATE + line},
    )
    assert _undocumented(found) == []


@pytest.mark.parametrize(
    "where", ["tests/server.yml", ".github/workflows/ci.yml", "server/testdata/server.yml"]
)
def test_a_yaml_template_where_nothing_ships_documents_nothing(git_repo: Any, where: str) -> None:
    line = "# unix-socket-permission: 0660\n"
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags("v2"), "server/server.yml": TEMPLATE},
        {"cmd/server/flags.go": _flags("v2", new=True), where: TEMPLATE + line},
    )
    assert _undocumented(found) == [("WOODPECKER_UNIX_SOCKET_PERMISSION", NEW_LINE)]


def test_a_yaml_template_naming_other_options_does_not_document_the_flag(git_repo: Any) -> None:
    other = TEMPLATE + "# unix-socket-permissions: 0660\n# socket-permission: 1\n"
    found = run_on_git(
        git_repo,
        {"cmd/server/flags.go": _flags("v2"), "server/server.yml": TEMPLATE},
        {"cmd/server/flags.go": _flags("v2", new=True), "server/server.yml": other},
    )
    assert _undocumented(found) == [("WOODPECKER_UNIX_SOCKET_PERMISSION", NEW_LINE)]
