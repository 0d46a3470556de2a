"""Ecto (Elixir) migrations: found by folder, name and ``use Ecto.Migration``; what Ecto
cannot reverse in ``def change`` by its documented rules; the up side's commands written
as the SQL they run; and the relaxations (``execute/2``, ``remove`` with a type,
``modify ... from:``, a renamed module) held to what they say, not to comments or look-alikes."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.migrations import detect, ecto, ectoops
from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

HEAD = "defmodule App.Repo.Migrations.Step do\n  use Ecto.Migration\n\n"


def module(body: str, *, attrs: str = "") -> str:
    """A migration module with ``def change`` holding ``body``."""
    inner = "".join(f"    {line}\n" if line else "\n" for line in body.splitlines())
    return f"{HEAD}{attrs}  def change do\n{inner}  end\nend\n"


def irreversible(body: str) -> list[str]:
    return [what for _, what in ecto.irreversible_calls(ecto.methods(module(body))["change"])]


def sql(text: str) -> list[str]:
    return [s.text for s in ectoops.up_statements(text)]


def test_found_in_priv_migrations_by_its_use_line() -> None:
    text = module("create table(:a) do\n  add :b, :string\nend")
    m = detect.classify("priv/repo/migrations/20240101120000_create_a.exs", text)
    assert m is not None and (m.framework, m.version) == ("ecto", "20240101120000")
    other = detect.classify("priv/other_repo/migrations/20240101120000_x.exs", text)
    assert other is not None and other.framework == "ecto"
    # a seed script, a test support file, a module that is no migration
    assert detect.classify("priv/repo/seeds.exs", text) is None
    assert detect.classify("test/migrations/20240101120000_x.exs", text) is None
    assert detect.classify("priv/repo/migrations/20240101_x.exs", "IO.puts(1)\n") is None


def test_each_irreversible_command_of_change() -> None:
    assert irreversible('execute "UPDATE a SET b = 1"') == ["execute/1"]
    assert irreversible("alter table(:a) do\n  remove :b\nend") == ["remove without a type"]
    assert irreversible("alter table(:a) do\n  modify :b, :text\nend") == ["modify without from:"]
    assert irreversible("drop table(:a)") == ["drop table"]
    assert irreversible("drop constraint(:a, :a_b_check)") == ["drop constraint"]


def test_what_ecto_reverses_is_not_reported() -> None:
    assert irreversible('execute "CREATE EXTENSION x", "DROP EXTENSION x"') == []
    assert irreversible('execute(\n  "CREATE EXTENSION x",\n  "DROP EXTENSION x"\n)') == []
    assert irreversible('alter table(:a) do\n  remove :b, :string, default: ""\nend') == []
    assert irreversible("alter table(:a) do\n  modify :b, :text, from: :string\nend") == []
    assert irreversible("drop index(:a, [:b])") == []
    assert irreversible("rename table(:a), :b, to: :c") == []


def test_relaxations_are_not_read_from_comments_or_one_function() -> None:
    # ``from:`` in a comment, a one-argument fn holding commas, a type in a comment
    assert irreversible("alter table(:a) do\n  modify :b, :text # from: :string\nend") == [
        "modify without from:"
    ]
    assert irreversible('execute(fn ->\n  repo().query!("UPDATE a SET b = 1, c = 2")\nend)') == [
        "execute/1"
    ]
    assert irreversible("alter table(:a) do\n  remove :b # , :string\nend") == [
        "remove without a type"
    ]


def test_a_commented_out_attribute_keeps_the_transaction() -> None:
    text = module(
        "create index(:a, [:b], concurrently: true)", attrs="  # @disable_ddl_transaction true\n"
    )
    assert ecto.transactional(text)
    off = module(
        "create index(:a, [:b], concurrently: true)", attrs="  @disable_ddl_transaction true\n"
    )
    assert not ecto.transactional(off)


def test_commands_as_the_sql_they_run() -> None:
    text = module(
        'alter table("a") do\n  add :b, :string, null: false, default: "x"\n  remove :c\nend\n\n'
        "create unique_index(:a, [:b, :d], name: :a_bd, concurrently: true)\n"
        "rename table(:a), :e, to: :f\n"
        'execute """\nUPDATE a\nSET g = 1\n""", ""\n'
        "drop_if_exists table(:h)"
    )
    assert sql(text) == [
        "ALTER TABLE a ADD COLUMN b varchar(255) NOT NULL DEFAULT 'x'",
        "ALTER TABLE a DROP COLUMN c",
        "CREATE UNIQUE INDEX CONCURRENTLY a_bd ON a (b, d)",
        "ALTER TABLE a RENAME COLUMN e TO f",
        "UPDATE a\nSET g = 1",
        "DROP TABLE IF EXISTS h",
    ]


def test_the_down_function_of_execute_is_not_the_up_side() -> None:
    text = (
        f"{HEAD}  def change do\n    execute(&backfill/0, &unfill/0)\n  end\n\n"
        '  defp backfill do\n    repo().query!("UPDATE a SET b = c")\n  end\n\n'
        '  defp unfill do\n    repo().query!("UPDATE a SET b = NULL")\n  end\nend\n'
    )
    assert sql(text) == ["UPDATE a SET b = c"]


def test_a_renamed_module_runs_the_same_but_a_changed_string_does_not() -> None:
    before = module('execute "UPDATE a SET b = 1", ""')
    renamed = before.replace("App.Repo", "Keila.Repo").replace("UPDATE", "UPDATE") + "# moved\n"
    assert ecto.same_code(before, renamed)
    assert not ecto.same_code(before, before.replace("b = 1", "b = 2"))


def test_fn_and_end_are_words_not_parts_of_names() -> None:
    # two functions are execute/2; ``ends_at`` and ``backend`` close no ``fn``
    assert irreversible("execute(fn -> up() end, fn -> down() end)") == []
    assert irreversible("alter table(:a) do\n  remove :ends_at\nend") == ["remove without a type"]
    assert ecto.arguments("fn -> a, b end, :ends_at, backend(x, y), fnord") == [
        "fn -> a, b end",
        ":ends_at",
        "backend(x, y)",
        "fnord",
    ]


def _up_only(n: int) -> str:
    return (
        f"defmodule App.Repo.Migrations.Up{n} do\n  use Ecto.Migration\n\n"
        f'  def up do\n    execute "UPDATE a SET b = {n}"\n  end\nend\n'
    )


def _folder(working: int, newest_without: int) -> dict[str, str]:
    files = {}
    for i in range(working):
        files[f"priv/repo/migrations/2024010100{i:04d}_create_t{i}.exs"] = module(
            f"create table(:t{i}) do\n  add :b, :string\nend"
        )
    for i in range(newest_without):
        files[f"priv/repo/migrations/2024020100{i:04d}_up{i}.exs"] = _up_only(i)
    return files


NEW_UP_ONLY = {"priv/repo/migrations/20240301000000_up_new.exs": _up_only(99)}


def test_a_folder_whose_newest_three_have_no_down_stopped_writing_them(git_repo: Any) -> None:
    base = _folder(working=5, newest_without=3)
    found = findings(git_repo, base, {**base, **NEW_UP_ONLY}, roundtrip="off")
    assert "missing-down" not in errors(found)
    assert any(f.rule == "missing-down" and f.level is Level.WARNING for f in found)


def test_two_newest_without_a_down_are_no_habit(git_repo: Any) -> None:
    base = _folder(working=6, newest_without=2)
    found = findings(git_repo, base, {**base, **NEW_UP_ONLY}, roundtrip="off")
    assert "missing-down" in errors(found)


def test_up_only_migrations_the_pr_brings_make_no_habit(git_repo: Any) -> None:
    base = _folder(working=5, newest_without=0)
    head = {**_folder(working=5, newest_without=3), **NEW_UP_ONLY}
    assert "missing-down" in errors(findings(git_repo, base, head, roundtrip="off"))


DOC = '  @moduledoc """\n  Adds the flag.\n  """\n'


def test_a_merged_migration_s_documentation_runs_nothing() -> None:
    # firezone 7317999b74 rewords the @moduledoc of a merged migration
    before = module('execute "UPDATE a SET b = 1", ""', attrs=DOC)
    reworded = before.replace("Adds the flag.", "Adds the flag\n  that devices report.")
    assert ecto.same_code(before, reworded)
    assert ecto.same_code(before, before.replace(DOC, '  @moduledoc "Adds it."\n'))
    assert ecto.same_code(before, before.replace(DOC, "  @moduledoc false\n"))
    assert ecto.same_code(before, before.replace(DOC, "") + '  @doc ~S"""\n  #{x}\n  """\n')


def test_a_doc_that_runs_code_or_hides_code_is_still_code() -> None:
    before = module('execute "UPDATE a SET b = 1", ""', attrs=DOC)
    # interpolation runs at compile time
    assert not ecto.same_code(before, before.replace("Adds the flag.", "#{App.Repo.purge()}"))
    # Elixir closes the heredoc at the first quotes: what follows them is code
    tail = before.replace('  """\n', '  """ <> App.Repo.purge()\n  x = """\n  """\n', 1)
    assert not ecto.same_code(before, tail)
    # a one-line doc that interpolates, and any edit beside the doc
    assert not ecto.same_code(before, before.replace(DOC, '  @moduledoc "#{purge()}"\n'))
    assert not ecto.same_code(before, before.replace("b = 1", "b = 2").replace("flag", "flags"))
