"""Options and helpers shared by the commands that judge a change."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gatekeeper.changes.pullrequest import PullRequest, pr_from_payload
from gatekeeper.errors import UsageError
from gatekeeper.pipeline import POLICY_FROM, GateOptions

if TYPE_CHECKING:
    from gatekeeper.policy.checkouts import LocalCheckouts

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option(
        "--repo",
        "repo",
        default=".",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="The repository (any folder inside it).",
    ),
    click.option("--base", help="Base revision (default: merge-base with the default branch)."),
    click.option("--head", help="Head revision (default: HEAD)."),
    click.option(
        "--worktree",
        "mode",
        flag_value="worktree",
        help="Judge the working tree (uncommitted changes) against base.",
    ),
    click.option(
        "--staged",
        "mode",
        flag_value="index",
        help="Judge the staged changes (for a pre-commit hook).",
    ),
    click.option(
        "--policy",
        "policy_file",
        type=click.Path(dir_okay=False),
        help="A policy file instead of .github/gatekeeper.yml; inside the repository it is "
        "read at --policy-from (base), outside it from disk.",
    ),
    click.option(
        "--policy-from",
        type=click.Choice(POLICY_FROM),
        default="base",
        show_default=True,
        help="Where the policy (and the files it extends) is read from.",
    ),
    click.option(
        "--policy-repo",
        "policy_repos",
        multiple=True,
        metavar="OWNER/REPO=PATH",
        help="A local clone of a repository whose files the policy extends "
        "(github:OWNER/REPO/file.yml@ref), read at that ref (repeatable).",
    ),
    click.option(
        "--pr-event",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="A GitHub event JSON file describing the pull request.",
    ),
    click.option("--title", help="PR title (overrides the event)."),
    click.option("--body", help="PR description (overrides the event)."),
    click.option("--author", help="PR author login (overrides the event)."),
    click.option("--branch", help="PR head branch name (overrides the event)."),
    click.option("--label", "labels", multiple=True, help="PR label (repeatable)."),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        help="Checks run in parallel (default: CPU count).",
    ),
]


def gate_options(func: F) -> F:
    """Decorate a command with the options that describe the change to judge."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def _event_pr(path: Path | None) -> PullRequest:
    if path is None:
        return PullRequest()
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--pr-event {path}: not a readable JSON event ({exc})") from None
    if not isinstance(payload, dict):
        raise UsageError(f"--pr-event {path}: the event must be a JSON object")
    return pr_from_payload(payload.get("pull_request"))


def build_options(kw: dict[str, Any], baseline: Path | None = None) -> GateOptions:
    """GateOptions from the parsed command-line options."""
    pr = _event_pr(kw.get("pr_event"))
    overrides = {
        "title": kw.get("title"),
        "body": kw.get("body"),
        "author": kw.get("author"),
        "head_ref": kw.get("branch"),
    }
    fields = {k: v for k, v in overrides.items() if v is not None}
    if kw.get("labels"):
        fields["labels"] = tuple(sorted(set(kw["labels"])))
    if fields:
        from dataclasses import replace

        pr = replace(pr, **fields)
    return GateOptions(
        policy_repos=policy_repos(kw.get("policy_repos") or ()),
        policy_repos_missing=POLICY_REPO_MISSING,
        root=kw.get("repo") or Path("."),
        base=kw.get("base"),
        head=kw.get("head"),
        mode=kw.get("mode") or "commits",
        policy_file=kw.get("policy_file"),
        policy_from=kw.get("policy_from") or "base",
        pr=pr,
        jobs=kw.get("jobs"),
        baseline=baseline,
    )


def terminal_width(option: int | None, is_tty: bool) -> int | None:
    """Where the terminal report wraps: ``--width`` when given (0: never), else the
    terminal's width (``COLUMNS`` first, as :func:`shutil.get_terminal_size` reads it)
    when standard output is a terminal; a pipe or a file is never wrapped."""
    import shutil

    if option is not None:
        return option or None
    if not is_tty:
        return None
    return shutil.get_terminal_size((80, 24)).columns


#: what the CLI says when a policy extends another repository it was given no clone of
POLICY_REPO_MISSING = (
    "the CLI reads other repositories from local clones: pass --policy-repo OWNER/REPO=PATH "
    "(a clone that holds the ref); it never calls GitHub"
)


def policy_repos(values: tuple[str, ...]) -> LocalCheckouts | None:
    """The ``--policy-repo`` clones as a source of central policies (None: none given)."""
    from gatekeeper.policy.checkouts import LocalCheckouts, parse_policy_repos

    return LocalCheckouts(parse_policy_repos(values)) if values else None


def check_format(name: str, where: str) -> None:
    """Refuse a report format that does not exist, naming the ones that do."""
    from gatekeeper.report import FORMATS

    if name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"{where}: unknown format {name!r} (known: {known})")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file, so no reader sees half a report.

    A path that exists and is not a regular file (``/dev/null``, a pipe, ``/dev/stdout``)
    is written in place: renaming over it would replace the device with a file.
    """
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
