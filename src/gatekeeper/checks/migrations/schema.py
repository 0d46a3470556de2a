"""The JSON Schema of the check's policy block (``checks.migrations``)."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.suppressions import TRUST_KEY, TRUST_SCHEMA
from gatekeeper.checks.migrations.detect import FRAMEWORKS

DIALECTS = (
    "postgres", "cockroach", "sqlite", "mysql", "mariadb", "tsql", "oracle", "snowflake",
    "bigquery",
)  # fmt: skip

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "frameworks": {
            "type": "object",
            "description": "Path globs per framework where its migrations live (default: "
            "anywhere, recognised by convention); an empty list turns a framework off. "
            "sql-folder's globs also declare folders of versioned SQL files (0001_x.sql, "
            "v1.2.3.sql) whose name does not say migrations.",
            "additionalProperties": False,
            "properties": {fw: {"type": "array", "items": {"type": "string"}} for fw in FRAMEWORKS},
        },
        "dialect": {
            "enum": list(DIALECTS),
            "default": "postgres",
            "description": "SQL dialect of the migrations, for the safety rules and the lint.",
        },
        "roundtrip": {
            "enum": ["auto", "sqlite", "postgres", "off"],
            "default": "auto",
            "description": "Where reversibility is proven. auto: each chain on its own "
            "database's engine when it is at hand (SQLite chains, and chains SQLite runs, "
            "on SQLite; PostgreSQL chains, and chains SQLite cannot prove, on PostgreSQL "
            "when database_url is set or the PostgreSQL binaries are installed); sqlite: "
            "an embedded SQLite database; postgres: a PostgreSQL server (database_url, or "
            "a scratch server), a missing one being an error; off: not at all.",
        },
        "database_url": {
            "type": "string",
            "description": "postgresql:// URL of a server where scratch databases may be "
            "created (needs CREATEDB), e.g. the job's PostgreSQL service; else the "
            "GATEKEEPER_DATABASE_URL variable; without either a scratch server is started.",
        },
        "alembic": {
            "type": "object",
            "additionalProperties": False,
            "description": "How Alembic revisions are round-tripped.",
            "properties": {
                "mode": {
                    "enum": ["auto", "project", "isolated"],
                    "default": "auto",
                    "description": "project: through the project's alembic.ini and env.py "
                    "(the application must be importable: the in-job action); isolated: "
                    "each revision on its own; auto: project when an alembic.ini is found "
                    "and env.py loads, else isolated.",
                },
                "config": {
                    "type": "string",
                    "description": "Path of alembic.ini in the repository (default: the "
                    "nearest one above the revisions whose script_location holds them).",
                },
            },
        },
        "django": {
            "type": "object",
            "additionalProperties": False,
            "description": "How Django migrations are round-tripped.",
            "properties": {
                "mode": {"enum": ["auto", "off"], "default": "auto"},
                "settings": {
                    "type": "string",
                    "description": "DJANGO_SETTINGS_MODULE (default: the one manage.py sets).",
                },
                "root": {
                    "type": "string",
                    "description": "Folder the project's imports start from (default: "
                    "manage.py's).",
                },
            },
        },
        "environment": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "default": {"DATABASE_URL": "{url}"},
            "description": "Variables set for env.py or the Django settings during a round "
            "trip; {url}, {host}, {port}, {user}, {password}, {database} are the scratch "
            "database's.",
        },
        "pass_env": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "description": "Variables of the job's environment passed on to env.py or the "
            "Django settings (credentials of the job are never passed).",
        },
        "history": {
            "enum": ["released", "merged"],
            "default": "released",
            "description": "When editing a merged migration blocks: released (it is in the "
            "newest release tag the base descends from; without tags, once merged) or "
            "merged (always). An edit of a migration no release has yet is a warning.",
        },
        "safety": {"type": "boolean", "default": True},
        "large_tables": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Globs of the tables large enough that a lock held while an "
            "index builds, a constraint validates, NOT NULL is checked or the table is "
            "rewritten blocks the merge (on other tables those are warnings). Unset: tables "
            "whose names say they record events, logs, metrics, audits or history are "
            'presumed large; ["*"]: every table (strict); []: none.',
        },
        "lint": {
            "description": "sqlfluff on changed SQL: true, or the rules to use.",
            "oneOf": [
                {"type": "boolean"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "rules": {"type": "array", "items": {"type": "string"}},
                        "exclude_rules": {"type": "array", "items": {"type": "string"}},
                        "dialect": {"type": "string"},
                    },
                },
            ],
        },
        "code_paths": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Where the application's code lives, searched to recognise a drop "
            "whose column or table is no longer used (expand-contract).",
        },
        "drop_after_copy": {
            "type": "boolean",
            "default": True,
            "description": "A column dropped after the same migration (or an earlier one of "
            "the PR) copied every row's value into another column or table is a warning "
            "saying where the values went; false keeps it an error (strict).",
        },
        "deploy": {
            "enum": ["rolling", "stop-first"],
            "default": "rolling",
            "description": "How the application meets its migrations. `rolling`: old code "
            "keeps running beside the new schema, so a drop or rename needs an "
            "expand-contract plan. `stop-first`: the application is stopped, migrated and "
            "started again (a self-hosted product that migrates at startup), so a drop or "
            "rename whose every reader the same PR removes is a warning.",
        },
        "roundtrip_max_bytes": {"type": "integer", "minimum": 0, "default": 1_000_000},
        TRUST_KEY: {
            **TRUST_SCHEMA,
            "description": "Honour `gatekeeper:ignore` and `gatekeeper:irreversible` markers "
            "the pull request itself wrote. Off by default: the finding they would hide is "
            "reported, marked 'suppressed in this PR', and blocks until a human approves the "
            "latest push.",
        },
    },
}
