"""The env-vars check on a real git repository, through the ChangeSet built from git."""

from __future__ import annotations

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.testing import context, defaults


def test_real_repository(git_repo) -> None:  # type: ignore[no-untyped-def]
    base = git_repo.commit(
        {
            "app.py": "import os\n",
            ".env.example": "KNOWN=1\n",
            "docs/deep/config.md": "`DOCUMENTED_DEEP` sets it\n",
        }
    )
    head = git_repo.commit(
        {
            "app.py": "import os\nA = os.environ['KNOWN']\n"
            "B = os.environ['DOCUMENTED_DEEP']\nC = os.getenv('NEW_ONE')\n"
        }
    )
    changes = changeset_from_git(git_repo.root, base, head)
    check = EnvVarsCheck()
    config = defaults(check)
    ctx = context(changes, config)
    assert check.applies(ctx)
    found = list(check.run(ctx))
    assert [(f.rule, f.location.start_line) for f in found if f.location] == [("undocumented", 4)]
    assert "NEW_ONE" in found[0].message
    assert ctx.summary == "3 new variables read"
