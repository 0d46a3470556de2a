"""Attacks on round 27's relaxation of moves.py: an ``INSERT INTO list (...) SELECT id, c
FROM t WHERE c IS NOT NULL AND c != ''`` before ``DROP COLUMN c`` moves the values (stash's
``studio_urls``); a row left out of a list table reads as no value, as '' did.

Each attack keeps the shape and loses data: a lossy function of the column, a test of it,
a filter on a real value, an OR that lets rows through, a copy into a table the migration
drops, a copy after the drop, a copy of another column, an UPDATE leaving out '' (the
relief is the INSERT's only). They must all still block.
"""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: sqlite}\n"
#: code that still reads the column (else the drop is an expand-contract step)
CODE = {"pkg/studio.go": "// studios.url is read here\nvar url string\n"}
BASE = {
    **CODE,
    "db/migrations/000001_studios.up.sql": (
        "CREATE TABLE studios (id int PRIMARY KEY, url text, name text);\n"
    ),
    "db/migrations/000001_studios.down.sql": "DROP TABLE studios;\n",
}
CREATE = (
    "CREATE TABLE studio_urls (studio_id int NOT NULL, position int NOT NULL, url text NOT NULL);\n"
)
DROP = "ALTER TABLE studios DROP COLUMN url;\n"
WHOLE = "WHERE studios.url IS NOT NULL AND studios.url != ''"


def _judge(attack: AttackFactory, up: str) -> Verdict:
    head = {
        "db/migrations/000002_urls.up.sql": up,
        "db/migrations/000002_urls.down.sql": "ALTER TABLE studios ADD COLUMN url text;\n",
    }
    return attack(POLICY, BASE, head).judge()


def _copy(value: str, where: str = WHOLE) -> str:
    into = "INSERT INTO studio_urls (studio_id, position, url)"
    return f"{into} SELECT id, 0, {value} FROM studios {where};\n"


def test_the_relaxed_shape_is_a_warning(attack: AttackFactory) -> None:
    verdict = _judge(attack, CREATE + _copy("url") + DROP)
    assert not [r for r in verdict.results if r.blocking]


@pytest.mark.parametrize("value", ["md5(url)", "length(url)", "url IS NOT NULL", "name"])
def test_a_copy_of_something_else_than_the_value_still_blocks(
    attack: AttackFactory, value: str
) -> None:
    assert_blocked(_judge(attack, CREATE + _copy(value) + DROP), "migrations/drop-column")


@pytest.mark.parametrize(
    "where",
    [
        "WHERE url IS NOT NULL AND url != 'http://old'",  # leaves out a real value
        "WHERE url != '' OR id > 5",  # not a conjunction of tests of the column
        "WHERE name != ''",  # a test of another column
        "WHERE url IS NOT NULL AND id < 100",  # some rows only
        "WHERE url = ''",  # the empty ones only
    ],
)
def test_a_filter_that_leaves_out_values_still_blocks(attack: AttackFactory, where: str) -> None:
    assert_blocked(_judge(attack, CREATE + _copy("url", where) + DROP), "migrations/drop-column")


def test_a_copy_into_a_table_the_migration_drops_still_blocks(attack: AttackFactory) -> None:
    up = CREATE + _copy("url") + DROP + "DROP TABLE studio_urls;\n"
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_copy_after_the_drop_still_blocks(attack: AttackFactory) -> None:
    assert_blocked(_judge(attack, CREATE + DROP + _copy("url")), "migrations/drop-column")


def test_an_update_leaving_out_empty_values_still_blocks(attack: AttackFactory) -> None:
    up = (
        "ALTER TABLE studios ADD COLUMN link text;\n"
        "UPDATE studios SET link = url WHERE url != '';\n" + DROP
    )
    assert_blocked(_judge(attack, up), "migrations/drop-column")
