"""Airflow's ``conf.get("section", "option")``: an option of the project's own section is a
setting (``AIRFLOW__SECTION__OPTION``), documented by the ``airflow.cfg`` sample under that
section; on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

DAG = """from airflow.configuration import conf

WEB = conf.get("opencve", "web_base_url")
{new}
"""
SAMPLE = """[core]
dags_folder = /opt/airflow/dags
max_tasks = 4

[opencve]
# The base URL of the webserver
web_base_url = http://localhost
{extra}
"""
NEW = 'LIMIT = conf.getint("opencve", "max_tasks")'


def _undocumented(found: list[Finding]) -> list[str]:
    return [f.message.split()[0] for f in found if f.rule.endswith("undocumented")]


def _run(git_repo: Any, head: str, *, extra: str = "", sample: str = "airflow.cfg.example",
         template: str = DAG) -> list[str]:  # fmt: skip
    base = {sample: SAMPLE.format(extra=""), "dags/app.py": template.format(new="")}
    changed: dict[str, str | None] = {"dags/app.py": template.format(new=head)}
    if extra:
        changed[sample] = SAMPLE.format(extra=extra)
    return _undocumented(run_on_git(git_repo, base, changed))


def test_a_new_option_of_the_projects_section_is_an_undocumented_setting(git_repo: Any) -> None:
    # ``max_tasks`` is set in the sample, but under [core]: not this option
    assert _run(git_repo, NEW) == ["AIRFLOW__OPENCVE__MAX_TASKS"]


def test_the_message_names_the_configuration_key(git_repo: Any) -> None:
    base = {"airflow.cfg": SAMPLE.format(extra=""), "dags/app.py": DAG.format(new="")}
    found = run_on_git(git_repo, base, {"dags/app.py": DAG.format(new=NEW)})
    assert [f.message for f in found if f.rule.endswith("undocumented")] == [
        "AIRFLOW__OPENCVE__MAX_TASKS is read here (airflow conf.getint()) but documented "
        "nowhere (nor is its configuration key opencve.max_tasks in a config sample)."
    ]


def test_an_option_the_sample_lists_under_its_section_is_documented(git_repo: Any) -> None:
    assert _run(git_repo, NEW, extra="max_tasks = 10\n") == []


def test_an_option_commented_out_under_its_section_is_documented(git_repo: Any) -> None:
    assert _run(git_repo, NEW, extra="# How many tasks run at once\n# max_tasks = 10\n") == []
    assert _run(git_repo, NEW, extra=";max_tasks =\n", sample="deploy/airflow.cfg") == []


def test_the_variable_documented_is_enough(git_repo: Any) -> None:
    base = {"airflow.cfg": SAMPLE.format(extra=""), "dags/app.py": DAG.format(new="")}
    head: dict[str, str | None] = {
        "dags/app.py": DAG.format(new=NEW),
        "README.md": "Set `AIRFLOW__OPENCVE__MAX_TASKS` to bound the tasks.\n",
    }
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_airflows_own_sections_are_airflows_settings(git_repo: Any) -> None:
    head = 'A = conf.get("core", "parallelism")\nB = conf.getboolean("webserver", "rbac")'
    assert _run(git_repo, head) == []


def test_an_option_read_at_base_is_not_new(git_repo: Any) -> None:
    base = {"airflow.cfg": SAMPLE.format(extra=""), "dags/app.py": DAG.format(new=NEW)}
    head: dict[str, str | None] = {"dags/app.py": DAG.format(new=NEW + "\nX = 1")}
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_keywords_and_an_aliased_import_are_read(git_repo: Any) -> None:
    template = "from airflow.configuration import conf as airflow_conf\n{new}\n"
    head = 'LIMIT = airflow_conf.getint(section="opencve", key="max_tasks", fallback=3)'
    assert _run(git_repo, head, template=template) == ["AIRFLOW__OPENCVE__MAX_TASKS"]


def test_another_conf_object_is_no_airflow_read(git_repo: Any) -> None:
    template = "from myapp.settings import conf\n{new}\n"
    assert _run(git_repo, NEW, template=template) == []


def test_a_helpers_parameter_is_not_a_setting(git_repo: Any) -> None:
    head = 'def option(name):\n    return conf.get("opencve", name)\n'
    assert _run(git_repo, head) == []
