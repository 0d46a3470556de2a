"""Attacks on round 25's Ecto changes: a ``modify`` judged against the column's merged type,
a merged migration edited to follow a function renamed at its definition, and tables
treated as large because many later migrations came back to index them.

Each relaxation lets something pass that used to block, and each case shows a pull
request cannot use it to carry a type change or a history rewrite past the gate. The
strengthening (a table indexed again and again is large) blocked nothing before: its
cases fail on the code before this round.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
FOLDER = "priv/repo/migrations"


def _module(name: str, body: str) -> str:
    inner = "".join(f"  {line}\n" if line else "\n" for line in body.splitlines())
    return f"defmodule App.Repo.Migrations.{name} do\n  use Ecto.Migration\n\n{inner}end\n"


def _up_down(name: str, up: str, down: str) -> str:
    indent = "\n".join(f"  {line}" for line in up.splitlines())
    back = "\n".join(f"  {line}" for line in down.splitlines())
    return _module(name, f"def up do\n{indent}\nend\n\ndef down do\n{back}\nend")


COST = {
    f"{FOLDER}/20191117042320_add_cost.exs": _module(
        "AddCost",
        "def change do\n  alter table(:charges) do\n"
        "    add :cost, :decimal, precision: 6, scale: 2\n  end\nend",
    )
}


def test_a_narrowed_string_is_a_type_change_though_the_type_name_is_the_same(
    attack: AttackFactory,
) -> None:
    base = {
        f"{FOLDER}/20190101000000_users.exs": _module(
            "Users", "def change do\n  create table(:users) do\n    add :name, :string\n  end\nend"
        )
    }
    head = {
        f"{FOLDER}/20260101000000_short.exs": _up_down(
            "Short",
            "alter table(:users) do\n  modify :name, :string, size: 40\nend",
            "alter table(:users) do\n  modify :name, :string\nend",
        )
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/change-column-type")


def test_editing_the_merged_column_to_match_does_not_make_a_change_the_same_type(
    attack: AttackFactory,
) -> None:
    # the history is read at base: rewriting the migration that added the column to say
    # numeric(20, 4) does not make numeric(6, 2) -> numeric(20, 4) a same-scale widening
    head = {
        f"{FOLDER}/20191117042320_add_cost.exs": _module(
            "AddCost",
            "def change do\n  alter table(:charges) do\n"
            "    add :cost, :decimal, precision: 20, scale: 4\n  end\nend",
        ),
        f"{FOLDER}/20260101000000_cost.exs": _up_down(
            "Cost",
            "alter table(:charges) do\n  modify :cost, :decimal, precision: 20, scale: 4\nend",
            "alter table(:charges) do\n  modify :cost, :decimal, precision: 6, scale: 2\nend",
        ),
    }
    assert_blocked(attack(MIGRATIONS, COST, head).judge(), "migrations/change-column-type")


def test_a_from_option_does_not_stand_in_for_the_merged_type(attack: AttackFactory) -> None:
    # ``from:`` is the PR's word; the merged migrations say the column is numeric(6, 2)
    head = {
        f"{FOLDER}/20260101000000_cost.exs": _module(
            "Cost",
            "def change do\n  alter table(:charges) do\n"
            "    modify :cost, :integer, from: :integer\n  end\nend",
        )
    }
    assert_blocked(attack(MIGRATIONS, COST, head).judge(), "migrations/change-column-type")


VAULT = (
    "defmodule App.Vault do\n"
    "  def default_chipher(key) do\n"
    '    {Cloak.Ciphers.AES.GCM, tag: "AES.GCM.V1", key: key, iv_length: 12}\n'
    "  end\n"
    "end\n"
)
MIGRATION = f"{FOLDER}/20220123131732_encrypt_api_tokens.exs"


def _calling(name: str, extra: str = "") -> str:
    return _module(
        "EncryptApiTokens",
        "def change do\n"
        f"  execute(fn -> App.Vault.save(default: App.Vault.{name}(:crypto.hash(:sha256, "
        f'"k"))) end){extra}\nend',
    )


def test_a_rename_whose_old_name_is_still_defined_rewrites_history(
    attack: AttackFactory,
) -> None:
    # another module still defines the old name: the migration may have meant that one
    base = {
        "lib/app/vault.ex": VAULT,
        "lib/app/legacy.ex": VAULT.replace("App.Vault", "App.Legacy"),
        MIGRATION: _calling("default_chipher"),
    }
    head = {
        "lib/app/vault.ex": VAULT.replace("default_chipher", "default_cipher"),
        MIGRATION: _calling("default_cipher"),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")


def test_a_rename_that_also_changes_the_function_rewrites_history(
    attack: AttackFactory,
) -> None:
    base = {"lib/app/vault.ex": VAULT, MIGRATION: _calling("default_chipher")}
    renamed = VAULT.replace("default_chipher", "default_cipher")
    head = {
        "lib/app/vault.ex": renamed.replace("iv_length: 12", "iv_length: 16"),
        MIGRATION: _calling("default_cipher"),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")


def test_a_rename_beside_another_edit_rewrites_history(attack: AttackFactory) -> None:
    base = {"lib/app/vault.ex": VAULT, MIGRATION: _calling("default_chipher")}
    head = {
        "lib/app/vault.ex": VAULT.replace("default_chipher", "default_cipher"),
        MIGRATION: _calling("default_cipher").replace('"k"', '"other"'),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")


def test_switching_to_another_existing_function_is_no_rename(attack: AttackFactory) -> None:
    # the old function deleted and the migration sent to a different one the base had
    weak = "\n  def weak_cipher(key) do\n    {Cloak.Ciphers.AES.CTR, key: key}\n  end\n"
    both = VAULT.replace("end\n", "end\n" + weak, 1)
    base = {"lib/app/vault.ex": both, MIGRATION: _calling("default_chipher")}
    head = {
        "lib/app/vault.ex": (
            "defmodule App.Vault do\n"
            "  def weak_cipher(key) do\n    {Cloak.Ciphers.AES.CTR, key: key}\n  end\nend\n"
        ),
        MIGRATION: _calling("weak_cipher"),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")


POSITIONS = {
    f"{FOLDER}/2019033017000{i}_ix{i}.exs": _module(
        f"Ix{i}", f"def change do\n  create(index(:positions, [:c{i}]))\nend"
    )
    for i in range(5)
}


def test_sql_in_execute_on_a_table_indexed_again_and_again_blocks(
    attack: AttackFactory,
) -> None:
    # before, positions was "not presumed large" and the index build was a warning
    head = {
        f"{FOLDER}/20250101000000_brin.exs": _module(
            "Brin",
            "def change do\n"
            '  execute("CREATE INDEX positions_date_brin ON positions USING brin (date)",\n'
            '          "DROP INDEX positions_date_brin")\nend',
        )
    }
    assert_blocked(attack(MIGRATIONS, POSITIONS, head).judge(), "migrations/index-not-concurrent")


def test_an_ecto_index_on_a_table_indexed_again_and_again_blocks(attack: AttackFactory) -> None:
    head = {
        f"{FOLDER}/20250101000000_brin.exs": _module(
            "Brin",
            'def change do\n  create(index(:positions, [:drive_id, :date], using: "brin"))\nend',
        )
    }
    assert_blocked(attack(MIGRATIONS, POSITIONS, head).judge(), "migrations/index-not-concurrent")


CHARGES = {
    f"{FOLDER}/20200101000000_charges.exs": _module(
        "Charges",
        "def change do\n  create table(:charges) do\n    add :current, :smallint\n"
        "    add :voltage, :smallint\n    add :energy, :float\n  end\nend",
    )
}
RECALC = f"{FOLDER}/20260808090000_recalc.exs"


def _recalc(expression: str, *, attrs: str = "") -> str:
    text = _up_down(
        "Recalc",
        f'execute("UPDATE charges c SET energy = {expression}")',
        'execute("UPDATE charges SET energy = NULL")',
    )
    return text.replace("  use Ecto.Migration\n", "  use Ecto.Migration\n" + attrs, 1)


def _cast_edit(attack: AttackFactory, old: str, new: str, *, attrs: str = "") -> None:
    base = {**CHARGES, RECALC: _recalc(old, attrs=attrs)}
    head = {RECALC: _recalc(new, attrs=attrs)}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")


def test_a_cast_to_numeric_changes_integer_division(attack: AttackFactory) -> None:
    # smallint / smallint divides as integers; numeric / smallint does not: other values
    _cast_edit(attack, "c.current / c.voltage", "c.current::numeric / c.voltage")


def test_a_cast_beside_another_edit_rewrites_history(attack: AttackFactory) -> None:
    _cast_edit(attack, "c.current * c.voltage / 1000.0", "c.current::int * c.voltage / 100.0")


def test_a_cast_outside_the_transaction_rewrites_history(attack: AttackFactory) -> None:
    # without Ecto's transaction a failed run may have left its first statements applied
    _cast_edit(
        attack,
        "c.current * c.voltage",
        "c.current::int * c.voltage",
        attrs="  @disable_ddl_transaction true\n",
    )


def test_a_cast_of_a_column_the_history_does_not_type_rewrites_history(
    attack: AttackFactory,
) -> None:
    _cast_edit(attack, "c.phases * c.voltage", "c.phases::int * c.voltage")


def test_a_narrowing_cast_rewrites_history(attack: AttackFactory) -> None:
    # energy is a float: ::int rounds it
    _cast_edit(attack, "c.energy * 2", "c.energy::int * 2")
