"""Attacks on round 23's relaxations: Phoenix's generated variables, a workflow's new
secret as a warning, and long names spelled in words that are no secrets.

Each relaxation lets something pass that used to block; each case shows a pull request
cannot use it to carry an undocumented setting or a credential past the gate.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
SECRETS = "version: 1\nchecks:\n  security: {dependencies: false, sensitive: false}\n"
MIX = 'defmodule App.MixProject do\n  defp deps do\n    [{:phoenix, "~> 1.7"}]\n  end\nend\n'
RUNTIME = 'import Config\nconfig :app, host: System.get_env("PHX_HOST")\n'


def test_phoenix_variables_are_allowed_only_where_phoenix_is_a_dependency(
    attack: AttackFactory,
) -> None:
    # the same read in an Elixir project that does not depend on Phoenix is no generated
    # setting: undocumented, it blocks
    mix = MIX.replace(':phoenix, "~> 1.7"', ':plug_cowboy, "~> 2.7"')
    head = {"config/runtime.exs": RUNTIME}
    verdict = attack(ENV, {"mix.exs": mix, "README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")


def test_a_phoenix_project_setting_of_its_own_still_needs_docs(attack: AttackFactory) -> None:
    head = {"config/runtime.exs": RUNTIME + 'config :app, key: System.get_env("BILLING_KEY")\n'}
    verdict = attack(ENV, {"mix.exs": MIX, "README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")


def test_a_workflow_secret_does_not_excuse_the_application_reading_it(
    attack: AttackFactory,
) -> None:
    # the workflow's secrets.X is a maintainer's chore (a warning); the application that
    # now reads X is a deployer's setting, undocumented: it blocks
    head = {
        ".github/workflows/deploy.yml": (
            "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: ./deploy\n        env:\n"
            "          BILLING_KEY: ${{ secrets.BILLING_KEY }}\n"
        ),
        "app/billing.py": "import os\nKEY = os.environ['BILLING_KEY']\n",
    }
    verdict = attack(ENV, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    blocked = [r.finding for r in verdict.results if r.blocking]
    assert all(f.location and f.location.path == "app/billing.py" for f in blocked)


def test_random_letters_in_camel_case_are_still_a_secret(attack: AttackFactory) -> None:
    # words need vowels and length: letters drawn at random rarely spell a name
    value = "Rh" + "TqvZkWmPgNxLbYcFsJdVtQwHnKzMpB"
    head = {"app/settings.py": f"SECRET_KEY = '{value}'\n"}
    verdict = attack(SECRETS, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-high-entropy")


def test_a_spelled_name_does_not_hide_a_token_of_a_known_format(attack: AttackFactory) -> None:
    token = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
    head = {
        "app/routes.ts": (
            "export const routes = {\n"
            "  refresh: 'RefreshPersonalAccessTokenByName',\n"
            f"  token: '{token}',\n"
            "};\n"
        )
    }
    verdict = attack(SECRETS, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-github-token")
