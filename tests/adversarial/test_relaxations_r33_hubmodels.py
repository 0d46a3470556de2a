"""Attacks on round 33's model reading (hubmodels.py): an Alembic project's SQLAlchemy
models count as references when the hub reading asks how many tables point at a table.

The models are read at base, outside the migrations folder: a pull request cannot make
a growing table a hub by adding model classes that point at it, by writing them into
the migrations folder, or by editing the merged models. Each case blocks on the code
before the model reading too (the presumption it attacks is older than the relief).
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.migrations.projects import alembic_revision

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"


def _revision(n: int, up: str, down_op: str) -> dict[str, str]:
    return alembic_revision("svc/alembic/versions", n, up, down_op, prefix="p")


#: positions, created and indexed again by five later revisions: a growing table
MERGED = {"svc/alembic/env.py": "# env\n"}
MERGED |= _revision(0, 'op.create_table("positions", sa.Column("id", sa.Integer))', "pass")
for _i in range(1, 6):
    MERGED |= _revision(
        _i, f'op.create_index("ix{_i}", "positions", ["c{_i}"])', f'op.drop_index("ix{_i}")'
    )
INDEX = _revision(6, 'op.create_index("ix_new", "positions", ["x"])', 'op.drop_index("ix_new")')


def _models(count: int, start: int = 0) -> str:
    return "import sqlalchemy as sa\n\n\n" + "".join(
        f"class R{i}(Base):\n"
        f'    __tablename__ = "r{i}"\n'
        f'    position_id = sa.Column(sa.ForeignKey("positions.id"))\n\n\n'
        for i in range(start, start + count)
    )


def test_model_classes_the_pr_adds_do_not_make_a_hub(attack: AttackFactory) -> None:
    head = {**MERGED, "svc/models/refs.py": _models(12), **INDEX}
    assert_blocked(attack(MIGRATIONS, MERGED, head).judge(), "migrations/index-not-concurrent")


def test_merged_models_the_pr_extends_count_as_they_were(attack: AttackFactory) -> None:
    base = {**MERGED, "svc/models/refs2.py": _models(3, start=20)}
    head = {**base, "svc/models/refs2.py": _models(12, start=20), **INDEX}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/index-not-concurrent")


def test_models_kept_in_the_migrations_folder_are_not_read(attack: AttackFactory) -> None:
    base = {**MERGED, "svc/alembic/versions/models_snapshot.py": _models(12, start=40)}
    head = {**base, **_revision(6, 'op.create_index("ix_n2", "positions", ["y"])', "pass")}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/index-not-concurrent")
