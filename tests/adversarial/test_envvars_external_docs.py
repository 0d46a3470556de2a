"""Attacks through ``checks.env-vars.external_docs``: documentation read from folders on
disk. The key is policy, read at base, so a PR cannot name a folder of its own; and the
folder is walked without following links, so nothing outside it documents anything."""

from __future__ import annotations

import os
from pathlib import Path

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
READ = "import os\nKEY = os.environ['PAYMENT_API_KEY']\n"


def test_a_pr_adding_external_docs_to_the_policy_gains_nothing(attack: AttackFactory) -> None:
    """The PR documents its variable in a folder it ships and points the policy it edits
    at that folder: the policy at base has no such key, so the variable is undocumented."""
    widened = POLICY.replace("env-vars: {}", "env-vars:\n    external_docs: [vendor/site]")
    head = {
        "app/pay.py": READ,
        ".github/gatekeeper.yml": widened,
        "vendor/site/config.md": "| `PAYMENT_API_KEY` | the key |\n",
    }
    case = attack(POLICY, {"README.md": "x\n"}, head)
    # the folder exists on disk too, as a second checkout would leave it
    folder = case.repo.root / "vendor" / "site"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.md").write_text("| `PAYMENT_API_KEY` | the key |\n")
    verdict = case.judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "external_docs" not in text_of(verdict)


def test_a_pr_widening_external_docs_gains_nothing(attack: AttackFactory, tmp_path: Path) -> None:
    """The base names one docs checkout; the PR adds a second folder that documents it."""
    site, own = tmp_path / "site", tmp_path / "own"
    site.mkdir()
    own.mkdir()
    (site / "config.md").write_text("`OTHER_SETTING`\n")
    (own / "config.md").write_text("`PAYMENT_API_KEY`\n")
    base_policy = POLICY.replace("env-vars: {}", f"env-vars:\n    external_docs: ['{site}']")
    head_policy = base_policy.replace(f"['{site}']", f"['{site}', '{own}']")
    head = {"app/pay.py": READ, ".github/gatekeeper.yml": head_policy}
    verdict = attack(base_policy, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert str(own) not in text_of(verdict)


def test_a_link_inside_the_docs_folder_is_not_read(attack: AttackFactory, tmp_path: Path) -> None:
    """A docs checkout holding a link to a file elsewhere on the runner (one that names
    the variable) does not document it: links are never followed."""
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    (site / "docs").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "notes.md").write_text("`PAYMENT_API_KEY`\n")
    (site / "docs" / "index.md").write_text("`OTHER_SETTING`\n")
    os.symlink(elsewhere / "notes.md", site / "docs" / "env.md")
    os.symlink(elsewhere, site / "more")
    policy = POLICY.replace("env-vars: {}", f"env-vars:\n    external_docs: ['{site}']")
    verdict = attack(policy, {"README.md": "x\n"}, {"app/pay.py": READ}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "2 symbolic links not followed" in text_of(verdict)


def test_the_control_the_base_policys_folder_documents_it(
    attack: AttackFactory, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "env.md").write_text("`PAYMENT_API_KEY`\n")
    policy = POLICY.replace("env-vars: {}", f"env-vars:\n    external_docs: ['{site}']")
    verdict = attack(policy, {"README.md": "x\n"}, {"app/pay.py": READ}).judge()
    assert verdict.met, text_of(verdict)


def test_files_the_pr_commits_into_the_docs_folder_are_not_its_documentation(
    attack: AttackFactory,
) -> None:
    """The base names a relative folder the workflow checks the docs out into; the PR
    commits a compose file there that passes its variable through. In the repository a
    nested compose file documents nothing, and in the docs folder it is the change's own
    file, not the checked-out documentation: the variable stays undocumented. (A page the
    PR adds documents its variable anywhere, as the repository's own docs.)"""
    policy = POLICY.replace("env-vars: {}", "env-vars:\n    external_docs: [.external-docs/site]")
    compose = "services:\n  app:\n    environment:\n      - PAYMENT_API_KEY\n"
    head = {
        "app/pay.py": READ,
        ".external-docs/site/dockerfiles/docker-compose.yml": compose,
    }
    verdict = attack(policy, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "1 file the pull request changed" in text_of(verdict)
