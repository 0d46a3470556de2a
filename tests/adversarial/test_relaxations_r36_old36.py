"""Round 36 (probe old36): a chain squashed since the release does not make the tables its
released files created look unshipped, so dropping their columns still blocks; an events
table is an entity only when the merged chain already had ten tables pointing at it."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, UnreleasedEdit, assert_blocked

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


EVENTS = "CREATE TABLE events (id int PRIMARY KEY, at timestamptz);\n"
INDEX = "SET lock_timeout = '2s';\nCREATE INDEX ix_at ON events (at);\n"


def test_referrers_the_pr_adds_do_not_make_an_events_table_a_hub(attack: AttackFactory) -> None:
    # ten tables pointing at events, written by the PR beside its plain index: read at base
    # the table has none, so its name still presumes it large
    head = {
        f"db/1{i:02d}_t.up.sql": f"CREATE TABLE t{i} (id int, e int REFERENCES events (id));\n"
        for i in range(12)
    }
    head |= {"db/900_ix.up.sql": INDEX, "db/900_ix.down.sql": "DROP INDEX ix_at;\n"}
    verdict = attack(POLICY, {"db/001_init.up.sql": EVENTS}, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")


def test_a_hub_of_event_logs_named_to_look_like_events_is_still_a_log(
    attack: AttackFactory,
) -> None:
    # an audit trail many tables point at keeps its presumption: only 'event' or 'activity'
    # alone in the name gives way to the hub
    base = {"db/001_init.up.sql": EVENTS.replace("events", "events_audit")}
    base |= {
        f"db/1{i:02d}_t.up.sql": f"CREATE TABLE t{i} (e int REFERENCES events_audit (id));\n"
        for i in range(12)
    }
    head = {"db/900_ix.up.sql": INDEX.replace("events", "events_audit"),
            "db/900_ix.down.sql": "DROP INDEX ix_at;\n"}  # fmt: skip
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")
