"""Elixir reads through the repository's own helpers over ``System.get_env``
(text_exwrappers), on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

#: realtime's layout: the helper module at the top of config/runtime.exs
ENV_MODULE = """import Config

defmodule Env do
  def get_integer(env, default) do
    value = System.get_env(env)
    if value, do: String.to_integer(value), else: default
  end

  def get_boolean(env, default) do
    value = System.get_env(env)
    if value, do: String.to_existing_atom(value), else: default
  end
end

"""
README = "# app\n\n| Variable | Meaning |\n|---|---|\n| `DB_SSL` | use TLS |\n"
BASE = {
    "mix.exs": "defmodule App.MixProject do\nend\n",
    "README.md": README,
    "config/runtime.exs": ENV_MODULE + 'ssl = Env.get_boolean("DB_SSL", false)\n',
}
#: a helper module of the application, in lib/
LIB_ENV = """defmodule App.Settings.Env do
  @moduledoc "Settings from the environment."

  def fetch(name, default \\\\ nil) do
    System.get_env(name, default)
  end

  def flag(name), do: fetch(name, "false") == "true"
end
"""
#: a helper over the application's configuration: no environment read
APP_CONFIG = """defmodule App.Config do
  def get(key, default \\\\ nil) do
    Application.get_env(:app, key, default)
  end
end
"""


def _names(found: list[Finding]) -> list[str]:
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


def _runtime(line: str) -> dict[str, str | None]:
    return {"config/runtime.exs": ENV_MODULE + 'ssl = Env.get_boolean("DB_SSL", false)\n' + line}


def test_a_literal_given_to_a_helper_of_the_same_file_fires(git_repo: Any) -> None:
    found = run_on_git(
        git_repo, BASE, _runtime('shards = Env.get_integer("USERS_SCOPE_SHARDS", 5)\n')
    )
    assert _names(found) == ["USERS_SCOPE_SHARDS"]
    message = next(f.message for f in found if f.rule == "undocumented")
    assert "Env.get_integer() → System.get_env" in message


def test_a_name_documented_and_read_through_the_helper_passes(git_repo: Any) -> None:
    head = {**_runtime('shards = Env.get_integer("USERS_SCOPE_SHARDS", 5)\n')}
    head["README.md"] = README + "| `USERS_SCOPE_SHARDS` | shards |\n"
    assert _names(run_on_git(git_repo, BASE, head)) == []


def test_a_name_the_readme_already_documents_passes(git_repo: Any) -> None:
    # README.md's table names DB_SSL at base; the head first reads it through the helper
    base = {**BASE, "config/runtime.exs": ENV_MODULE}
    head = _runtime('pool = Env.get_integer("DB_POOL", 5)\n')
    head["README.md"] = README + "| `DB_POOL` | pool size |\n"
    assert _names(run_on_git(git_repo, base, head)) == []


def test_a_helper_of_another_module_called_through_an_alias_fires(git_repo: Any) -> None:
    base = {**BASE, "lib/app/settings/env.ex": LIB_ENV}
    head = {
        "lib/app/worker.ex": (
            "defmodule App.Worker do\n  alias App.Settings.Env\n\n"
            '  def enabled?, do: Env.flag("WORKER_ENABLED")\nend\n'
        )
    }
    found = run_on_git(git_repo, base, head)
    assert _names(found) == ["WORKER_ENABLED"]
    message = next(f.message for f in found if f.rule == "undocumented")
    assert "Env.flag() → fetch() → System.get_env" in message


def test_a_helper_called_by_its_full_module_name_fires(git_repo: Any) -> None:
    base = {**BASE, "lib/app/settings/env.ex": LIB_ENV}
    head = _runtime('region = App.Settings.Env.fetch("REGION", "local")\n')
    assert _names(run_on_git(git_repo, base, head)) == ["REGION"]


def test_a_helper_of_a_helper_in_a_third_module_fires(git_repo: Any) -> None:
    # App.Features.on? hands its parameter to App.Settings.Env.flag, two modules up
    features = (
        "defmodule App.Features do\n  alias App.Settings.Env, as: Settings\n\n"
        '  def on?(feature), do: Settings.flag("FEATURE_" <> feature)\nend\n'
    )
    base = {**BASE, "lib/app/settings/env.ex": LIB_ENV, "lib/app/features.ex": features}
    head = {
        "lib/app/worker.ex": (
            "defmodule App.Worker do\n  alias App.Features\n\n"
            '  def run, do: Features.on?("BETA")\nend\n'
        )
    }
    assert _names(run_on_git(git_repo, base, head)) == ["FEATURE_BETA"]


def test_a_helper_over_application_env_reads_no_variable(git_repo: Any) -> None:
    base = {**BASE, "lib/app/config.ex": APP_CONFIG}
    head = {
        "lib/app/worker.ex": (
            "defmodule App.Worker do\n  alias App.Config\n\n"
            '  def size, do: Config.get("POOL_SIZE", 5)\nend\n'
        )
    }
    assert _names(run_on_git(git_repo, base, head)) == []


def test_a_non_literal_argument_is_no_named_read_and_does_not_crash(git_repo: Any) -> None:
    head = _runtime('key = "X"\nvalue = Env.get_integer(key, 5)\nother = Env.get_integer(\n')
    found = run_on_git(git_repo, BASE, head)
    assert _names(found) == []
    assert all(f.level.name != "ERROR" for f in found if f.rule != "undocumented")


def test_a_helper_defined_at_base_newly_called_at_head_fires(git_repo: Any) -> None:
    base = {**BASE, "lib/app/settings/env.ex": LIB_ENV}
    head = {
        "lib/app/repo.ex": (
            "defmodule App.Repo do\n"
            '  def url, do: "DATABASE_URL" |> App.Settings.Env.fetch()\nend\n'
        )
    }
    assert _names(run_on_git(git_repo, base, head)) == ["DATABASE_URL"]


def test_a_helper_added_with_its_first_call_fires(git_repo: Any) -> None:
    head = {"lib/app/settings/env.ex": LIB_ENV + '\nApp.Settings.Env.flag("NEW_FLAG")\n'}
    assert _names(run_on_git(git_repo, BASE, head)) == ["NEW_FLAG"]


def test_a_helper_in_test_code_is_no_deployments_helper(git_repo: Any) -> None:
    base = {**BASE, "test/support/env.ex": LIB_ENV}
    head = _runtime('region = App.Settings.Env.fetch("REGION", "local")\n')
    assert _names(run_on_git(git_repo, base, head)) == []


def test_a_lower_case_literal_given_to_a_helper_is_no_name(git_repo: Any) -> None:
    # Elixir's variables are named in capitals; "region" may be looked up elsewhere too
    head = _runtime('region = Env.get_integer("region", 1)\n')
    assert _names(run_on_git(git_repo, BASE, head)) == []
