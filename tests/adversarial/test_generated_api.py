"""Attacks through the API generator: the pull request's code makes the head document.

The generator is the PR's code (docs/security.md, "Generated API documents and the trust
boundary"): whatever it prints is untrusted, it must not see the token, and it must not be
able to turn a breaking change into a pass by what it leaves behind.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from gatekeeper.checks.openapi.generate.cache import Cache
from gatekeeper.checks.openapi.generate.config import generators
from gatekeeper.model import plain_text
from gatekeeper.sandbox.guard import register_secret
from tests.adversarial.conftest import Attack, AttackFactory, assert_blocked, text_of
from tests.adversarial.untrusted import WORKSPACE_UID, chown_tree, needs_root, open_tmp, python_for
from tests.conftest import GitRepo

__all__ = ["open_tmp"]  # a fixture, imported so that pytest finds it here

SPEC_V1 = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            p: {"get": {"operationId": p.strip("/"), "responses": {"200": {"description": "ok"}}}}
            for p in ("/a", "/b")
        },
    }
)
GEN = "import sys\nsys.stdout.write(open('api.txt').read())\n"
BASE = {"gen.py": GEN, "api.txt": SPEC_V1}


def _policy(command: str, **extra: object) -> str:
    entry = json.dumps({"command": command, **extra})
    return f"version: 1\nchecks:\n  openapi:\n    generate: {entry}\n"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path_factory.mktemp("gk-cache")))


def test_a_document_left_as_a_link_to_a_secret_is_not_read(
    attack: AttackFactory, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"openapi": "3.0.3", "paths": {}, "x-secret": "hunter22"}')
    # the generator swaps the file its output goes to for a link to something it chose
    head = {"gen.py": f"import os, sys\nos.symlink({str(secret)!r}, sys.argv[1])\n"}
    pol = _policy(f'rm -f "$1"; {sys.executable} gen.py "$1"')
    verdict = attack(pol, BASE, head).judge()
    assert_blocked(verdict, "openapi/generate-failed")
    assert "hunter22" not in text_of(verdict)


def test_an_oversized_document_is_refused_without_being_parsed(attack: AttackFactory) -> None:
    head = {"gen.py": "import sys\nsys.stdout.write('{\"openapi\": \"' + 'x' * (41 << 20))\n"}
    verdict = attack(_policy(f"{sys.executable} gen.py"), BASE, head).judge()
    assert_blocked(verdict, "openapi/generate-failed")
    assert "larger than" in text_of(verdict)


def test_a_deeply_nested_document_is_a_clear_failure(attack: AttackFactory) -> None:
    head = {"gen.py": "print('{\"openapi\": ' + '[' * 100000 + ']' * 100000 + '}')\n"}
    verdict = attack(_policy(f"{sys.executable} gen.py"), BASE, head).judge()
    assert_blocked(verdict, "openapi/generate-failed")
    outcome = next(o for o in verdict.outcomes if o.check == "openapi")
    assert not outcome.error  # a finding, not a crash of the check


def test_a_cache_entry_committed_by_the_pr_is_never_read(
    monkeypatch: pytest.MonkeyPatch, git_repo: GitRepo
) -> None:
    # a cache folder inside the workspace; the PR commits, under the very key the gate will
    # look up, a "cached" base document equal to its own head, so nothing would look removed
    folder = git_repo.root / ".gatekeeper" / "cache"
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(folder))
    command = f"{sys.executable} gen.py"
    base = git_repo.commit({".github/gatekeeper.yml": _policy(command), **BASE}, "base")
    tree = git_repo.git("rev-parse", f"{base}^{{tree}}").strip()
    (gen,) = generators({"generate": {"command": command}})
    key = Cache(folder / "openapi").key(tree, gen)
    head_spec = SPEC_V1.replace('"/b"', '"/c"')
    planted = json.dumps({"document": head_spec, "sources": {}})
    head = git_repo.commit(
        {"api.txt": head_spec, f".gatekeeper/cache/openapi/{key}.json": planted}, "attack"
    )
    verdict = Attack(git_repo, base, head).judge()
    assert_blocked(verdict, "openapi/api-path-removed-without-deprecation")
    outcome = next(o for o in verdict.outcomes if o.check == "openapi")
    details = plain_text(outcome.details)
    assert "not cached" in details and "committed in git" in details


def test_the_generator_gets_no_token(
    attack: AttackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "ghs_" + "g3n" * 12
    for name in ("INPUT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.setenv(name, token)
    monkeypatch.setenv("SOME_COPY", f"t={token}")
    register_secret(token)
    seen = tmp_path / "env.json"
    head = {
        "gen.py": "import json, os, sys\n"
        f"json.dump(dict(os.environ), open({str(seen)!r}, 'w'))\n"
        "print(os.environ.get('GITHUB_TOKEN', 'none'), file=sys.stderr)\n"
        "raise SystemExit(3)\n"
    }
    verdict = attack(_policy(f"{sys.executable} gen.py"), BASE, head).judge()
    assert_blocked(verdict, "openapi/generate-failed")
    environ = seen.read_text(encoding="utf-8")
    assert token not in environ and "PATH" in environ
    assert token not in text_of(verdict)


def test_under_pull_request_target_the_generator_never_runs(
    attack: AttackFactory, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    head = {"gen.py": f"open({str(ran)!r}, 'w').write('x')\n" + GEN}
    verdict = attack(_policy(f"{sys.executable} gen.py"), BASE, head).judge(safe=True)
    assert not ran.exists()
    assert any("generate: off" in note for note in verdict.notes)


def test_as_root_the_generator_runs_as_the_checkout_owner_in_its_own_copy(
    open_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_root()
    runnable = python_for(WORKSPACE_UID)
    if runnable is None:
        pytest.skip("no Python interpreter the workspace's owner may run")
    python = runnable[0]
    probes = open_tmp / "probes"
    probes.mkdir(mode=0o777)
    os.chmod(probes, 0o777)
    secret = open_tmp / "root-only.txt"
    secret.write_text("root's eyes only")
    os.chmod(secret, 0o600)
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(open_tmp / "cache"))
    # as the container image does: the workspace belongs to another user
    for name, value in {"COUNT": "1", "KEY_0": "safe.directory", "VALUE_0": "*"}.items():
        monkeypatch.setenv(f"GIT_CONFIG_{name}", value)
    repo = GitRepo(open_tmp / "ws")
    spy = (
        "import json, os\n"
        "found = {'uid': os.getuid(), 'cwd': os.getcwd()}\n"
        f"try:\n    found['secret'] = open({str(secret)!r}).read()\n"
        "except OSError as exc:\n    found['secret'] = None\n"
        "open('written-here.txt', 'w').write('x')\n"
        f"json.dump(found, open({str(probes / 'spy.json')!r}, 'w'))\n" + GEN
    )
    base = repo.commit({".github/gatekeeper.yml": _policy(f"{python} gen.py"), **BASE}, "base")
    head = repo.commit({"gen.py": spy, "api.txt": SPEC_V1.replace('"/b"', '"/c"')}, "attack")
    chown_tree(repo.root, WORKSPACE_UID)
    verdict = Attack(repo, base, head).judge()
    assert_blocked(verdict, "openapi/api-path-removed-without-deprecation")
    found = json.loads((probes / "spy.json").read_text())
    assert found["uid"] == WORKSPACE_UID and found["secret"] is None
    # it ran in a written-out copy, not in the checkout, and the copy is gone
    assert not Path(found["cwd"]).is_relative_to(repo.root)
    assert not (repo.root / "written-here.txt").exists() and not Path(found["cwd"]).exists()
