"""A merged Sequelize migration edited to add its column nullable and set NOT NULL
after the fill, with the merged options (nodenull.py, chartbrew 94d19a659b)."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.migrations import nodenull
from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

PATH = "server/models/migrations/20231006073638-change-team-level-connection.js"
OPTIONS = """{
      type: Sequelize.INTEGER,
      allowNull: false,
      reference: { model: "Team", key: "id", onDelete: "cascade" },
    }"""
MERGED = f"""\
const Sequelize = require("sequelize");
const populate = require("../scripts/populateConnectionTeamId");

module.exports = {{
  async up(queryInterface) {{
    await queryInterface.addColumn("Connection", "team_id", {OPTIONS});

    await populate.up();
  }},

  async down(queryInterface) {{
    await queryInterface.removeColumn("Connection", "team_id");
  }}
}};
"""
NULLABLE = OPTIONS.replace("allowNull: false", "allowNull: true")
CHANGE = f'\n    await queryInterface.changeColumn("Connection", "team_id", {OPTIONS});\n'
EDITED = MERGED.replace(f'"team_id", {OPTIONS});', f'"team_id", {NULLABLE});', 1).replace(
    "await populate.up();\n", "await populate.up();\n" + CHANGE
)


def test_not_null_after_the_fill_is_recognised() -> None:
    assert nodenull.deferred_not_null(MERGED, EDITED) == "Connection.team_id"


@pytest.mark.parametrize(
    "edited",
    [
        # NOT NULL set on another column
        EDITED.replace('changeColumn("Connection", "team_id"', 'changeColumn("Connection", "x"'),
        # the final options differ from the merged ones: another type
        EDITED.replace(CHANGE, CHANGE.replace("INTEGER", "BIGINT")),
        # the column is left nullable: the change is in the down
        EDITED.replace(CHANGE, "").replace(
            'removeColumn("Connection", "team_id");',
            'removeColumn("Connection", "team_id");' + CHANGE,
        ),
        # something else edited beside it
        EDITED.replace("await populate.up();", "await populate.up({ all: true });"),
    ],
    ids=["other-column", "other-options", "in-the-down", "fill-changed"],
)
def test_other_edits_are_not_recognised(edited: str) -> None:
    assert nodenull.deferred_not_null(MERGED, edited) is None


def test_the_repair_is_a_warning(git_repo: Any) -> None:
    found = findings(git_repo, {PATH: MERGED}, {PATH: EDITED}, roundtrip="off")
    assert "history-rewritten" not in errors(found)
    warned = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in warned] == [Level.WARNING]
    assert "Connection.team_id" in warned[0].message
