"""Migrations check benchmarks, and a side-by-side run with squawk on the same SQL files.

Issue 4's targets: a 200-revision Alembic chain round-tripped on SQLite in <= 10 s, and
the safety analysis of an 800-statement SQL file in <= 1 s. The squawk comparison runs
both tools on one corpus of PostgreSQL migration files, maps squawk's rule names to ours,
and reports per mapped rule where they agree and differ, and the time of each.

Usage: python bench/bench_migrations.py [--revisions 200] [--statements 800]
                                        [--corpus DIR] [--json OUT]
The corpus defaults to files generated here (every safety rule case of
tests/checks/migrations/cases/safety_postgres.yml, plus the 800-statement file);
``--corpus`` adds a folder of real ``*.sql`` migrations (not shipped: e.g. the 70 files of
supabase/auth's ``migrations/``, MIT, whose Go-template placeholders are rendered here).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gatekeeper.checks.migrations import MigrationsCheck  # noqa: E402
from gatekeeper.checks.migrations.safety import review  # noqa: E402
from gatekeeper.checks.migrations.sqltext import split  # noqa: E402
from gatekeeper.testing import changeset, context  # noqa: E402

#: squawk rule name -> our rule id (facts: squawk's documented rule names)
SQUAWK_TO_OURS = {
    "ban-drop-table": "drop-table",
    "ban-drop-column": "drop-column",
    "renaming-table": "rename-table",
    "renaming-column": "rename-column",
    "changing-column-type": "change-column-type",
    "adding-required-field": "add-required-column",
    "adding-not-nullable-field": "set-not-null",
    "adding-field-with-default": "volatile-default",
    "adding-foreign-key-constraint": "constraint-not-valid",
    "constraint-missing-not-valid": "constraint-not-valid",
    "disallowed-unique-constraint": "unique-constraint",
    "require-concurrent-index-creation": "index-not-concurrent",
    "require-concurrent-index-deletion": "drop-index-not-concurrent",
    "ban-concurrent-index-creation-in-transaction": "concurrent-in-transaction",
    "require-lock-timeout": "missing-lock-timeout",
    "ban-truncate-cascade": "truncate-cascade",
    "transaction-nesting": "transaction-nesting",
    "require-concurrent-reindex": "blocking-maintenance",
    "ban-drop-database": "drop-database",
    "ban-drop-not-null": "drop-not-null",
    "adding-serial-primary-key-field": "add-primary-key-column",
    "syntax-error": "unreviewed-statement",
}


TEMPLATE = re.compile(r"\{\{[^}]*\}\}")

# --- 1. Alembic chain roundtrip on SQLite ------------------------------------------------


def _revision(i: int) -> str:
    parent = repr(f"r{i - 1:04d}") if i else "None"
    if i % 2 == 0:
        up = (
            f"    op.create_table('t{i}', sa.Column('id', sa.Integer, primary_key=True),\n"
            f"                    sa.Column('name', sa.String(40)))\n"
            f"    op.create_index('ix_t{i}_name', 't{i}', ['name'])\n"
        )
        down = f"    op.drop_index('ix_t{i}_name', table_name='t{i}')\n    op.drop_table('t{i}')\n"
    else:
        up = f"    op.add_column('t{i - 1}', sa.Column('extra', sa.Integer, nullable=True))\n"
        down = f"    op.drop_column('t{i - 1}', 'extra')\n"
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = 'r{i:04d}'\ndown_revision = {parent}\n"
        f"def upgrade():\n{up}def downgrade():\n{down}"
    )


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_alembic(revisions: int) -> dict[str, Any]:
    """Roundtrip every revision of a new chain, then only the last one on its parents."""
    files = {f"alembic/versions/r{i:04d}.py": _revision(i) for i in range(revisions)}
    last = f"alembic/versions/r{revisions - 1:04d}.py"
    parents = {p: s for p, s in files.items() if p != last}
    # four new revisions: each proven on its own, a child process per step (3 each + the
    # chain); more than alembic_run.GROUP_ABOVE new ones are proven together
    older = {p: s for p, s in files.items() if p < f"alembic/versions/r{revisions - 4:04d}.py"}
    config = {"roundtrip": "sqlite", "safety": False}
    out: dict[str, Any] = {"revisions": revisions}
    runs = (("all_new_seconds", {}), ("last_new_seconds", parents), ("four_new_seconds", older))
    for label, base in runs:
        with tempfile.TemporaryDirectory() as scratch:
            ctx = context(changeset(base, files), config, scratch=Path(scratch))
            start, cpu = time.perf_counter(), _cpu()
            findings = list(MigrationsCheck().run(ctx))
            out[label] = round(time.perf_counter() - start, 3)
            # the machine is shared: CPU time (ours and the Alembic child's) shows our cost
            # apart from waiting for a core
            out[label.replace("seconds", "cpu_seconds")] = round(_cpu() - cpu, 3)
            out[label.replace("seconds", "findings")] = sorted(f.rule for f in findings)
    return out


# --- 2. safety of an 800-statement file --------------------------------------------------

_TEMPLATES = (
    "ALTER TABLE t{i} ADD COLUMN c{i} text",
    "CREATE INDEX CONCURRENTLY ix_{i} ON t{i} (c{i})",
    "ALTER TABLE t{i} ADD CONSTRAINT fk_{i} FOREIGN KEY (a) REFERENCES u (id) NOT VALID",
    "ALTER TABLE t{i} VALIDATE CONSTRAINT fk_{i}",
    "UPDATE t{i} SET c{i} = 'x' WHERE id BETWEEN {i} AND {i} + 1000",
    "CREATE TABLE n{i} (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{{}}')",
    "ALTER TABLE t{i} ALTER COLUMN c{i} SET DEFAULT 'y'",
    "CREATE INDEX ix_b{i} ON t{i} (lower(c{i}))",
    "ALTER TABLE t{i} DROP COLUMN old{i}",
    "COMMENT ON COLUMN t{i}.c{i} IS 'generated'",
)


def statements_file(n: int) -> str:
    """``n`` varied PostgreSQL migration statements, one per line, lock_timeout first."""
    lines = ["SET lock_timeout = '2s';"]
    lines += [_TEMPLATES[i % len(_TEMPLATES)].format(i=i) + ";" for i in range(n - 1)]
    return "\n".join(lines) + "\n"


def bench_safety(n: int) -> dict[str, Any]:
    """Split + review (pglast) of an n-statement file, warm, best of three."""
    sql = statements_file(n)
    review(split("SELECT 1;"), "postgres")  # import pglast outside the timing
    best = float("inf")
    hits: list[Any] = []
    for _ in range(3):
        start = time.perf_counter()
        hits = review(split(sql), "postgres")
        best = min(best, time.perf_counter() - start)
    return {"statements": n, "seconds": round(best, 3), "hits": dict(Counter(h.rule for h in hits))}


# --- 3. squawk side by side --------------------------------------------------------------


def build_corpus(folder: Path, extra: Path | None, statements: int) -> list[Path]:
    """Write the generated corpus into ``folder``; add ``extra``'s *.sql files."""
    import yaml

    cases = yaml.safe_load(
        (ROOT / "tests/checks/migrations/cases/safety_postgres.yml").read_text("utf-8")
    )
    files = []
    for i, case in enumerate(cases["cases"]):
        if "sql" not in case:
            continue
        prelude = "SET lock_timeout = '2s';\n" if case.get("prelude", True) else ""
        path = folder / f"case_{i:03d}.sql"
        path.write_text(prelude + case["sql"] + "\n", encoding="utf-8")
        files.append(path)
    big = folder / "statements_800.sql"
    big.write_text(statements_file(statements), encoding="utf-8")
    files.append(big)
    if extra is not None:
        for source in sorted(extra.rglob("*.sql")):
            # Go-template placeholders (pop/fizz: {{ index .Options "Namespace" }}) are
            # rendered to one schema name so that both tools see plain SQL
            text = TEMPLATE.sub("auth", source.read_text(encoding="utf-8", errors="replace"))
            path = folder / "corpus" / source.relative_to(extra)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            files.append(path)
    return files


def run_ours(files: list[Path]) -> tuple[float, Counter[tuple[str, str]]]:
    """Our safety review of each file; (seconds, counts of (file, rule))."""
    start = time.perf_counter()
    counts: Counter[tuple[str, str]] = Counter()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for hit in review(split(text), "postgres"):
            counts[(str(path), hit.rule)] += 1
    return time.perf_counter() - start, counts


def run_squawk(files: list[Path]) -> tuple[float, Counter[tuple[str, str]], Counter[str]]:
    """squawk on all files in one run; (seconds, mapped counts, unmapped rule counts)."""
    exe = shutil.which("squawk")
    if exe is None:
        raise SystemExit("squawk is not installed: pip install squawk-cli")
    start = time.perf_counter()
    proc = subprocess.run(
        [exe, "--reporter", "json", *map(str, files)], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    seen: set[tuple[str, int, str]] = set()
    unmapped: Counter[str] = Counter()
    for item in json.loads(proc.stdout or "[]"):
        ours = SQUAWK_TO_OURS.get(item["rule_name"])
        if ours is None:
            unmapped[item["rule_name"]] += 1
        else:
            # two squawk rules can map to one of ours on the same statement: count it once
            seen.add((item["file"], item["line"], ours))
    counts = Counter((file, rule) for file, _line, rule in seen)
    return seconds, counts, unmapped


def compare(ours: Counter[tuple[str, str]], theirs: Counter[tuple[str, str]]) -> dict[str, Any]:
    """Per rule: files where both tools report it, only we do, only squawk does; and the
    same for findings counted per file (squawk reports some rules per statement where we
    report once per migration, e.g. the lock timeout, so files are the fairer unit)."""
    table: dict[str, dict[str, int]] = {}
    for key in sorted(set(ours) | set(theirs)):
        row = table.setdefault(
            key[1],
            {"files_both": 0, "files_only_ours": 0, "files_only_squawk": 0,
             "findings_both": 0, "findings_only_ours": 0, "findings_only_squawk": 0},
        )  # fmt: skip
        mine, other = ours[key], theirs[key]
        side = "both" if mine and other else ("only_ours" if mine else "only_squawk")
        row[f"files_{side}"] += 1
        both = min(mine, other)
        row["findings_both"] += both
        row["findings_only_ours"] += mine - both
        row["findings_only_squawk"] += other - both
    return table


def bench_squawk(extra: Path | None, statements: int) -> dict[str, Any]:
    """Both tools on the same files, in one run each."""
    with tempfile.TemporaryDirectory() as tmp:
        files = build_corpus(Path(tmp), extra, statements)
        review(split("SELECT 1;"), "postgres")  # warm import, as squawk has no import cost
        ours_s, ours = run_ours(files)
        theirs_s, theirs, unmapped = run_squawk(files)
        version = subprocess.run(
            ["squawk", "--version"], capture_output=True, text=True, check=False
        )
    return {
        "files": len(files),
        "ours_seconds": round(ours_s, 3),
        "squawk_seconds": round(theirs_s, 3),
        "squawk_version": version.stdout.strip(),
        "per_rule": compare(ours, theirs),
        "squawk_unmapped": dict(sorted(unmapped.items())),
    }


def main() -> None:
    """Run all three benchmarks and print (or write) their figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=200)
    parser.add_argument("--statements", type=int, default=800)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = {
        "alembic_roundtrip": bench_alembic(args.revisions),
        "safety": bench_safety(args.statements),
        "squawk": bench_squawk(args.corpus, args.statements),
    }
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
