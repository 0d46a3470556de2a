"""Documentation shapes of round 32's repositories, each with a case that documents and
one that must not: a Markdown table without its outer pipes (Claper's configuration
guide), a hyphenated ``.env-template`` (chartbrew's), a root ``.env.server`` that the
README tells self-hosters to copy (trieve's), and a Rust macro named for the
environment (trieve's ``get_env!``). On real git repositories."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

PY = 'import os\n\nPORT = os.environ.get("APP_PORT")\n{new}\n'
NEW = 'KEY = os.environ.get("APP_POSTMARK_KEY")'
GUIDE = (
    "# Configuration\n\nVariable | Values | Default | Description\n--- | --- | --- | ---\n"
    "APP_PORT | - | 4000 | Port\n{row}\n"
)


def _undocumented(git_repo: Any, base: dict[str, str], head: dict[str, str | None]) -> list[str]:
    found = run_on_git(git_repo, base, head)
    return sorted(f.message.split()[0] for f in found if f.rule.endswith("undocumented"))


def _guide(git_repo: Any, guide: str) -> list[str]:
    base = {"guides/configuration.md": GUIDE.format(row=""), "app/config.py": PY.format(new="")}
    head: dict[str, str | None] = {
        "guides/configuration.md": guide,
        "app/config.py": PY.format(new=NEW),
    }
    return _undocumented(git_repo, base, head)


def test_a_row_of_a_table_without_outer_pipes_documents_the_name(git_repo: Any) -> None:
    row = "APP_POSTMARK_KEY | - | - | Postmark API key"
    assert _guide(git_repo, GUIDE.format(row=row)) == []


def test_a_line_with_a_pipe_outside_a_table_documents_nothing(git_repo: Any) -> None:
    # the same line after the table has ended (a blank line), or in prose with no
    # delimiter row above it, is no table row
    after = GUIDE.format(row="") + "\nAPP_POSTMARK_KEY | - | - | Postmark API key\n"
    assert _guide(git_repo, after) == ["APP_POSTMARK_KEY"]


def _env_file(git_repo: Any, files: dict[str, str]) -> list[str]:
    base = {"README.md": "# App\n", "app/config.py": PY.format(new="")}
    head: dict[str, str | None] = {**files, "app/config.py": PY.format(new=NEW)}
    return _undocumented(git_repo, base, head)


def test_a_hyphenated_env_template_documents_the_name(git_repo: Any) -> None:
    template = "# Postmark's key, for sending mail\nAPP_POSTMARK_KEY=\n"
    assert _env_file(git_repo, {".env-template": template}) == []


def test_a_file_that_is_no_template_by_its_name_documents_nothing(git_repo: Any) -> None:
    template = "# Postmark's key, for sending mail\nAPP_POSTMARK_KEY=\n"
    assert _env_file(git_repo, {"config/values.txt": template}) == ["APP_POSTMARK_KEY"]


def test_a_root_env_file_the_readme_says_to_copy_documents_the_name(git_repo: Any) -> None:
    server = "APP_PORT=8090\nAPP_POSTMARK_KEY=\n"
    readme = "# App\n\n```sh\ncp .env.server ./server/.env\n```\n"
    assert _env_file(git_repo, {".env.server": server, "README.md": readme}) == []


def test_a_root_env_file_nobody_names_documents_nothing(git_repo: Any) -> None:
    server = "APP_PORT=8090\nAPP_POSTMARK_KEY=\n"
    assert _env_file(git_repo, {".env.server": server}) == ["APP_POSTMARK_KEY"]


def test_a_committed_env_the_readme_names_documents_nothing(git_repo: Any) -> None:
    server = "APP_PORT=8090\nAPP_POSTMARK_KEY=\n"
    readme = "# App\n\nEdit .env to taste.\n"
    assert _env_file(git_repo, {".env": server, "README.md": readme}) == ["APP_POSTMARK_KEY"]


RS = 'fn main() {{\n    let port = std::env::var("APP_PORT");\n    {new}\n}}\n'


def _rust(git_repo: Any, new: str) -> list[str]:
    base = {"README.md": "`APP_PORT`: the port\n", "src/main.rs": RS.format(new="")}
    head: dict[str, str | None] = {"src/main.rs": RS.format(new=new)}
    return _undocumented(git_repo, base, head)


def test_a_macro_named_for_the_environment_reads_the_variable(git_repo: Any) -> None:
    new = 'let url = get_env!("APP_CLICKHOUSE_URL", "APP_CLICKHOUSE_URL should be set");'
    assert _rust(git_repo, new) == ["APP_CLICKHOUSE_URL"]


def test_other_macros_given_an_upper_case_literal_read_nothing(git_repo: Any) -> None:
    new = 'println!("APP_CLICKHOUSE_URL"); set_env!("APP_SET_HERE", "1");'
    assert _rust(git_repo, new) == []


def test_prose_pipes_before_a_table_are_no_rows(git_repo: Any) -> None:
    prose = "# Configuration\n\nAPP_POSTMARK_KEY | not yet\n\nAPP_PORT | 4000\n"
    assert _guide(git_repo, prose) == ["APP_POSTMARK_KEY"]
