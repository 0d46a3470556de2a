"""gobuffalo pop's fizz migrations (hanko's ``backend/persistence/migrations``), on real git
repositories: ``*.up.fizz`` paired with its ``.down.fizz``, translated to PostgreSQL and
judged with the SQL files' rules, pop's transaction around each file."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import detect, fizz
from gatekeeper.model import Finding, Level
from tests.checks.migrations import runs

DIR = "backend/persistence/migrations"
FIRST_UP = (
    'create_table("audit_logs") {\n'
    '\tt.Column("id", "uuid", {primary: true})\n'
    '\tt.Column("type", "string", {})\n'
    "\tt.Timestamps()\n"
    "}\n"
)
BASE = {
    f"{DIR}/20240101000000_create_audit_logs.up.fizz": FIRST_UP,
    f"{DIR}/20240101000000_create_audit_logs.down.fizz": 'drop_table("audit_logs")\n',
}
UP = f"{DIR}/20260217162500_change.up.fizz"
DOWN = f"{DIR}/20260217162500_change.down.fizz"
ADD_NULLABLE = 'add_column("audit_logs", "actor", "string", {"null": true})\n'
DROP_ACTOR = 'drop_column("audit_logs", "actor")\n'


def _run(git_repo: Any, head: dict[str, Any]) -> list[Finding]:
    return runs.findings(git_repo, BASE, head)


def _rules(found: list[Finding]) -> list[str]:
    return sorted(f.rule for f in found)


def test_pair_is_recognised(git_repo: Any) -> None:
    first = git_repo.commit(BASE)
    second = git_repo.commit({UP: ADD_NULLABLE, DOWN: DROP_ACTOR})
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = detect.changed_migrations(changes)
    assert [(m.framework, m.version, m.path, m.down_path) for m in found] == [
        ("fizz", "20260217162500", UP, DOWN)
    ]


def test_reversible_pair_passes(git_repo: Any) -> None:
    assert runs.errors(_run(git_repo, {UP: ADD_NULLABLE, DOWN: DROP_ACTOR})) == []


def test_missing_down_fires(git_repo: Any) -> None:
    assert "missing-down" in runs.errors(_run(git_repo, {UP: ADD_NULLABLE}))


def test_empty_down_fires(git_repo: Any) -> None:
    assert "empty-down" in runs.errors(_run(git_repo, {UP: ADD_NULLABLE, DOWN: "\n"}))


def test_down_without_up_is_no_crash(git_repo: Any) -> None:
    """A lone down file names the up it belongs to; nothing to judge as a new up."""
    found = _run(git_repo, {DOWN: DROP_ACTOR})
    assert "index-not-concurrent" not in _rules(found)


def test_index_on_large_table_fires(git_repo: Any) -> None:
    up = 'add_index("audit_logs", "type", {})\n'
    found = _run(git_repo, {UP: up, DOWN: 'drop_index("audit_logs", "audit_logs_type_idx")\n'})
    hits = [f for f in found if f.rule == "index-not-concurrent"]
    assert hits and hits[0].level is Level.ERROR
    assert hits[0].location is not None and hits[0].location.start_line == 1


def test_foreign_key_on_large_table_fires(git_repo: Any) -> None:
    up = (
        'add_column("audit_logs", "tenant_id", "uuid", {"null": true})\n'
        'add_foreign_key("audit_logs", "tenant_id", {"tenants": ["id"]}, {})\n'
    )
    down = 'drop_column("audit_logs", "tenant_id")\n'
    found = _run(git_repo, {UP: up, DOWN: down})
    fk = [f for f in found if f.location and f.location.start_line == 2]
    assert [f.rule for f in fk if f.level is Level.ERROR] == ["constraint-not-valid"]


def test_index_on_table_created_in_same_file_passes(git_repo: Any) -> None:
    up = (
        'create_table("event_logs") {\n'
        '\tt.Column("id", "uuid", {primary: true})\n'
        '\tt.Column("kind", "string", {})\n'
        '\tt.Index("kind")\n'
        "}\n"
        'add_index("event_logs", ["kind", "id"], {"unique": true})\n'
    )
    found = _run(git_repo, {UP: up, DOWN: 'drop_table("event_logs")\n'})
    assert "index-not-concurrent" not in _rules(found)
    assert runs.errors(found) == []


def test_required_column_without_default_fires(git_repo: Any) -> None:
    up = 'add_column("audit_logs", "actor", "string", {})\n'
    assert "add-required-column" in _rules(_run(git_repo, {UP: up, DOWN: DROP_ACTOR}))


def test_required_column_with_default_passes(git_repo: Any) -> None:
    up = 'add_column("audit_logs", "actor", "string", {"default": "system"})\n'
    found = _run(git_repo, {UP: up, DOWN: DROP_ACTOR})
    assert "add-required-column" not in _rules(found)
    assert runs.errors(found) == []


def test_raw_sql_is_read_as_sql(git_repo: Any) -> None:
    up = 'sql("CREATE INDEX audit_logs_type ON audit_logs (type);")\n'
    found = _run(git_repo, {UP: up, DOWN: 'sql("DROP INDEX audit_logs_type;")\n'})
    assert "index-not-concurrent" in runs.errors(found)


def test_translation_keeps_lines() -> None:
    sql = fizz.to_sql('\n\nadd_index("a", ["b", "c"], {"unique": true, "name": "a_bc"})\n')
    assert sql.split("\n")[2] == "CREATE UNIQUE INDEX a_bc ON a (b, c);"
    assert fizz.to_sql("") == ""


def test_change_column_keeping_its_type_is_no_type_change(git_repo: Any) -> None:
    """pop writes ``ALTER COLUMN ... TYPE`` for every change_column; where the merged fizz
    files gave the column that type already, only the NOT NULL changes (hanko's
    identities.email_id made nullable)."""
    up = 'change_column("audit_logs", "type", "string", {"null": true})\n'
    down = 'change_column("audit_logs", "type", "string", {})\n'
    found = _run(git_repo, {UP: up, DOWN: down})
    assert "change-column-type" not in _rules(found)


def test_change_column_to_another_type_fires(git_repo: Any) -> None:
    up = 'change_column("audit_logs", "type", "integer", {"null": true})\n'
    down = 'change_column("audit_logs", "type", "string", {"null": true})\n'
    assert "change-column-type" in _rules(_run(git_repo, {UP: up, DOWN: down}))


def test_change_column_of_a_not_null_column_sets_nothing(git_repo: Any) -> None:
    """pop's change_column always says SET NOT NULL unless ``{"null": true}``; on a column
    the merged files made NOT NULL (fizz's default) PostgreSQL neither scans nor changes."""
    up = 'change_column("audit_logs", "type", "string", {"size": 255, "default": "x"})\n'
    down = 'change_column("audit_logs", "type", "string", {})\n'
    assert runs.errors(_run(git_repo, {UP: up, DOWN: down})) == []


def test_change_column_of_a_nullable_column_sets_not_null(git_repo: Any) -> None:
    base_up = f"{DIR}/20240102000000_actor.up.fizz"
    first = {base_up: ADD_NULLABLE, base_up.replace(".up.", ".down."): DROP_ACTOR}
    up = 'change_column("audit_logs", "actor", "string", {})\n'
    down = 'change_column("audit_logs", "actor", "string", {"null": true})\n'
    assert "set-not-null" in runs.errors(_run(git_repo, {**first, UP: up, DOWN: down}))


def test_change_column_after_dropping_not_null_in_the_change_sets_not_null(
    git_repo: Any,
) -> None:
    # the same change makes the column nullable first: the SET NOT NULL scans again
    up = (
        'change_column("audit_logs", "type", "string", {"null": true})\n'
        "sql(\"UPDATE audit_logs SET type = 'x' WHERE type IS NULL\")\n"
        'change_column("audit_logs", "type", "string", {})\n'
    )
    down = 'change_column("audit_logs", "type", "string", {})\n'
    assert "set-not-null" in runs.errors(_run(git_repo, {UP: up, DOWN: down}))


def test_change_column_to_a_shorter_string_changes_its_type(git_repo: Any) -> None:
    up = 'change_column("audit_logs", "type", "string", {"size": 64})\n'
    down = 'change_column("audit_logs", "type", "string", {})\n'
    assert "change-column-type" in _rules(_run(git_repo, {UP: up, DOWN: down}))


def test_ory_templates_are_not_migrations(git_repo: Any) -> None:
    """Ory renders ``migrations/templates/*.fizz`` into the ``.sql`` files popx runs."""
    path = "persistence/sql/migrations/templates/20150100000001_networks.up.fizz"
    first = git_repo.commit(BASE)
    second = git_repo.commit({path: ADD_NULLABLE})
    with changeset_from_git(git_repo.root, first, second) as changes:
        assert detect.changed_migrations(changes) == []
