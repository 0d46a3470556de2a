"""django-configurations settings (``values.Value(environ_name="X", environ_prefix=None)``):
each value the change adds reads the variable its keywords name, and La Suite's
``env.d/<stage>/<service>.dist`` templates document what they set. On real git
repositories (suitenumerique/docs 1d9c2a8118, 5cdbdbf215, c11d59c434)."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

SETTINGS = (
    "from configurations import Configuration, values\n\n\n"
    "class Base(Configuration):\n"
    '    DEBUG = values.BooleanValue(False, environ_name="DEBUG", environ_prefix=None)\n'
    "{new}"
)
NEW = (
    "    SEARCH_INDEXER_URL = values.Value(\n"
    '        default=None, environ_name="SEARCH_INDEXER_URL", environ_prefix=None\n'
    "    )\n"
)
DOCS = "# Environment variables\n\n| Option | Description |\n|---|---|\n| DEBUG | debug |\n"


def _undocumented(git_repo: Any, new: str = NEW, head: dict[str, str] | None = None) -> list[str]:
    base = {"src/app/settings.py": SETTINGS.format(new=""), "docs/env.md": DOCS}
    changed = {"src/app/settings.py": SETTINGS.format(new=new), **(head or {})}
    found = run_on_git(git_repo, base, changed)
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


def test_a_new_value_reads_the_variable_it_names(git_repo: Any) -> None:
    assert _undocumented(git_repo) == ["SEARCH_INDEXER_URL"]


def test_docs_or_an_env_d_template_naming_it_document_it(git_repo: Any) -> None:
    docs = {"docs/env.md": DOCS + "| SEARCH_INDEXER_URL | where to index |\n"}
    assert _undocumented(git_repo, head=docs) == []
    dist = {"env.d/development/common.dist": "DEBUG=1\nSEARCH_INDEXER_URL=http://find\n"}
    assert _undocumented(git_repo, head=dist) == []


def test_a_dist_file_outside_an_env_d_folder_documents_nothing(git_repo: Any) -> None:
    dist = {"config/common.dist": "SEARCH_INDEXER_URL=http://find\n"}
    assert _undocumented(git_repo, head=dist) == ["SEARCH_INDEXER_URL"]


def test_the_prefix_and_the_setting_name_when_no_name_is_given(git_repo: Any) -> None:
    # django-configurations' default: DJANGO_ before the setting's own name
    assert _undocumented(git_repo, new="    THROTTLE = values.Value('1/s')\n") == [
        "DJANGO_THROTTLE"
    ]
    named = "    THROTTLE = values.Value('1/s', environ_prefix='IMPRESS')\n"
    assert _undocumented(git_repo, new=named) == ["IMPRESS_THROTTLE"]
    # a value nested in a dict has only the name it is given
    nested = (
        '    CACHES = {"default": {"KEY_PREFIX": values.Value(\n'
        '        environ_name="CACHES_KEY_PREFIX", environ_prefix=None)}}\n'
    )
    assert _undocumented(git_repo, new=nested) == ["CACHES_KEY_PREFIX"]


def test_what_reads_no_variable(git_repo: Any) -> None:
    # environ=False keeps a value out of the environment; a computed name is not guessed
    assert _undocumented(git_repo, new="    X_MODE = values.Value('a', environ=False)\n") == []
    computed = "    X_MODE = values.Value('a', environ_name=NAME, environ_prefix=None)\n"
    assert _undocumented(git_repo, new=computed) == []
    # a module that does not import django-configurations: Value is someone else's class
    plain = (
        "from app.values import Value\n\n"
        'X_MODE = Value("a", environ_name="X_MODE", environ_prefix=None)\n'
    )
    base = {"src/app/other.py": "A = 1\n", "docs/env.md": DOCS}
    found = run_on_git(git_repo, base, {"src/app/other.py": plain})
    assert [f for f in found if f.rule == "undocumented"] == []
