"""Round-trip Alembic revisions through the project's own ``alembic.ini`` and ``env.py``.

That is how the application runs them: ``env.py`` imports the models, reads settings and
the database URL, and configures the migration context (``autocommit_block()``, the
version table, naming conventions). The gate points it at a scratch database three ways
at once, since ``env.py`` files read the URL in different places: the config's
``sqlalchemy.url``, the environment variables of ``checks.migrations.environment``
(``DATABASE_URL`` by default), and the variables taken from the job's own environment
(``pass_env``). It all runs in child processes (:mod:`.child`), one per step of the
round trip, in the folder of ``alembic.ini``, with the project's folders importable after
the gate's own; the gate snapshots the database between steps (without the version
table) and compares.

The application's imports work where the project is installed: the in-job action runs
the gate in the job's own Python. When ``env.py`` cannot be loaded, the reason and the
way to make it load are reported.
"""

from __future__ import annotations

import configparser
import os
import posixpath
import string
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import child, engines, roundtrip
from gatekeeper.checks.migrations.alembic_run import (
    CHILD_MODULE,
    Revision,
    short_error,
    sure_change,
)
from gatekeeper.checks.migrations.catalog import Database, EngineError, WithoutTable
from gatekeeper.checks.migrations.engines import Engines
from gatekeeper.checks.migrations.roundtrip import Problem, Unit
from gatekeeper.checks.migrations.sqlite import is_unsupported

#: how to make a project round trip run, said after each reason it could not
HOW_TO = (
    "the round trip runs the project's env.py, so the application must be importable where "
    "the gate runs: use the in-job action (<org>/gatekeeper/in-job@v1) after the job "
    "installs the project (pip install -e . or its requirements); name the variables env.py "
    "needs in checks.migrations.environment (values; {url} is the scratch database) or "
    "checks.migrations.pass_env (taken from the job); or set checks.migrations.alembic.mode: "
    "isolated when the revisions import only alembic and sqlalchemy"
)


@dataclass(frozen=True)
class Project:
    """Where the project's Alembic configuration lives (paths in the repository)."""

    ini: str
    script: str


def find(changes: ChangeSet, versions: str, configured: str | None = None) -> Project | None:
    """The ``alembic.ini`` whose script folder (holding ``env.py``) serves ``versions``:
    the configured one, else the nearest one in ``versions``' folder or above it."""
    if configured:
        candidates = [configured]
    else:
        candidates, folder = [], versions
        while True:
            candidates.append(posixpath.join(folder, "alembic.ini") if folder else "alembic.ini")
            if not folder:
                break
            folder = posixpath.dirname(folder)
    for ini in candidates:
        script = _script_location(changes.text_at_head(ini), posixpath.dirname(ini))
        if script is None or changes.bytes_at_head(posixpath.join(script, "env.py")) is None:
            continue
        if configured or versions == script or versions.startswith(script + "/"):
            return Project(ini, script)
    return None


def _script_location(text: str | None, here: str) -> str | None:
    """The repository path ``script_location`` names, relative to the ini's folder (the
    child runs there, as alembic is usually run); None for a package resource."""
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
        raw = parser.get("alembic", "script_location", fallback="").strip()
    except configparser.Error:
        return None
    raw = raw.replace("%(here)s", ".").replace("%%", "%")
    if not raw or ":" in raw or raw.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(here or ".", raw))
    return "" if joined == "." else joined


def run(
    project: Project,
    revisions: list[Revision],
    dbs: Engines,
    how: tuple[Path, float, Path],
    environment: Mapping[str, str],
    passed: Mapping[str, str],
) -> child.Answer:
    """Round-trip the new revisions through the project, one child per step (the schema
    is compared here); ``how`` is (scratch folder, time limit, checkout)."""
    folder, timeout, checkout = how
    new = [r for r in revisions if r.new]
    stale = [r.path for r in new if not _on_disk(checkout, r)]
    if stale:
        why = (
            f"{stale[0]} on disk differs from the head commit: a round trip through env.py "
            "runs the files of the checkout, so check out the head being judged"
        )
        return child.Answer([Problem(r.path, False, why) for r in new])
    if not new:
        return child.Answer()
    ini = checkout / project.ini
    job = {
        "kind": "project",
        "ini": str(ini),
        "paths": [str(checkout), str(ini.parent)],
        "environment": dict(environment),
        "revisions": [asdict(r) for r in revisions],
    }
    spawn = child.Spawn(CHILD_MODULE, folder, timeout, checkout, ini.parent, dict(passed))
    steps = child.Steps(job, spawn)
    # the parent state: every revision the first new one builds on, applied by Alembic
    parents = new[0].parents
    before = [Unit("", steps.step({"action": "chain", "targets": parents}), None)]
    units = [
        Unit(
            r.path,
            steps.step({"action": "up", "target": r.revision}),
            steps.step({"action": "down", "target": _down_to(r)}) if r.provable else None,
            sure_change(r),
        )
        for r in new
    ]
    opened = partial(_opened, steps, dbs)
    problems = roundtrip.run(opened, before if parents else [], units)
    first = steps.first
    if first is not None and first.unloadable:
        return child.Answer(unloadable=first.unloadable)
    return child.Answer(problems)


def _opened(steps: child.Steps, dbs: Engines) -> Database:
    return WithoutTable(steps.open(dbs), "alembic_version")


def _on_disk(checkout: Path, revision: Revision) -> bool:
    try:
        return (checkout / revision.path).read_bytes() == revision.source.encode("utf-8")
    except OSError:
        return False


def passed_environment(names: list[str]) -> dict[str, str]:
    """The job's own values of the variables the policy passes on (``pass_env``);
    credentials are dropped whatever the policy says (the sandbox filters them again)."""
    return {n: os.environ[n] for n in names if n in os.environ}


def render(template: str, url: str, parts: Mapping[str, str]) -> str:
    """A value of ``environment`` with ``{url}``, ``{host}``, ``{port}``, ``{user}``,
    ``{password}``, ``{database}`` filled from the scratch database."""
    values = {"url": url, **parts}
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    unknown = names - set(values)
    if unknown:
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} in {template!r}")
    return template.format(**values)


# --- child side --------------------------------------------------------------------------


def run_in_child(job: dict[str, Any]) -> tuple[EngineError | None, str]:
    """Load the project and do the job's step (in the child process): (the step's
    failure or None, why env.py cannot be loaded or "")."""
    from alembic import command
    from alembic.config import Config

    try:
        db = engines.attach(job["db"])
        url = db.sqlalchemy_url()
    except Exception as exc:  # the database cannot be reached: say so, do not crash
        return EngineError(f"{type(exc).__name__}: {exc}", unsupported=True), ""
    for name, template in job["environment"].items():
        os.environ[name] = render(template, url, db.params())
    config = Config(job["ini"])
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    try:
        command.current(config)  # imports env.py and connects: the project loads, or not
    except BaseException as exc:  # whatever env.py raises means it cannot be loaded here
        return None, f"env.py could not run: {short_error(exc)}"
    step = job["step"]
    calls: dict[str, Callable[[], object]] = {
        "chain": lambda: _upgrade_all(config, step.get("targets", [])),
        "up": lambda: command.upgrade(config, step["target"]),
        "down": lambda: command.downgrade(config, step["target"]),
    }
    try:
        _step(calls[step["action"]])(None)
    except EngineError as exc:
        return exc, ""
    return None, ""


def _upgrade_all(config: Any, targets: list[str]) -> None:
    from alembic import command

    for target in targets:
        command.upgrade(config, target)


def _down_to(r: Revision) -> str:
    """Where downgrading one revision goes: its parent, the base, or one step back from a
    merge point."""
    if not r.parents:
        return "base"
    return r.parents[0] if len(r.parents) == 1 else "-1"


def _step(call: Callable[[], object]) -> Callable[[object], None]:
    def step(_db: object) -> None:
        try:
            call()
        except BaseException as exc:  # the revision's (or env.py's) own failure
            if isinstance(exc, KeyboardInterrupt):
                raise
            message = short_error(exc)
            unsupported = isinstance(exc, ImportError) or is_unsupported(message)
            raise EngineError(message, unsupported=unsupported) from exc

    return step
