"""What SQLite's round trip cannot write is "not run", not "failed" (round 29): SQLAlchemy's
SQLite compiler has no column comments, so an Alembic ``alter_column(comment=...)`` stops
there for the engine's sake, while a down that really breaks still fails."""

from __future__ import annotations

from typing import Any

from tests.checks.migrations.runs import findings

INIT = """from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("name", sa.String(50), nullable=False))


def downgrade():
    op.drop_table("orders")
"""


def _revision(up: str, down: str) -> dict[str, str]:
    text = (
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        'revision = "0002"\ndown_revision = "0001"\n\n\n'
        f"def upgrade():\n    {up}\n\n\ndef downgrade():\n    {down}\n"
    )
    return {"migrations/versions/0002_change.py": text}


def _trips(found: list[Any]) -> list[str]:
    return [f.rule for f in found if f.rule.startswith("roundtrip")]


def test_a_column_comment_sqlite_cannot_compile_is_not_run(git_repo: Any) -> None:
    head = _revision(
        'op.alter_column("orders", "name", existing_type=sa.String(50), comment="shown name")',
        'op.alter_column("orders", "name", existing_type=sa.String(50), comment=None)',
    )
    found = findings(git_repo, {"migrations/versions/0001_init.py": INIT}, head, roundtrip="sqlite")
    assert _trips(found) == ["roundtrip-not-run"]


def test_a_down_that_breaks_on_sqlite_still_fails(git_repo: Any) -> None:
    head = _revision(
        'op.add_column("orders", sa.Column("note", sa.Text()))',
        'op.drop_table("missing")',
    )
    found = findings(git_repo, {"migrations/versions/0001_init.py": INIT}, head, roundtrip="sqlite")
    assert _trips(found) == ["roundtrip-failed"]
