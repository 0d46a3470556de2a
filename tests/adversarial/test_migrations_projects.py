"""Round trips through the project (env.py, Django settings) keep the token out of reach
and cannot be taken over by a package the pull request plants (docs/security.md, "A
migration round trip runs the project only inside the sandbox")."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from gatekeeper.sandbox.guard import register_secret
from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of
from tests.adversarial.untrusted import probe_script, read_probe
from tests.checks.migrations import projects

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: sqlite, safety: false}\n"
#: a revision whose downgrade forgets the column: only a real round trip finds it
FORGETFUL = projects.B2.replace('    op.drop_column("users", "nickname")\n', "    pass\n")


def _token(monkeypatch: pytest.MonkeyPatch) -> str:
    token = "ghs_" + secrets.token_hex(18)
    for name in ("INPUT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.setenv(name, token)
    monkeypatch.setenv("DEPLOY_COPY", f"key={token}")
    register_secret(token)
    return token


def _assert_clean(found: dict[str, object], token: str) -> None:
    environ, read = found["environ"], found["read"]
    assert isinstance(environ, dict) and isinstance(read, dict)
    assert "PATH" in environ and read["/proc/self/environ"]
    assert token not in json.dumps(environ) + str(read["/proc/self/environ"])


def test_env_py_finds_no_token(
    attack: AttackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token(monkeypatch)
    probe = tmp_path / "probes" / "env.json"
    env_py = probe_script(probe) + "\n" + projects.ENV_PY
    head = {"migrations/env.py": env_py, "migrations/versions/b2_nickname.py": FORGETFUL}
    verdict = attack(POLICY, projects.alembic_app(), head).judge()
    _assert_clean(read_probe(probe), token)
    # the round trip ran through env.py and found the down that forgets
    assert_blocked(verdict, "migrations/roundtrip-failed")
    assert token not in text_of(verdict)


def test_django_settings_find_no_token(
    attack: AttackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("django")
    token = _token(monkeypatch)
    probe = tmp_path / "probes" / "settings.json"
    settings = probe_script(probe) + "\n" + projects.DJANGO_SETTINGS
    head = {
        "mysite/settings.py": settings,
        "catalog/migrations/0002_note.py": projects.CATALOG_0002,
    }
    verdict = attack(POLICY, projects.django_project(), head).judge()
    _assert_clean(read_probe(probe), token)
    assert token not in text_of(verdict)


def test_a_planted_gatekeeper_package_does_not_replace_the_runner(
    attack: AttackFactory, tmp_path: Path
) -> None:
    # the project's folder is the child's working directory: a gatekeeper/ package there
    # that would write "proven" must never be the one that runs
    marker = tmp_path / "planted-ran"
    forged = (
        "import json, sys, pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "job = json.loads(sys.stdin.read())\n"
        "pathlib.Path(job['result']).write_text(json.dumps({'problems': [], 'unloadable': ''}))\n"
    )
    head = {
        "gatekeeper/__init__.py": "",
        "gatekeeper/checks/__init__.py": "",
        "gatekeeper/checks/migrations/__init__.py": "",
        "gatekeeper/checks/migrations/alembic_child.py": forged,
        "migrations/versions/b2_nickname.py": FORGETFUL,
    }
    verdict = attack(POLICY, projects.alembic_app(), head).judge()
    assert not marker.exists(), "the PR's gatekeeper package ran as the round-trip runner"
    assert_blocked(verdict, "migrations/roundtrip-failed")
