"""Modules no test imported: missing from a real coverage.py report, counted as never run.

Each case is a real git repository with a small ``src/`` package; the head's tests run
under coverage.py, as a test job would, and the check reads the JSON report they leave.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.coverage import CoverageCheck
from gatekeeper.checks.coverage.covconfig import Scope, read_scope
from gatekeeper.checks.coverage.unimported import area_of
from gatekeeper.model import Finding, plain_text
from gatekeeper.testing import context, defaults
from tests.conftest import GitRepo

CORE = "def add(a, b):\n    return a + b\n"
TEST_CORE = "from app.core import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
BASE: dict[str, str | bytes | None] = {
    "src/app/__init__.py": '"""The app."""\n',
    "src/app/core.py": CORE,
    "tests/test_core.py": TEST_CORE,
}
FEATURE = '''\
"""A feature the pull request adds."""

# a comment is never measurable


def double(x):
    """Twice x."""
    return x * 2


LIMIT = 10
'''
TEST_FEATURE = "from app.feature import double\n\n\ndef test_double():\n    assert double(2) == 4\n"


def _measure(repo: GitRepo, tests: str = "tests", src: str = "src") -> None:
    """What a test job does: run the tests under coverage.py, write coverage.json."""
    cov = [sys.executable, "-m", "coverage"]
    data = f"--data-file={repo.root.parent / 'data.coverage'}"  # outside the repository
    env = {**os.environ, "PYTHONPATH": str(repo.root / src)}
    run = [*cov, "run", data, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests]
    subprocess.run(run, cwd=repo.root, env=env, check=True, capture_output=True)
    subprocess.run(
        [*cov, "json", data, "-o", "coverage.json"], cwd=repo.root, check=True, capture_output=True
    )


def _run(
    repo: GitRepo,
    head: Mapping[str, str | bytes | None],
    base: Mapping[str, str | bytes | None] = BASE,
    *,
    tests: str = "tests",
    src: str = "src",
    **config: Any,
) -> tuple[list[Finding], Any]:
    base_sha = repo.commit(base, "base")
    head_sha = repo.commit(head, "head")
    _measure(repo, tests, src)
    check = CoverageCheck()
    with changeset_from_git(repo.root, base_sha, head_sha) as changes:
        ctx = context(changes, {**defaults(check), "report": "coverage.json", **config})
        return list(check.run(ctx)), ctx


def _about(found: list[Finding], path: str) -> list[Finding]:
    return [f for f in found if f.location and f.location.path == path]


def test_a_new_untested_module_counts_as_never_run(git_repo: GitRepo) -> None:
    found, ctx = _run(git_repo, {"src/app/feature.py": FEATURE})
    lines = [
        (f.location.start_line, f.location.end_line) for f in _about(found, "src/app/feature.py")
    ]
    # the def (6) and its return (8), LIMIT (11): not the docstrings, comment or blanks
    assert lines == [(6, 6), (8, 8), (11, 11)]
    first = _about(found, "src/app/feature.py")[0]
    assert first.rule == "uncovered-lines"
    assert "not in the coverage report at all (no test imported it)" in first.message
    assert "diff-coverage-below" in [f.rule for f in found]
    assert ctx.summary.startswith("diff coverage 0.00% (0/3 lines)")
    assert "report-matches-nothing" not in [f.rule for f in found]
    assert "src/app/feature.py (not in report)" in plain_text(ctx.details)


def test_the_same_module_imported_by_a_test_passes(git_repo: GitRepo) -> None:
    head = {"src/app/feature.py": FEATURE, "tests/test_feature.py": TEST_FEATURE}
    found, ctx = _run(git_repo, head)
    assert not [f for f in found if f.rule in ("uncovered-lines", "diff-coverage-below")]
    assert ctx.summary.startswith("diff coverage 100.00% (6/6 lines)")  # with the test
    assert "not in report" not in plain_text(ctx.details)


def test_test_helpers_and_migration_revisions_do_not_count(git_repo: GitRepo) -> None:
    head = {
        "tests/factories.py": "def make():\n    return 1\n",
        "src/app/test_x.py": "X = 1\n",
        # the migrations check proves revisions; suites that build the schema skip them
        "src/app/alembic/versions/a1_add_refunds.py": "revision = 'a1'\n",
    }
    found, ctx = _run(git_repo, head)
    # test code is not a candidate: only the old warning that nothing changed is measured
    assert [f.rule for f in found] == ["report-matches-nothing"] and "n/a" in ctx.summary


def test_a_file_the_base_coveragerc_omits_does_not_count(git_repo: GitRepo) -> None:
    base = {
        **BASE,
        ".coveragerc": "[run]\nomit =\n    src/app/settings_prod.py\n    */generated/*\n",
    }
    head = {"src/app/settings_prod.py": "DEBUG = False\n", "src/app/generated/client.py": "X = 1\n"}
    found, ctx = _run(git_repo, head, base)
    assert found == [] and "n/a" in ctx.summary


def test_an_omit_the_pull_request_adds_is_not_honoured(git_repo: GitRepo) -> None:
    # coverage.py runs with the head's configuration, so the report leaves feature.py out
    head = {"src/app/feature.py": FEATURE, "setup.cfg": "[coverage:run]\nomit = */feature.py\n"}
    found, _ctx = _run(git_repo, head)
    assert "diff-coverage-below" in [f.rule for f in found]
    assert len([f for f in _about(found, "src/app/feature.py") if f.rule == "uncovered-lines"]) == 3
    (changed,) = [f for f in found if f.rule == "config-changed"]
    assert "setup.cfg" in changed.message


def test_an_unrelated_change_to_a_config_file_is_no_warning(git_repo: GitRepo) -> None:
    base = {**BASE, "setup.cfg": "[metadata]\nname = app\n\n[coverage:run]\nbranch = true\n"}
    head = {"setup.cfg": "[metadata]\nname = app2\n\n[coverage:run]\nbranch = true\n"}
    found, _ = _run(git_repo, head, base)
    assert "config-changed" not in [f.rule for f in found]


def test_a_docstring_only_init_does_not_count(git_repo: GitRepo) -> None:
    head = {"src/app/sub/__init__.py": '"""A sub-package."""\n'}
    found, ctx = _run(git_repo, head)
    assert found == [] and "n/a" in ctx.summary


def test_unimported_ignore_turns_it_off(git_repo: GitRepo) -> None:
    found, ctx = _run(git_repo, {"src/app/feature.py": FEATURE}, unimported="ignore")
    assert not _about(found, "src/app/feature.py")
    assert "n/a" in ctx.summary


#: a monorepo: two packages with their own metadata; the job measures foo only
MONOREPO: dict[str, str | bytes | None] = {
    **{f"packages/foo/{k}": v for k, v in BASE.items()},
    "packages/foo/pyproject.toml": "[project]\nname = 'foo'\n",
    "packages/bar/pyproject.toml": "[project]\nname = 'bar'\n",
    "packages/bar/bar/__init__.py": "",
}
FOO = {"tests": "packages/foo/tests", "src": "packages/foo/src"}


def test_a_folder_or_package_the_report_never_measures_does_not_count(git_repo: GitRepo) -> None:
    head = {"packages/bar/bar/new.py": FEATURE, "scripts/tool.py": "print('hi')\n"}
    found, ctx = _run(git_repo, head, MONOREPO, **FOO)
    assert [f.rule for f in found] == ["report-matches-nothing"] and "n/a" in ctx.summary


def test_a_new_module_in_the_measured_package_of_a_monorepo_counts(git_repo: GitRepo) -> None:
    found, _ = _run(git_repo, {"packages/foo/src/app/feature.py": FEATURE}, MONOREPO, **FOO)
    assert "diff-coverage-below" in [f.rule for f in found]
    assert area_of("packages/foo/src/app/feature.py", {"packages/foo"}) == "packages/foo"
    assert area_of("scripts/tool.py", {"packages/foo"}) == "scripts"
    assert area_of("setup.py", {"packages/foo"}) == ""


def test_a_root_level_module_counts_only_where_the_report_measures_the_root(
    git_repo: GitRepo,
) -> None:
    base = {"calc.py": CORE, "tests/test_calc.py": TEST_CORE.replace("app.core", "calc")}
    head = {"extra.py": "X = 1\n", "setup.py": "SETUP = 1\n", "docs/conf.py": "Y = 2\n"}
    found, _ = _run(git_repo, head, base, src=".")
    assert [(f.rule, f.location.path) for f in found if f.location] == [
        ("uncovered-lines", "extra.py")
    ]


def test_an_unreadable_base_configuration_counts_every_file_and_says_so(
    git_repo: GitRepo,
) -> None:
    base = {**BASE, ".coveragerc": "[run\nomit = */feature.py\n"}
    head = {"src/app/feature.py": FEATURE, ".coveragerc": "[run]\nbranch = true\n"}
    found, _ = _run(git_repo, head, base)
    (unreadable,) = [f for f in found if f.rule == "config-unreadable"]
    assert ".coveragerc" in unreadable.message and unreadable.location
    assert "diff-coverage-below" in [f.rule for f in found]


def _scope(name: str, text: str, tmp_path: Path) -> Scope:
    return read_scope({name: text}.get, tmp_path)


def test_scope_reads_each_file_coverage_reads(tmp_path: Path) -> None:
    toml = _scope(
        "pyproject.toml",
        '[tool.coverage.run]\nsource = ["app"]\nomit = ["*/settings.py"]\n',
        tmp_path / "a",
    )
    assert toml.file == "pyproject.toml"
    assert toml.measures("src/app/views.py")  # a package name found under src/
    assert not toml.measures("src/app/settings.py")
    assert not toml.measures("tools/gen.py")  # outside source
    tox = _scope("tox.ini", "[coverage:report]\ninclude =\n    src/*\n", tmp_path / "b")
    assert tox.measures("src/app/views.py") and not tox.measures("lib/x.py")
    # another tool's file with no coverage section configures nothing
    plain = _scope("setup.cfg", "[metadata]\nname = x\n", tmp_path / "c")
    assert plain.file is None and plain.measures("anything.py")
    assert plain.exclude_regex and "pragma" in plain.exclude_regex
    rc = _scope(".coveragerc", "[run]\nsource = src\nomit = src/app/migrations/*\n", tmp_path / "d")
    assert rc.measures("src/app/models.py")
    assert not rc.measures("src/app/migrations/0001_initial.py")
    assert not rc.measures("scripts/x.py")


def test_a_pull_request_that_only_widens_omit_is_warned_about(git_repo: GitRepo) -> None:
    # the next pull request would be judged by this omit: a human should see it now
    found, _ = _run(git_repo, {".coveragerc": "[run]\nomit = src/app/*\n"})
    assert [f.rule for f in found if f.rule.startswith("config-")] == ["config-changed"]
    found, _ = _run(git_repo, {".coveragerc": "[run]\nomit = src/*\n"}, unimported="ignore")
    assert not [f for f in found if f.rule.startswith("config-")]
