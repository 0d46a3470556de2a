"""Rule cases as data: each YAML file under cases/ lists base/head pairs and expected rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.testing import run_check

CASES = Path(__file__).parent / "cases"


#: shorthand for safety cases: ``sql:`` is the up side of a plain up/down pair (no
#: transaction), after a lock_timeout so that rule stays out of the other cases' way
PRELUDE = "SET lock_timeout = '2s';\n"


#: application code that still uses the names the cases drop (so no drop is taken
#: for the contract step of an expand-contract plan unless a case says so)
APP = {"app/models.py": "# users: email, old\n"}


def _base(case: dict[str, Any]) -> dict[str, Any]:
    return {**APP, **case.get("base", {})} if "sql" in case else dict(case.get("base", {}))


def _head(case: dict[str, Any]) -> dict[str, Any]:
    if "sql" not in case:
        return dict(case["head"])
    prelude = PRELUDE if case.get("prelude", True) else ""
    return {
        "db/change.up.sql": prelude + case["sql"],
        "db/change.down.sql": "SELECT 1;",
        **APP,
    }


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            config = case.get("config", doc.get("config", {}))
            params.append(pytest.param(case, config, id=f"{path.stem}: {case['name']}"))
    return params


@pytest.mark.parametrize(("case", "config"), _load())
def test_rule_case(
    case: dict[str, Any], config: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if config.get("database_url") == "$PG_URL":
        config = {**config, "database_url": request.getfixturevalue("pg_url")}
    findings = run_check(MigrationsCheck(), _base(case), _head(case), config)
    got = sorted(f.rule for f in findings)
    assert got == sorted(case["expect"]), [f"{f.location}: {f.rule}: {f.message}" for f in findings]
    for f in findings:
        assert f.message and f.check == "migrations"
        assert f.rule in MigrationsCheck.rules


def test_a_drop_in_another_dialect_names_its_table() -> None:
    # sqlglot moved DROP's table from "this" to "tables"; the message said "Drops table ?."
    head = {"db/1_x.up.sql": "DROP TABLE users;", "db/1_x.down.sql": "SELECT 1;", **APP}
    config = {"roundtrip": "off", "dialect": "mysql"}
    found = run_check(MigrationsCheck(), dict(APP), head, config)
    assert [f.message for f in found if f.rule == "drop-table"] == ["Drops table users."]
