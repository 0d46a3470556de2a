"""Small check classes with real config_schemas, standing in for the installed checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from gatekeeper.checks.interface import BaseCheck, CheckContext, rule_catalog
from gatekeeper.model import Finding, Level, Rule


class _Fake(BaseCheck):
    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        return ()


class Coverage(_Fake):
    id = "coverage"
    title = "Diff coverage"
    rules = rule_catalog(
        Rule("diff-coverage-low", Level.ERROR, "Too few changed lines are tested"),
        Rule("total-coverage-dropped", Level.WARNING, "Total coverage went down"),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "report": {"type": "string", "default": "coverage.json"},
            "diff_min": {"type": "number", "minimum": 0, "maximum": 100, "default": 80},
            "total_max_drop": {"type": "number"},
        },
    }


class Cochange(_Fake):
    id = "cochange"
    title = "Co-change"
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "items": {
                "type": "array",
                "items": {"$ref": "#/$defs/rule"},
                "default": [],
            }
        },
        "$defs": {
            "rule": {
                "type": "object",
                "additionalProperties": False,
                "required": ["when", "require"],
                "properties": {
                    "when": {"type": "array", "items": {"type": "string"}},
                    "require": {"type": "array", "items": {"type": "string"}},
                    "message": {"type": "string"},
                },
            }
        },
    }


class OpenAPI(_Fake):
    id = "openapi"
    title = "API contract"
    description = "Breaking changes to OpenAPI specs."
    rules = rule_catalog(
        Rule("response-property-removed", Level.ERROR, "A property went away"),
        # the presets name it (a warning under recommended, a block under strict)
        Rule("request-parameter-default-value-removed", Level.ERROR, "A default went away"),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "specs": {"type": "array", "items": {"type": "string"}, "default": []},
            # the strict preset sets it false
            "enum_catch_up": {"type": "boolean"},
        },
    }


class Needy(_Fake):
    """A check with a required key: a bare ``true`` is not enough to run it."""

    id = "needy"
    title = "Needs config"
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["target"],
        "properties": {"target": {"type": "string"}},
    }


class Sarif(_Fake):
    """Rule ids come from whatever tool wrote the SARIF: any id is allowed."""

    id = "sarif"
    title = "SARIF"
    open_rules = True
    rules = rule_catalog(Rule("result", Level.WARNING, "A tool reported a result"))
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {"files": {"type": "array", "items": {"type": "string"}}},
    }


class Migrations(_Fake):
    id = "migrations"
    title = "Migrations"
    rules = rule_catalog(
        Rule("index-not-concurrent", Level.ERROR, "An index built without CONCURRENTLY"),
        Rule("roundtrip-not-run", Level.WARNING, "The roundtrip could not run"),
        Rule("empty-down", Level.ERROR, "The down side does nothing"),
        Rule("missing-down", Level.ERROR, "The migration has no down side"),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "large_tables": {"type": "array", "items": {"type": "string"}},
            "drop_after_copy": {"type": "boolean", "default": True},
        },
    }


class Security(_Fake):
    id = "security"
    title = "Security"
    rules = rule_catalog(Rule("secret-private-key", Level.ERROR, "A private key was added"))
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "bandit": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "test_files": {"type": "array", "items": {"type": "string"}},
                    "block_confidence": {"enum": ["low", "medium", "high"]},
                    "weak_hash_for_names": {"type": "boolean"},
                    "chmod_exec_only": {"type": "boolean"},
                    "tmp_paths": {"type": "boolean"},
                    "sql_in_migrations": {"type": "boolean"},
                },
            },
            "secrets": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "doc_files": {"type": "array", "items": {"type": "string"}},
                    "test_files": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    }


def _plain(check_id: str) -> type:
    return type(check_id.replace("-", "_"), (_Fake,), {"id": check_id, "title": check_id})


#: Every check id the shipped presets mention, with the richer fakes above.
CHECKS: Mapping[str, type] = {
    **{cid: _plain(cid) for cid in ("gate", "pr", "command")},
    "security": Security,
    "migrations": Migrations,
    **{cid: _plain(cid) for cid in ("env-vars", "review")},
    "coverage": Coverage,
    "cochange": Cochange,
    "openapi": OpenAPI,
    "sarif": Sarif,
}
