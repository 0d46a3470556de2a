"""``gatekeeper openapi``: the breaking-change engine on two spec files, without a PR.

``diff BASE REVISION`` lists the changes (exit 1 when any reaches ``--fail-on``);
``changelog BASE REVISION`` prints the readable changelog. Refs resolve inside the
directory that holds each spec (and below), never over the network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gatekeeper.errors import UsageError
from gatekeeper.model import Level

_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2}
_SARIF_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}


class SpecUsageError(UsageError):
    """A spec that cannot be loaded: exit code 2, like other usage errors."""

    exit_code = 2


def _reader(root: Path) -> Any:
    resolved = root.resolve()

    def read(path: str) -> bytes | None:
        p = (resolved / path).resolve()
        if not p.is_relative_to(resolved) or not p.is_file():
            return None
        return p.read_bytes()

    return read


def _load(path: str) -> Any:
    from gatekeeper.checks.openapi.engine import load_spec
    from gatekeeper.checks.openapi.load import REF_RULES, SpecError

    file = Path(path)
    try:
        spec = load_spec(file.name, _reader(file.parent))
    except SpecError as exc:
        where = f"{path}:{exc.line}" if exc.line else path
        raise SpecUsageError(f"{where}: {exc.message}") from None
    for problem in spec.doc.problems:
        where = f"{file.parent / problem.path}:{problem.line or ''}"
        if problem.rule in REF_RULES:
            # resolved to nothing, the ref would read as an empty schema: every property
            # under it "removed". Refuse instead of reporting that.
            raise SpecUsageError(f"{where} {problem.message}; fix it to compare this spec")
        click.echo(f"warning: {where} {problem.message}", err=True)
    return spec


def _changes(base: str, revision: str) -> list[Any]:
    from gatekeeper.checks.openapi.engine import compare

    return compare(_load(base), _load(revision))


@click.group("openapi")
def openapi() -> None:
    """Compare OpenAPI specs (2.0, 3.0, 3.1) the way the gate does."""


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
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="exit 1 when a change reaches this level",
)
def diff_command(base: str, revision: str, fmt: str, fail_on: str) -> None:
    """List the changes from BASE to REVISION, breaking ones first."""
    from gatekeeper.checks.openapi import changelog

    changes = _changes(base, revision)
    if fmt == "json":
        click.echo(json.dumps(_json(changes, revision), indent=2, sort_keys=True))
    elif fmt == "sarif":
        click.echo(json.dumps(_sarif(changes, revision), indent=2, sort_keys=True))
    elif fmt == "markdown":
        click.echo(changelog.markdown(changes), nl=False)
    else:
        click.echo(changelog.text(changes), nl=False)
    floor = _RANK[Level(fail_on)]
    if any(_RANK[c.level] >= floor for c in changes):
        raise SystemExit(1)


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
def changelog_command(base: str, revision: str, fmt: str) -> None:
    """Print the API changelog from BASE to REVISION (always exits 0)."""
    from gatekeeper.checks.openapi import changelog

    changes = _changes(base, revision)
    if fmt == "json":
        click.echo(json.dumps(_json(changes, revision), indent=2, sort_keys=True))
    elif fmt == "text":
        click.echo(changelog.text(changes), nl=False)
    else:
        click.echo(changelog.markdown(changes), nl=False)


def _file(change: Any, revision: str) -> str:
    """The file a change points at: the revision, or a file its ``$ref``s pulled in
    (named relative to the revision's folder, as the loader read it)."""
    spec, path = Path(revision), str(change.path or "")
    if not path or path == spec.name:
        return revision
    return (spec.parent / path).as_posix()


def _json(changes: list[Any], revision: str) -> dict[str, Any]:
    findings = [
        {
            "rule": c.rule,
            "level": c.level.value,
            "message": c.message,
            "operation": c.operation,
            "path": _file(c, revision),
            "line": c.line,
        }
        for c in changes
    ]
    counts = {lv.value: sum(1 for c in changes if c.level is lv) for lv in Level}
    return {"findings": findings, "counts": counts}


def _sarif(changes: list[Any], revision: str) -> dict[str, Any]:
    rules = sorted({c.rule for c in changes})
    results = []
    for c in changes:
        region = {"startLine": c.line} if c.line else {}
        location: dict[str, Any] = {"artifactLocation": {"uri": _file(c, revision)}}
        if region:
            location["region"] = region
        results.append(
            {
                "ruleId": c.rule,
                "level": _SARIF_LEVEL[c.level],
                "message": {"text": f"{c.operation}: {c.message}" if c.operation else c.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    driver = {"name": "gatekeeper-openapi", "rules": [{"id": r} for r in rules]}
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
