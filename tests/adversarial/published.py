"""Run the GitHub Action on an attack and collect every text it published."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.github.action import run_action
from tests.adversarial.conftest import Attack
from tests.github.fakegithub import TOKEN, FakeGitHub


@dataclass
class Published:
    """What one run of the action left where people or machines read it."""

    code: int
    log: str
    step_summary: str
    outputs: str
    files: dict[str, str]  # report files it wrote into the workspace
    requests: list[str]  # every string in every request body sent to GitHub
    comment: str
    check_run_summary: str
    annotations: list[dict[str, object]]
    head: str = ""  # the head commit the locations' links point at

    def everything(self) -> str:
        """All of it in one text, for leak assertions."""
        parts = [self.log, self.step_summary, self.outputs, *self.files.values()]
        return "\n".join([*parts, *self.requests])


def run_published(
    case: Attack,
    tmp_path: Path,
    github: FakeGitHub | None,
    *,
    title: str = "Change",
    extra_env: dict[str, str] | None = None,
) -> Published:
    """The action on ``case`` as a ``pull_request`` event; with ``github`` None it runs
    with no token (a fork's pull request), so annotations go to the log."""
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 9,
                    "title": title,
                    "body": "",
                    "user": {"login": "mallory", "type": "User"},
                    "base": {"ref": "main", "sha": case.base},
                    "head": {"ref": "feature", "sha": case.head},
                }
            }
        ),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_WORKSPACE": str(case.repo.root),
        "GITHUB_OUTPUT": str(tmp_path / "outputs"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_SARIF-FILE": "gk.sarif",
        "INPUT_FORMATS": "terminal markdown",
        **(extra_env or {}),
    }
    if github is not None:
        env |= {"GITHUB_API_URL": github.url, "INPUT_TOKEN": TOKEN}
    log = io.StringIO()
    code = run_action(env, stdout=log, sleep=lambda s: None)
    files = {
        name: (case.repo.root / name).read_text(encoding="utf-8")
        for name in ("gatekeeper-report.json", "gk.sarif")
        if (case.repo.root / name).is_file()
    }
    runs = list(github.check_runs.values()) if github else []
    comments = list(github.comments.values()) if github else []
    return Published(
        code=code,
        log=log.getvalue(),
        step_summary=_read(tmp_path / "summary.md"),
        outputs=_read(tmp_path / "outputs"),
        files=files,
        requests=[s for c in github.calls for s in _strings(c.body)] if github else [],
        comment=str(comments[0]["body"]) if comments else "",
        check_run_summary=str(runs[0]["output"]["summary"]) if runs else "",
        annotations=list(runs[0]["annotations"]) if runs else [],
        head=case.head,
    )


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
