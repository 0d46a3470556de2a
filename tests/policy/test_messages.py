"""Every schema error a policy author can meet in a built-in check's block reads as a
sentence, never as jsonschema's own wording ("is not valid under any of the given
schemas", "is not of type", "is too long"...).

Each key of each check (nested blocks included) gets values of the wrong kind, and each
resulting message is checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.plugins import discover
from gatekeeper.policy.defaults import properties
from gatekeeper.policy.schema import policy_schema
from gatekeeper.policy.validate import Problems, check_document

CHECKS = discover().classes()
SCHEMA = policy_schema(CHECKS)
JSONSCHEMA_WORDING = (
    "is not valid under any of the given schemas",
    "is valid under each of",
    "is not of type",
    "is a required property",
    "Additional properties",
    "is too long",
    "is too short",
    "is greater than",
    "is less than",
    "should be non-empty",
    "does not have enough properties",
    "is not one of [",
    "has non-unique elements",
    "Failed validating",
)
WRONG: tuple[Any, ...] = (12345, "text", [1], {"nope": 1}, True, -5, "x" * 300)


def _keys(node: Any, path: tuple[str, ...], depth: int = 0) -> list[tuple[str, ...]]:
    out = []
    for key, sub in properties(node, SCHEMA).items():
        out.append((*path, key))
        if depth < 3:
            out += _keys(sub, (*path, key), depth + 1)
    return out


def _document(check_id: str, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    block: dict[str, Any] = {}
    here = block
    for part in path[:-1]:
        here = here.setdefault(part, {})
    here[path[-1]] = value
    return {"version": 1, "checks": {check_id: block}}


def _messages(document: dict[str, Any]) -> list[str]:
    problems = Problems(lambda path: ("p.yml", 1))
    check_document(SCHEMA, document, problems)
    return [message for *_, message in problems.found]


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_wrong_values_get_sentences(check_id: str) -> None:
    block = SCHEMA["properties"]["checks"]["properties"][check_id]
    seen = 0
    for path in _keys(block, ()):
        for value in WRONG:
            for message in _messages(_document(check_id, path, value)):
                seen += 1
                assert not any(w in message for w in JSONSCHEMA_WORDING), (path, value, message)
    assert seen > 0


def test_a_text_where_a_list_of_texts_goes_says_how_to_write_one() -> None:
    (message,) = _messages(_document("review", ("sensitive",), "src/auth/**"))
    assert message == "'src/auth/**' is not a list; for one item write a list: ['src/auth/**']"
    (message,) = _messages(_document("security", ("sensitive",), "src/auth/**"))
    assert message.endswith("; for one item write a list: ['src/auth/**']")


def test_the_alternative_meant_for_the_value_reports_its_own_error() -> None:
    document = _document("security", ("bandit", "min_severity"), "hi")
    assert _messages(document) == [
        "'hi' is not one of 'low', 'medium', 'high'; did you mean 'high'?"
    ]
    document = _document("security", ("secrets",), 3)
    assert _messages(document) == [
        "3 is not true/false, one of 'block', 'warn', 'info', 'off' or a mapping"
    ]
