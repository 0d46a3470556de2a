"""Hub tables (hubs.py): many other tables reference them, so indexing them often is no
sign that they grow with the traffic. Each case is a real two-commit repository."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.migrations import hubmodels, hubs
from gatekeeper.model import Level
from tests.checks.migrations.projects import alembic_revision
from tests.checks.migrations.runs import errors, findings

MIGRATION = "class {name} < ActiveRecord::Migration[7.1]\n  def change\n{body}  end\nend\n"


def _rails(stamp: int, name: str, body: str) -> dict[str, str]:
    path = f"db/migrate/20240101{stamp:06d}_{name.lower()}.rb"
    return {path: MIGRATION.format(name=name, body=body)}


def _rails_app(referrers: int, *, in_schema: bool = True) -> dict[str, str]:
    """users created, then indexed again by five later migrations; ``referrers`` other
    tables hold a ``user_id`` (in db/schema.rb, or in their own migrations)."""
    create = "    create_table :users do |t|\n      t.string :email\n    end\n"
    files = _rails(0, "CreateUsers", create)
    for i in range(1, 6):
        files |= _rails(i, f"IndexUsers{i}", f"    add_index :users, :c{i}\n")
    tables = [f"things{i}" for i in range(referrers)]
    if in_schema:
        body = "".join(
            f'  create_table "{t}", force: :cascade do |t|\n    t.bigint "user_id"\n  end\n'
            for t in tables
        )
        files["db/schema.rb"] = f"ActiveRecord::Schema[7.1].define(version: 1) do\n{body}end\n"
    else:
        for i, t in enumerate(tables):
            files |= _rails(
                100 + i,
                f"Create{t.title()}",
                f"    create_table :{t} do |t|\n      t.references :user\n    end\n",
            )
    return files


HEAD_INDEX = _rails(900, "IndexUsersAgain", "    add_index :users, :x\n")


def test_a_table_ten_others_reference_is_not_presumed_large_by_its_index_migrations(
    git_repo: Any,
) -> None:
    base = _rails_app(10)
    found = findings(git_repo, base, {**base, **HEAD_INDEX}, roundtrip="off")
    assert errors(found) == []
    (warned,) = [f for f in found if f.rule == "index-not-concurrent"]
    assert warned.level is Level.WARNING
    assert "10 other tables reference it" in warned.message
    assert "large_tables" in warned.message


def test_nine_referencing_tables_leave_the_presumption(git_repo: Any) -> None:
    base = _rails_app(9)
    found = findings(git_repo, base, {**base, **HEAD_INDEX}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


def test_references_in_the_merged_migrations_count_without_a_schema_dump(git_repo: Any) -> None:
    base = _rails_app(10, in_schema=False)
    found = findings(git_repo, base, {**base, **HEAD_INDEX}, roundtrip="off")
    assert errors(found) == []


def _sql_app(referrers: int, concurrent: bool = False) -> dict[str, str]:
    files = {"db/001_init.up.sql": "CREATE TABLE accounts (id int PRIMARY KEY, a int, b int);"}
    for i in range(2, 7):
        how = "CONCURRENTLY " if concurrent and i == 2 else ""
        files[f"db/00{i}_ix.up.sql"] = f"CREATE INDEX {how}ix{i} ON accounts (a, b);"
    for i in range(referrers):
        files[f"db/1{i:02d}_t.up.sql"] = (
            f"CREATE TABLE t{i} (id int, account_id int REFERENCES accounts (id));"
        )
    return files


SQL_HEAD = {
    "db/900_ix.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX ix_x ON accounts (b);",
    "db/900_ix.down.sql": "DROP INDEX ix_x;",
}


def test_sql_foreign_keys_make_a_hub(git_repo: Any) -> None:
    base = _sql_app(10)
    assert errors(findings(git_repo, base, {**base, **SQL_HEAD}, roundtrip="off")) == []


def test_a_hub_the_team_indexed_concurrently_stays_large(git_repo: Any) -> None:
    base = _sql_app(10, concurrent=True)
    found = findings(git_repo, base, {**base, **SQL_HEAD}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


def test_a_hub_named_for_events_stays_large(git_repo: Any) -> None:
    base = {k: v.replace("accounts", "audit_logs") for k, v in _sql_app(10).items()}
    head = {k: v.replace("accounts", "audit_logs") for k, v in SQL_HEAD.items()}
    found = findings(git_repo, base, {**base, **head}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


def test_a_renamed_hub_keeps_its_referrers_and_its_index_migrations(git_repo: Any) -> None:
    # the references and the index migrations were written under the old name: both follow
    # the table to its new one (precedent.former_names), so the hub stays a hub
    base = {**_sql_app(10), "db/800_rename.up.sql": "ALTER TABLE accounts RENAME TO members;"}
    head = {k: v.replace("accounts", "members") for k, v in SQL_HEAD.items()}
    assert errors(findings(git_repo, base, {**base, **head}, roundtrip="off")) == []


def test_a_renamed_table_few_reference_is_large_by_its_index_migrations(git_repo: Any) -> None:
    base = {**_sql_app(9), "db/800_rename.up.sql": "ALTER TABLE accounts RENAME TO members;"}
    head = {k: v.replace("accounts", "members") for k, v in SQL_HEAD.items()}
    found = findings(git_repo, base, {**base, **head}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]
    (blocked,) = [f for f in found if f.rule == "index-not-concurrent"]
    assert "also as accounts, its name before" in blocked.message


def test_each_framework_form_names_the_referencing_and_the_referenced_table() -> None:
    cases = {
        "CREATE TABLE a (id int, u int REFERENCES public.users(id));": ("a", "users"),
        'ALTER TABLE "Post" ADD CONSTRAINT f FOREIGN KEY ("uid") REFERENCES "User"("id");': (
            "post",
            "user",
        ),
        "migrations.CreateModel(name='Order', fields=[('c', models.ForeignKey("
        "on_delete=models.CASCADE, to='shop.customer'))])": ("order", "customer"),
        "migrations.AddField(model_name='order', name='u', field=models.ForeignKey("
        "to=settings.AUTH_USER_MODEL, on_delete=models.CASCADE))": ("order", "user"),
        "op.create_table('runs', sa.Column('job_id', sa.ForeignKey('jobs.id')))": (
            "runs",
            "jobs",
        ),
        "op.create_table('runs', sa.ForeignKeyConstraint(['t'], ['tasks.id']))": (
            "runs",
            "tasks",
        ),
        "op.create_foreign_key('fk', 'runs', 'flows', ['flow_id'], ['id'])": ("runs", "flows"),
        "Schema::create('posts', function ($t) { $t->foreign('u')->references('id')->on('users'); "
        "$t->foreignId('team_id')->constrained(); });": ("posts", "team"),
        "create table(:positions) do\n  add :car_id, references(:cars)\nend": (
            "positions",
            "cars",
        ),
    }
    for text, pair in cases.items():
        assert pair in hubs.pairs_in(text), text


def test_rails_forms_count_only_in_a_rails_chain() -> None:
    text = (
        "create_table :posts do |t|\n  t.references :user\n  t.bigint :team_id\nend\n"
        "add_reference :comments, :post\nadd_column :likes, :post_id, :bigint\n"
        "add_foreign_key :votes, :posts\n"
    )
    found = hubs.pairs_in(text, rails=True)
    assert {("posts", "user"), ("posts", "team"), ("comments", "post")} <= found
    assert {("likes", "post"), ("votes", "posts")} <= found
    assert hubs.pairs_in(text) == set()
    dump = "CREATE TABLE public.likes (\n    id bigint,\n    post_id bigint\n);"
    assert ("likes", "post") in hubs.pairs_in(dump, rails=True)
    assert hubs.pairs_in(dump) == set()


def test_a_table_referencing_itself_or_named_in_prose_is_no_referrer() -> None:
    assert hubs.count({"users": frozenset({"users"}), "user": frozenset({"user"})}, "users") == 0
    assert hubs.pairs_in("-- CREATE TABLE a (u int REFERENCES users (id));") == set()


def _revision(n: int, up: str, down_op: str) -> dict[str, str]:
    return alembic_revision("app/migrations/versions", n, up, down_op)


def _alembic_app(referrers: int, *, folder: str = "app/models") -> dict[str, str]:
    """A squashed Alembic baseline that creates ``user``, five revisions that index it,
    and ``referrers`` model classes (none of them in a migration) pointing at it."""
    files = {"app/migrations/env.py": "# alembic env\n"}
    files |= _revision(0, 'op.create_table("user", sa.Column("id", sa.Integer))', "pass")
    for i in range(1, 6):
        files |= _revision(
            i, f'op.create_index("ix{i}", "user", ["c{i}"])', f'op.drop_index("ix{i}")'
        )
    classes = "".join(
        f"class Thing{i}(Base):\n"
        f'    __tablename__ = "thing{i}"\n'
        f'    user_id = sa.Column(sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"))\n\n\n'
        for i in range(referrers)
    )
    files[f"{folder}/things.py"] = f"import sqlalchemy as sa\n\n\n{classes}"
    return files


ALEMBIC_HEAD = _revision(6, 'op.create_index("ix_x", "user", ["x"])', 'op.drop_index("ix_x")')


def test_sqlalchemy_models_make_a_hub_of_a_squashed_alembic_history(git_repo: Any) -> None:
    base = _alembic_app(10)
    found = findings(git_repo, base, {**base, **ALEMBIC_HEAD}, roundtrip="off")
    assert errors(found) == []
    (warned,) = [f for f in found if f.rule == "index-not-concurrent"]
    assert "10 other tables reference it" in warned.message


def test_nine_model_referrers_leave_the_alembic_presumption(git_repo: Any) -> None:
    base = _alembic_app(9)
    found = findings(git_repo, base, {**base, **ALEMBIC_HEAD}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


@pytest.mark.parametrize("folder", ["app/migrations/versions/models", "tests/models"])
def test_models_in_tests_or_in_the_migrations_folder_are_not_the_schema(
    git_repo: Any, folder: str
) -> None:
    base = _alembic_app(10, folder=folder)
    found = findings(git_repo, base, {**base, **ALEMBIC_HEAD}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


def test_model_classes_and_tables_name_their_owner() -> None:
    text = (
        "class Group(Base):\n"
        '    __tablename__ = "group"\n'
        '    creator_id = mapped_column(ForeignKey("public.user.id"))\n'
        "    class Meta:\n"
        "        pass\n"
        '    parent_id = sa.Column(sa.ForeignKey("group.id"))\n\n\n'
        'members = sa.Table("user_group", Base.metadata,\n'
        '    sa.Column("user_id", sa.ForeignKey("user.id")),\n'
        '    sa.Column("group_id", db.ForeignKey("group.id")))\n\n\n'
        "class Unnamed(Base):\n"
        '    owner_id = sa.Column(sa.ForeignKey("user.id"))\n'
    )
    assert hubmodels.pairs_in(text) == {
        ("group", "user"),
        ("user_group", "user"),
        ("user_group", "group"),
    }
