"""Round trips through real projects in real git repositories: an Alembic application
through its own alembic.ini and env.py, a Django project through its settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding
from gatekeeper.report.escape import md_blocks
from gatekeeper.testing import context
from tests.checks.migrations import projects
from tests.conftest import GitRepo


def _run(repo: GitRepo, base: str, head: str, config: dict[str, Any]) -> tuple[list[Finding], Any]:
    with changeset_from_git(repo.root, base, head) as changes:
        ctx = context(changes, {"safety": False, **config})
        found = list(MigrationsCheck().run(ctx))
    return found, ctx


def _trips(found: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in found if f.rule.startswith("roundtrip"))


@pytest.fixture
def alembic_repo(git_repo: GitRepo) -> Iterator[tuple[GitRepo, str]]:
    base = git_repo.commit(projects.alembic_app())
    yield git_repo, base


def test_alembic_through_env_py_proves_the_revision(alembic_repo: tuple[GitRepo, str]) -> None:
    repo, base = alembic_repo
    head = repo.commit({"migrations/versions/b2_nickname.py": projects.B2})
    found, ctx = _run(repo, base, head, {})
    assert _trips(found) == []
    assert ctx.summary.endswith("roundtrip on sqlite: 1 proven on sqlite")
    # "proven" is the round trip's word, not the absence of one: the same revision whose
    # down also leaves a table behind (a plausible down to the static review) fails it
    leaves = projects.B2.replace(
        '    op.drop_column("users", "nickname")\n',
        '    op.drop_column("users", "nickname")\n'
        '    op.create_table("leftover", sa.Column("id", sa.Integer))\n',
    )
    head = repo.commit({"migrations/versions/b2_nickname.py": leaves})
    found, ctx = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-failed"
    assert "after up then down the schema differs: unexpected" in message
    assert "table leftover" in message
    assert ctx.summary.endswith("roundtrip on sqlite: 1 failed")


def test_alembic_through_env_py_catches_a_down_that_forgets(
    alembic_repo: tuple[GitRepo, str],
) -> None:
    repo, base = alembic_repo
    forgetful = projects.B2.replace('    op.drop_column("users", "nickname")\n', "    pass\n")
    head = repo.commit({"migrations/versions/b2_nickname.py": forgetful})
    found, _ = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-failed"
    assert "unexpected column users.nickname" in message


def test_alembic_revisions_that_import_the_app_need_the_project(
    alembic_repo: tuple[GitRepo, str],
) -> None:
    # isolated mode cannot import shopapp; the message says what would make it run
    repo, base = alembic_repo
    head = repo.commit({"migrations/versions/b2_nickname.py": projects.B2})
    found, _ = _run(repo, base, head, {"alembic": {"mode": "isolated"}})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-not-run"
    assert "imports shopapp.types" in message and "in-job action" in message


def test_an_env_py_that_cannot_load_says_why_and_how(alembic_repo: tuple[GitRepo, str]) -> None:
    repo, base = alembic_repo
    broken = projects.ENV_PY.replace("from shopapp import settings\n", "import stripe_sdk\n")
    head = repo.commit(
        {"migrations/env.py": broken, "migrations/versions/b2_nickname.py": projects.B2}
    )
    found, _ = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-not-run"
    assert "env.py could not run: ModuleNotFoundError: No module named 'stripe_sdk'" in message
    assert "alembic.ini" in message and "in-job action" in message
    assert "checks.migrations.environment" in message


def test_env_py_reads_the_url_from_the_policy_environment(
    alembic_repo: tuple[GitRepo, str],
) -> None:
    repo, base = alembic_repo
    settings = projects.SETTINGS_PY.replace('"DATABASE_URL"', '"SHOP_DB"')
    head = repo.commit(
        {"shopapp/settings.py": settings, "migrations/versions/b2_nickname.py": projects.B2}
    )
    found, _ = _run(repo, base, head, {})  # KeyError: SHOP_DB is not set
    assert "KeyError: 'SHOP_DB'" in _trips(found)[0][1]
    found, _ = _run(repo, base, head, {"environment": {"SHOP_DB": "{url}"}})
    assert _trips(found) == []


def test_a_checkout_that_is_not_the_head_is_not_run(alembic_repo: tuple[GitRepo, str]) -> None:
    repo, base = alembic_repo
    head = repo.commit({"migrations/versions/b2_nickname.py": projects.B2})
    repo.write({"migrations/versions/b2_nickname.py": projects.B2 + "# edited\n"})
    found, _ = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-not-run" and "differs from the head commit" in message


@pytest.mark.postgres
def test_alembic_through_env_py_on_postgres_with_autocommit_block(
    alembic_repo: tuple[GitRepo, str], pg_url: str
) -> None:
    # CREATE INDEX CONCURRENTLY needs autocommit_block() to leave the transaction
    repo, base = alembic_repo
    head = repo.commit({"migrations/versions/b2_nickname.py": projects.B2})
    config = {"roundtrip": "postgres", "database_url": pg_url}
    found, ctx = _run(repo, base, head, config)
    assert _trips(found) == []
    assert ctx.summary.endswith("1 proven on postgres")


@pytest.mark.postgres
def test_alembic_through_env_py_on_postgres_catches_a_down_that_forgets(
    alembic_repo: tuple[GitRepo, str], pg_url: str
) -> None:
    # "proven on postgres" is the server's word: the same revision whose down forgets its
    # column fails there, read from PostgreSQL's catalog
    repo, base = alembic_repo
    forgetful = projects.B2.replace('    op.drop_column("users", "nickname")\n', "    pass\n")
    head = repo.commit({"migrations/versions/b2_nickname.py": forgetful})
    found, ctx = _run(repo, base, head, {"roundtrip": "postgres", "database_url": pg_url})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-failed"
    assert "on postgres" in message and "unexpected column public.users.nickname" in message
    assert ctx.summary.endswith("roundtrip on postgres: 1 failed")


# --- Django ------------------------------------------------------------------------------


@pytest.fixture
def django_repo(git_repo: GitRepo) -> tuple[GitRepo, str]:
    pytest.importorskip("django")
    return git_repo, git_repo.commit(projects.django_project())


def _reverse_leaves_an_index(source: str) -> str:
    """``source`` with its AddIndex as SQL whose reverse recreates the index under another
    name: a reverse the static review accepts, a schema only the round trip sees differ."""
    return source.replace(
        '        migrations.AddIndex("product", models.Index(fields=["sku"], name="ix_sku")),\n',
        '        migrations.RunSQL("CREATE INDEX ix_sku ON catalog_product (sku)",\n'
        '                          "CREATE INDEX ix_other ON catalog_product (sku)"),\n',
    )


def test_django_round_trip_through_the_settings(django_repo: tuple[GitRepo, str]) -> None:
    repo, base = django_repo
    head = repo.commit({"catalog/migrations/0002_note.py": projects.CATALOG_0002})
    found, ctx = _run(repo, base, head, {})
    assert _trips(found) == []
    assert "1 proven on sqlite" in ctx.summary
    # the same migration whose reverse SQL recreates the index under another name: the
    # settings' database really went forward and back, so the round trip fails it (a
    # skipped round trip would say nothing)
    broken = _reverse_leaves_an_index(projects.CATALOG_0002)
    head = repo.commit({"catalog/migrations/0002_note.py": broken})
    found, ctx = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-failed"
    assert "after migrating forward and back" in message and "ix_other" in message
    assert "1 failed" in ctx.summary


def _invoice() -> str:
    """A second migration of the orders app that depends on catalog's 0002."""
    orders = projects.ORDERS_0001.replace("0001_initial", "0002_note").replace(
        'name="Order"', 'name="Invoice"'
    )
    return orders.replace("    initial = True\n", "").replace(
        'dependencies = [("catalog", "0002_note")]',
        'dependencies = [("catalog", "0002_note"), ("orders", "0001_initial")]',
    )


def test_django_new_app_depending_on_a_changed_one(django_repo: tuple[GitRepo, str]) -> None:
    repo, base = django_repo
    invoice = _invoice()
    head = repo.commit(
        {
            "catalog/migrations/0002_note.py": projects.CATALOG_0002,
            "orders/migrations/0002_invoice.py": invoice,
        }
    )
    found, ctx = _run(repo, base, head, {})
    assert _trips(found) == []
    assert "2 proven on sqlite" in ctx.summary
    # the new app's migration really ran: its reverse, made wrong, fails the round trip
    leaves = '        migrations.RunSQL("SELECT 1", "CREATE TABLE leftover (id integer)"),\n    ]\n'
    head = repo.commit({"orders/migrations/0002_invoice.py": invoice.replace("    ]\n", leaves)})
    found, ctx = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-failed" and "table leftover" in message


def test_django_a_failing_step_is_named_on_the_migration_it_failed_in(
    django_repo: tuple[GitRepo, str],
) -> None:
    repo, base = django_repo
    # the later of two changed migrations has a reverse that fails: the child's tracker
    # names it, and the finding sits on that file, not on the first one of the round trip
    fails = '        migrations.RunSQL("SELECT 1", "DROP TABLE nope"),\n    ]\n'
    head = repo.commit(
        {
            "catalog/migrations/0002_note.py": projects.CATALOG_0002,
            "orders/migrations/0002_invoice.py": _invoice().replace("    ]\n", fails),
        }
    )
    found, _ = _run(repo, base, head, {})
    (failed,) = [f for f in found if f.rule == "roundtrip-failed"]
    assert failed.location is not None
    assert failed.location.path == "orders/migrations/0002_invoice.py"
    assert (
        "on sqlite: migrating back to the base state failed at orders.0002_invoice: "
        "OperationalError: no such table: nope"
    ) in failed.message


def test_django_settings_that_cannot_load_say_why(django_repo: tuple[GitRepo, str]) -> None:
    repo, base = django_repo
    settings = projects.DJANGO_SETTINGS + "import payments_sdk\n"
    head = repo.commit(
        {
            "mysite/settings.py": settings,
            "catalog/migrations/0002_note.py": projects.CATALOG_0002,
        }
    )
    found, _ = _run(repo, base, head, {})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-not-run"
    assert "mysite.settings could not be loaded" in message and "payments_sdk" in message
    assert "in-job action" in message and "checks.migrations.django.settings" in message


@pytest.mark.postgres
def test_django_round_trip_on_postgres(django_repo: tuple[GitRepo, str], pg_url: str) -> None:
    repo, base = django_repo
    head = repo.commit({"catalog/migrations/0002_note.py": projects.CATALOG_0002})
    found, ctx = _run(repo, base, head, {"roundtrip": "postgres", "database_url": pg_url})
    assert _trips(found) == []
    assert "1 proven on postgres" in ctx.summary
    # and the server judges: a reverse that recreates the index under another name
    head = repo.commit(
        {"catalog/migrations/0002_note.py": _reverse_leaves_an_index(projects.CATALOG_0002)}
    )
    found, ctx = _run(repo, base, head, {"roundtrip": "postgres", "database_url": pg_url})
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-failed" and "on postgres" in message and "ix_other" in message


def test_django_mode_off_runs_nothing(django_repo: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, base = django_repo
    broken = _reverse_leaves_an_index(projects.CATALOG_0002)
    head = repo.commit({"catalog/migrations/0002_note.py": broken})
    found, ctx = _run(repo, base, head, {"django": {"mode": "off"}})
    assert _trips(found) == []
    assert "| off |" in md_blocks(ctx.details)
    # off means not run, not run and passed: the same change with the round trip on fails
    found, _ = _run(repo, base, head, {})
    assert [rule for rule, _ in _trips(found)] == ["roundtrip-failed"]
