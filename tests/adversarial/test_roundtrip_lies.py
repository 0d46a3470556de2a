"""A round trip's verdict is the gate's own: PR code in the round-trip child cannot write
"proven" for a down that does not work (docs/security.md, "The round trip's verdict is the
gate's, not the child's").

Each attack runs its code inside the child (a revision module, env.py, Django settings),
forges the child's answer, and ships a down that does not undo the up; the static review
sees a plausible down, so only the round trip can find it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of
from tests.adversarial.untrusted import (
    WORKSPACE_UID,
    chown_tree,
    needs_root,
    open_tmp,
    python_for,
)
from tests.checks.migrations import projects

__all__ = ["open_tmp"]  # a fixture, imported so that pytest finds it here

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: sqlite, safety: false}\n"

#: finds the child's job (a local of its entry point) from code it imports
_FIND_JOB = """\
import json as _json, os as _os, sys as _sys


def _the_job():
    frame = _sys._getframe()
    while frame is not None:
        job = frame.f_locals.get("job")
        if isinstance(job, dict) and "result" in job:
            return job
        frame = frame.f_back
    return None


def _forge(job):
    # whatever the runner reads back: no problems, no error
    if job is not None:
        with open(job["result"], "w") as out:
            out.write(_json.dumps({"problems": [], "unloadable": "", "error": None, "info": {}}))
"""

#: rewrites the child's answer writers so that any answer says "no problem"
PATCH_ANSWER = """\
from gatekeeper.checks.migrations import child as _child


def _no_problems(path, *args, **kwargs):
    info = kwargs.get("info") or (args[2] if len(args) > 2 else None) or {}
    with open(path, "w") as out:
        out.write(_json.dumps({"problems": [], "unloadable": "", "error": None, "info": info}))


_child.write_answer = _no_problems
_child.write_report = _no_problems
"""

#: forges "proven" and leaves before the down runs (or, without steps, before anything runs)
EXIT_BEFORE_DOWN = """\
_job = _the_job()
if _job is not None and (_job.get("step") or {}).get("action") in (None, "down"):
    _forge(_job)
    _os._exit(0)
"""

#: forges "proven" and leaves before any step runs
EXIT_ALWAYS = "_forge(_the_job())\n_os._exit(0)\n"

HEADER = "import sqlalchemy as sa\nfrom alembic import op\nrevision = 'a1'\ndown_revision = None\n"
UP = "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n"
#: looks like a down to the static review (it names the table), undoes nothing
FAKE_DOWN = "def downgrade():\n    for _ in ():\n        op.drop_table('t')\n"
DOWN = "def downgrade():\n    op.drop_table('t')\n"


def _revision(prelude: str, down: str) -> dict[str, str]:
    return {"alembic/versions/a1_t.py": _FIND_JOB + prelude + HEADER + UP + down}


def test_a_revision_that_patches_the_answer_is_still_blocked(attack: AttackFactory) -> None:
    verdict = attack(POLICY, {"README.md": "x\n"}, _revision(PATCH_ANSWER, FAKE_DOWN)).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")
    assert "after up then down the schema differs: unexpected column t.id" in text_of(verdict)


def test_a_revision_that_skips_the_down_and_forges_proven_is_blocked(
    attack: AttackFactory,
) -> None:
    # the down would work: the attack is leaving before it runs, with a forged answer
    verdict = attack(POLICY, {"README.md": "x\n"}, _revision(EXIT_BEFORE_DOWN, DOWN)).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")
    assert "after up then down the schema differs: unexpected column t.id" in text_of(verdict)


def test_a_revision_that_runs_nothing_and_forges_proven_is_blocked(
    attack: AttackFactory,
) -> None:
    verdict = attack(POLICY, {"README.md": "x\n"}, _revision(EXIT_ALWAYS, FAKE_DOWN)).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")
    assert "up changed nothing in the schema, though it calls op.create_table" in text_of(verdict)


def test_an_honest_revision_next_to_the_patch_still_passes(attack: AttackFactory) -> None:
    # the same forging code, but a down that works: the gate's own snapshots prove it
    verdict = attack(POLICY, {"README.md": "x\n"}, _revision(PATCH_ANSWER, DOWN)).judge()
    assert "migrations/roundtrip-failed" not in blocking_rules(verdict)
    assert "migrations/roundtrip-not-run" not in text_of(verdict)
    assert verdict.met, blocking_rules(verdict)


#: the project's revision with a down that forgets the column (statically it names it)
FORGETFUL = projects.B2.replace(
    '    op.drop_column("users", "nickname")\n',
    '    for _ in ():\n        op.drop_column("users", "nickname")\n',
)


def test_an_env_py_that_patches_the_answer_is_still_blocked(attack: AttackFactory) -> None:
    env_py = _FIND_JOB + PATCH_ANSWER + projects.ENV_PY
    head = {"migrations/env.py": env_py, "migrations/versions/b2_nickname.py": FORGETFUL}
    verdict = attack(POLICY, projects.alembic_app(), head).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")
    assert "after up then down the schema differs: unexpected column users.nickname" in (
        text_of(verdict)
    )


def test_an_honest_env_py_round_trip_passes(attack: AttackFactory) -> None:
    head = {"migrations/versions/b2_nickname.py": projects.B2}
    verdict = attack(POLICY, projects.alembic_app(), head).judge()
    assert verdict.met, blocking_rules(verdict)


#: a Django migration whose reverse leaves the table it made
DJANGO_0002 = """\
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "CREATE TABLE catalog_extra (id integer PRIMARY KEY)",
            reverse_sql="SELECT 1",
        ),
    ]
"""


def test_django_settings_that_patch_the_answer_are_still_blocked(
    attack: AttackFactory,
) -> None:
    pytest.importorskip("django")
    settings = _FIND_JOB + PATCH_ANSWER + projects.DJANGO_SETTINGS
    head = {"mysite/settings.py": settings, "catalog/migrations/0002_extra.py": DJANGO_0002}
    verdict = attack(POLICY, projects.django_project(), head).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")
    text = text_of(verdict)
    assert "after migrating forward and back (catalog/migrations/0002_extra.py) the schema " in text
    assert "differs: unexpected column catalog_extra.id" in text


#: run by a root gate's own interpreter: the check on two heads, the findings as JSON
_ROOT_GATE = """\
import json, sys
from pathlib import Path
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.testing import changeset, context

top = Path(sys.argv[1])
found = {}
for name, files in json.loads((top / "heads.json").read_text()).items():
    ctx = context(changeset({}, files, root=top / "ws"), {"safety": False},
                  scratch=top / "scratch" / name)
    found[name] = [(f.rule, f.message) for f in MigrationsCheck().run(ctx)]
print(json.dumps(found))
"""


def test_as_root_the_children_are_the_checkouts_owner_and_the_gate_compares(
    open_tmp: Path,
) -> None:
    needs_root()
    runnable = python_for(WORKSPACE_UID)
    if runnable is None:
        pytest.skip("no Python interpreter the workspace's owner may run")
    python, pythonpath = runnable
    probes = open_tmp / "probes"
    probes.mkdir()
    os.chmod(probes, 0o777)
    uid_probe = f"open({str(probes / 'uid')!r}, 'w').write(str(_os.getuid()))\n"
    heads = {
        "liar": _revision(PATCH_ANSWER + uid_probe, FAKE_DOWN),
        "honest": _revision("", DOWN),
    }
    (open_tmp / "heads.json").write_text(json.dumps(heads))
    (open_tmp / "scratch").mkdir()
    ws = open_tmp / "ws"
    ws.mkdir()
    chown_tree(ws, WORKSPACE_UID)
    done = subprocess.run(
        [python, "-c", _ROOT_GATE, str(open_tmp)],
        env={"PYTHONPATH": pythonpath, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (probes / "uid").read_text() == str(WORKSPACE_UID)
    # the child, another user, wrote the gate's scratch file; the gate read it and compared
    assert found["honest"] == []
    ((rule, message),) = found["liar"]
    assert rule == "roundtrip-failed"
    assert "after up then down the schema differs: unexpected column t.id" in message


#: Django: the first step is honest (the gate learns the changed migrations' nodes from
#: it); every later one forges "proven" and leaves without migrating
DJANGO_EXIT_AFTER_BASE = """\
_job = _the_job()
if _job is not None and (_job.get("step") or {"index": 1}).get("index", 0) >= 1:
    _forge(_job)
    _os._exit(0)
"""


def test_django_settings_that_never_migrate_forward_are_blocked(attack: AttackFactory) -> None:
    pytest.importorskip("django")
    settings = _FIND_JOB + DJANGO_EXIT_AFTER_BASE + projects.DJANGO_SETTINGS
    head = {
        "mysite/settings.py": settings,
        "catalog/migrations/0002_note.py": projects.CATALOG_0002,
    }
    verdict = attack(POLICY, projects.django_project(), head).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")
    assert (
        "migrating forward (catalog/migrations/0002_note.py) changed nothing in the schema, "
        "though catalog/migrations/0002_note.py calls migrations.AddField (line 16)"
    ) in text_of(verdict)
