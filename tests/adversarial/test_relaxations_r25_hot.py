"""Attacks on round 25's reading of "often indexed" tables in every framework's chain: a
table that five merged migrations came back to index (Prisma's and diesel's folders of one
migration each, Django's AddIndex, Alembic's create_index...) is treated as large, so a
plain index build on it blocks.

The evidence is read at base: a pull request cannot lower it by deleting, squashing or
editing the merged migrations, by spelling the table another way, or by putting its index
beside them. These cases fail on the code before this round (the index was a warning).
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
PRISMA = "prisma/migrations"
RULE = "migrations/index-not-concurrent"


def _prisma(stamp: int, name: str) -> str:
    return f"{PRISMA}/202401010000{stamp:02d}_{name}/migration.sql"


RESPONSES = {
    _prisma(0, "init"): 'CREATE TABLE "Response" (id text, a text, b text, c text, d text);',
    **{
        _prisma(i + 1, f"ix_{col}"): f'CREATE INDEX "Response_{col}_idx" ON "Response"("{col}");'
        for i, col in enumerate("abcde")
    },
}
NEW_INDEX = {
    _prisma(20, "finished"): (
        'SET lock_timeout = \'2s\';\nCREATE INDEX "Response_finished_idx" ON "Response"("a", "b");'
    )
}


def test_a_plain_index_on_a_table_indexed_again_and_again_blocks(attack: AttackFactory) -> None:
    assert_blocked(attack(MIGRATIONS, RESPONSES, NEW_INDEX).judge(), RULE)


def test_deleting_the_merged_index_migrations_does_not_lower_the_evidence(
    attack: AttackFactory,
) -> None:
    # a squash: the five index folders go, their indexes fold into the first one
    squashed: dict[str, str | None] = dict.fromkeys(list(RESPONSES)[1:])
    head = {**squashed, **NEW_INDEX}
    assert_blocked(attack(MIGRATIONS, RESPONSES, head).judge(), RULE)


def test_editing_the_merged_index_migrations_does_not_lower_the_evidence(
    attack: AttackFactory,
) -> None:
    edited = dict.fromkeys(list(RESPONSES)[1:], "-- moved to a later migration\nSELECT 1;")
    head = {**edited, **NEW_INDEX}
    assert_blocked(attack(MIGRATIONS, RESPONSES, head).judge(), RULE)


def test_a_schema_qualified_lower_case_name_is_the_same_table(attack: AttackFactory) -> None:
    head = {
        _prisma(20, "finished"): (
            "SET lock_timeout = '2s';\nCREATE INDEX resp_ab ON public.response (a, b);"
        )
    }
    assert_blocked(attack(MIGRATIONS, RESPONSES, head).judge(), RULE)


def test_moving_the_migrations_folder_does_not_leave_the_evidence_behind(
    attack: AttackFactory,
) -> None:
    # the chain at base is read where the PR's migration lives: a new folder has none
    moved: dict[str, str | None] = dict.fromkeys(RESPONSES)
    moved.update({p.replace(PRISMA, "db/migrations", 1): t for p, t in RESPONSES.items()})
    head = {**moved, **{p.replace(PRISMA, "db/migrations", 1): t for p, t in NEW_INDEX.items()}}
    assert_blocked(attack(MIGRATIONS, RESPONSES, head).judge(), RULE)


def _django(name: str, dependency: str, operations: list[str]) -> str:
    ops = "".join(f"        {op},\n" for op in operations)
    return (
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('track', '{dependency}')]\n    operations = [\n{ops}    ]\n"
    )


CREATE_HIT = (
    "migrations.CreateModel(name='Hit', fields=[('id', models.AutoField(primary_key=True))])"
)


def _visits() -> dict[str, str]:
    files = {
        "track/migrations/0001_initial.py": _django(
            "0001_initial",
            "__first__",
            [CREATE_HIT],
        )
    }
    before = "0001_initial"
    for i in range(5):
        name = f"000{i + 2}_ix{i}"
        index = f"models.Index(fields=['c{i}'], name='hit_c{i}')"
        files[f"track/migrations/{name}.py"] = _django(
            name, before, [f"migrations.AddIndex(model_name='hit', index={index})"]
        )
        before = name
    return files


def test_a_django_squash_in_the_pr_does_not_lower_the_evidence(attack: AttackFactory) -> None:
    base = _visits()
    squash = _django(
        "0001_squashed_0006_ix4",
        "__first__",
        [CREATE_HIT],
    ).replace("    dependencies", "    replaces = [('track', '0001_initial')]\n    dependencies")
    head: dict[str, str | None] = dict.fromkeys(base)
    head["track/migrations/0001_squashed_0006_ix4.py"] = squash
    head["track/migrations/0007_ix.py"] = _django(
        "0007_ix",
        "0001_squashed_0006_ix4",
        ["migrations.AddIndex(model_name='hit', index=models.Index(fields=['x'], name='hit_x'))"],
    )
    assert_blocked(attack(MIGRATIONS, base, head).judge(), RULE)
