"""Type changes read against the type the merged migrations gave the column (round 29):
Doctrine's ``addSql`` history, and a ``USING`` that only casts the column to the new type
(MikroORM writes one into every generated ``alter column ... type``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checks.migrations import test_doctrine as doc
from tests.checks.migrations.runs import errors, findings

CREATE = "CREATE TABLE orders (id SERIAL NOT NULL, name VARCHAR(50) NOT NULL, PRIMARY KEY(id))"
ENV = {".env": "DATABASE_URL=postgresql://app@db/app\n"}


def _doctrine(up: str) -> dict[str, str]:
    return {doc.path("20250101000000"): doc.php("20250101000000", up, "$this->addSql('SELECT 1');")}


def _doctrine_base() -> dict[str, str]:
    first = doc.php(
        "20240101000000", f"$this->addSql('{CREATE}');", "$this->addSql('DROP TABLE orders');"
    )
    return {**ENV, **doc.CODE, doc.path("20240101000000"): first}


def test_a_doctrine_varchar_widened_from_its_merged_create_is_not_reported(git_repo: Any) -> None:
    head = _doctrine("$this->addSql('ALTER TABLE orders ALTER name TYPE VARCHAR(200)');")
    found = findings(git_repo, _doctrine_base(), head, roundtrip="off")
    assert "change-column-type" not in [f.rule for f in found]


@pytest.mark.parametrize("new", ["VARCHAR(20)", "INTEGER"])
def test_a_doctrine_narrowing_still_blocks(git_repo: Any, new: str) -> None:
    head = _doctrine(f"$this->addSql('ALTER TABLE orders ALTER name TYPE {new}');")
    found = findings(git_repo, _doctrine_base(), head, roundtrip="off")
    assert "change-column-type" in errors(found)


def _pair(up: str) -> dict[str, str]:
    return {"db/2_retype.up.sql": up, "db/2_retype.down.sql": "SELECT 1;\n"}


BASE = {
    "db/1_init.up.sql": "CREATE TABLE orders (id bigint, name varchar(50), code varchar(50));\n",
    "db/1_init.down.sql": "DROP TABLE orders;\n",
}


def test_a_using_that_only_casts_to_the_new_type_is_read_as_none(git_repo: Any) -> None:
    up = 'ALTER TABLE orders ALTER COLUMN name TYPE varchar(200) USING ("name"::varchar(200));\n'
    found = findings(git_repo, BASE, _pair(up), roundtrip="off")
    assert "change-column-type" not in [f.rule for f in found]


@pytest.mark.parametrize(
    "using",
    [
        "code::varchar(200)",  # another column's values
        "lower(name)::varchar(200)",  # a conversion
        "name::varchar(20)",  # a cast that cuts
        "name::text",  # a cast to another type than the column's new one
    ],
)
def test_a_using_that_converts_keeps_the_finding(git_repo: Any, using: str) -> None:
    up = f"ALTER TABLE orders ALTER COLUMN name TYPE varchar(200) USING ({using});\n"
    found = findings(git_repo, BASE, _pair(up), roundtrip="off")
    assert "change-column-type" in errors(found)
