"""Round 36 (probe old36): a chain squashed since the release does not make the tables its
released files created look unshipped, so dropping their columns still blocks."""

from __future__ import annotations

from tests.adversarial.conftest import UnreleasedEdit, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
USERS = "CREATE TABLE users (id int, email text);\n"
DROP = "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n"


def test_squashing_the_released_chain_before_a_drop_keeps_it_blocking(
    unreleased_edit: UnreleasedEdit,
) -> None:
    released = {"db/001_users.up.sql": USERS, "db/001_users.down.sql": "DROP TABLE users;\n",
                "app/models.py": "# users: email\n"}  # fmt: skip
    squashed = {"db/001_users.up.sql": None, "db/001_users.down.sql": None,
                "db/V1__squashed.up.sql": USERS,
                "db/V1__squashed.down.sql": "DROP TABLE users;\n"}  # fmt: skip
    head = {"db/V2__drop.up.sql": DROP,
            "db/V2__drop.down.sql": "ALTER TABLE users ADD COLUMN email text;\n"}  # fmt: skip
    verdict = unreleased_edit(POLICY, released, squashed, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_renumbering_the_released_files_in_another_case_keeps_a_drop_blocking(
    unreleased_edit: UnreleasedEdit,
) -> None:
    # the squash lands in the same folder under new names; the table's column names are
    # spelled in another case than the release's: still the release's table
    released = {"db/001_users.up.sql": USERS.upper(), "db/001_users.down.sql": "SELECT 1;\n",
                "app/models.py": "# users: email\n"}  # fmt: skip
    squashed = {"db/001_users.up.sql": None, "db/001_users.down.sql": None,
                "db/20250101_init.up.sql": USERS,
                "db/20250101_init.down.sql": "DROP TABLE users;\n"}  # fmt: skip
    head = {"db/20250102_drop.up.sql": DROP,
            "db/20250102_drop.down.sql": "ALTER TABLE users ADD COLUMN email text;\n"}  # fmt: skip
    verdict = unreleased_edit(POLICY, released, squashed, head).judge()
    assert_blocked(verdict, "migrations/drop-column")
