"""Since round 17 a merged Django migration may have its imports tidied (same migration)
or its reverse side edited (``down-edited``, a warning). A PR cannot dress a change to
what the forward side runs as either."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', history: merged}\n"
PATH = "shop/migrations/0002_fill.py"

MERGED = """\
from django.db import migrations


def fill(apps, schema_editor):
    apps.get_model("shop", "Item").objects.update(flag=True)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(fill)]
"""

#: the honest edit every attack below starts from: a reverse added, nothing else
HONEST = MERGED.replace(
    "\n\nclass Migration",
    '\n\ndef unfill(apps, schema_editor):\n    apps.get_model("shop", "Item")'
    ".objects.update(flag=False)\n\n\nclass Migration",
).replace("RunPython(fill)", "RunPython(fill, reverse_code=unfill)")


def _judge(attack: AttackFactory, head: str) -> list[str]:
    base = {PATH: MERGED, "shop/migrations/__init__.py": ""}
    return blocking_rules(attack(POLICY, base, {PATH: head}).judge())


def test_the_honest_reverse_alone_does_not_block(attack: AttackFactory) -> None:
    # the baseline the attacks twist: if this blocked, every attack below would pass trivially
    assert "migrations/history-rewritten" not in _judge(attack, HONEST)


ATTACKS = {
    # the forward body changed in the same PR that adds the reverse
    "forward body": HONEST.replace("update(flag=True)", "update(flag=True, seen=None)"),
    # the forward function redefined under its own name after the new reverse
    "redefined forward": HONEST.replace(
        "\n\nclass Migration",
        '\n\ndef fill(apps, schema_editor):\n    apps.get_model("shop", "Item").objects.all()'
        ".delete()\n\n\nclass Migration",
    ),
    # a reverse argument that calls code as the module loads (a decorator in disguise)
    "call in reverse": HONEST.replace("reverse_code=unfill", "reverse_code=patch(fill)"),
    # a new function whose decorator runs at load time, named only by the reverse
    "decorated reverse": HONEST.replace("\ndef unfill", "\n@register\ndef unfill"),
    # a new function whose return annotation calls code as the module loads
    "call in annotation": HONEST.replace(
        "def unfill(apps, schema_editor):", "def unfill(apps, schema_editor) -> patch(fill):"
    ),
    # an import that rebinds the name of the forward function
    "rebinding import": HONEST.replace(
        "\n\nclass Migration", "\nfrom shop.evil import fill\n\n\nclass Migration"
    ),
    # a module-level statement that patches the forward function through the reverse
    "patched forward": HONEST.replace(
        "\n\nclass Migration", "\nfill.__code__ = unfill.__code__\n\n\nclass Migration"
    ),
    # the import the operations need, removed as if unused
    "used import removed": HONEST.replace("from django.db import migrations\n", ""),
    # a __future__ import changes how the module compiles: it is no plain import
    "future import": "from __future__ import annotations\n" + HONEST,
}


@pytest.mark.parametrize("head", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_forward_change_dressed_as_a_reverse_edit_blocks(
    attack: AttackFactory, head: str
) -> None:
    assert head != HONEST
    verdict = attack(
        POLICY, {PATH: MERGED, "shop/migrations/__init__.py": ""}, {PATH: head}
    ).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


#: since round 35 (djsteps.py) an edit of the data steps alone, which writes rows and
#: neither deletes nor erases them, is a warning: the schema is the same either way
DATA_STEP_EDITS = {
    # the arguments swapped: the "reverse" now runs forward, setting flag=False
    "swapped": HONEST.replace("RunPython(fill, reverse_code=unfill)", "RunPython(unfill, fill)"),
}


@pytest.mark.parametrize("head", DATA_STEP_EDITS.values(), ids=DATA_STEP_EDITS.keys())
def test_a_forward_data_step_edit_is_a_warning(attack: AttackFactory, head: str) -> None:
    verdict = attack(
        POLICY, {PATH: MERGED, "shop/migrations/__init__.py": ""}, {PATH: head}
    ).judge()
    assert "migrations/history-rewritten" not in blocking_rules(verdict)
    assert any(r.finding.rule == "history-rewritten" for r in verdict.results)


def test_editing_a_helper_the_forward_shares_with_the_new_reverse_warns(
    attack: AttackFactory,
) -> None:
    # round 35: the helper writes rows for the forward data step, so its edit is a data
    # step edit, a warning (before, it blocked as an edit of forward code)
    # the helper is named by the reverse, but by the forward too: it is forward code
    helper = 'def rows(apps):\n    return apps.get_model("shop", "Item").objects\n\n\n'
    base = MERGED.replace("def fill", helper + "def fill").replace(
        'apps.get_model("shop", "Item").objects.update(flag=True)',
        "rows(apps).update(flag=True)",
    )
    head = base.replace(
        "return apps.get_model", "return apps.get_model('shop', 'Old') or apps.get_model"
    )
    head = head.replace(
        "\n\nclass Migration",
        "\n\ndef unfill(apps, schema_editor):\n    rows(apps).update(flag=False)\n"
        "\n\nclass Migration",
    ).replace("RunPython(fill)", "RunPython(fill, unfill)")
    verdict = attack(POLICY, {PATH: base, "shop/migrations/__init__.py": ""}, {PATH: head})
    judged = verdict.judge()
    assert "migrations/history-rewritten" not in blocking_rules(judged)
    assert any(r.finding.rule == "history-rewritten" for r in judged.results)


def test_an_import_reordered_around_a_star_import_blocks(attack: AttackFactory) -> None:
    # `from x import *` may bind any name, so the later of two imports decides what
    # fill() calls: swapping them with a tidy-looking diff changes the forward side
    imports = "from shop.compat import *\nfrom shop.rows import update_flags\n"
    base = imports + MERGED.replace(
        'apps.get_model("shop", "Item").objects.update(flag=True)', "update_flags(apps)"
    )
    head = base.replace(imports, "".join(reversed(imports.splitlines(keepends=True))))
    assert head != base
    verdict = attack(POLICY, {PATH: base, "shop/migrations/__init__.py": ""}, {PATH: head})
    assert_blocked(verdict.judge(), "migrations/history-rewritten")


def test_removing_an_unused_import_is_accepted(attack: AttackFactory) -> None:
    # the tidy edit the rule exists for: without this, the attacks above prove nothing
    base = MERGED.replace("import migrations\n", "import migrations, models\nimport os\n")
    verdict = attack(POLICY, {PATH: base, "shop/migrations/__init__.py": ""}, {PATH: MERGED})
    assert "migrations/history-rewritten" not in blocking_rules(verdict.judge())
