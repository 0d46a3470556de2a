"""An edit of a merged migration back to the text the newest release shipped
(history.py's ``_as_released``): it undoes an edit made since the release, so released
databases match the file again (glific 341d7e0821 moved a column added to a shipped
migration hours earlier into a new migration). Real repositories with a release tag."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

PATH = "priv/repo/migrations/20240117234740_add_wa_groups.exs"


def _migration(extra: str = "") -> str:
    return (
        "defmodule App.Repo.Migrations.AddWaGroups do\n  use Ecto.Migration\n\n"
        "  def change do\n    create table(:wa_groups) do\n      add :label, :string\n"
        f"{extra}      timestamps()\n    end\n  end\nend\n"
    )


SHIPPED = _migration()
EDITED = _migration("      add :status, :string\n")
OTHER = _migration("      add :state, :string\n")


def _history(git_repo: Any, shipped: str, base: str, head: str, tag: bool = True) -> list[Finding]:
    git_repo.commit({"mix.exs": "defmodule App.MixProject do\nend\n", PATH: shipped})
    if tag:
        git_repo.git("tag", "v1.0.0")
    first = git_repo.commit({PATH: base})
    second = git_repo.commit({PATH: head})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    return [f for f in found if f.rule == "history-rewritten"]


def test_an_edit_back_to_the_released_text_warns(git_repo: Any) -> None:
    found = _history(git_repo, SHIPPED, EDITED, SHIPPED)
    assert [f.level for f in found] == [Level.WARNING]
    assert "back to the text the newest release (v1.0.0) shipped" in found[0].message


def test_an_edit_to_any_other_text_stays_a_rewrite(git_repo: Any) -> None:
    found = _history(git_repo, SHIPPED, EDITED, OTHER)
    assert [f.level for f in found] == [Level.ERROR]


def test_without_a_release_the_restored_text_is_no_evidence(git_repo: Any) -> None:
    # no tag: nothing says which text databases ran
    found = _history(git_repo, SHIPPED, EDITED, SHIPPED, tag=False)
    assert [f.level for f in found] == [Level.ERROR]
