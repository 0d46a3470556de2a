"""Go flags peterbourgon/ff also reads from the environment (text_goff.py), on real git
repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.text_goff import ff_reads
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

MAIN = """package main

import (
\t"flag"
\t"os"

\t"github.com/peterbourgon/ff/v3"
)

func main() {{
\tfs := flag.NewFlagSet("app", flag.ExitOnError)
\tvar addr string
\tfs.StringVar(&addr, "listen-addr", ":8080", "listen address")
{new}
\tff.Parse(fs, os.Args[1:], {options})
}}
"""
PREFIX = 'ff.WithEnvVarPrefix("APP"), ff.WithConfigFileFlag("config")'
NEW = '\t_ = fs.Duration("http.timeout", 0, "timeout")'
DOCS = {"README.md": "# app\n\nSet `APP_LISTEN_ADDR` to change the address.\n"}


def _undocumented(found: list[Finding]) -> list[str]:
    return [f.message.split()[0] for f in found if f.rule.endswith("undocumented")]


def _main(new: str = "", options: str = PREFIX) -> str:
    return MAIN.format(new=new, options=options)


def _run(git_repo: Any, head: str, *, readme: str = "") -> list[str]:
    base = {**DOCS, "cmd/app/main.go": _main()}
    changed: dict[str, str | None] = {"cmd/app/main.go": head}
    if readme:
        changed["README.md"] = DOCS["README.md"] + readme
    return _undocumented(run_on_git(git_repo, base, changed))


def test_a_new_flag_is_an_undocumented_prefixed_variable(git_repo: Any) -> None:
    assert _run(git_repo, _main(NEW)) == ["APP_HTTP_TIMEOUT"]


def test_a_documented_flag_variable_is_quiet(git_repo: Any) -> None:
    assert _run(git_repo, _main(NEW), readme="`APP_HTTP_TIMEOUT` bounds a request.\n") == []


def test_a_flag_read_at_base_is_quiet(git_repo: Any) -> None:
    base = {**DOCS, "cmd/app/main.go": _main(NEW)}
    head: dict[str, str | None] = {"cmd/app/main.go": _main(NEW) + "\n// touched\n"}
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_flags_without_an_environment_option_are_no_variables(git_repo: Any) -> None:
    assert _run(git_repo, _main(NEW, 'ff.WithConfigFileFlag("config")')) == []


def test_env_vars_without_a_prefix_read_the_bare_name() -> None:
    assert [r.name for r in ff_reads(_main(NEW, "ff.WithEnvVars()"))] == [
        "LISTEN_ADDR",
        "HTTP_TIMEOUT",
    ]


def test_a_flag_of_another_flag_set_is_not_read() -> None:
    other = '\tother := flag.NewFlagSet("x", flag.ExitOnError)\n\t_ = other.String("debug", "", "")'
    assert [r.name for r in ff_reads(_main(other))] == ["APP_LISTEN_ADDR"]


def test_a_file_without_the_ff_import_is_not_read() -> None:
    text = _main(NEW).replace('"github.com/peterbourgon/ff/v3"', '"example.com/ff"')
    assert ff_reads(text) == []


def test_two_parses_with_different_prefixes_are_not_read() -> None:
    text = _main(NEW) + '\nfunc other() { ff.Parse(fs, nil, ff.WithEnvVarPrefix("OTHER")) }\n'
    assert ff_reads(text) == []
