"""Findings moved from a generated document to the code that made it."""

from __future__ import annotations

import json
from collections.abc import Callable

from gatekeeper.checks.openapi.generate.sources import (
    Sources,
    pointers_by_line,
    relocate,
    template,
)
from gatekeeper.model import Finding, Level, Location

DOC = {
    "openapi": "3.1.0",
    "paths": {
        "/items/{item_id}": {
            "get": {"parameters": [{"name": "q", "in": "query"}], "responses": {}},
        }
    },
    "components": {"schemas": {"Item": {"properties": {"sku": {"type": "string"}}}}},
}
TEXT = json.dumps(DOC, indent=2)
RAW = {
    "operations": [["GET", "/items/{id}/", "app/views.py", 7]],
    "schemas": {"Item": ["app/models.py", 3, {"sku": 5}]},
}


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _finding(
    line: int | None, message: str = "something changed", path: str = "api.json"
) -> Finding:
    return Finding("openapi", "r", message, Level.ERROR, Location(path, line, line), "fp")


def _lines(known: dict[str, int]) -> Callable[[str], int | None]:
    return known.get


def test_lines_know_the_keys_that_lead_to_them_arrays_included() -> None:
    pointers = pointers_by_line(TEXT)
    assert pointers[_line(TEXT, '"in": "query"') - 1] == (
        "paths", "/items/{item_id}", "get", "parameters", "in",
    )  # fmt: skip
    assert pointers[_line(TEXT, '"responses"') - 1] == (
        "paths", "/items/{item_id}", "get", "responses",
    )  # fmt: skip
    assert pointers[_line(TEXT, '"sku"') - 1] == (
        "components",
        "schemas",
        "Item",
        "properties",
        "sku",
    )
    assert pointers[0] == ()


def test_templates_ignore_parameter_names_and_trailing_slashes() -> None:
    assert template("/items/{pk}/") == template("/items/{item_id}") == "/items/{}"
    assert template("/") == "/"


def test_a_finding_in_an_operation_moves_to_its_handler_and_keeps_its_fingerprint() -> None:
    sources = Sources.parse(RAW)
    f = _finding(_line(TEXT, '"in": "query"'))
    (moved,) = relocate([f], "api.json", TEXT, sources, _lines({"app/views.py": 10}))
    assert moved.location == Location("app/views.py", 7, 7)
    assert moved.fingerprint == f.fingerprint


def test_a_property_moves_to_its_field_and_a_schema_to_its_class() -> None:
    sources = Sources.parse(RAW)
    lines = _lines({"app/models.py": 9})
    (field,) = relocate([_finding(_line(TEXT, '"sku"'))], "api.json", TEXT, sources, lines)
    assert field.location == Location("app/models.py", 5, 5)
    (cls,) = relocate([_finding(_line(TEXT, '"Item"'))], "api.json", TEXT, sources, lines)
    assert cls.location == Location("app/models.py", 3, 3)


def test_a_message_naming_a_shared_schema_or_an_operation_is_followed() -> None:
    sources = Sources.parse(RAW)
    lines = _lines({"app/models.py": 9, "app/views.py": 10})
    path_line = _line(TEXT, '"/items/{item_id}"')
    grouped = _finding(path_line, "property 'sku' removed from the response schema Item, used by 2")
    (moved,) = relocate([grouped], "api.json", TEXT, sources, lines)
    assert moved.location == Location("app/models.py", 5, 5)
    op = _finding(path_line, "query parameter 'q' removed from GET /items/{item_id}")
    (moved,) = relocate([op], "api.json", TEXT, sources, lines)
    assert moved.location == Location("app/views.py", 7, 7)


def test_findings_stay_on_the_document_when_the_code_is_unknown_or_not_at_head() -> None:
    sources = Sources.parse(RAW)
    line = _line(TEXT, '"in": "query"')
    elsewhere = _finding(line, path="other.yaml")
    no_line = _finding(None)
    top = _finding(_line(TEXT, '"openapi"'))
    kept = [elsewhere, no_line, top]
    assert relocate(kept, "api.json", TEXT, sources, _lines({"app/views.py": 10})) == kept
    # the handler's file is not at head, or shorter than the line it names
    f = _finding(line)
    assert relocate([f], "api.json", TEXT, sources, _lines({})) == [f]
    assert relocate([f], "api.json", TEXT, sources, _lines({"app/views.py": 3})) == [f]


def test_malformed_sources_from_the_generator_are_dropped() -> None:
    raw = {
        "operations": [
            ["get", "/a", "/etc/passwd", 1],
            ["get", "/b", "../outside.py", 1],
            ["get", "/c", "ok.py", 0],
            ["get", "/d", "ok.py", True],
            ["get", "/e"],
            "nonsense",
            ["get", "/f", "ok.py", 2],
        ],
        "schemas": {"A": ["x.py", "1", {}], "B": ["x.py", 4, {"p": -1, "q": 6}], "C": 3},
    }
    sources = Sources.parse(raw)
    assert sources.operations == {("get", "/f"): ("ok.py", 2)}
    assert sources.schemas == {"B": (("x.py", 4), {"q": 6})}
    assert Sources.parse([1, 2]) == Sources()
    assert Sources.parse(sources.to_json()) == sources
