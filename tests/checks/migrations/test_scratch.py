"""Dropping a table named as scratch space warns (scratch.py); any other table blocks."""

from __future__ import annotations

import pytest

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.checks.migrations.scratch import scratch_word
from gatekeeper.model import Finding, Level
from gatekeeper.testing import run_check


def _drop(table: str) -> Finding:
    base = {
        "app/models.py": f"# the code still names {table}\n",
        "db/1_init.up.sql": f"CREATE TABLE {table} (id int);\n",
        "db/1_init.down.sql": f"DROP TABLE {table};\n",
    }
    head = {
        **base,
        "db/2_drop.up.sql": f"DROP TABLE IF EXISTS {table};\n",
        "db/2_drop.down.sql": f"CREATE TABLE {table} (id int);\n",
    }
    found = run_check(MigrationsCheck(), base, head, {"roundtrip": "off"})
    drops = [f for f in found if f.rule == "drop-table"]
    assert len(drops) == 1, [f"{f.rule}: {f.message}" for f in found]
    return drops[0]


@pytest.mark.parametrize("table", ["TEMP_STRING_LIST", "tmp_import", '"ScratchRows"', "job_tmp"])
def test_a_scratch_table_drop_warns(table: str) -> None:
    found = _drop(table)
    assert found.level is Level.WARNING
    assert "marks it as scratch space" in found.message


@pytest.mark.parametrize("table", ["users", "temperature", "templates", "attempts", "tempo"])
def test_any_other_table_drop_blocks(table: str) -> None:
    assert _drop(table).level is Level.ERROR


def test_only_whole_words_of_the_name_count() -> None:
    assert scratch_word('public."TmpImport"') == "tmp"
    assert scratch_word("contempt_notes") is None
    assert scratch_word("tempstringlist") is None
    assert scratch_word("TEMPLATE_ITEMS") is None
