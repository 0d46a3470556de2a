"""Edits of a merged Django migration that only touch its RunPython data steps
(djsteps.py): the schema its other operations build is the same, the rows a database that
ran it holds are as they were (bookwyrm 4b219e9348, cdabf74b5c, addfee0607; ArchiveBox
3f76e0a87f). Each integration case is a real two-commit repository."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

PATH = "shop/migrations/0002_backfill.py"
BASE = {
    "shop/__init__.py": "",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    operations = [migrations.CreateModel('Book', fields=[\n"
        "        ('id', models.AutoField(primary_key=True)),\n"
        "        ('isbn', models.CharField(max_length=20, null=True)),\n"
        "    ])]\n"
    ),
}
MERGED = """\
from django.db import migrations, models
from shop.legacy import execute_values

LIMIT = 20


def fix_isbn(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for book in Book.objects.all():
        if book.isbn.endswith("11"):
            book.isbn = book.isbn[:9] + "0"
            book.save()


def copy_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        execute_values(cursor, "INSERT INTO shop_log(book_id) VALUES %s", [(1,)])


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("book", "title", models.CharField(max_length=LIMIT, null=True)),
        migrations.RunPython(fix_isbn, migrations.RunPython.noop),
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
    ]
"""
NARROWED = MERGED.replace(
    '    for book in Book.objects.all():\n        if book.isbn.endswith("11"):\n'
    '            book.isbn = book.isbn[:9] + "0"\n            book.save()\n',
    "    alias = schema_editor.connection.alias\n"
    '    for book in Book.objects.using(alias).filter(isbn__endswith="11"):\n'
    '        book.isbn = book.isbn[:9] + "0"\n        book.save(update_fields=["isbn"])\n',
)
EXECUTEMANY = MERGED.replace("from shop.legacy import execute_values\n", "").replace(
    "execute_values(cursor, ", "cursor.executemany("
)
RUN_COPY = "        migrations.RunPython(copy_rows, migrations.RunPython.noop),\n"
REMOVED = MERGED.replace(RUN_COPY, "")


@pytest.mark.parametrize(
    "edited", [NARROWED, EXECUTEMANY, REMOVED], ids=["narrowed", "executemany", "step-removed"]
)
def test_an_edit_of_the_data_steps_alone_warns(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {**BASE, PATH: MERGED}, {PATH: edited}, roundtrip="off")
    assert errors(found) == []
    warned = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in warned] == [Level.WARNING]
    assert "RunPython functions" in warned[0].message


@pytest.mark.parametrize(
    "edited",
    [
        # a constant the schema operation reads changes with the data step
        NARROWED.replace("LIMIT = 20", "LIMIT = 40"),
        # the schema operation itself changes
        NARROWED.replace("max_length=LIMIT, null=True", "max_length=LIMIT"),
        # the data step reaches the schema through the editor it receives
        NARROWED.replace(
            "    alias = schema_editor",
            "    schema_editor.execute('SELECT 1')\n    alias = schema_editor",
        ),
        # DDL handed to a cursor
        EXECUTEMANY.replace(
            "INSERT INTO shop_log(book_id) VALUES %s", "ALTER TABLE shop_book DROP isbn"
        ),
        # SQL built at run time: it could be anything
        EXECUTEMANY.replace('"INSERT INTO shop_log(book_id) VALUES %s"', '"IN" + "SERT"'),
        # a dependency changed along with a data step
        NARROWED.replace('("shop", "0001_initial")', '("shop", "0001_initial"), ("auth", "0001")'),
    ],
    ids=["constant-read", "schema-op", "editor", "ddl-string", "built-sql", "dependency"],
)
def test_an_edit_beyond_the_data_steps_stays_a_rewrite(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {**BASE, PATH: MERGED}, {PATH: edited}, roundtrip="off")
    assert "history-rewritten" in errors(found)
