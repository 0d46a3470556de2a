"""``gatekeeper policy``: validate a policy file, print the schema, show the effective policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gatekeeper.cli.common import build_options, gate_options
from gatekeeper.errors import PolicyError
from gatekeeper.policy.model import DEFAULT_POLICY_PATH


@click.group()
def policy() -> None:
    """Work with the policy file (.github/gatekeeper.yml)."""


@policy.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def validate(file: Path | None) -> None:
    """Check a policy file: YAML, schema, presets, checks. Exits 2 on any error."""
    from gatekeeper.changes.pullrequest import PullRequest
    from gatekeeper.plugins import discover
    from gatekeeper.policy.load import load_policy, peek_plugins

    path = file or Path(DEFAULT_POLICY_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the policy: {exc}") from None
    root = Path.cwd()

    def read_local(rel: str) -> str | None:
        candidate = (root / rel).resolve()
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            return None
        return candidate.read_text(encoding="utf-8")

    registry = discover({p: read_local(p) for p in peek_plugins(text, str(path))})
    loaded = load_policy(
        text, source=str(path), checks=registry.classes(), pr=PullRequest(), read_file=read_local
    )
    enabled = sorted(cid for cid, cp in loaded.checks.items() if cp.enabled)
    click.echo(f"{path}: valid; checks enabled: {', '.join(enabled) or 'none'}")
    for failure in registry.failures:
        click.echo(f"warning: {failure}", err=True)


@policy.command()
def schema() -> None:
    """Print the policy's JSON Schema (every installed check's block included), for editors."""
    from gatekeeper.plugins import discover
    from gatekeeper.policy.schema import render_schema

    click.echo(render_schema(discover().classes()), nl=False)


@policy.command()
@gate_options
def show(**kw: Any) -> None:
    """Print the effective policy for this change (presets merged, overrides applied)."""
    from gatekeeper.pipeline import prepare
    from gatekeeper.policy.load import dump_document

    prepared = prepare(build_options(kw))
    prepared.changes.close()  # only the policy is needed: release git's reader now
    pol = prepared.policy
    click.echo(f"# policy: {pol.source}")
    if pol.layers:
        click.echo(f"# extends: {', '.join(pol.layers)}")
    click.echo(f"# digest: {pol.digest}")
    who = f"agent ({prepared.pr.agent_signal})" if prepared.pr.agent_signal else "human"
    click.echo(f"# author: {who}")
    for override in pol.applied_overrides:
        click.echo(f"# override applied: {override}")
    for waiver in pol.expired_waivers:
        click.echo(f"# expired waiver (no longer applies): {waiver.rule} on {waiver.path}")
    click.echo(dump_document(pol.document), nl=False)
