"""The check's one-line summary and its folded table, one row per migration."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from gatekeeper.checks.migrations import variants
from gatekeeper.checks.migrations.detect import (
    DOCTRINE,
    DRIZZLE,
    ECTO,
    EF_CORE,
    GO,
    LARAVEL,
    LIQUIBASE,
    NODE,
    RAILS,
    RUBY_SQL,
    SQL_FOLDER,
    SQLX,
    Migration,
)
from gatekeeper.model import Finding, Inline, Level, Table, code, inline, strong

_DOWN = (
    ("missing-down", "missing"),
    ("empty-down", "empty"),
    ("down-incomplete", "incomplete"),
    ("runpython-without-reverse", "irreversible RunPython"),
    ("runsql-without-reverse", "irreversible RunSQL"),
    ("reverse-is-noop", "no-op reverse"),
    ("irreversible", "declared irreversible"),
    ("syntax-error", "unparseable"),
    ("unreadable", "unreadable"),
)
_NO_PROOF = frozenset(rule for rule, _ in _DOWN)
_NOT_SAFETY = _NO_PROOF | {
    "roundtrip-failed", "roundtrip-not-run", "roundtrip-other-dialect", "history-rewritten",
    "down-edited", "multiple-heads",
    "dangling-down-revision", "sql-lint", "expand-contract",
}  # fmt: skip


def _roundtrip(m: Migration, rules: set[str], engine: str, deleted: bool, skipped: bool) -> str:
    if deleted:
        return "deleted"
    if engine == "off" or skipped:
        return "off"
    if m.framework == SQL_FOLDER:
        return "not run (the project's own runner; reviewed statically)"
    if "roundtrip-failed" in rules:
        return "failed"
    if "roundtrip-leftover" in rules:
        return "held (the down leaves functions behind)"
    if "roundtrip-not-run" in rules:
        return "not run"
    database = m.dialect or variants.folder_dialect(m.path)
    if "roundtrip-other-dialect" in rules and database:
        return f"no {variants.LABEL.get(database, database)} server here"
    if "roundtrip-other-dialect" in rules and m.framework == DRIZZLE:
        return "no server for its journal's database here"
    if rules & _NO_PROOF:
        return "up only (no down to prove)"
    if m.framework == RAILS:
        return "not available for Rails"
    if m.framework == NODE:
        return "not available for Node migrations"
    if m.framework == GO:
        return "not available for Go migrations"
    if m.framework == RUBY_SQL:
        return "not available for Ruby SQL migrations"
    if m.framework == LIQUIBASE:
        return "not available for Liquibase changelogs"
    if m.framework == DOCTRINE:
        return "not available for Doctrine migrations (PHP is not run here)"
    if m.framework == LARAVEL:
        return "not available for Laravel migrations (PHP is not run here)"
    if m.framework == ECTO:
        return "not available for Ecto migrations (Elixir is not run here)"
    if m.framework == EF_CORE:
        return "not run (EF Core: reviewed statically, C# is not compiled or run here)"
    if m.framework == SQLX:
        return f"up applied on {engine} (forward-only)"
    return f"proven on {engine}"


def render(
    changed: Iterable[Migration],
    findings: Iterable[Finding],
    engine: str,
    deleted: set[str],
    skipped: frozenset[str] = frozenset(),
    proven_on: Mapping[str, str] | None = None,
) -> tuple[str, Table]:
    """(summary, table) for the migrations the change touched; ``skipped`` are those the
    policy keeps out of the round trip (``django.mode: off``)."""
    by_path: dict[str, set[str]] = {}
    safety: Counter[str] = Counter()
    for f in findings:
        if f.location is None:
            continue
        # a round trip that held but left functions behind (a warning) is no failure
        held = f.rule == "roundtrip-failed" and f.level is not Level.ERROR
        by_path.setdefault(f.location.path, set()).add("roundtrip-leftover" if held else f.rule)
        if f.rule not in _NOT_SAFETY:
            safety[f.location.path] += 1
    rows: list[tuple[Inline, ...]] = []
    states: Counter[str] = Counter()
    for m in changed:
        rules = by_path.get(m.path, set()) | by_path.get(m.down_path or "", set())
        down = next((text for rule, text in _DOWN if rule in rules), "present")
        own = (proven_on or {}).get(m.path, engine)
        state = _roundtrip(m, rules, own, m.path in deleted, m.path in skipped)
        states[state.split(" (")[0]] += 1
        shown = inline(strong(state)) if state == "failed" else inline(state)
        count = inline(str(safety[m.path]))
        rows.append((inline(code(m.path)), inline(m.framework), inline(down), shown, count))
    frameworks = Counter(m.framework for m in changed)
    counts = ", ".join(f"{n} {fw}" for fw, n in sorted(frameworks.items()))
    total = sum(frameworks.values())
    summary = f"{total} migration{'s' if total != 1 else ''} changed ({counts})"
    if engine != "off":
        summary += f"; roundtrip on {engine}: " + ", ".join(
            f"{n} {s}" for s, n in sorted(states.items())
        )
    header = ("migration", "framework", "down", "roundtrip", "safety findings")
    return summary, Table(header, tuple(rows), numeric=frozenset({4}))
