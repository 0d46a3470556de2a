"""A Django settings module handed to dynaconf (``DjangoDynaconf(__name__, ...)``): each
setting the change adds is a variable under the prefix, documented by either name; and the
Markdown forms pulpcore's settings reference writes names in (escaped underscores, several
names in one heading). On real git repositories."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

SETTINGS = (
    "from dynaconf import DjangoDynaconf\n\n"
    "CONTENT_ORIGIN = None\n{new}\n"
    'settings = DjangoDynaconf(__name__, ENVVAR_PREFIX_FOR_DYNACONF="PULP")\n'
)
NEW = "ENABLE_V4_API = False\n"
DOCS = "# Settings\n\n## CONTENT\\_ORIGIN\n\nWhere content is served.\n{more}"


def _undocumented(
    git_repo: Any, head: dict[str, str | None], settings: str = SETTINGS
) -> list[str]:
    base = {
        "pulpcore/app/settings.py": settings.format(new=""),
        "docs/settings.md": DOCS.format(more=""),
    }
    found = run_on_git(
        git_repo, base, {"pulpcore/app/settings.py": settings.format(new=NEW), **head}
    )
    return [f.message.split()[0] for f in found if f.rule == "undocumented"]


def test_a_new_setting_of_a_dynaconf_settings_module_is_a_prefixed_variable(
    git_repo: Any,
) -> None:
    # pulpcore 8eb6122b4c: ENABLE_V4_API, overridable as PULP_ENABLE_V4_API, in no docs
    assert _undocumented(git_repo, {}) == ["PULP_ENABLE_V4_API"]


def test_the_settings_reference_naming_it_documents_it(git_repo: Any) -> None:
    # pulpcore writes every underscore of a heading escaped: ### ENABLE\_V4\_API
    # (the same heading with another name leaves it undocumented: the docs decide)
    other = "\n### ENABLE\\_V5\\_API\n\nTurns on /v5/.\n"
    assert _undocumented(git_repo, {"docs/settings.md": DOCS.format(more=other)}) == [
        "PULP_ENABLE_V4_API"
    ]
    for more in ("\n### ENABLE\\_V4\\_API\n\nTurns on /v4/.\n", "\n`PULP_ENABLE_V4_API=true`\n"):
        assert _undocumented(git_repo, {"docs/settings.md": DOCS.format(more=more)}) == []


def test_a_heading_naming_several_settings_documents_each(git_repo: Any) -> None:
    # pulpcore 455ce9a844: ### UPLOAD_PROTECTION_TIME, TMPFILE_PROTECTION_TIME and ...
    more = "\n### UPLOAD_PROTECTION_TIME, ENABLE_V4_API and TMPFILE_PROTECTION_TIME\n"
    assert _undocumented(git_repo, {"docs/settings.md": DOCS.format(more=more)}) == []
    # a heading that only mentions a name in words documents nothing
    prose = "\n### How ENABLE_V4_API changes the API\n"
    assert _undocumented(git_repo, {"docs/settings.md": DOCS.format(more=prose)}) == [
        "PULP_ENABLE_V4_API"
    ]


def test_an_ordinary_settings_module_defines_no_variables(git_repo: Any) -> None:
    plain = "CONTENT_ORIGIN = None\n{new}\n"
    assert _undocumented(git_repo, {}, settings=plain) == []


def test_the_default_prefix_and_what_is_no_setting(git_repo: Any) -> None:
    settings = (
        "from dynaconf import DjangoDynaconf\n\n{new}_private = 1\nlower = 2\n"
        "settings = DjangoDynaconf(__name__)\n"
    )
    assert _undocumented(git_repo, {}, settings=settings) == ["DJANGO_ENABLE_V4_API"]
