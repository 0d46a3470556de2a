"""Waivers: read, and held to the same standard as ``rules:``.

A waiver that can never match (a typo in its check or rule), one that never ends without
saying so, or one approved by a team that cannot exist would be read by a reviewer as an
accepted, bounded exception that it is not. Each is a policy error at its line:

- ``rule`` names an installed check and one of its rules (globs allowed, each part must
  match something; checks whose rule ids come from another tool accept any rule);
- ``expires`` is required, unless the waiver says ``permanent: true`` (its ``reason``
  then says why it never ends); both at once is a contradiction;
- every ``@handle`` in ``approved_by`` is a GitHub login (``@alice``) or a team
  (``@org/team-slug``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from gatekeeper.changes.globs import match
from gatekeeper.model import Waiver
from gatekeeper.policy.validate import Problems, did_you_mean

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # other shapes are the schema's to report
#: a handle starts a word: "jane@acme.com" holds none
_HANDLE = re.compile(r"(?:^|(?<=[\s,;(]))@(\S*)")
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_TEAM = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9][A-Za-z0-9_.-]*")
#: the engine's own rule for a check that could not run; any check may report it
ENGINE_RULES = ("check-error",)
_GLOB = re.compile(r"[*?\[]")


def read_waivers(
    document: Mapping[str, Any], checks: Mapping[str, type], problems: Problems
) -> tuple[Waiver, ...]:
    """The waivers as written, every problem with one added to ``problems``."""
    raw = document.get("waivers")
    if not isinstance(raw, list):
        return ()
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not {"rule", "reason", "approved_by"} <= set(item):
            continue  # the schema reports it
        where = ("waivers", index)
        _check_rule(item["rule"], (*where, "rule"), checks, problems)
        _check_approvers(item["approved_by"], (*where, "approved_by"), problems)
        expires = _expiry(item, where, problems)
        out.append(
            Waiver(
                rule=str(item["rule"]),
                reason=str(item["reason"]),
                approved_by=str(item["approved_by"]),
                path=str(item.get("path", "**")),
                expires=expires,
                fingerprint=str(item.get("fingerprint", "")),
            )
        )
    return tuple(out)


def _expiry(
    item: Mapping[str, Any], where: tuple[str | int, ...], problems: Problems
) -> date | None:
    permanent = item.get("permanent") is True
    raw = item.get("expires")
    if raw is None:
        if not permanent:
            problems.add(
                where,
                "missing 'expires' (the last day it applies, YYYY-MM-DD): a waiver ends, "
                "unless it says 'permanent: true' and its reason says why",
            )
        return None
    if permanent:
        problems.add((*where, "permanent"), "a permanent waiver has no 'expires': keep one of them")
    if isinstance(raw, str) and _DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.add((*where, "expires"), f"{raw!r} is not a real date")
    return None


def rule_ids(check: type) -> tuple[str, ...]:
    """The rule ids a waiver may name for ``check`` (its catalog and the engine's)."""
    catalog: Mapping[str, Any] = getattr(check, "rules", {}) or {}
    return (*sorted(catalog), *ENGINE_RULES)


def _check_rule(
    rule: Any, where: tuple[str | int, ...], checks: Mapping[str, type], problems: Problems
) -> None:
    if not isinstance(rule, str) or rule.count("/") != 1:
        return  # the schema's pattern reports it
    check_part, rule_part = rule.split("/")
    matched = [cid for cid in sorted(checks) if match(cid, check_part)]
    if not matched:
        hint = did_you_mean(check_part, checks) if not _GLOB.search(check_part) else ""
        problems.add(
            where,
            f"{rule!r}: no installed check is called '{check_part}'{hint} "
            "(`gatekeeper checks` lists them)",
        )
        return
    if any(getattr(checks[cid], "open_rules", False) for cid in matched):
        return  # rule ids come from another tool: any id may appear
    known = {rid for cid in matched for rid in rule_ids(checks[cid])}
    if any(match(rid, rule_part) for rid in known):
        return
    hint = did_you_mean(rule_part, known) if not _GLOB.search(rule_part) else ""
    owner = f"the {matched[0]} check" if len(matched) == 1 else "those checks"
    problems.add(
        where,
        f"{rule!r}: {owner} has no rule '{rule_part}'{hint} "
        f"(`gatekeeper checks {matched[0]}` lists its rules)",
    )


def _check_approvers(value: Any, where: tuple[str | int, ...], problems: Problems) -> None:
    if not isinstance(value, str):
        return
    for handle in _HANDLE.findall(value):
        name = handle.rstrip(",;)")
        pattern = _TEAM if "/" in name else _LOGIN
        if pattern.fullmatch(name):
            continue
        problems.add(
            where,
            f"'@{name}' is not a GitHub login (@alice) or team (@org/team-slug)",
        )
