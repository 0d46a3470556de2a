"""A Flask config class the app loads with ``from_object`` and then overrides from the
environment with ``from_prefixed_env``: each key the change adds to the class is a
variable under the prefix, documented by either name (gramps-web-api 546423dbcd added
``EMAIL_USE_SSL`` to ``DefaultConfig``, read as ``GRAMPSWEB_EMAIL_USE_SSL``). On real git
repositories."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

CONFIG = 'class DefaultConfig(object):\n    """Defaults."""\n\n    EMAIL_HOST = "localhost"\n{new}'
NEW = "    EMAIL_USE_SSL = None\n"
APP = (
    "from flask import Flask\n\nfrom .config import DefaultConfig\n\n\n"
    "def create_app():\n    app = Flask(__name__)\n    app.config.from_object(DefaultConfig)\n"
    "{load}    return app\n"
)
PREFIXED = '    app.config.from_prefixed_env(prefix="GRAMPSWEB")\n'
DOCS = (
    "# Configuration\n\nSet any key as `GRAMPSWEB_<KEY>`.\n\n"
    "| key | |\n|---|---|\n| EMAIL_HOST | the host |\n{more}"
)


def _undocumented(git_repo: Any, load: str = PREFIXED, more: str = "", new: str = NEW) -> list[str]:
    base = {
        "webapi/__init__.py": "",
        "webapi/app.py": APP.format(load=load),
        "webapi/config.py": CONFIG.format(new=""),
        "docs/config.md": DOCS.format(more=""),
    }
    head = {"webapi/config.py": CONFIG.format(new=new), "docs/config.md": DOCS.format(more=more)}
    found = run_on_git(git_repo, base, head)
    return [f.message.split()[0] for f in found if f.rule == "undocumented"]


def test_a_new_key_of_a_prefixed_config_class_is_a_variable(git_repo: Any) -> None:
    assert _undocumented(git_repo) == ["GRAMPSWEB_EMAIL_USE_SSL"]


def test_flasks_own_prefix_when_the_call_names_none(git_repo: Any) -> None:
    load = "    app.config.from_prefixed_env()\n"
    assert _undocumented(git_repo, load=load) == ["FLASK_EMAIL_USE_SSL"]


def test_the_key_documented_by_either_name_is_enough(git_repo: Any) -> None:
    for more in ("| EMAIL_USE_SSL | implicit TLS |\n", "`GRAMPSWEB_EMAIL_USE_SSL=true`\n"):
        assert _undocumented(git_repo, more=more) == []


def test_without_the_prefixed_environment_a_config_key_is_no_variable(git_repo: Any) -> None:
    # from_object alone: the class is the app's defaults, nothing reads the environment
    assert _undocumented(git_repo, load="") == []
    # lower-case attributes and methods are no config keys
    helper = "    def keys(self):\n        return []\n    timeout = 3\n"
    assert _undocumented(git_repo, new=helper) == []
