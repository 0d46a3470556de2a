"""Static reversibility: is there a down, does it do anything, does it undo the up?

Read without running anything. For Alembic the operations of ``downgrade()`` are paired
with those of ``upgrade()`` (an added column needs a dropped one, a rename needs the
rename back...: :mod:`.alembicpairs`) and whatever is left unpaired is reported by name.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import (
    datasteps,
    djdata,
    fizz,
    naming,
    pyops,
    pyrows,
    rails,
    sqleffects,
    sqlmigrate,
    variants,
)
from gatekeeper.checks.migrations.alembicpairs import unpaired
from gatekeeper.checks.migrations.detect import (
    DBMATE,
    FIZZ,
    FLYWAY,
    FORWARD_ONLY,
    GOLANG_MIGRATE,
    GOOSE,
    SQL_MIGRATE,
    SQL_PAIR,
    Migration,
)
from gatekeeper.checks.migrations.sqltext import (
    fills_data_only,
    has_code,
    irreversible_reason,
    is_noop,
    split,
    strip_comments,
)
from gatekeeper.model import Finding, Level

#: the up and down markers of the SQL formats keeping both sides in one file
SECTIONS = {
    DBMATE: (
        re.compile(r"^--\s*migrate:up\b.*$", re.M),
        re.compile(r"^--\s*migrate:down\b.*$", re.M),
    ),
    GOOSE: (
        re.compile(r"^--\s*\+goose\s+Up\b.*$", re.M | re.I),
        re.compile(r"^--\s*\+goose\s+Down\b.*$", re.M | re.I),
    ),
    SQL_MIGRATE: (sqlmigrate.UP_LINE, sqlmigrate.DOWN_LINE),
}


@dataclass(frozen=True, slots=True)
class Sides:
    """The SQL of a migration's up and down, and where each starts in its file."""

    up: str
    up_line: int
    down: str | None
    down_path: str
    down_line: int = 1
    #: no down is expected (Flyway without undo migrations, Prisma)
    forward_only: bool = False


def sql_sides(changes: ChangeSet, m: Migration, *, at_base: bool = False) -> Sides | None:
    """Up and down SQL of a SQL-file migration; None when the up file cannot be read."""
    read = changes.text_at_base if at_base else changes.text_at_head
    if m.framework == FIZZ:  # judged by its SQL translation (fizz.py)

        def read(path: str) -> str | None:
            fizz_text = (changes.text_at_base if at_base else changes.text_at_head)(path)
            return None if fizz_text is None else fizz.to_sql(fizz_text)

    text = read(m.path)
    if text is None:
        return None
    if m.down_path is not None:
        down = read(m.down_path)
        if down is None and m.framework == FLYWAY and not _uses_undo(changes, m, at_base):
            return Sides(text, 1, None, m.down_path, forward_only=True)
        if down is None and m.framework in (GOLANG_MIGRATE, SQL_PAIR) and _never_down(changes, m):
            return Sides(text, 1, None, m.down_path, forward_only=True)
        return Sides(text, 1, down, m.down_path)
    if m.framework in FORWARD_ONLY:
        return Sides(text, 1, None, "", forward_only=True)
    up_mark, down_mark = SECTIONS[m.framework]
    up_match = up_mark.search(text)
    down_match = down_mark.search(text)
    up_start = up_match.end() if up_match else 0
    if down_match is None:
        return Sides(text[up_start:], _line_at(text, up_start), None, m.path)
    if down_match.start() >= up_start:
        up_text, down_text = text[up_start : down_match.start()], text[down_match.end() :]
    else:  # the down section written first
        assert up_match is not None
        up_text, down_text = text[up_start:], text[down_match.end() : up_match.start()]
    down_line = _line_at(text, down_match.end())
    return Sides(up_text, _line_at(text, up_start), down_text, m.path, down_line)


def _uses_undo(changes: ChangeSet, m: Migration, at_base: bool) -> bool:
    """True when a Flyway folder has undo migrations (``U<version>__*.sql``): Flyway's
    undo is a paid feature, so forward-only is the norm unless the project writes them."""
    names = variants.folder_names(changes, posixpath.dirname(m.path), at_base=at_base)
    return any(n.startswith("U") and "__" in n and n.endswith(".sql") for n in names)


#: merged up files a folder needs, none with a down, before its project counts as
#: forward-only by convention: one is enough, as the project merged it without a down
#: (flipt's ClickHouse folder, an up per release and never a down); a new folder has
#: none, so the change cannot set its own convention
FORWARD_ONLY_AFTER = 1


def _never_down(changes: ChangeSet, m: Migration) -> bool:
    """True when the folder, as merged (at base: the change cannot make it so), has at
    least :data:`FORWARD_ONLY_AFTER` up file and not one down file. golang-migrate runs
    a folder without downs; projects such as Harbor upgrade forward only, by design."""
    names = variants.folder_names(changes, posixpath.dirname(m.path), at_base=True)
    ups = sum(n.endswith(".up.sql") for n in names)
    return ups >= FORWARD_ONLY_AFTER and not any(n.endswith(".down.sql") for n in names)


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def undone_elsewhere(
    changes: ChangeSet, m: Migration, sides: Sides, *, at_base: bool = False
) -> list[str]:
    """For a per-database down file of its own, the other databases whose downs of the
    same version do something (their labels); [] for any other migration."""
    own = variants.parse(posixpath.basename(sides.down_path))
    if not m.dialect or own is None or own.dialect != m.dialect:
        return []
    names = variants.folder_names(changes, m.directory, at_base=at_base)
    read = changes.text_at_base if at_base else changes.text_at_head
    labels = []
    for db in [*sorted(variants.dialects_in(names) - {m.dialect}), ""]:
        down = variants.resolve(names, own.version, own.name, db, "down")
        if not db and (down is None or variants.parse(down) is not None):
            continue  # no generic down of the version
        text = read(posixpath.join(m.directory, down)) if down else None
        if text is not None and has_code(text):
            labels.append(variants.LABEL.get(db, db) if db else "the other databases")
    return labels


def check_sql(
    check: BaseCheck,
    sides: Sides,
    m: Migration,
    *,
    honour_marker: bool = True,
    undone_by: list[str] | None = None,
) -> list[Finding]:
    """Missing or empty down side of a SQL-file migration. ``undone_by``: the other
    databases whose downs undo the same version (an empty one of its own is a choice)."""
    if m.framework in FORWARD_ONLY or sides.forward_only:
        return []
    reason = irreversible_reason(sides.up + "\n" + (sides.down or "")) if honour_marker else None
    if sides.down is not None and has_code(sides.down):
        return []
    if is_noop(sides.up):
        return []  # the up changes nothing: there is nothing for a down to undo
    if reason:
        return [_irreversible(check, m.path, reason)]
    hint = " (a gatekeeper:irreversible marker needs a reason)" if reason == "" else ""
    if sides.down is None:
        return [
            check.finding(
                "missing-down",
                f"{m.framework} migration {m.path} has no down side ({sides.down_path}){hint}.",
                path=m.path,
                line=1,
                evidence=m.path,
            )
        ]
    if fills_data_only(sides.up):
        return [_fills_only(check, m.path, sides.down_line, sides.down_path)]
    if undone_by:
        # popx keeps an empty file for a database where nothing is worth undoing (SQLite
        # cannot add back a CHECK constraint without rebuilding the table)
        own = variants.LABEL.get(m.dialect, m.dialect)
        return [
            check.finding(
                "empty-down",
                f"The down side of {m.path} contains no statement, while the downs for "
                f"{', '.join(undone_by)} undo the same version: {own} is left as the up "
                "made it on purpose, it seems (a warning; strict blocks it).",
                path=sides.down_path,
                line=sides.down_line,
                evidence=m.path,
                level=Level.WARNING,
            )
        ]
    return [
        check.finding(
            "empty-down",
            f"The down side of {m.path} contains no statement{hint}.",
            path=sides.down_path,
            line=sides.down_line,
            evidence=m.path,
        )
    ]


def _fills_only(
    check: BaseCheck, path: str, line: int | None, down_path: str | None = None
) -> Finding:
    """An empty down of an up that only fills rows or adds an enum value: a warning."""
    return check.finding(
        "empty-down",
        f"The down side of {path} does nothing, and the up only changes rows (UPDATE, "
        "INSERT) or adds an enum value, which PostgreSQL cannot drop: no schema is left to "
        "undo (a warning; strict blocks it).",
        path=down_path or path,
        line=line,
        evidence=path,
        level=Level.WARNING,
    )


def _irreversible(check: BaseCheck, path: str, reason: str, line: int = 1) -> Finding:
    """``irreversible`` (info): the migration says why it cannot be undone; ``line`` is
    where it says so (the marker, or the statement declaring it)."""
    return check.finding(
        "irreversible",
        f"Declared irreversible: {reason}",
        path=path,
        line=line,
        evidence=reason,
    )


# --- Alembic -----------------------------------------------------------------------------


def _rows_only(path: str, source: str, info: pyops.AlembicFile) -> bool:
    """The upgrade changes rows and no schema: literal UPDATE/INSERT SQL, or SQLAlchemy
    Core expressions (a data migration recomputing values in Python)."""
    if info.upgrade_sql and fills_data_only(";\n".join(info.upgrade_sql)):
        return True
    return pyrows.upgrade_writes_rows_only(pyops.parse(source, path))


def check_alembic(
    check: BaseCheck,
    m: Migration,
    source: str,
    info: pyops.AlembicFile,
    *,
    honour_marker: bool = True,
    conventions: naming.Conventions | None = None,
    dialect: str = "postgres",
) -> list[Finding]:
    """Missing, empty or incomplete downgrade() of an Alembic revision. ``conventions``:
    the project's SQLAlchemy naming convention (:mod:`.naming`), by which a downgrade
    names the constraints the upgrade created by their short name; ``dialect``: the
    database, which decides what a dropped column takes with it."""
    reason = irreversible_reason(source) if honour_marker else None
    if reason:
        return [_irreversible(check, m.path, reason)]
    hint = " (a gatekeeper:irreversible marker needs a reason)" if reason == "" else ""
    if info.upgrade_state == "empty":
        return []  # a merge revision, or one left empty: nothing for a down to undo
    if not info.has_downgrade:
        return [
            check.finding(
                "missing-down",
                f"Alembic revision {m.path} has no downgrade(){hint}.",
                path=m.path,
                line=1,
                evidence=m.path,
            )
        ]
    if info.downgrade_state == "empty" and _rows_only(m.path, source, info):
        lost = djdata.sql_losses(";\n".join(info.upgrade_sql or ()), set())
        if not lost:
            return [_fills_only(check, m.path, info.downgrade_line)]
        return [datasteps.destroys(check, m.path, info.downgrade_line, lost, "downgrade()")]
    if honour_marker and info.downgrade_state == "raises" and len(info.downgrade_reason) >= 10:
        # ``raise NotImplementedError("Restore from a backup ...")``: the revision says why
        # it cannot be undone, as a gatekeeper:irreversible marker would (and, written by
        # the PR, needs a human's approval the same way: reversibility.at_head)
        return [_irreversible(check, m.path, info.downgrade_reason, info.downgrade_line or 1)]
    if info.downgrade_state != "ok":
        what = "is empty" if info.downgrade_state == "empty" else "raises NotImplementedError"
        return [
            check.finding(
                "empty-down",
                f"downgrade() of {m.path} {what}{hint}.",
                path=m.path,
                line=info.downgrade_line,
                evidence=m.path,
            )
        ]
    broken = _unnamed_drops(check, m.path, info)
    missing = unpaired(
        info.upgrade_ops, info.downgrade_ops, conventions or {}, dialect=m.dialect or dialect
    )
    if not missing:
        return broken
    listed = "; ".join(desc for desc, _ in missing)
    return [
        *broken,
        check.finding(
            "down-incomplete",
            f"downgrade() of {m.path} does not undo: {listed}.",
            path=m.path,
            line=missing[0][1],
            evidence=listed,
        ),
    ]


def _unnamed_drops(check: BaseCheck, path: str, info: pyops.AlembicFile) -> list[Finding]:
    """``op.drop_constraint(None, ...)``, as autogenerate writes for a constraint the
    database named: Alembic has no name to put in DROP CONSTRAINT, so the call always
    fails (and with it the downgrade, or the deploy when it is in the upgrade)."""
    out = []
    for side, ops in (("upgrade", info.upgrade_ops), ("downgrade", info.downgrade_ops)):
        for op in ops:
            name = op.arg(0, "constraint_name")
            if op.name != "drop_constraint" or pyops.literal_value(name) is not None:
                continue
            table = op.text(1, "table_name") or "?"
            out.append(
                check.finding(
                    "drop-unnamed-constraint",
                    f"{side}() of {path} drops a constraint of {table} by the name None: "
                    "Alembic cannot emit DROP CONSTRAINT without a name, so it always fails.",
                    path=path,
                    line=op.line,
                    evidence=f"{side}:{table}:{op.line}",
                )
            )
    return out


def heads(files: dict[str, pyops.AlembicFile]) -> list[str]:
    """The revisions no other revision builds on, sorted."""
    parents = {rev for info in files.values() for rev in info.down_revisions}
    return sorted(
        info.revision for info in files.values() if info.revision and info.revision not in parents
    )


def graph_findings(
    check: BaseCheck,
    files: dict[str, pyops.AlembicFile],
    changed: Iterable[str],
    base_heads: int = 1,
) -> list[Finding]:
    """Two heads (more than base had), or a down_revision that names no revision."""
    revisions = {info.revision: path for path, info in files.items() if info.revision}
    tips = heads(files)
    out: list[Finding] = []
    for path in sorted(changed):
        info = files.get(path)
        if info is None:
            continue
        for parent in info.down_revisions:
            if parent not in revisions:
                out.append(
                    check.finding(
                        "dangling-down-revision",
                        f"{path}: down_revision {parent!r} is not a revision in this folder.",
                        path=path,
                        evidence=parent,
                    )
                )
        if len(tips) > max(1, base_heads) and info.revision in tips:
            out.append(
                check.finding(
                    "multiple-heads",
                    f"The revision graph has {len(tips)} heads: {', '.join(tips)}.",
                    path=path,
                    evidence=",".join(tips),
                )
            )
    return out


# --- Django ------------------------------------------------------------------------------


def check_django(
    check: BaseCheck,
    m: Migration,
    source: str,
    calls: list[ast.Call],
    *,
    honour_marker: bool = True,
    earlier: djdata.Made | None = None,
) -> list[Finding]:
    """RunPython and RunSQL without a reverse, or with a reverse that does nothing (an
    error when the step writes over stored values, :mod:`.djdata`). ``earlier``: what
    the pull request's earlier new migrations of the folder add."""
    reason = irreversible_reason(source) if honour_marker else None
    module = pyops.parse(source, m.path)
    made = djdata.made_by(calls) | (earlier or set())
    out: list[Finding] = []
    for call in calls:
        found = _django_reverse(call, module, made)
        if found is None:
            continue
        rule, message, level = found
        if reason:
            out.append(_irreversible(check, m.path, reason))
            continue
        out.append(
            check.finding(
                rule,
                f"{message} in {m.path} (line {call.lineno}).",
                path=m.path,
                line=call.lineno,
                evidence=ast.unparse(call)[:200],
                level=level,
            )
        )
    return out


def _django_reverse(
    call: ast.Call, module: ast.Module, made: djdata.Made
) -> tuple[str, str, Level | None] | None:
    """(rule, message, level) for a RunPython or RunSQL whose reverse is missing or a
    no-op; None when it has a real one (or is another operation). ``made``: the fields
    and models the migration (or an earlier new one) adds, which hold no values to lose."""
    name = pyops.call_name(call)
    if name not in ("RunPython", "RunSQL"):
        return None
    keyword = "reverse_code" if name == "RunPython" else "reverse_sql"
    reverse = pyops.keyword(call, keyword, 1)
    if reverse is None:
        rule = "runpython-without-reverse" if name == "RunPython" else "runsql-without-reverse"
        return rule, f"{name} cannot be reversed", None
    forward = pyops.keyword(call, "code" if name == "RunPython" else "sql", 0)
    if not _is_noop(reverse) or (forward is not None and _is_noop(forward)):
        return None  # a real reverse, or nothing to reverse
    if name == "RunSQL":
        sql = pyops.literal_str(pyops.keyword(call, "sql", 0))
        data_only = sql is not None and all(
            sqleffects.DML.match(strip_comments(s.text)) or is_noop(s.text) for s in split(sql)
        )
        if not data_only:
            # schema statements undone by nothing: the down leaves them in place
            return "reverse-is-noop", "RunSQL changes the schema and its reverse is a no-op", None
    lost = (djdata.python_losses(module, forward, made) if name == "RunPython"
            else djdata.sql_losses(pyops.literal_str(forward) or "", made))  # fmt: skip
    if lost:
        return "reverse-is-noop", datasteps.noop_message(name, keyword, lost), None
    what = "the data the forward code changed" if name == "RunPython" else "the rows it changed"
    return (
        "reverse-is-noop",
        f"{name} with {keyword}=noop: a rollback leaves {what} as they are",
        Level.WARNING,
    )


def _is_noop(node: ast.expr) -> bool:
    """``migrations.RunPython.noop``, ``RunSQL.noop``, or an empty string or list."""
    if isinstance(node, ast.Attribute) and node.attr == "noop":
        return True
    if isinstance(node, ast.Name) and node.id == "noop":
        return True
    value = pyops.literal_value(node)
    if isinstance(node, ast.List | ast.Tuple):
        return not node.elts
    return value == "" or value is None


# --- Rails -------------------------------------------------------------------------------


def check_rails(
    check: BaseCheck, m: Migration, source: str, *, honour_marker: bool = True
) -> list[Finding]:
    """``def up`` without ``def down``, and what Rails cannot reverse in ``def change``.
    A ``def down`` that raises ``ActiveRecord::IrreversibleMigration`` is Rails' own
    declaration: shown as ``irreversible``."""
    found = rails.methods(source)
    out: list[Finding] = []
    if "up" in found and "down" not in found and "change" not in found:
        out.append(check.finding(
            "missing-down",
            f"Rails migration {m.path} has def up and no def down: rollback raises "
            "ActiveRecord::IrreversibleMigration.",
            path=m.path, line=found["up"].line, evidence=m.path,
        ))  # fmt: skip
    down = found.get("down")
    reason = irreversible_reason(source) if honour_marker else None
    if down is not None and "up" in found:
        destroyed = datasteps.rails_destroys(check, m.path, source, down, reason)
        if destroyed is not None:
            return destroyed
    if down is not None and rails.raises_only(down):
        return [_irreversible(check, m.path, "def down raises ActiveRecord::IrreversibleMigration")]
    change = found.get("change")
    calls = rails.irreversible_calls(change) if change is not None else []
    if calls:
        lines: dict[str, list[str]] = {}  # each call once, with every line it is on
        for line, name in calls:
            lines.setdefault(name, []).append(str(line))
        listed = "; ".join(
            f"{name} (line{'s' if len(at) > 1 else ''} {', '.join(at)})"
            for name, at in lines.items()
        )
        out.append(check.finding(
            "down-incomplete",
            f"def change of {m.path} calls what Rails cannot reverse: {listed}; rollback "
            "raises ActiveRecord::IrreversibleMigration (write def up and def down, or wrap "
            "it in reversible).",
            path=m.path, line=calls[0][0], evidence=listed,
        ))  # fmt: skip
    if out and reason:
        return [_irreversible(check, m.path, reason)]
    return out
