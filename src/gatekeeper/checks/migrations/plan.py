"""Turn the changed migrations into roundtrip plans: the parent chain and the new units.

One plan per chain (a framework in a folder). SQL-file migrations become statement lists;
Alembic revisions are loaded and ordered by their revision graph. A chain that cannot be
run (a revision imports the application, a file is too large) yields a reason instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import alembic_run, detect, pyops, static
from gatekeeper.checks.migrations.catalog import Database
from gatekeeper.checks.migrations.detect import ALEMBIC, Migration
from gatekeeper.checks.migrations.roundtrip import Step, Unit
from gatekeeper.checks.migrations.sqltext import has_code, irreversible_reason, split


@dataclass
class Plan:
    """A chain to roundtrip, or the reason it cannot be."""

    before: list[Unit] = field(default_factory=list)
    new: list[Unit] = field(default_factory=list)
    #: path -> why this migration cannot be roundtripped
    not_run: dict[str, str] = field(default_factory=dict)
    #: Alembic revisions in apply order, run in a child process (see alembic_run)
    revisions: list[alembic_run.Revision] = field(default_factory=list)


def plans(changes: ChangeSet, changed: list[Migration], max_bytes: int) -> list[Plan]:
    """One plan per chain that has a changed (not deleted) SQL or Alembic migration."""
    groups: dict[tuple[str, str], list[Migration]] = {}
    for m in changed:
        if (m.is_sql or m.framework == ALEMBIC) and changes.text_at_head(m.path) is not None:
            groups.setdefault((m.framework, m.directory), []).append(m)
    out = []
    for key in sorted(groups):
        members = groups[key]
        chain = detect.chain(changes, members[0])
        new_paths = {m.path for m in members}
        too_big = [m.path for m in members if _size(changes, m) > max_bytes]
        if too_big:
            reason = f"larger than roundtrip_max_bytes ({max_bytes}); move bulk data out of it"
            out.append(Plan(not_run=dict.fromkeys(too_big, reason)))
            continue
        if key[0] == ALEMBIC:
            out.append(_alembic_plan(changes, chain, new_paths))
        else:
            out.append(_sql_plan(changes, chain, new_paths))
    return out


def _size(changes: ChangeSet, m: Migration) -> int:
    total = 0
    for path in (m.path, m.down_path):
        data = changes.bytes_at_head(path) if path else None
        total += len(data) if data is not None else 0
    return total


def _split(changes: ChangeSet, sides: static.Sides, side: str) -> list[tuple[str, int]]:
    text = sides.up if side == "up" else (sides.down or "")
    first = sides.up_line if side == "up" else sides.down_line
    return [(s.text, s.line) for s in split(text, first)]


def _sql_step(statements: list[tuple[str, int]]) -> Step:
    def step(db: Database) -> None:
        db.execute(statements)

    return step


def _sql_plan(changes: ChangeSet, chain: list[Migration], new_paths: set[str]) -> Plan:
    plan = Plan()
    for m in _through_last_new(chain, new_paths):
        sides = static.sql_sides(changes, m)
        if sides is None:
            plan.not_run.update(dict.fromkeys(sorted(new_paths), f"{m.path} cannot be read"))
            return plan
        up = _sql_step(_split(changes, sides, "up"))
        if m.path not in new_paths:
            plan.before.append(Unit(m.path, up, None))
            continue
        reversible = sides.down is not None and has_code(sides.down)
        if irreversible_reason(sides.up + (sides.down or "")):
            reversible = False
        down = _sql_step(_split(changes, sides, "down")) if reversible else None
        plan.new.append(Unit(m.path, up, down))
    return plan


def _through_last_new(chain: list[Migration], new_paths: set[str]) -> list[Migration]:
    positions = [i for i, m in enumerate(chain) if m.path in new_paths]
    return chain[: positions[-1] + 1] if positions else []


def _in_repository(changes: ChangeSet, top: str) -> bool:
    """True when the repository itself provides the package ``top`` (the application)."""
    candidates = (f"{top}.py", f"{top}/__init__.py", f"src/{top}/__init__.py", f"src/{top}.py")
    return any(changes.bytes_at_head(c) is not None for c in candidates)


def _alembic_plan(changes: ChangeSet, chain: list[Migration], new_paths: set[str]) -> Plan:
    """The revisions to run, in graph order, as a job for an isolated child process.

    Nothing is imported or executed here: the files are only parsed, so that a revision
    importing the application is reported before anything runs.
    """
    sources: dict[str, str] = {}
    files: dict[str, pyops.AlembicFile] = {}
    try:
        for m in chain:
            text = changes.text_at_head(m.path)
            if text is None:
                raise alembic_run.NotIsolated(f"{m.path} cannot be read")
            sources[m.path] = text
            files[m.path] = pyops.read_alembic(text, m.path)
        ordered = alembic_run.order(files)
        if len(ordered) != len(files):
            raise alembic_run.NotIsolated("the revision graph has a cycle")
        by_path = {m.path: m for m in chain}
        revisions = []
        for m in _through_last_new([by_path[p] for p in ordered], new_paths):
            info = files[m.path]
            local = alembic_run.application_imports(
                info.foreign_imports, lambda top: _in_repository(changes, top)
            )
            if local:
                raise alembic_run.NotIsolated(alembic_run.foreign_message(m.path, local))
            provable = info.downgrade_state == "ok" and info.has_downgrade
            revisions.append(
                alembic_run.Revision(
                    m.path,
                    sources[m.path],
                    m.path in new_paths,
                    provable and not irreversible_reason(sources[m.path]),
                )
            )
    except (alembic_run.NotIsolated, pyops.MigrationSyntaxError) as exc:
        return Plan(not_run=dict.fromkeys(sorted(new_paths), str(exc)))
    return Plan(revisions=revisions)
