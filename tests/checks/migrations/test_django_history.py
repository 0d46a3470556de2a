"""Edits to merged Django migrations: tidied imports and reverse-only edits are not
history rewrites; every edit to what the forward side runs still is (real git repos)."""

from __future__ import annotations

import pytest

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Level
from gatekeeper.testing import context
from tests.conftest import GitRepo

PATH = "shop/migrations/0002_fill.py"

#: a shipped data migration shaped as django-helpdesk's 0019 and 0020 were
MERGED = """\
# -*- coding: utf-8 -*-
from django.db import migrations, models


def fill(apps, schema_editor):
    try:
        import pickle
    except ImportError:
        import cPickle as pickle
    for row in apps.get_model("shop", "Item").objects.all():
        row.data = pickle.dumps({})
        row.save()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("item", "data", models.TextField(null=True)),
        migrations.RunPython(fill),
        migrations.RunSQL("UPDATE shop_item SET data = ''"),
    ]
"""

#: the guarded import leading fill()
LOCAL_IMPORT = (
    "    try:\n        import pickle\n    except ImportError:\n        import cPickle as pickle\n"
)

REVERSE = '''
def unfill(apps, schema_editor):
    """Put the rows back (only a rollback runs this)."""
    apps.get_model("shop", "Item").objects.update(data=None)

'''


def _rules(repo: GitRepo, base: dict[str, str], head: dict[str, str]) -> list[tuple[str, Level]]:
    first = repo.commit({"shop/migrations/__init__.py": "", **base}, "merged")
    second = repo.commit(head, "the change")
    with changeset_from_git(repo.root, first, second) as changes:
        ctx = context(changes, {"roundtrip": "off", "safety": False, "history": "merged"})
        found = MigrationsCheck().run(ctx)
    wanted = ("history-rewritten", "down-edited")
    return sorted((f.rule, f.level) for f in found if f.rule in wanted)


def _edit(old: str, new: str, text: str = MERGED) -> str:
    assert old in text, old
    return text.replace(old, new)


REWRITTEN = [("history-rewritten", Level.ERROR)]
DOWN = [("down-edited", Level.WARNING)]


def test_unused_imports_removed_is_the_same_migration(git_repo: GitRepo) -> None:
    base = {
        PATH: _edit("import migrations, models", "import migrations, models\nfrom sys import path")
    }
    head = {PATH: MERGED}
    assert _rules(git_repo, base, head) == []


def test_removing_an_import_still_used_rewrites_history(git_repo: GitRepo) -> None:
    # models.TextField would be a NameError when the migration loads
    head = {PATH: _edit("import migrations, models", "import migrations")}
    assert _rules(git_repo, {PATH: MERGED}, head) == REWRITTEN


def test_an_import_hoisted_out_of_the_forward_function_is_the_same_migration(
    git_repo: GitRepo,
) -> None:
    guarded = "try:\n    import pickle\nexcept ImportError:\n    import cPickle as pickle\n"
    hoisted = _edit(LOCAL_IMPORT, "")
    hoisted = _edit("\n\ndef fill", f"\n{guarded}\n\ndef fill", hoisted)
    assert _rules(git_repo, {PATH: MERGED}, {PATH: hoisted}) == []


def test_an_import_hoisted_from_a_different_module_rewrites_history(git_repo: GitRepo) -> None:
    hoisted = _edit(LOCAL_IMPORT, "")
    hoisted = _edit("\n\ndef fill", "\nimport dill as pickle\n\ndef fill", hoisted)
    assert _rules(git_repo, {PATH: MERGED}, {PATH: hoisted}) == REWRITTEN


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("RunPython(fill)", "RunPython(fill, reverse_code=unfill)"),
        ("RunPython(fill)", "RunPython(fill, unfill)"),
        ("RunPython(fill)", "RunPython(fill, migrations.RunPython.noop)"),
        ("SET data = ''\")", 'SET data = \'\'", reverse_sql="UPDATE shop_item SET data = NULL")'),
        ("SET data = ''\")", 'SET data = \'\'", ["UPDATE shop_item SET data = NULL"])'),
    ],
)
def test_adding_a_reverse_is_a_down_only_edit(git_repo: GitRepo, old: str, new: str) -> None:
    head = _edit(old, new, _edit("\n\nclass Migration", REVERSE + "\nclass Migration"))
    assert _rules(git_repo, {PATH: MERGED}, {PATH: head}) == DOWN


def test_changing_an_existing_reverse_and_its_imports_is_a_down_only_edit(
    git_repo: GitRepo,
) -> None:
    base = _edit(
        "RunPython(fill)", "RunPython(fill, unfill)", _edit("\n\nclass", REVERSE + "\nclass")
    )
    head = _edit("objects.update(data=None)", "objects.update(data=json.dumps(None))", base)
    head = _edit("import migrations, models", "import migrations, models\nimport json", head)
    assert _rules(git_repo, {PATH: base}, {PATH: head}) == DOWN


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the forward body changed as well as a reverse added
        ("row.data = pickle.dumps({})", "row.data = pickle.dumps([])"),
        # the forward SQL changed
        ("SET data = ''\")", 'SET data = \'x\'", reverse_sql="SELECT 1")'),
        # an operation's argument changed
        ("models.TextField(null=True)", "models.TextField(null=False)"),
        # an operation added
        ("    ]\n", '        migrations.RunSQL("DELETE FROM shop_item"),\n    ]\n'),
        # the reverse passed as the forward
        ("RunPython(fill)", "RunPython(unfill, fill)"),
        # a reverse argument that runs code as the module loads
        ("RunPython(fill)", "RunPython(fill, reverse_code=make_reverse())"),
        # a module-level statement added
        ("\n\nclass Migration", "\nfill.__code__ = unfill.__code__\n\nclass Migration"),
    ],
)
def test_a_forward_edit_beside_a_reverse_rewrites_history(
    git_repo: GitRepo, old: str, new: str
) -> None:
    head = _edit("\n\nclass Migration", REVERSE + "\nclass Migration")
    head = (
        _edit("RunPython(fill)", "RunPython(fill, unfill)", head)
        if old != "RunPython(fill)"
        else head
    )
    head = _edit(old, new, head)
    assert _rules(git_repo, {PATH: MERGED}, {PATH: head}) == REWRITTEN


def test_an_unshipped_edit_of_the_same_kind_still_warns_at_most(git_repo: GitRepo) -> None:
    # the history: released setting (the default) with a tag before the migration: the
    # reverse-only edit is still a down-only warning, not the release warning
    git_repo.commit({"README.md": "x\n"})
    git_repo.git("tag", "v1.0.0")
    head = _edit(
        "RunPython(fill)", "RunPython(fill, unfill)", _edit("\n\nclass", REVERSE + "\nclass")
    )
    first = git_repo.commit({"shop/migrations/__init__.py": "", PATH: MERGED})
    second = git_repo.commit({PATH: head})
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = MigrationsCheck().run(context(changes, {"roundtrip": "off", "safety": False}))
    assert [f.rule for f in found if f.rule in ("history-rewritten", "down-edited")] == [
        "down-edited"
    ]


def test_a_reverse_added_while_renaming_the_file_rewrites_history(git_repo: GitRepo) -> None:
    # Django knows a migration by its file name: under another name it is another one
    head = _edit(
        "RunPython(fill)", "RunPython(fill, unfill)", _edit("\n\nclass", REVERSE + "\nclass")
    )
    renamed = {PATH: None, "shop/migrations/0002_fill_rows.py": head}
    assert _rules(git_repo, {PATH: MERGED}, renamed) == REWRITTEN
