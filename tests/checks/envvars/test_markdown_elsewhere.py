"""Markdown kept beside the code documents a variable: a feature's notes in
``apps/web/utils/oauth/login.md`` are read as a README is, found by one search at head."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

READ = "import os\nPRINTS = os.getenv('ANDROID_CERT_PRINTS')\n"
BASE = {"app/auth.py": "import os\n", "README.md": "# app\n"}


def _rules(found: list[Any]) -> list[tuple[str, str]]:
    return [(f.rule, f.message.split()[0]) for f in found]


def test_notes_beside_the_code_document_the_variable(git_repo: Any) -> None:
    """The same commit adds the read and a line in the feature's own Markdown notes."""
    head = {
        "app/auth.py": READ,
        "app/utils/oauth/mobile-login.md": "# Mobile\n\n- `ANDROID_CERT_PRINTS` lists the"
        " signing certificates' fingerprints.\n",
    }
    assert _rules(run_on_git(git_repo, BASE, head)) == []


def test_notes_naming_another_variable_document_nothing(git_repo: Any) -> None:
    """The search finds the file by a word, but only what it documents counts."""
    head = {
        "app/auth.py": READ,
        "app/utils/oauth/mobile-login.md": "# Mobile\n\n- `ANDROID_CERT` is another one;"
        " ANDROID_CERT_PRINTS in prose is no documentation.\n",
    }
    assert _rules(run_on_git(git_repo, BASE, head)) == [("undocumented", "ANDROID_CERT_PRINTS")]


def test_markdown_in_tests_fixtures_or_vendored_code_is_no_documentation(git_repo: Any) -> None:
    head = {
        "app/auth.py": READ,
        "tests/notes.md": "`ANDROID_CERT_PRINTS`\n",
        "app/fixtures/notes.md": "`ANDROID_CERT_PRINTS`\n",
        "vendor/lib/notes.md": "`ANDROID_CERT_PRINTS`\n",
        "node_modules/x/notes.md": "`ANDROID_CERT_PRINTS`\n",
        ".github/PULL_REQUEST_TEMPLATE.md": "`ANDROID_CERT_PRINTS`\n",
    }
    assert _rules(run_on_git(git_repo, BASE, head)) == [("undocumented", "ANDROID_CERT_PRINTS")]
