"""A script in a CI system's folder reads CI-only variables (kellnr 60df209577: the
release-notes script under ``.github/scripts/`` reads RELEASE_TAG, which its workflow
sets); the same script outside it, and a workflow's own ``secrets.X``, still count."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checks.envvars.helpers import run_on_git

SCRIPT = 'import os\n\ntag = os.environ.get("RELEASE_TAG")\n'


def _undocumented(found: list[Any]) -> list[str]:
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


@pytest.mark.parametrize(
    "path", [".github/scripts/notes.py", ".gitlab/ci/notes.py", ".circleci/notes.py"]
)
def test_a_ci_folders_script_reads_no_setting(git_repo: Any, path: str) -> None:
    assert _undocumented(run_on_git(git_repo, {"README.md": "x\n"}, {path: SCRIPT})) == []


@pytest.mark.parametrize("path", ["scripts/notes.py", "src/github/notes.py"])
def test_the_same_script_elsewhere_still_fires(git_repo: Any, path: str) -> None:
    found = run_on_git(git_repo, {"README.md": "x\n"}, {path: SCRIPT})
    assert _undocumented(found) == ["RELEASE_TAG"]


def test_a_workflows_secret_still_fires(git_repo: Any) -> None:
    wf = (
        "on: release\njobs:\n  notes:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: ./notes\n        env:\n"
        "          TOKEN: ${{ secrets.WEBSITE_DISPATCH_TOKEN }}\n"
    )
    found = run_on_git(git_repo, {"README.md": "x\n"}, {".github/workflows/notes.yml": wf})
    assert _undocumented(found) == ["WEBSITE_DISPATCH_TOKEN"]


COMPOSE = "services:\n  app:\n    environment:\n      - SOURCE_STAMP=${E2E_STAMP:-unstamped}\n"


@pytest.mark.parametrize(
    "path", ["compose-e2e-test.yml", "docker/docker-compose.e2e.yaml", "compose.testing.yml"]
)
def test_a_compose_stack_named_for_tests_reads_no_setting(git_repo: Any, path: str) -> None:
    assert _undocumented(run_on_git(git_repo, {"README.md": "x\n"}, {path: COMPOSE})) == []


@pytest.mark.parametrize("path", ["docker-compose.yml", "compose-prod.yml", "compose.e2etools.yml"])
def test_a_shipped_compose_stack_still_reads(git_repo: Any, path: str) -> None:
    found = run_on_git(git_repo, {"README.md": "x\n"}, {path: COMPOSE})
    assert _undocumented(found) == ["E2E_STAMP"]
