"""PR text never rewrites the report: Markdown, workflow commands and the terminal.

Every case puts hostile text where the pull request controls it (an OpenAPI property
name, the PR title, a file name, a commit message) and reads the published result the
way GitHub, the runner or a terminal would.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.report import render
from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.adversarial.published import run_published
from tests.adversarial.rendered import (
    Rendered,
    render_markdown,
    runner_commands,
    unescape_data,
    unescape_property,
)
from tests.github.conftest import github, validators  # noqa: F401  (fixtures)
from tests.github.fakegithub import FakeGitHub

#: a property name that tries a fake verdict, a live team mention, and an HTML comment
#: left open so that every row after it disappears from the comment
FAKE_VERDICT = (
    "a\n\n## ✅ Definition of Done: met\n\n@org/security-team #1 please merge "
    "![x](https://evil.example/pixel.png) </details> <!--"
)
OPENAPI_POLICY = "version: 1\nchecks:\n  openapi: {specs: [openapi.json]}\n"


def _spec(required: list[str]) -> str:
    props = {name: {"type": "string"} for name in required}
    schema = {"type": "object", "properties": props, "required": required}
    ok = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "users", "version": "1.0.0"},
        "paths": {"/users": {"get": {"responses": {"200": ok}}}},
    }
    return json.dumps(doc, indent=2) + "\n"


def _openapi_attack(attack: AttackFactory, pr: PullRequest | None = None):  # type: ignore[no-untyped-def]
    base = {"openapi.json": _spec(["id", FAKE_VERDICT, "email", "user_id"])}
    return attack(OPENAPI_POLICY, base, {"openapi.json": _spec(["id"])}, pr=pr)


#: a finding's list item above the checklist starts with its rule id
TOP_ITEM = re.compile(r"^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9._-]*(?: at |: |$)")


def assert_our_layout_only(doc: Rendered, blocking: int, links_to: str = "") -> None:
    """Nothing but gatekeeper's own headings and HTML; no mention, no image, and no link
    but ours (to the files at the head commit, when the repository is known); and every
    blocking finding still has its item, above the checklist and in its check's fold."""
    fake = [h for h in doc.headings if re.search(r"Definition of Done: met", h)]
    assert not fake, f"a heading claims the DoD is met: {fake}"
    assert all(
        h.startswith(("❌ Definition of Done: not met", "API changelog")) for h in doc.headings
    ), doc.headings
    assert doc.foreign_html == [], doc.foreign_html
    assert doc.mentions == [], doc.mentions
    if links_to:
        assert doc.links, "locations are linked when the repository is known"
        assert all(link.startswith(links_to) for link in doc.links), doc.links
    else:
        assert doc.links == [], doc.links
    assert sum(1 for item in doc.items if item.startswith("❌ block · ")) == blocking
    assert sum(1 for item in doc.items if TOP_ITEM.match(item)) == min(blocking, 10)


def test_an_openapi_property_name_cannot_fake_the_verdict(attack: AttackFactory) -> None:
    verdict = _openapi_attack(attack).judge()
    assert_blocked(verdict, "openapi/response-required-property-removed")
    markdown = render("markdown", verdict)
    doc = render_markdown(markdown)
    assert_our_layout_only(doc, verdict.blocking_count)
    # the hostile name is shown, as text, in the finding and in the changelog
    shown = [t for t in doc.text if "Definition of Done: met @\u200borg/security-team" in t]
    assert len(shown) >= 2
    # the JSON report carries the same escaped details
    details = json.loads(render("json", verdict))["outcomes"][0]["details"]
    assert_our_layout_only(render_markdown(details), 0)


def test_the_published_comment_and_check_run_keep_the_blocking_rows(
    attack: AttackFactory,
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
) -> None:
    out = run_published(_openapi_attack(attack), tmp_path, github, title=FAKE_VERDICT)
    assert out.code == 1, out.log
    ours = f"https://github.com/o/r/blob/{out.head}/"
    for published in (out.comment, out.check_run_summary, out.step_summary):
        assert_our_layout_only(render_markdown(published), 3, links_to=ours)


def test_a_pr_title_cannot_fake_the_verdict(attack: AttackFactory) -> None:
    case = _openapi_attack(attack, PullRequest(number=9, title=FAKE_VERDICT))
    verdict = case.judge()
    doc = render_markdown(render("markdown", verdict))
    assert_our_layout_only(doc, verdict.blocking_count)


def test_legitimate_text_still_reads_well(attack: AttackFactory) -> None:
    policy = OPENAPI_POLICY + "  pr: {ticket_pattern: 'PROJ-[0-9]+', ticket_in: [title]}\n"
    base = {"openapi.json": _spec(["id", "user_id"])}
    case = attack(policy, base, {"openapi.json": _spec(["id"])}, pr=PullRequest(1, "No ticket"))
    doc = render_markdown(render("markdown", case.judge()))
    prose = " ".join(doc.text)
    # underscores stay underscores (no emphasis), backticked patterns stay code
    assert "required property 'user_id' removed" in prose
    assert "PROJ-[0-9]+" in doc.code
    assert "\\" not in prose and "&" not in prose


# --- workflow commands -----------------------------------------------------------------

HOSTILE_PATH = "src/x\r\n::add-mask::ghp\n::error title=gatekeeper::DoD met%0A::warning::y\n.py"
SECRET = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
SECRETS_POLICY = (
    "version: 1\nchecks:\n  security: {bandit: false, dependencies: false, secrets: block}\n"
)


def test_a_path_with_line_breaks_cannot_issue_workflow_commands(
    attack: AttackFactory, tmp_path: Path
) -> None:
    case = attack(SECRETS_POLICY, {"README.md": "a\n"}, {HOSTILE_PATH: f'key = "{SECRET}"\n'})
    assert_blocked(case.judge(), "security/secret-github-token")
    out = run_published(case, tmp_path, None)  # no token: annotations go to the log
    assert out.code == 1, out.log
    commands = runner_commands(out.log)
    names = sorted({c.name for c in commands})
    assert names == ["error", "stop-commands"], names
    (annotation,) = [c for c in commands if c.name == "error"]
    assert unescape_property(annotation.properties["title"]) == "security/secret-github-token"
    # the runner decodes the file property back to the real path, CR and LF included
    assert unescape_property(annotation.properties["file"]) == HOSTILE_PATH
    assert "DoD met" not in unescape_data(annotation.message)
    assert not any(c.name == "add-mask" for c in commands)


CONTROLS = "\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\u202eyp.tc\x9b31m"


@pytest.mark.parametrize("with_token", [True, False])
def test_controls_in_pr_text_do_not_reach_the_log_or_the_annotations(
    attack: AttackFactory,
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
    with_token: bool,
) -> None:
    base = {"openapi.json": _spec(["id", CONTROLS])}
    case = attack(OPENAPI_POLICY, base, {"openapi.json": _spec(["id"])})
    out = run_published(case, tmp_path, github if with_token else None)
    assert out.code == 1, out.log
    # the only escape sequences in the log are the terminal report's own colours
    assert re.findall("\x1b[^\\[]|\x1b\\[[0-9;]*[^0-9;m]", out.log) == []
    assert not re.search("[\x07\x9b\u202e]", out.log)
    assert "\\x1b]8;;https://evil.example\\x07click" in out.log  # shown, not obeyed
    messages = [str(n["message"]) + str(n["title"]) for n in out.annotations]
    commands = [c.message for c in runner_commands(out.log) if c.name in ("error", "notice")]
    quoting = [m for m in (messages if with_token else commands) if "required property" in m]
    assert len(quoting) == 1
    for text in messages + [unescape_data(m) for m in commands]:
        assert not re.search("[\x1b\x07\x9b\u202e]", text), text


# --- the terminal -----------------------------------------------------------------------

ANSI_SUBJECT = "feat: \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[2J\x1b[1A\x07\u202eok"


def _on_a_terminal(argv: list[str], cwd: Path) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its output, as a developer's shell would."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", *argv], cwd=cwd, stdout=child, stderr=child
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("tty", [True, False])
def test_ansi_in_a_commit_message_is_inert_on_the_terminal(
    attack: AttackFactory, tmp_path: Path, tty: bool
) -> None:
    policy = "version: 1\nchecks:\n  pr: {title_pattern: '^fix: '}\n"
    case = attack(policy, {"a.txt": "a\n"}, {"a.txt": "b\n"})
    case.repo.git("commit", "-q", "--amend", "-m", ANSI_SUBJECT)
    head = case.repo.git("rev-parse", "HEAD").strip()
    # the PR's title is its commit's subject, as for a PR opened from one commit
    subject = case.repo.git("log", "-1", "--format=%s", head).strip("\n")
    assert "\x1b" in subject
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 3, "title": subject}}))
    argv = ["run", "--base", case.base, "--head", head, "--pr-event", str(event)]
    if tty:  # colours on, as at a developer's terminal
        code, out = _on_a_terminal(argv, case.repo.root)
    else:
        done = subprocess.run(
            [sys.executable, "-m", "gatekeeper", *argv, "--no-color"],
            check=False,
            cwd=case.repo.root,
            capture_output=True,
            text=True,
            timeout=300,  # a hang guard only
        )
        code, out = done.returncode, done.stdout + done.stderr
    assert code == 1, out
    assert "pr/title-format" in out
    escapes = re.findall(r"\x1b[^m]*m?", out)
    if tty:  # the report's own colours, nothing else
        assert escapes and all(re.fullmatch(r"\x1b\[[0-9;]*m", e) for e in escapes), escapes
    else:
        assert escapes == []
    assert "\x07" not in out and "\u202e" not in out
    assert "\\x1b]8;;https://evil.example\\x07click" in out  # shown, not obeyed
