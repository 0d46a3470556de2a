"""Attacks on probe blocks33's Ecto change: the ``@moduledoc``/``@doc`` text of a merged
migration may be edited without a history rewrite (it is compiled into docs, never run).

A pull request that mimics a documentation edit to carry a change of what the merged
migration runs must still be blocked: code interpolated into the doc (run at compile
time), code after the quotes that close the heredoc, and an edit beside the doc.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
PATH = "priv/repo/migrations/20260101000000_add_flag.exs"


def _migration(doc: str, value: str = "false") -> str:
    return (
        "defmodule App.Repo.Migrations.AddFlag do\n  use Ecto.Migration\n\n"
        f'  @moduledoc """\n{doc}\n  """\n\n'
        "  def change do\n    alter table(:devices) do\n"
        f"      add :flag, :boolean, default: {value}\n    end\n  end\nend\n"
    )


BASE = {PATH: _migration("  Adds the flag.")}


def test_a_reworded_doc_passes(attack: AttackFactory) -> None:
    head = {PATH: _migration("  Adds the flag that devices report.")}
    assert attack(MIGRATIONS, BASE, head).judge().met


def test_code_interpolated_into_the_doc_rewrites_history(attack: AttackFactory) -> None:
    head = {PATH: _migration('  #{App.Repo.query!("DELETE FROM devices")}')}
    assert_blocked(attack(MIGRATIONS, BASE, head).judge(), "migrations/history-rewritten")


def test_code_after_the_closing_quotes_rewrites_history(attack: AttackFactory) -> None:
    # Elixir ends the heredoc at the first quotes; a later lone quote line reopens one
    head = {PATH: _migration('  Adds the flag.\n  """ <> App.Repo.purge()\n  @x """\n  x')}
    assert_blocked(attack(MIGRATIONS, BASE, head).judge(), "migrations/history-rewritten")


def test_a_doc_edit_beside_a_changed_default_rewrites_history(attack: AttackFactory) -> None:
    head = {PATH: _migration("  Adds the flag, on by default.", value="true")}
    assert_blocked(attack(MIGRATIONS, BASE, head).judge(), "migrations/history-rewritten")
