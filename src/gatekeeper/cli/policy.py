"""``gatekeeper policy``: validate a policy file, print the schema, show the effective policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gatekeeper.cli.common import POLICY_REPO_MISSING, build_options, gate_options, policy_repos
from gatekeeper.errors import PolicyError
from gatekeeper.policy.model import DEFAULT_POLICY_PATH

if TYPE_CHECKING:
    from gatekeeper.pipeline import Prepared
    from gatekeeper.policy.model import Policy


@click.group()
def policy() -> None:
    """Work with the policy file (.github/gatekeeper.yml)."""


@policy.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--policy-repo",
    "repos",
    multiple=True,
    metavar="OWNER/REPO=PATH",
    help="A local clone of a repository the policy extends (github:OWNER/REPO/...@ref).",
)
def validate(file: Path | None, repos: tuple[str, ...]) -> None:
    """Check a policy file: YAML, schema, presets, checks. Exits 2 on any error.

    Without FILE it checks .github/gatekeeper.yml, and says so when there is none (the
    built-in default then applies).
    """
    from gatekeeper.changes.pullrequest import PullRequest
    from gatekeeper.plugins import discover
    from gatekeeper.policy.central import CentralPolicies
    from gatekeeper.policy.load import DEFAULT_SOURCE, load_policy, peek_plugins

    path = file or Path(DEFAULT_POLICY_PATH)
    text = _read(path, required=file is not None)
    root = Path.cwd()

    def read_local(rel: str) -> str | None:
        candidate = (root / rel).resolve()
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            return None
        return candidate.read_text(encoding="utf-8")

    central = CentralPolicies(policy_repos(repos), POLICY_REPO_MISSING)
    source = str(path)
    plugins = peek_plugins(text, source, read_file=read_local, central=central)
    registry = discover({p: read_local(p) for p in plugins})
    loaded = load_policy(
        text,
        source=source,
        checks=registry.classes(),
        pr=PullRequest(),
        read_file=read_local,
        central=central,
    )
    enabled = ", ".join(sorted(cid for cid, cp in loaded.checks.items() if cp.enabled))
    if text is None:
        click.echo(
            f"{path}: no such file, so the {DEFAULT_SOURCE} applies (extends: [recommended]); "
            f"checks enabled: {enabled or 'none'}. `gatekeeper policy show` prints it."
        )
    else:
        click.echo(f"{path}: valid; checks enabled: {enabled or 'none'}")
    for found in loaded.central:
        click.echo(f"extends {found.name}: commit {found.commit}")
    for failure in registry.failures:
        click.echo(f"warning: {failure}", err=True)


def _read(path: Path, *, required: bool) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not required:
            return None
        raise PolicyError(f"{path}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the policy: {exc}") from None


@policy.command()
def schema() -> None:
    """Print the policy's JSON Schema (every installed check's block included), for editors."""
    from gatekeeper.plugins import discover
    from gatekeeper.policy.schema import render_schema

    click.echo(render_schema(discover().classes()), nl=False)


@policy.command()
@gate_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: the effective policy as YAML, each value's origin in a comment; json: the "
    "same for tools.",
)
def show(fmt: str, **kw: Any) -> None:
    """Print the effective policy for this change (presets, central files and overrides
    merged, every default written out) and where each value came from."""
    from gatekeeper.pipeline import prepare

    prepared = prepare(build_options(kw))
    prepared.changes.close()  # only the policy is needed: release git's reader now
    if fmt == "json":
        click.echo(json.dumps(_as_json(prepared), indent=2, ensure_ascii=False, sort_keys=True))
        return
    from gatekeeper.policy.provenance import annotated_yaml

    pol = prepared.policy
    for line in _header(prepared):
        click.echo(f"# {line}")
    click.echo(annotated_yaml(pol.document, pol.origins), nl=False)


def _author(prepared: Prepared) -> str:
    signal = prepared.pr.agent_signal
    return f"agent ({signal})" if signal else "human"


def _header(prepared: Prepared) -> list[str]:
    pol = prepared.policy
    lines = [f"policy: {pol.source}"]
    if pol.layers:
        lines.append(f"extends: {', '.join(pol.layers)}")
    lines += [f"central: {f.name} -> commit {f.commit} ({f.ref_kind})" for f in pol.central]
    lines += [f"digest: {pol.digest}", f"author: {_author(prepared)}"]
    lines += [f"override applied: {name}" for name in pol.applied_overrides]
    lines += [
        f"locked: {lock.key} by {lock.source}:{lock.line} ({lock.rule})" for lock in pol.locks
    ]
    lines += [
        f"expired waiver (no longer applies): {w.rule} on {w.path}" for w in pol.expired_waivers
    ]
    lines.append("each value's origin follows it: file:line, an override, or default")
    return lines


def _as_json(prepared: Prepared) -> dict[str, Any]:
    from gatekeeper.policy.provenance import values_json

    pol: Policy = prepared.policy
    return {
        "source": pol.source,
        "digest": pol.digest,
        "author": {"agent": bool(prepared.pr.agent_signal), "signal": prepared.pr.agent_signal},
        "layers": list(pol.layers),
        "central": [
            {
                "name": f.name,
                "repository": f.repo,
                "path": f.path,
                "ref": f.ref,
                "ref_kind": f.ref_kind,
                "commit": f.commit,
            }
            for f in pol.central
        ],
        "overrides_applied": list(pol.applied_overrides),
        "locked": [
            {
                "key": lock.key,
                "allow": lock.allow,
                "rule": lock.rule,
                "source": lock.source,
                "line": lock.line,
            }
            for lock in pol.locks
        ],
        "expired_waivers": [
            {
                "rule": w.rule,
                "path": w.path,
                "expires": w.expires.isoformat() if w.expires else None,
            }
            for w in pol.expired_waivers
        ],
        "values": values_json(pol.origins, pol.document),
        "document": pol.document,
    }
