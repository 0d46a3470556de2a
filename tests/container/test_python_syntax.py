"""The image's Python reads the syntax of current Python: bandit scans it, not fails closed.

The security check parses changed files with the image's Python. On the 3.11 base, files in
3.12 syntax (saleor's ``class BaseContext[N]:``, Tandoor's f-strings) blocked as
``security/python-unparseable``; on the 3.13 base they are scanned like any other file,
while syntax newer than the image's Python (a template string, 3.14) still blocks. PEP 758's
bare except lists (3.14) are scanned with brackets added, which means the same.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.container.conftest import hand_to_runner, run_step, write_event
from tests.github.fakegithub import TOKEN, FakeGitHub

pytestmark = [pytest.mark.container, pytest.mark.slow]

#: PEP 695 type parameters and a ``type`` alias (Python 3.12), and a PEP 701 f-string that
#: reuses its quotes: none of it parses on 3.11
GENERIC = (
    "type Pair = tuple[int, int]\n"
    "\n"
    "\n"
    "def first[T](xs: list[T]) -> T:\n"
    "    return xs[0]\n"
    "\n"
    "\n"
    "def swap(pair: Pair) -> Pair:\n"
    "    return (pair[1], pair[0])\n"
    "\n"
    "\n"
    "def joined(names: list[str]) -> str:\n"
    '    return f"{", ".join(names)}"\n'
)
#: a finding bandit can only report if it parsed the 3.12 syntax around it
SHELL = (
    "import subprocess\n\n\n"
    "def run[T](cmd: T) -> int:\n"
    "    return subprocess.call(cmd, shell=True)\n"
)
#: PEP 750 (Python 3.14): newer than the image's Python, so still unparseable there
TEMPLATE_314 = 'def page(name):\n    return t"<p>{name}</p>"\n'
#: PEP 758 (Python 3.14), around a finding bandit reports once it reads the file
EXCEPT_314 = (
    "import subprocess\n\n\n"
    "def parse(s):\n"
    "    try:\n"
    "        return subprocess.call(s, shell=True)\n"
    "    except ValueError, TypeError:\n"
    "        return None\n"
)


def _judge(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, files: dict[str, str]
) -> tuple[int, str, dict[str, str], list[tuple[str, str]]]:
    """The image's verdict on a PR adding ``files``: exit code, log, outputs, and the
    check run's annotations as (path, "title: message")."""
    base = git_repo.commit({"README.md": "A library.\n", "pkg/__init__.py": ""}, "base")
    git_repo.git("checkout", "-q", "-b", "agent/change")
    head = git_repo.commit(files, "add helpers")
    hand_to_runner(git_repo.root)
    write_event(tmp_path, 7, base, head)
    env = {
        "GITHUB_API_URL": github.url,
        "INPUT_TOKEN": TOKEN,
        "GITHUB_EVENT_NAME": "pull_request",
        "INPUT_COMMENT": "false",
    }
    job = run_step(image, tmp_path, git_repo.root, env)
    (run,) = github.check_runs.values()
    found = [(a["path"], f"{a['title']}: {a['message']}") for a in run["annotations"]]
    return job.code, job.log, job.outputs, found


def test_the_image_runs_python_3_13_or_newer(image: str) -> None:
    shown = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--entrypoint",
            "python",
            image,
            "-c",
            "import sys; print('%d.%d' % sys.version_info[:2])",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    major, minor = shown.stdout.strip().split(".")
    assert (int(major), int(minor)) >= (3, 13), shown.stdout


def test_a_file_in_python_3_12_syntax_is_scanned_and_passes(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    code, log, outputs, found = _judge(
        image, tmp_path, github, git_repo, {"pkg/generic.py": GENERIC}
    )
    assert [f for f in found if "unparseable" in f[1] or "not-scanned" in f[1]] == [], found
    assert code == 0, log
    assert outputs["met"] == "true" and outputs["blocking-count"] == "0", outputs
    assert "Traceback" not in log


def test_bandit_reads_new_syntax_and_syntax_newer_than_the_image_still_blocks(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    code, log, outputs, found = _judge(
        image,
        tmp_path,
        github,
        git_repo,
        {"pkg/shell.py": SHELL, "pkg/parse.py": EXCEPT_314, "pkg/page.py": TEMPLATE_314},
    )
    assert code == 1, log
    assert outputs["met"] == "false"
    shell = [text for path, text in found if path == "pkg/shell.py"]
    parse = [text for path, text in found if path == "pkg/parse.py"]
    page = [text for path, text in found if path == "pkg/page.py"]
    assert any("bandit-b602" in text for text in shell), found
    assert not any("unparseable" in text for text in shell), found
    assert any("bandit-b602" in text for text in parse), found
    assert not any("unparseable" in text for text in parse), found
    (unparseable,) = [text for text in page if "python-unparseable" in text]
    assert "3.14" in unparseable and "PEP 750" in unparseable, unparseable
    assert "Traceback" not in log
