"""The format registry and render()."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from gatekeeper.errors import EXIT_USAGE, UsageError
from gatekeeper.model import Verdict
from gatekeeper.report import FORMATS, render, reporter
from gatekeeper.report.terminal import TerminalReporter
from tests.report.verdicts import not_met_verdict


def test_every_format_is_registered_under_its_own_name() -> None:
    assert sorted(FORMATS) == ["json", "junit", "markdown", "sarif", "terminal"]
    for name, cls in FORMATS.items():
        assert cls.name == name


def test_unknown_format_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError) as info:
        render("html", not_met_verdict())
    message = info.value.format_message()
    assert "'html'" in message
    for name in FORMATS:
        assert name in message
    assert info.value.exit_code == EXIT_USAGE


def test_colour_reaches_only_the_terminal_reporter() -> None:
    verdict = not_met_verdict()
    assert "\x1b[" in render("terminal", verdict, color=True)
    assert "\x1b[" not in render("terminal", verdict)
    assert isinstance(reporter("terminal", color=True), TerminalReporter)
    assert render("json", verdict, color=True) == render("json", verdict)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_does_not_depend_on_outcome_or_result_order(fmt: str) -> None:
    verdict = not_met_verdict()
    rng = random.Random(7)
    outcomes = [
        replace(o, results=tuple(rng.sample(o.results, len(o.results)))) for o in verdict.outcomes
    ]
    rng.shuffle(outcomes)
    assert [o.check for o in outcomes] != [o.check for o in verdict.outcomes]
    shuffled = Verdict(**{**_fields(verdict), "outcomes": tuple(outcomes)})
    assert render(fmt, shuffled) == render(fmt, verdict)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_empty_verdict_renders(fmt: str) -> None:
    text = render(fmt, Verdict(met=True, outcomes=()))
    assert text.endswith("\n")


def _fields(verdict: Verdict) -> dict[str, object]:
    return {name: getattr(verdict, name) for name in Verdict.__dataclass_fields__}
