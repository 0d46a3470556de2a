"""Plugins: found, loaded in isolation, validated; a broken one is named."""

from __future__ import annotations

from importlib.metadata import EntryPoint

from gatekeeper.checks.gate import GateCheck
from gatekeeper.plugins import Registry, discover, load_entry_points, validate_check_class

GOOD = """
from typing import ClassVar
from gatekeeper.checks.interface import BaseCheck

class Ticket(BaseCheck):
    id: ClassVar[str] = "ticket"
    title: ClassVar[str] = "Ticket"
    def run(self, ctx):
        return []
"""


def test_builtin_checks_register_through_the_entry_point_group() -> None:
    registry = discover()
    assert "gate" in registry.checks
    assert registry.checks["gate"].cls is GateCheck
    assert "entry point gate" in registry.checks["gate"].origin


def test_every_built_in_schema_is_valid_json_schema() -> None:
    # runs skip this validation for built-in checks; this test is what keeps them honest
    from gatekeeper.policy.schema import validate_config_schema

    registry = discover()
    assert len(registry.checks) >= 10 and not registry.failures
    for loaded in registry.checks.values():
        validate_config_schema(loaded.cls)


def test_local_file_is_loaded_from_its_text() -> None:
    registry = discover({"checks/ticket.py": GOOD})
    assert registry.checks["ticket"].origin == "local file checks/ticket.py"
    assert registry.failures == []


def test_local_file_that_raises_on_import_is_named() -> None:
    registry = discover({"checks/broken.py": "import does_not_exist_anywhere\n"})
    (failure,) = registry.failures
    assert failure.name == "checks/broken.py"
    assert "ModuleNotFoundError" in failure.reason
    assert "gate" in registry.checks  # the others still load


def test_local_file_missing_at_base_or_without_checks() -> None:
    registry = discover({"a.py": None, "b.py": "x = 1\n"})
    reasons = sorted(f.reason for f in registry.failures)
    assert reasons == [
        "defines no class with an `id`",
        "the file does not exist at the base commit",
    ]


def test_invalid_check_classes_are_refused_with_reasons() -> None:
    bad = GOOD.replace('"ticket"', '"Bad_Id"').replace('"Ticket"', '""')
    registry = discover({"bad.py": bad})
    (failure,) = registry.failures
    assert "must match" in failure.reason and "title" in failure.reason
    assert validate_check_class(42) == ["42 is not a class"]


def test_duplicate_ids_keep_the_first_and_name_both() -> None:
    registry = discover({"dup.py": GOOD.replace('"ticket"', '"gate"')})
    (failure,) = registry.failures
    assert "already provided by entry point gate" in failure.reason
    assert registry.checks["gate"].cls is GateCheck


def test_entry_point_that_fails_to_import_is_recorded() -> None:
    registry = Registry()
    ep = EntryPoint(name="ghost", value="no_such_module_xyz:Check", group="gatekeeper.checks")
    load_entry_points(registry, [ep])
    (failure,) = registry.failures
    assert failure.name == "ghost" and "failed to import" in failure.reason
    assert "ghost" in str(failure)
    assert registry.failure_for("ghost") is failure
    assert registry.rule("ghost/x") is None
