"""A table cell describing a setting that ends by naming its variable (helm-docs'
``| server.port | int | `6006` | Port of the web UI (PHOENIX_PORT) |``) documents the
variable; the same words elsewhere do not. On real git repositories."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

CODE = 'import os\n\nPORT = os.environ.get("APP_PORT")\n{new}\n'
NEW = 'EXTERNAL = os.environ.get("APP_ALLOW_EXTERNAL_RESOURCES")'
TABLE = (
    "| Key | Type | Default | Description |\n|-----|------|---------|-------------|\n"
    "| server.port | int | `6006` | Port for the web UI (`APP_PORT`) |\n{row}"
)


def _undocumented(git_repo: Any, readme: str) -> list[str]:
    base = {"helm/README.md": TABLE.format(row=""), "app/config.py": CODE.format(new="")}
    head: dict[str, str | None] = {"app/config.py": CODE.format(new=NEW), "helm/README.md": readme}
    found = run_on_git(git_repo, base, head)
    return [f.message.split()[0] for f in found if f.rule.endswith("undocumented")]


def test_a_cell_ending_with_the_name_in_parentheses_documents_it(git_repo: Any) -> None:
    row = (
        "| server.allowExternalResources | bool | `true` | Allows calls to external "
        "resources (APP_ALLOW_EXTERNAL_RESOURCES) |\n"
    )
    assert _undocumented(git_repo, TABLE.format(row=row)) == []


def test_the_name_inside_a_cells_sentence_documents_nothing(git_repo: Any) -> None:
    row = "| server.x | bool | `true` | Unlike APP_ALLOW_EXTERNAL_RESOURCES, harmless |\n"
    assert _undocumented(git_repo, TABLE.format(row=row)) == ["APP_ALLOW_EXTERNAL_RESOURCES"]


def test_the_name_in_parentheses_outside_a_table_documents_nothing(git_repo: Any) -> None:
    prose = TABLE.format(row="") + "\nExternal calls are on (APP_ALLOW_EXTERNAL_RESOURCES)\n"
    assert _undocumented(git_repo, prose) == ["APP_ALLOW_EXTERNAL_RESOURCES"]


def test_an_html_table_cells_code_element_documents_the_name(git_repo: Any) -> None:
    # speedtest-tracker-docs: GitBook saves its tables as HTML, names in <code>
    html = (
        '<table><thead><tr><th width="218">Name</th><th>Description</th></tr></thead><tbody>'
        "<tr><td><code>APP_ALLOW_EXTERNAL_RESOURCES</code></td><td>Allows external calls."
        "</td></tr></tbody></table>\n"
    )
    assert _undocumented(git_repo, TABLE.format(row="") + "\n" + html) == []
    # and so does a cell that holds nothing but the name, as its older pages wrote it
    bare = html.replace("<code>APP_ALLOW_EXTERNAL_RESOURCES</code>", "APP_ALLOW_EXTERNAL_RESOURCES")
    assert _undocumented(git_repo, TABLE.format(row="") + "\n" + bare) == []


def test_a_name_in_html_without_a_code_element_documents_nothing(git_repo: Any) -> None:
    html = (
        "<table><tbody><tr><td>Unlike APP_ALLOW_EXTERNAL_RESOURCES, harmless</td>"
        "<td><code>APP_</code></td><td><code>app allow</code></td></tr></tbody></table>\n"
    )
    found = _undocumented(git_repo, TABLE.format(row="") + "\n" + html)
    assert found == ["APP_ALLOW_EXTERNAL_RESOURCES"]
