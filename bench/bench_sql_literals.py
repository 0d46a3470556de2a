"""Benchmark of the literal-SQL allowance (bandit B608) on a big generated module.

    python bench/bench_sql_literals.py [--constants 2000] [--queries 200] [--repeat 3]
                                       [--peer /path/to/other/worktree/src]

The module holds ``--constants`` module-level string assignments (a settings module or
a generated table of names) and ``--queries`` functions that build SQL from them, the
shape a B608 finding has when its pieces are literals. Timed: parsing the file once and
asking about every query's line, as the security check does for each B608 hit. With
``--peer``, the same run is made in a subprocess on another checkout's ``src`` (main's
code, say) and both figures are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def module(constants: int, queries: int) -> tuple[str, list[int]]:
    """The generated source, and the line of each query's SQL string."""
    lines = ["import os", ""]
    lines += [f'COLUMN_{i} = "col_{i}"' for i in range(constants)]
    lines += ['TABLE = "events" if os.name == "posix" else "events_win"', ""]
    asked = []
    for q in range(queries):
        lines += [f"def query_{q}(cursor, key):", f'    order = "{q}"']
        asked.append(len(lines) + 1)
        lines += [
            f'    sql = f"SELECT {{COLUMN_{q % constants}}} FROM {{TABLE}} ORDER BY {{order}}"',
            "    return cursor.execute(sql, (key,))",
            "",
        ]
    return "\n".join(lines) + "\n", asked


def measure(constants: int, queries: int, repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds of one file's questions, in this process."""
    from gatekeeper.checks.security.sql_literals import LiteralSql

    source, asked = module(constants, queries)
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0, wall0 = _cpu(), time.perf_counter()
        sql = LiteralSql(source)
        literal = sum(sql.only_literals(n, n) for n in asked)
        walls.append(time.perf_counter() - wall0)
        cpus.append(_cpu() - cpu0)
        assert literal == queries, literal  # every query is built from literals only
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def in_subprocess(src: Path, args: argparse.Namespace) -> dict[str, float]:
    """The same measurement with another checkout's code first on the import path."""
    argv = [sys.executable, __file__, "--worker", "--constants", str(args.constants)]
    argv += ["--queries", str(args.queries), "--repeat", str(args.repeat)]
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--constants", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", type=Path, help="another checkout's src folder")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # the peer's run: its src is first on PYTHONPATH
        print(json.dumps(measure(args.constants, args.queries, args.repeat)))
        return
    runs = [("this checkout", in_subprocess(SRC, args))]
    if args.peer is not None:
        runs.append((f"peer {args.peer}", in_subprocess(args.peer, args)))
    print(
        f"literal-SQL allowance: {args.constants:,} module constants, {args.queries} B608 "
        f"lines asked about (median of {args.repeat}; load {os.getloadavg()[0]:.1f})"
    )
    print(f"  {'code':<40} {'wall':>8} {'cpu':>8}")
    for label, t in runs:
        print(f"  {label:<40} {t['wall']:7.3f}s {t['cpu']:7.3f}s")


if __name__ == "__main__":
    main()
