"""SecurityCheck as a whole: its schema, its parts together, a real git repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper.checks.interface import CHECK_ID_PATTERN, Check
from gatekeeper.checks.security import SecurityCheck
from gatekeeper.model import Block, plain_text
from gatekeeper.testing import changeset, context, run_check

from ..security.osv_server import OsvServer

GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"


def valid(config: Any) -> bool:
    try:
        jsonschema.validate(config, SecurityCheck.config_schema)
    except jsonschema.ValidationError:
        return False
    return True


def test_it_is_a_check_with_an_id_a_title_and_a_catalog() -> None:
    import re

    check = SecurityCheck()
    assert isinstance(check, Check)
    assert re.match(CHECK_ID_PATTERN, check.id) and check.title == "Security"
    for rule_id, rule in check.rules.items():
        assert rule.id == rule_id and re.match(r"^[a-z][a-z0-9-]*$", rule_id)
        assert rule.summary and rule.remedy, rule_id


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"bandit": {"min_severity": "medium"}, "secrets": "block", "dependencies": "block"},
        {"bandit": False, "secrets": {"allowlist": ["x.*"], "level": "warn"}},
        {"dependencies": {"osv_url": "https://osv.internal/v1/query", "timeout": 5}},
        {"sensitive": ["src/**/auth/**"]},
        {"sensitive": {"paths": [], "level": "info"}},
    ],
)
def test_the_schema_accepts_what_the_policy_writes(config: Any) -> None:
    assert valid(config)


@pytest.mark.parametrize(
    "config",
    [
        {"bandit": {"min_severity": "critical"}},
        {"secrets": "loud"},
        {"dependencies": {"osv_url": "ftp://x"}},
        {"dependencies": {"osv-url": "https://x"}},
        {"unknown": True},
        {"bandit": {"max_file_bytes": 0}},
    ],
)
def test_the_schema_rejects_typos_and_bad_values(config: Any) -> None:
    assert not valid(config)


BAD_CODE = (
    'import os\nQ = f"SELECT * FROM t WHERE id = {os.getpid()}"\n'  # nosec B608 - test input
    f'TOKEN = "{GH}"\n'
)


def test_all_parts_together_sorted_with_a_summary(tmp_path: Path) -> None:
    with OsvServer(Path(__file__).parent / "fixtures" / "osv") as osv:
        base = {"app/db.py": "import os\n", "requirements.txt": "requests==2.20.0\n"}
        head = {
            "app/db.py": BAD_CODE,
            "requirements.txt": "requests==2.19.1\n",
            "app/auth/views.py": "x = 1\n",
        }
        ctx = context(
            changeset(base, head), {"dependencies": {"osv_url": osv.url}}, scratch=tmp_path
        )
        found = list(SecurityCheck().run(ctx))
    # each part yields as soon as it is done; the engine sorts the whole outcome
    assert sorted((f.location.path if f.location else "", f.rule) for f in found) == [
        ("app/auth/views.py", "sensitive-change"),
        ("app/db.py", "bandit-b608"),
        ("app/db.py", "secret-github-token"),
        ("requirements.txt", "vulnerable-dependency"),
    ]
    assert ctx.summary == "new findings: bandit 1, secrets 1, dependencies 1, sensitive 1"
    assert any(d.startswith("dependencies: 1 pinned at head") for d in _texts(ctx.details))
    assert GH not in repr(found) + repr(ctx.details)


def test_every_part_off_runs_nothing() -> None:
    config = {
        "bandit": "off",
        "secrets": False,
        "dependencies": {"enabled": False},
        "sensitive": False,
    }
    head = {"a.py": f'T = "{GH}"\n', "auth/x.py": "x\n"}
    assert run_check(SecurityCheck(), {}, head, config) == []


def test_the_check_restricts_itself_to_the_policy_paths() -> None:
    ctx = context(
        changeset({}, {"a/x.py": f'T = "{GH}"\n', "b/y.py": f'T = "{GH}"\n'}),
        {"bandit": False, "dependencies": False},
    )
    ctx.paths, ctx.exclude = ("a/**",), ()
    assert [f.location.path for f in SecurityCheck().run(ctx) if f.location] == ["a/x.py"]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def _tree(root: Path, rev: str) -> dict[str, bytes]:
    names = _git(root, "ls-tree", "-r", "--name-only", rev).split()
    return {
        n: subprocess.run(
            ["git", "show", f"{rev}:{n}"], cwd=root, check=True, capture_output=True
        ).stdout
        for n in names
    }


DB = 'import sqlite3\n\n\ndef q(c, n):\n    return c.execute("SELECT %s" % n)\n'


def test_on_a_real_git_repository(git_repo: Any, tmp_path: Path) -> None:
    base = git_repo.commit(
        {
            "pyproject.toml": '[project]\nname = "x"\n[tool.bandit]\nskips = ["B101"]\n',
            "app/db.py": DB,
        }
    )
    head = git_repo.commit(
        {
            "app/db.py": 'import sqlite3\n\n\ndef q(c, n):\n    return c.execute("SELECT %s" % n)\n'
            "\n\ndef r(c, n):\n    assert n\n"
            '    return c.execute("DELETE FROM t WHERE id = %s" % n)\n',
            "app/keys.pem": "-----BEGIN EC "
            + "PRIVATE KEY-----\n"
            + "QUJDRA" * 20
            + "\n-----END EC "
            + "PRIVATE KEY-----\n",
        }
    )
    changes = changeset(_tree(git_repo.root, base), _tree(git_repo.root, head), root=git_repo.root)
    ctx = context(
        changes, {"dependencies": False, "bandit": {"min_severity": "low"}}, scratch=tmp_path
    )
    found = list(SecurityCheck().run(ctx))
    assert [(f.location.path, f.location.start_line, f.rule) for f in found if f.location] == [
        ("app/db.py", 10, "bandit-b608"),
        ("app/keys.pem", 1, "secret-private-key"),
    ]


def test_scratch_paths_never_escape_the_scratch_directory(tmp_path: Path) -> None:
    from gatekeeper.checks.security.common import write_scratch

    assert write_scratch(tmp_path, "../evil.py", b"x") is None
    assert write_scratch(tmp_path, "/etc/evil.py", b"x") is None
    assert write_scratch(tmp_path, "", b"x") is None
    written = write_scratch(tmp_path, "a/b.py", b"x")
    assert written == tmp_path / "a" / "b.py" and written.read_bytes() == b"x"


def test_the_schema_is_a_valid_json_schema_with_descriptions_for_editors() -> None:
    jsonschema.Draft202012Validator.check_schema(SecurityCheck.config_schema)
    for name, part in SecurityCheck.config_schema["properties"].items():
        assert part["description"], name


@pytest.mark.parametrize(
    ("module", "part", "head", "needs"),
    [
        ("bandit.core.manager", "bandit", {"a.py": "x = 1\n"}, "bandit>=1.7.5"),
        ("detect_secrets.core.scan", "secrets", {"a.txt": "x\n"}, "detect-secrets>=1.4"),
        (
            "pip_audit._service",
            "dependencies",
            {"requirements.txt": "six==1.16.0\n"},
            "pip-audit>=2.7",
        ),
    ],
)
def test_a_missing_tool_is_a_check_error_that_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, module: str, part: str, head: dict[str, str], needs: str
) -> None:
    import sys

    from gatekeeper.checks.interface import CheckError

    from .helpers import run_part

    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    options = {"osv_url": "http://127.0.0.1:9/v1/query"} if part == "dependencies" else True
    with pytest.raises(CheckError, match=f"pip install '{re.escape(needs)}'"):
        run_part(part, {}, head, options)


def test_an_incompatible_tool_version_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from gatekeeper.checks.interface import CheckError
    from gatekeeper.checks.security.common import tool

    monkeypatch.setitem(__import__("sys").modules, "fake_tool", types.ModuleType("fake_tool"))
    with pytest.raises(CheckError, match="has no Thing; install a supported version"):
        tool("fake_tool", "fake-tool>=2", "testing", "Thing")


def _texts(blocks: list[Block]) -> list[str]:
    return [plain_text([b]) for b in blocks]
