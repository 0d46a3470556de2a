"""Elixir functions handed the whole environment (``env_vars = System.get_env()`` then
``ConfigParser.max_storage_bytes(env_vars)``): the keys they read from it are variables.
On real git repositories."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

PARSER = (
    "defmodule App.ConfigParser do\n"
    "  def max_memory_bytes(env) do\n"
    '    case env["MAX_MEMORY_MB"] do\n'
    "      nil -> nil\n"
    "      mb -> String.to_integer(mb) * 1024 * 1024\n"
    "    end\n"
    "  end\n"
    "{new}"
    "end\n"
)
NEW = '\n  def max_storage_bytes(env) do\n    env |> Map.get("MAX_STORAGE_MB") |> parse()\n  end\n'
RUNTIME = (
    "import Config\n\nenv_vars = System.get_env()\n\n"
    "config :app, max_memory_bytes: App.ConfigParser.max_memory_bytes(env_vars){call}\n"
)
CALL = ",\n  max_storage_bytes: App.ConfigParser.max_storage_bytes(env_vars)"
DOCS = {"docs/configuration.md": "| `MAX_MEMORY_MB` | memory cap |\n"}


def _undocumented(git_repo: Any, runtime: str, head_runtime: str) -> list[str]:
    base = {
        "lib/app/config_parser.ex": PARSER.format(new=""),
        "config/runtime.exs": runtime,
        **DOCS,
    }
    head = {"lib/app/config_parser.ex": PARSER.format(new=NEW), "config/runtime.exs": head_runtime}
    found = run_on_git(git_repo, base, head)
    return [f.message.split()[0] for f in found if f.rule == "undocumented"]


def test_a_key_read_from_the_environment_handed_over_is_a_variable(git_repo: Any) -> None:
    # sequin 74929b5914: MAX_STORAGE_MB, documented nowhere; MAX_MEMORY_MB was read at base
    runtime = RUNTIME.format(call="")
    assert _undocumented(git_repo, runtime, RUNTIME.format(call=CALL)) == ["MAX_STORAGE_MB"]


def test_the_environment_passed_directly_or_piped_counts_too(git_repo: Any) -> None:
    direct = (
        "import Config\n\nconfig :app,\n"
        "  max_memory_bytes: App.ConfigParser.max_memory_bytes(System.get_env()),\n"
        "  max_storage_bytes: System.get_env() |> App.ConfigParser.max_storage_bytes()\n"
    )
    assert _undocumented(git_repo, direct, direct) == ["MAX_STORAGE_MB"]


def test_a_function_handed_another_map_reads_no_variable(git_repo: Any) -> None:
    # the same parser given a map of its own, or the environment only in a test
    other = (
        "import Config\n\nopts = %{}\n\n"
        "config :app, max_storage_bytes: App.ConfigParser.max_storage_bytes(opts)\n"
    )
    assert _undocumented(git_repo, other, other) == []
    tested = {
        "test/config_parser_test.exs": "App.ConfigParser.max_storage_bytes(System.get_env())\n",
    }
    base = {"lib/app/config_parser.ex": PARSER.format(new=""), **tested, **DOCS}
    head = {"lib/app/config_parser.ex": PARSER.format(new=NEW)}
    found = run_on_git(git_repo, base, head)
    assert [f.rule for f in found if f.rule == "undocumented"] == []
