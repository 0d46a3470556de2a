"""Paths this stop closed, each an attack that turned the gate green before it (the first
three fail on 315d2e3): a variable read by an Elixir function the repository hands the
whole environment, a setting added to a DjangoDynaconf settings module, and a Markdown page
whose escaped underscores forge no documentation for another name. The last guards this
stop's relaxation (an Alembic ``op.execute("COMMIT")`` ends the revision's transaction):
a concurrent build that an ``op.execute("BEGIN")`` puts back inside one still blocks, as it
did before."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n"
MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"


def test_a_key_of_the_environment_handed_to_an_elixir_function_blocks(
    attack: AttackFactory,
) -> None:
    runtime = (
        "import Config\n\nenv_vars = System.get_env()\n\n"
        "config :app, token: App.Conf.token(env_vars)\n"
    )
    conf = 'defmodule App.Conf do\n  def token(env) do\n    env["APP_SIGNING_TOKEN"]\n  end\nend\n'
    base = {"README.md": "x\n"}
    head = {"config/runtime.exs": runtime, "lib/app/conf.ex": conf}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_setting_added_to_a_dynaconf_settings_module_blocks(attack: AttackFactory) -> None:
    settings = (
        "from dynaconf import DjangoDynaconf\n\nCONTENT_ORIGIN = None\n{new}"
        'settings = DjangoDynaconf(__name__, ENVVAR_PREFIX_FOR_DYNACONF="PULP")\n'
    )
    base = {"app/settings.py": settings.format(new=""), "docs/settings.md": "## CONTENT_ORIGIN\n"}
    head = {"app/settings.py": settings.format(new="ALLOW_SHELL_COMMANDS = True\n")}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_an_escaped_underscore_in_code_or_a_longer_name_documents_nothing(
    attack: AttackFactory,
) -> None:
    settings = (
        "from dynaconf import DjangoDynaconf\n\n{new}"
        'settings = DjangoDynaconf(__name__, ENVVAR_PREFIX_FOR_DYNACONF="PULP")\n'
    )
    docs = "```\nALLOW\\_SHELL\\_COMMANDS=1\n```\n\n### ALLOW\\_SHELL\\_COMMANDS\\_LOG\n"
    base = {"app/settings.py": settings.format(new=""), "docs/settings.md": docs}
    head = {"app/settings.py": settings.format(new="ALLOW_SHELL_COMMANDS = True\n")}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_concurrent_build_after_commit_then_begin_blocks(attack: AttackFactory) -> None:
    revision = (
        "from alembic import op\nrevision = 'a2'\ndown_revision = None\n\n"
        "def upgrade():\n    op.execute('COMMIT')\n    op.execute('BEGIN')\n"
        "    op.create_index('ix_a', 'events', ['at'], postgresql_concurrently=True)\n\n"
        "def downgrade():\n    op.drop_index('ix_a', table_name='events')\n"
    )
    head = {"migrations/versions/a2_ix.py": revision}
    verdict = attack(MIGRATIONS, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_django_configurations_value_blocks_unless_a_real_doc_names_it(
    attack: AttackFactory,
) -> None:
    # stacks34: values.Value(environ_name=...) is a read; a .dist file outside env.d, or
    # an env.d folder's file that is no .dist template, documents nothing
    settings = (
        "from configurations import Configuration, values\n\n\nclass Base(Configuration):\n"
        "    A = 1\n{new}"
    )
    new = '    TOKEN = values.SecretValue(environ_name="APP_TOKEN", environ_prefix=None)\n'
    base = {"app/settings.py": settings.format(new=""), "docs/env.md": "# Env\n"}
    decoys = ({"app/common.dist": "APP_TOKEN=x\n"}, {"env.d/dev/notes.py": "APP_TOKEN = 1\n"})
    for decoy in decoys:
        head = {"app/settings.py": settings.format(new=new), **decoy}
        assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")
