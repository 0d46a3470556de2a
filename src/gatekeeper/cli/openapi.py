"""``gatekeeper openapi``: the breaking-change engine on two spec files, without a PR.

``diff BASE REVISION`` lists the changes (exit 1 when any reaches ``--fail-on``);
``changelog BASE REVISION`` prints the readable changelog. Refs resolve inside the
directory that holds each spec (and below), never over the network. oasdiff's options
keep oasdiff's names (see :mod:`gatekeeper.checks.openapi.options`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from gatekeeper.errors import UsageError
from gatekeeper.model import Level
from gatekeeper.report.escape import md_blocks, one_line, terminal

_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2}
_SARIF_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}
#: --fail-on accepts ours and oasdiff's words
_FAIL_ON = {"error": Level.ERROR, "err": Level.ERROR, "warning": Level.WARNING}
_FAIL_ON |= {"warn": Level.WARNING, "info": Level.INFO}


class SpecUsageError(UsageError):
    """A spec that cannot be loaded: exit code 2, like other usage errors."""

    exit_code = 2


@dataclass
class DiffOptions:
    """What the command line asked for, in one object handed to the engine's helpers."""

    deprecation_days_beta: int = 0
    deprecation_days_stable: int = 0
    match_path: str | None = None
    unmatch_path: str | None = None
    exclude: set[str] = field(default_factory=set)
    levels: dict[str, Level | None] = field(default_factory=dict)
    err_ignore: list[str] = field(default_factory=list)
    warn_ignore: list[str] = field(default_factory=list)


def _reader(root: Path) -> Any:
    resolved = root.resolve()

    def read(path: str) -> bytes | None:
        p = (resolved / path).resolve()
        if not p.is_relative_to(resolved) or not p.is_file():
            return None
        return p.read_bytes()

    return read


def _load(path: str, opts: DiffOptions) -> Any:
    from gatekeeper.checks.openapi.load import REF_RULES, SpecError, load
    from gatekeeper.checks.openapi.model import build
    from gatekeeper.checks.openapi.options import strip_extensions

    file = Path(path)
    try:
        doc = load(file.name, _reader(file.parent))
        if "extensions" in opts.exclude:
            strip_extensions(doc)
        spec = build(doc)
    except SpecError as exc:
        where = f"{path}:{exc.line}" if exc.line else path
        raise SpecUsageError(f"{where}: {exc.message}") from None
    for problem in spec.doc.problems:
        where = f"{file.parent / problem.path}:{problem.line or ''}"
        if problem.rule in REF_RULES:
            # resolved to nothing, the ref would read as an empty schema: every property
            # under it "removed". Refuse instead of reporting that.
            raise SpecUsageError(f"{where} {problem.message}; fix it to compare this spec")
        click.echo(f"warning: {one_line(where)} {one_line(problem.message)}", err=True)
    return spec


def _changes(base: str, revision: str, opts: DiffOptions) -> tuple[Any, list[Any]]:
    """The head spec and its changes from ``base``, filtered as the options say."""
    from gatekeeper.checks.openapi import options as o
    from gatekeeper.checks.openapi.engine import Options, compare

    head = _load(revision, opts)
    found = compare(
        _load(base, opts),
        head,
        Options(
            deprecation_days_beta=opts.deprecation_days_beta,
            deprecation_days_stable=opts.deprecation_days_stable,
        ),
    )
    try:
        found = o.match_paths(found, opts.match_path, opts.unmatch_path)
    except o.OptionError as exc:
        raise UsageError(str(exc)) from None
    found = o.relevel(found, opts.levels)
    return head, [c for c in found if not _ignored(c, opts)]


def _ignored(change: Any, opts: DiffOptions) -> bool:
    from gatekeeper.checks.openapi.options import ignored

    lines = {Level.ERROR: opts.err_ignore, Level.WARNING: opts.warn_ignore}.get(change.level)
    return bool(lines) and ignored(change, lines or [])


def _read_option_file(path: str | None, parse: Callable[[str, str], Any]) -> Any:
    from gatekeeper.checks.openapi.options import OptionError

    if path is None:
        return None
    try:
        return parse(Path(path).read_text(encoding="utf-8"), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    except OptionError as exc:
        raise UsageError(str(exc)) from None


def _options(kw: dict[str, Any]) -> DiffOptions:
    """Turn the shared command-line options into :class:`DiffOptions`."""
    from gatekeeper.checks.openapi import options as o

    try:
        exclude = o.exclude_elements(kw.pop("exclude_elements") or "")
    except o.OptionError as exc:
        raise UsageError(str(exc)) from None
    return DiffOptions(
        deprecation_days_beta=kw.pop("deprecation_days_beta"),
        deprecation_days_stable=kw.pop("deprecation_days_stable"),
        match_path=kw.pop("match_path"),
        unmatch_path=kw.pop("unmatch_path"),
        exclude=exclude,
        levels=_read_option_file(kw.pop("severity_levels"), o.severity_levels) or {},
        err_ignore=_read_option_file(kw.pop("err_ignore", None), lambda t, _: o.ignore_lines(t))
        or [],
        warn_ignore=_read_option_file(kw.pop("warn_ignore", None), lambda t, _: o.ignore_lines(t))
        or [],
    )


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """oasdiff's options shared by ``diff`` and ``changelog``, with oasdiff's names."""
    days = click.IntRange(min=0)
    for decorator in reversed(
        [
            click.option("--deprecation-days-beta", type=days, default=0, show_default=True,
                         help="minimum sunset notice for beta endpoints"),
            click.option("--deprecation-days-stable", type=days, default=0, show_default=True,
                         help="minimum sunset notice for stable endpoints"),
            click.option("--match-path", metavar="REGEX",
                         help="only endpoints whose path matches this regular expression"),
            click.option("--unmatch-path", metavar="REGEX",
                         help="leave out endpoints whose path matches this regular expression"),
            click.option("--exclude-elements", metavar="LIST",
                         help="comma-separated: extensions (x- keys are not compared), "
                         "examples, description, title, summary, endpoints"),
            click.option("--severity-levels", type=click.Path(dir_okay=False), metavar="FILE",
                         help="file of 'rule-id err|warn|info|none' lines"),
        ]
    ):  # fmt: skip
        command = decorator(command)
    return command


@click.group("openapi")
def openapi() -> None:
    """Compare OpenAPI specs (2.0, 3.0, 3.1, 3.2) the way the gate does."""


@openapi.command("diff")
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("revision", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(sorted(_FAIL_ON), case_sensitive=False),
    default="error",
    show_default=True,
    help="exit 1 when a change reaches this level (oasdiff's ERR/WARN/INFO work too)",
)
@click.option(
    "--group/--no-group",
    default=None,
    help="one finding for the copies of a shared-schema change, as in the gate "
    "[default: on for text and markdown, off for json and sarif]",
)
@click.option("--err-ignore", type=click.Path(dir_okay=False), metavar="FILE",
              help="errors to leave out: lines naming method, path and message")  # fmt: skip
@click.option("--warn-ignore", type=click.Path(dir_okay=False), metavar="FILE",
              help="warnings to leave out, in the same format")  # fmt: skip
@_common
def diff_command(
    base: str, revision: str, fmt: str, fail_on: str, group: bool | None, **kw: Any
) -> None:
    """List the changes from BASE to REVISION, breaking ones first."""
    from gatekeeper.checks.openapi import changelog

    opts = _options(kw)
    head, changes = _changes(base, revision, opts)
    grouped = group if group is not None else fmt in ("text", "markdown")
    if grouped:
        groups = _groups(head, changes, opts)
        changes = [c for g in groups for c in g.changes]
    if fmt in ("json", "sarif"):
        items = groups if grouped else changes
        render = _json if fmt == "json" else _sarif
        click.echo(json.dumps(render(items, revision, grouped=grouped), indent=2, sort_keys=True))
    elif fmt == "markdown":
        blocks = changelog.details_groups(groups) if grouped else changelog.details(changes)
        click.echo(_markdown(blocks), nl=False)
    else:
        out = changelog.text_groups(groups, len(changes)) if grouped else changelog.text(changes)
        click.echo(terminal(out), nl=False)
    floor = _RANK[_FAIL_ON[fail_on.lower()]]
    if any(_RANK[c.level] >= floor for c in changes):
        raise SystemExit(1)


def _groups(head: Any, changes: list[Any], opts: DiffOptions) -> list[Any]:
    """The gate's grouping; an ignore line may name a grouped finding by its message."""
    from gatekeeper.checks.openapi.group import group
    from gatekeeper.checks.openapi.options import group_ignored

    out = []
    for g in group(head.doc, changes):
        lines = {Level.ERROR: opts.err_ignore, Level.WARNING: opts.warn_ignore}.get(g.level)
        if not (lines and group_ignored(g, lines)):
            out.append(g)
    return out


@openapi.command("changelog")
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("revision", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "text", "json"]),
    default="markdown",
    show_default=True,
)
@_common
def changelog_command(base: str, revision: str, fmt: str, **kw: Any) -> None:
    """Print the API changelog from BASE to REVISION (always exits 0)."""
    from gatekeeper.checks.openapi import changelog

    _, changes = _changes(base, revision, _options(kw))
    if fmt == "json":
        click.echo(json.dumps(_json(changes, revision), indent=2, sort_keys=True))
    elif fmt == "text":
        click.echo(terminal(changelog.text(changes)), nl=False)
    else:
        click.echo(_markdown(changelog.details(changes)), nl=False)


def _markdown(blocks: list[Any]) -> str:
    """The changelog as Markdown, the specs' text escaped (a property name is not markup)."""
    return md_blocks(blocks, heading="###") + "\n"


def _file(path: str, revision: str) -> str:
    """The file a change points at: the revision, or a file its ``$ref``s pulled in
    (named relative to the revision's folder, as the loader read it)."""
    spec = Path(revision)
    if not path or path == spec.name:
        return revision
    return (spec.parent / path).as_posix()


def _json(items: list[Any], revision: str, *, grouped: bool = False) -> dict[str, Any]:
    """``{"findings": [...], "counts": {...}}``: one entry per change, or per group."""
    findings = []
    for item in items:
        entry = {
            "rule": item.rule,
            "level": item.level.value,
            "message": item.message,
            "path": _file(item.path, revision),
            "line": item.line,
        }
        if grouped:
            entry |= {"operations": list(item.operations), "changes": len(item.changes)}
        else:
            entry["operation"] = item.operation
        findings.append(entry)
    counts = {lv.value: sum(1 for i in items if i.level is lv) for lv in Level}
    return {"findings": findings, "counts": counts}


def _sarif(items: list[Any], revision: str, *, grouped: bool = False) -> dict[str, Any]:
    rules = sorted({i.rule for i in items})
    results = []
    for i in items:
        region = {"startLine": i.line} if i.line else {}
        location: dict[str, Any] = {"artifactLocation": {"uri": _file(i.path, revision)}}
        if region:
            location["region"] = region
        op = "" if grouped else i.operation
        results.append(
            {
                "ruleId": i.rule,
                "level": _SARIF_LEVEL[i.level],
                "message": {"text": f"{op}: {i.message}" if op else i.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    driver = {"name": "gatekeeper-openapi", "rules": [{"id": r} for r in rules]}
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
