"""Attacks on round 27's relaxation of moves.py's marks: ``add :cookie_behaviour, :string,
default: "disabled"``, ``UPDATE sources SET cookie_behaviour = 'all_operations' WHERE
use_cookies = TRUE``, then ``remove :use_cookies`` keeps the flag as a mark (pinchflat):
the rows left out read the default, another value than the mark. Off PostgreSQL the merged
migrations must declare the column boolean (``= TRUE`` is ``= 1`` of any integer there).

Each attack loses values: an UPDATE whose WHERE reads another column or only some rows, a
mark equal to the default, a non-constant default, a mark into a column that was already
there, into one the migration drops too, a column the merged migrations made an integer
or never typed, a value computed from another column. They must all still block.
"""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
MIX = 'defp deps do\n  [{:ecto_sqlite3, ">= 0.0.0"}]\nend\n'
MODEL = (
    'defmodule App.Source do\n  schema "sources" do\n    field :use_cookies, :boolean\n'
    "    field :kind, :string\n  end\nend\n"
)
FOLDER = "priv/repo/migrations"


def _merged(kind: str = ":boolean") -> dict[str, str]:
    add = f"      add :use_cookies, {kind}, default: true, null: false\n" if kind else ""
    return {
        "mix.exs": MIX,
        "lib/app/source.ex": MODEL,
        f"{FOLDER}/20240814154844_add_use_cookies.exs": (
            "defmodule App.Repo.Migrations.AddUseCookies do\n  use Ecto.Migration\n\n"
            "  def change do\n    alter table(:sources) do\n"
            f'{add}      add :kind, :string, default: "a"\n'
            "    end\n  end\nend\n"
        ),
    }


def _judge(
    attack: AttackFactory,
    add: str = 'add :cookie_behaviour, :string, null: false, default: "disabled"',
    update: str = "UPDATE sources SET cookie_behaviour = 'all_operations' WHERE use_cookies = TRUE",
    after: str = "",
    kind: str = ":boolean",
) -> Verdict:
    migration = (
        "defmodule App.Repo.Migrations.AddCookieBehaviour do\n  use Ecto.Migration\n\n"
        "  def change do\n"
        f"    alter table(:sources) do\n      {add}\n    end\n\n"
        f'    execute(\n      "{update}",\n      "SELECT 1"\n    )\n\n'
        "    alter table(:sources) do\n      remove :use_cookies, :boolean, default: false\n"
        f"    end\n{after}  end\nend\n"
    )
    base = _merged(kind)
    head = {**base, f"{FOLDER}/20250304185528_add_cookie_behaviour.exs": migration}
    return attack(POLICY, base, head).judge()


def test_the_relaxed_shape_passes(attack: AttackFactory) -> None:
    verdict = _judge(attack)
    assert not [r for r in verdict.results if r.blocking]


@pytest.mark.parametrize(
    "update",
    [
        "UPDATE sources SET cookie_behaviour = 'all_operations' WHERE kind = 'a'",  # another column
        "UPDATE sources SET cookie_behaviour = 'all_operations' WHERE use_cookies AND id < 9",
        "UPDATE sources SET cookie_behaviour = 'disabled' WHERE use_cookies = TRUE",  # = default
        "UPDATE sources SET cookie_behaviour = kind WHERE use_cookies = TRUE",  # not a constant
        "UPDATE sources SET kind = 'all_operations' WHERE use_cookies = TRUE",  # a column kept
    ],
)
def test_an_update_that_is_no_mark_still_blocks(attack: AttackFactory, update: str) -> None:
    assert_blocked(_judge(attack, update=update), "migrations/drop-column")


def test_a_default_that_is_no_constant_still_blocks(attack: AttackFactory) -> None:
    add = 'add :cookie_behaviour, :string, default: fragment("lower(kind)")'
    assert_blocked(_judge(attack, add=add), "migrations/drop-column")


def test_a_mark_into_a_column_the_migration_drops_still_blocks(attack: AttackFactory) -> None:
    after = "\n    alter table(:sources) do\n      remove :cookie_behaviour, :string\n    end\n"
    assert_blocked(_judge(attack, after=after), "migrations/drop-column")


@pytest.mark.parametrize("kind", [":integer", ""])
def test_a_column_not_merged_as_a_boolean_still_blocks(attack: AttackFactory, kind: str) -> None:
    assert_blocked(_judge(attack, kind=kind), "migrations/drop-column")
