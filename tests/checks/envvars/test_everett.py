"""everett's ``ConfigManager``: ``config("key")`` reads ``KEY`` (after its namespace),
when the manager reads the process environment, on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

BASIC = """from everett.manager import ConfigManager

config = ConfigManager.basic_config()
DEBUG = config("debug", default="false")
{new}
"""
EXPLICIT = """from everett.manager import ConfigManager, ConfigOSEnv, ConfigDictEnv

config = ConfigManager([ConfigDictEnv({{}}), ConfigOSEnv()])
{new}
"""
DOCS = {"README.md": "# app\n\nSet `DEBUG` to true for debugging.\n"}
NEW = 'X = config("new_setting", default="a")'


def _undocumented(found: list[Finding]) -> list[str]:
    return [f.message.split()[0] for f in found if f.rule.endswith("undocumented")]


def _run(git_repo: Any, head: str, *, template: str = BASIC, docs: str = "") -> list[str]:
    base = {**DOCS, "app/settings.py": template.format(new="")}
    changed: dict[str, str | None] = {"app/settings.py": template.format(new=head)}
    if docs:
        changed["README.md"] = DOCS["README.md"] + docs
    return _undocumented(run_on_git(git_repo, base, changed))


def test_a_new_key_of_the_basic_config_is_an_undocumented_variable(git_repo: Any) -> None:
    assert _run(git_repo, NEW) == ["NEW_SETTING"]


def test_a_namespace_goes_before_the_key(git_repo: Any) -> None:
    head = 'X = config("host", namespace="redis")'
    assert _run(git_repo, head, template=EXPLICIT) == ["REDIS_HOST"]


def test_a_documented_key_is_quiet(git_repo: Any) -> None:
    assert _run(git_repo, NEW, docs="Set `NEW_SETTING` to change it.\n") == []


def test_a_key_read_at_base_is_quiet(git_repo: Any) -> None:
    base = {**DOCS, "app/settings.py": BASIC.format(new=NEW)}
    head: dict[str, str | None] = {"app/settings.py": BASIC.format(new=NEW + "\nY = 1")}
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_a_manager_without_the_process_environment_reads_no_variable(git_repo: Any) -> None:
    for template in (
        "from everett.manager import ConfigManager\n"
        "config = ConfigManager.from_dict({{}})\n{new}\n",
        "from everett.manager import ConfigManager, ConfigDictEnv\n"
        "config = ConfigManager([ConfigDictEnv({{}})])\n{new}\n",
    ):
        assert _run(git_repo, NEW, template=template) == []


def test_a_computed_namespace_names_no_variable(git_repo: Any) -> None:
    head = 'import sys\nX = config("host", namespace=sys.argv[1])'
    assert _run(git_repo, head) == []


def test_another_librarys_config_call_is_no_everett_read(git_repo: Any) -> None:
    template = "from myapp.conf import config\n{new}\n"
    assert _run(git_repo, NEW, template=template) == []
