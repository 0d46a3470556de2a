"""sqlfluff on the SQL the change added to migrations, with the dialect and rules from policy.

sqlfluff skips files over 20 kB by default without a word; the limit is lifted here
(``large_file_skip_byte_limit = 0``) so that nothing passes unlinted. Violations are
kept only on the lines the change added, so that cost and noise follow the diff.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LintHit:
    """One sqlfluff violation: its code (``LT01``, ``PRS`` for a parse error), where, what."""

    code: str
    description: str
    line: int


#: the sqlfluff dialect for a database sqlfluff has no dialect of its own for
SQLFLUFF_DIALECT = {"cockroach": "postgres"}


def options(config: object, dialect: str) -> dict[str, Any] | None:
    """sqlfluff overrides from the policy's ``lint`` value; None when linting is off."""
    if config is None or config is False:
        return None
    # sqlfluff has no CockroachDB dialect; its SQL is PostgreSQL's
    dialect = SQLFLUFF_DIALECT.get(dialect, dialect)
    overrides: dict[str, Any] = {"dialect": dialect, "large_file_skip_byte_limit": 0}
    if isinstance(config, Mapping):
        overrides["dialect"] = str(config.get("dialect", dialect))
        if config.get("rules"):
            overrides["rules"] = ",".join(config["rules"])
        if config.get("exclude_rules"):
            overrides["exclude_rules"] = ",".join(config["exclude_rules"])
    return overrides


class SqlLinter:
    """One sqlfluff linter, configured once, for every file of the run."""

    def __init__(self, overrides: Mapping[str, Any]) -> None:
        import sqlfluff
        from sqlfluff.core import FluffConfig, Linter
        from sqlfluff.core.errors import SQLFluffUserError

        dialects = {d.label for d in sqlfluff.list_dialects()}
        if overrides["dialect"] not in dialects:
            raise ValueError(f"sqlfluff has no dialect {overrides['dialect']!r}")
        known = {"all", "core"}
        for rule in sqlfluff.list_rules():
            known |= {rule.code, rule.name, *rule.groups, *rule.aliases}
        wanted = ",".join((overrides.get("rules", ""), overrides.get("exclude_rules", "")))
        unknown = sorted({r.strip() for r in wanted.split(",") if r.strip()} - known)
        if unknown:
            raise ValueError(f"sqlfluff has no rule {', '.join(unknown)}")
        try:
            self._linter = Linter(config=FluffConfig(overrides=dict(overrides)))
        except (SQLFluffUserError, ValueError, KeyError) as exc:
            raise ValueError(f"sqlfluff rejects the lint settings: {exc}") from exc

    def lint(self, path: str, text: str, lines: Collection[int]) -> list[LintHit]:
        """Violations in ``text`` on ``lines``, sorted by line and code."""
        result = self._linter.lint_string(text, fname=path)
        hits = {
            LintHit(v.rule_code(), v.desc(), int(v.line_no))
            for v in result.get_violations()
            if int(v.line_no) in lines
        }
        return sorted(hits, key=lambda h: (h.line, h.code, h.description))


def lint_files(
    linter: SqlLinter, files: Iterable[tuple[str, str, Collection[int]]]
) -> list[tuple[str, LintHit]]:
    """(path, hit) for each file given as (path, text, added lines)."""
    out: list[tuple[str, LintHit]] = []
    for path, text, lines in files:
        if lines:
            out += [(path, hit) for hit in linter.lint(path, text, lines)]
    return out
