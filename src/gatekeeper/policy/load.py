"""Load the policy in force for one pull request.

The steps, in order: parse the file with line marks; resolve ``extends`` (presets
shipped in ``gatekeeper/policies``, repository files read at the base commit, and
central files of other repositories at the commit their ref names) depth-first,
detecting cycles; expand check shorthands (``true``/``false``, a list); hold every later
layer to the ``locked:`` keys of the layers before it; deep-merge the layers (mappings
merge, anything else is replaced by the later layer); validate the merged document
against :func:`~gatekeeper.policy.schema.policy_schema`, pointing each error at the file
and line that wrote the key; validate the waivers; apply the overrides whose ``when``
matches this PR; fill in defaults. The result's ``document`` is itself a valid policy
that gives the same checks, which is what ``gatekeeper policy show`` prints, with the
origin of each value (``origins``).
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import yaml

from gatekeeper.changes.globs import match_any
from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import Severity
from gatekeeper.policy.agents import detect_agent
from gatekeeper.policy.central import CentralPolicies
from gatekeeper.policy.defaults import config_defaults, with_defaults
from gatekeeper.policy.layers import (
    Layer,
    Readers,
    ReadFile,
    merge,
    merge_layers,
    repo_path,
    resolve,
)
from gatekeeper.policy.locks import check_locks, read_locks
from gatekeeper.policy.model import AgentRules, CheckPolicy, Policy
from gatekeeper.policy.origins import Lock
from gatekeeper.policy.provenance import origins
from gatekeeper.policy.schema import COMMON_KEYS, policy_schema
from gatekeeper.policy.validate import Origin, Problems, check_document, check_error_in_rules
from gatekeeper.policy.waivers import read_waivers
from gatekeeper.policy.yamlmarks import KeyPath, load

__all__ = ["DEFAULT_SOURCE", "config_defaults", "digest", "dump_document", "load_policy"]

#: What a repository without a policy file gets.
DEFAULT_DOCUMENT = "version: 1\nextends: [recommended]\n"
DEFAULT_SOURCE = "built-in default policy"
DEFAULT_MAX_ANNOTATIONS = 200


def _no_file(path: str) -> str | None:
    return None


def _origin(layers: Sequence[Layer]) -> Origin:
    """Who wrote a key path: the last layer that has its longest known prefix."""

    def origin(path: KeyPath) -> tuple[str, int]:
        for end in range(len(path), -1, -1):
            for layer in reversed(layers):
                line = layer.lines.get(path[:end])
                if line is not None:
                    return layer.source, line
        return layers[-1].source, 1  # pragma: no cover - () is always marked

    return origin


def _layers(
    text: str | None,
    source: str,
    checks: Mapping[str, type],
    read_file: ReadFile,
    central: CentralPolicies | None,
) -> list[Layer]:
    top = load(text if text is not None else DEFAULT_DOCUMENT, source)
    return resolve(top, checks, Readers(read_file, central or CentralPolicies(None)))


def peek_plugins(
    text: str | None,
    source: str,
    *,
    read_file: ReadFile = _no_file,
    central: CentralPolicies | None = None,
) -> tuple[str, ...]:
    """The ``plugins:`` list (after ``extends``), read before any check is loaded."""
    if text is None:
        return ()
    layers, document = merge_layers(_layers(text, source, {}, read_file, central))
    problems = Problems(_origin(layers))
    plugins = document.get("plugins", [])
    if not isinstance(plugins, list) or not all(isinstance(p, str) and p for p in plugins):
        problems.add(("plugins",), "must be a list of repository file paths")
    found = _plugins(plugins, problems)
    problems.raise_if_any()
    return found


def _plugins(raw: Any, problems: Problems) -> tuple[str, ...]:
    """Plugin paths normalized (``./checks/x.py`` -> ``checks/x.py``); one that leaves
    the repository is a problem."""
    out = []
    for index, name in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(name, str) or not name:
            continue  # the schema reports it
        path = repo_path(name)
        if path is None:
            problems.add(("plugins", index), f"'{name}' must be a path inside the repository")
        else:
            out.append(path)
    return tuple(out)


def load_policy(
    text: str | None,
    *,
    source: str,
    checks: Mapping[str, type],
    pr: PullRequest,
    changed_paths: Sequence[str] = (),
    read_file: Callable[[str], str | None] = _no_file,
    today: date | None = None,
    central: CentralPolicies | None = None,
) -> Policy:
    """The effective policy for ``pr``.

    ``text`` is the policy file as read at the base commit (``None``: there is none, and
    the built-in default ``{version: 1, extends: [recommended]}`` applies); ``source``
    names it in messages; ``checks`` are the installed check classes by id;
    ``read_file`` reads a repository file for local ``extends`` (at the base commit);
    ``central`` reads ``github:`` files of other repositories (None: such a name fails).
    Raises :class:`PolicyError` listing every problem as ``file:line: key: message``.
    """
    shown = source if text is not None else DEFAULT_SOURCE
    central = central or CentralPolicies(None)
    written = _layers(text, shown, checks, read_file, central)
    layers, document = merge_layers(written)
    problems = Problems(_origin(layers))
    schema = policy_schema(checks)
    locks = _locks(written, checks, schema, problems)
    check_document(schema, document, problems)
    waivers = read_waivers(document, checks, problems)
    plugins = _plugins(document.get("plugins"), problems)
    _check_agents(document.get("agents"), problems)
    _refuse_check_error_rules(document, problems)
    problems.raise_if_any()
    agents = _agents(document.get("agents", {}))
    signal = pr.agent_signal or detect_agent(pr, agents)
    blocks, applied = _apply_overrides(document, pr, signal, changed_paths)
    effective = _effective(document, blocks, checks)
    check_document(schema, effective, problems)  # e.g. a check's default breaks its schema
    problems.raise_if_any()
    day = today or date.today()
    overrides = document.get("overrides", [])
    return Policy(
        source=shown,
        digest=digest(effective),
        checks={cid: _check_policy(cid, block) for cid, block in effective["checks"].items()},
        waivers=waivers,
        plugins=plugins,
        agents=agents,
        path=source,
        document=effective,
        max_annotations=int(document.get("annotations", {}).get("max", DEFAULT_MAX_ANNOTATIONS)),
        agent_signal=signal,
        applied_overrides=tuple(_override_name(overrides, i) for i in applied),
        layers=tuple(layer.source for layer in layers[:-1]),
        expired_waivers=tuple(w for w in waivers if w.expired(day)),
        central=tuple(dict.fromkeys(x.central for x in layers if x.central is not None)),
        locks=locks,
        origins=origins(effective, layers, overrides, applied),
    )


def _locks(
    written: list[Layer], checks: Mapping[str, type], schema: Mapping[str, Any], problems: Problems
) -> tuple[Lock, ...]:
    """Every layer's ``locked:`` entries, each later layer held to them."""
    locks = [read_locks(layer, schema, problems) for layer in written]
    problems.raise_if_any()  # a lock that names no key would be checked against nothing
    check_locks(written, locks, checks, problems)
    return tuple(lock for own in locks for lock in own)


def _override_name(overrides: Sequence[Mapping[str, Any]], index: int) -> str:
    return str(overrides[index].get("name") or f"overrides[{index}]")


def digest(document: Mapping[str, Any]) -> str:
    """sha256 of the document's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dump_document(document: Mapping[str, Any]) -> str:
    """The effective document as YAML, for ``gatekeeper policy show`` (deterministic)."""
    return yaml.safe_dump(dict(document), sort_keys=True, allow_unicode=True, width=100)


def _agents(block: Mapping[str, Any]) -> AgentRules:
    return AgentRules(
        logins=tuple(block.get("logins", ())),
        branches=tuple(block.get("branches", ())),
        trailers=tuple(block.get("trailers", ())),
        labels=tuple(block.get("labels", ())),
        body_markers=tuple(block.get("body_markers", ())),
        builtin=bool(block.get("builtin", True)),
        default=str(block.get("default", "human")),
        humans=tuple(block.get("humans", ())),
    )


def _refuse_check_error_rules(document: Mapping[str, Any], problems: Problems) -> None:
    """``rules: {check-error: warn}`` would do nothing (a check that cannot run is judged
    by ``on_error``): refused for every check, also those whose rule ids are open."""
    places: list[tuple[KeyPath, Any]] = [(("checks",), document.get("checks"))]
    overrides = document.get("overrides")
    for i, o in enumerate(overrides if isinstance(overrides, list) else ()):
        if isinstance(o, dict):
            places.append((("overrides", i, "checks"), o.get("checks")))
    for where, blocks in places:
        for cid, block in (blocks or {}).items() if isinstance(blocks, dict) else ():
            rules = block.get("rules") if isinstance(block, dict) else None
            if isinstance(rules, dict) and "check-error" in rules:
                path = (*where, cid, "rules", "check-error")
                problems.add(path, check_error_in_rules(str(cid)))


def _check_agents(block: Any, problems: Problems) -> None:
    """``humans`` means something only under ``default: agent``: a list that does nothing
    would be read as protection it does not give."""
    if isinstance(block, dict) and block.get("humans") and block.get("default") != "agent":
        problems.add(
            ("agents", "humans"),
            "applies only with 'default: agent' (every PR is an agent's unless its author"
            " is listed); add it, or remove the list",
        )


def _when_matches(
    when: Mapping[str, Any], pr: PullRequest, signal: str, changed_paths: Sequence[str]
) -> bool:
    """All the conditions of an override's ``when`` hold for this PR."""
    if "author" in when and (when["author"] == "agent") != bool(signal):
        return False
    if "labels" in when:
        wanted = {label.casefold() for label in when["labels"]}
        if not wanted & {label.casefold() for label in pr.labels}:
            return False
    if "paths" in when and not any(match_any(p, when["paths"]) for p in changed_paths):
        return False
    if "base_branch" in when:
        branches = when["base_branch"]
        patterns = [branches] if isinstance(branches, str) else branches
        base = pr.base_ref.removeprefix("refs/heads/")
        # fnmatch, not path globs: "main" must not match "feature/main"
        if not any(fnmatch.fnmatchcase(base, p) for p in patterns):
            return False
    return True


def _apply_overrides(
    document: Mapping[str, Any], pr: PullRequest, signal: str, changed_paths: Sequence[str]
) -> tuple[dict[str, Any], tuple[int, ...]]:
    """The check blocks with the matching overrides merged on, and their indexes."""
    blocks: dict[str, Any] = copy.deepcopy(document.get("checks", {}))
    applied = []
    for index, override in enumerate(document.get("overrides", [])):
        if _when_matches(override["when"], pr, signal, changed_paths):
            blocks = merge(blocks, override["checks"])
            applied.append(index)
    return blocks, tuple(applied)


def _effective(
    document: Mapping[str, Any], blocks: Mapping[str, Any], checks: Mapping[str, type]
) -> dict[str, Any]:
    """The policy after merging and overrides, every default explicit, keys sorted."""
    full = {cid: with_defaults(checks[cid], blocks[cid]) for cid in sorted(blocks)}
    effective: dict[str, Any] = {"version": 1}
    for key in ("agents", "waivers", "plugins", "annotations"):
        if key in document:
            effective[key] = copy.deepcopy(document[key])
    effective["checks"] = full
    return effective


def _check_policy(cid: str, block: Mapping[str, Any]) -> CheckPolicy:
    return CheckPolicy(
        id=cid,
        enabled=bool(block["enabled"]),
        severity=Severity(block["severity"]),
        rules={rule: Severity(sev) for rule, sev in sorted(block["rules"].items())},
        config={k: v for k, v in block.items() if k not in COMMON_KEYS},
        timeout=float(block["timeout"]),
        on_error=Severity(block["on_error"]),
        paths=tuple(block["paths"]),
        exclude=tuple(block["exclude"]),
    )
