"""The env-vars check on a real git repository, through the ChangeSet built from git."""

from __future__ import annotations

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.model import plain_text
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


def test_a_variable_read_at_base_in_an_untouched_file_is_not_new(git_repo) -> None:  # type: ignore[no-untyped-def]
    base = git_repo.commit(
        {
            "app/settings.py": "import os\nURL = os.environ['SERVICE_URL']\n",
            "app/client.py": "def connect():\n    pass\n",
        }
    )
    head = git_repo.commit(
        {
            "app/client.py": "import os\ndef connect():\n"
            "    return os.getenv('SERVICE_URL'), os.getenv('BRAND_NEW')\n"
        }
    )
    check = EnvVarsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, defaults(check))
        found = list(check.run(ctx))
    assert [f.message.split()[0] for f in found] == ["BRAND_NEW"]
    assert ctx.summary == "1 new variable read"


def test_a_base_that_cannot_be_searched_is_said(git_repo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    base = git_repo.commit({"app.py": "import os\n"})
    head = git_repo.commit({"app.py": "import os\nA = os.getenv('NEW_ONE')\n"})
    check = EnvVarsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        monkeypatch.setattr(type(changes.base_tree), "grep", lambda *_: None)
        ctx = context(changes, defaults(check))
        found = list(check.run(ctx))
    assert [f.rule for f in found] == ["undocumented"]
    assert "could not be searched" in plain_text(ctx.details)


def test_the_base_search_is_capped_and_says_so(git_repo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gatekeeper.checks.envvars.check as envvars_check

    monkeypatch.setattr(envvars_check, "MAX_SEARCHED", 1)
    base = git_repo.commit(
        {
            "app/alpha.py": "import os\nA = os.environ['ALPHA_URL']\n",
            "app/beta.py": "import os\nB = os.environ['BETA_URL']\n",
            "app/client.py": "pass\n",
        }
    )
    head = git_repo.commit(
        {"app/client.py": "import os\nA = os.getenv('ALPHA_URL')\nB = os.getenv('BETA_URL')\n"}
    )
    check = EnvVarsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, defaults(check))
        found = list(check.run(ctx))
    assert [f.message.split()[0] for f in found] == ["BETA_URL"]  # ALPHA_URL was searched
    assert "searched for the first 1" in plain_text(ctx.details)
