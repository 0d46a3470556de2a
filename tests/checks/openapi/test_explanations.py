"""Every breaking-change rule says what it finds, why it breaks clients, and what to do
instead, in words of its own: not its id reworded."""

from __future__ import annotations

import re

import pytest

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.check import SPEC_RULES
from gatekeeper.checks.openapi.rules import LEVELS, OWN
from gatekeeper.checks.openapi.rules.explanations import (
    REQUEST_CHANGES,
    REQUEST_SITES,
    REQUEST_WARNINGS,
    RESPONSE_CHANGES,
    RESPONSE_SITES,
    RESPONSE_WARNINGS,
    SPECIFIC,
    explain,
)
from gatekeeper.model import Level
from gatekeeper.testing import run_check

ERRORS = sorted(rid for rid, level in LEVELS.items() if level is Level.ERROR)
WARNINGS = sorted(rid for rid, level in LEVELS.items() if level is Level.WARNING)

#: words that say nothing of their own
_FILLER = {
    *("a", "an", "the", "of", "to", "in", "on", "is", "are", "was", "were", "be", "been"),
    *("it", "its", "this", "that", "and", "or", "for", "with", "by", "as", "at", "from"),
    *("no", "not", "now"),
}


def new_words(text: str, rule_id: str) -> set[str]:
    """The words of ``text`` that neither its rule id nor filler already says."""
    id_words = set(rule_id.split("-")) | {"request", "response"}
    words = {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 1}
    return {w for w in words - _FILLER if w not in id_words and w.rstrip("sd") not in id_words}


def test_the_reworded_id_is_recognised_as_saying_nothing() -> None:
    # the measure the tests below rely on: the catalog's old fallback text says nothing new
    rid = "request-property-max-length-decreased"
    assert not new_words("Request property max length decreased.", rid)
    assert not new_words("The request property's max length was decreased.", rid)
    text = explain(rid)
    assert text is not None and len(new_words(text.why, rid)) >= 5


def test_there_are_213_error_rules_and_each_has_what_why_and_instead() -> None:
    # oasdiff's 213 error ids and the gate's own error rules (OWN)
    assert len([rid for rid in ERRORS if rid not in OWN]) == 213
    missing = [rid for rid in ERRORS if explain(rid) is None]
    assert not missing, missing


@pytest.mark.parametrize("rule_id", ERRORS + WARNINGS)
def test_no_part_is_the_id_reworded(rule_id: str) -> None:
    text = explain(rule_id)
    assert text is not None
    parts = {"what": text.what, "why": text.why, "instead": text.instead}
    for name, part in parts.items():
        assert part.endswith("."), (name, part)
        assert "{" not in part, (name, part)  # every placeholder filled in
    assert len(set(parts.values())) == 3, "the three parts must say three things"
    # "what" describes the change, so it may share most words with the id, but not all;
    # "why" and "instead" are where the reader learns something the id does not say
    assert new_words(text.what, rule_id), text.what
    assert len(new_words(text.why, rule_id)) >= 5, text.why
    assert len(new_words(text.instead, rule_id)) >= 5, text.instead


def test_warnings_say_why_they_are_only_warnings() -> None:
    for rid in WARNINGS:
        text = explain(rid)
        assert text is not None and text.why.startswith("A warning"), rid
    for rid in ERRORS:
        assert not explain(rid).why.startswith("A warning"), rid  # type: ignore[union-attr]


def test_a_change_borrows_no_text_written_for_another_level() -> None:
    # a parameter's default changing is an error; a body's is informational
    assert LEVELS["request-parameter-default-value-changed"] is Level.ERROR
    assert explain("request-parameter-default-value-changed") is not None
    assert LEVELS["request-body-default-value-changed"] is Level.INFO
    assert explain("request-body-default-value-changed") is None
    # an info rule whose change has an error text elsewhere (a request `maximum` lowered is
    # an error, raised is info): no breaking-change wording for it
    for rid, level in LEVELS.items():
        if level is Level.INFO and rid not in SPECIFIC:
            assert explain(rid) is None, rid


def test_every_text_is_used_by_a_rule_of_its_level() -> None:
    tables = [
        (REQUEST_SITES, REQUEST_CHANGES, Level.ERROR),
        (REQUEST_SITES, REQUEST_WARNINGS, Level.WARNING),
        (RESPONSE_SITES, RESPONSE_CHANGES, Level.ERROR),
        (RESPONSE_SITES, RESPONSE_WARNINGS, Level.WARNING),
    ]
    for sites, table, level in tables:
        for change in table:
            ids = [f"{site}-{change}" for site in sites]
            assert any(LEVELS.get(rid) is level for rid in ids), (change, level)
    for rid in SPECIFIC:
        # spec-template is the one spec problem that warns, so it is not in SPEC_RULES
        assert rid in LEVELS or rid in SPEC_RULES or rid == "spec-template", rid


def test_the_catalog_and_the_findings_carry_the_texts() -> None:
    rule = OpenAPICheck.rules["new-required-request-parameter"]
    text = explain("new-required-request-parameter")
    assert text is not None
    assert (rule.summary, rule.description, rule.remedy) == (text.what, text.why, text.instead)
    assert "optional with a default" in rule.remedy
    spec = (
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /orders:\n    get:\n"
        "      parameters: [%s]\n      responses: {'200': {description: ok}}\n"
    )
    param = "{name: currency, in: query, required: true, schema: {type: string}}"
    findings = run_check(
        OpenAPICheck(), {"openapi.yaml": spec % ""}, {"openapi.yaml": spec % param}
    )
    found = [f for f in findings if f.rule == "new-required-request-parameter"]
    assert found and found[0].remedy == text.instead


def test_spec_rules_have_their_own_texts() -> None:
    for rid in SPEC_RULES:
        rule = OpenAPICheck.rules[rid]
        assert rule.description and rule.remedy, rid
