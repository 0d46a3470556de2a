"""Specs the head cannot load: pre-existing breakage and Go/Jinja templates (templated.py)."""

from __future__ import annotations

from gatekeeper.checks.openapi.templated import template_line
from gatekeeper.model import Level, Verdict
from tests.adversarial.conftest import make_attack
from tests.conftest import GitRepo

POLICY = "version: 1\nchecks:\n  openapi: {}\n"
SPEC = """\
openapi: 3.0.3
info: {title: t, version: '1'}
servers:
  - url: '{{ .BaseURL }}'
paths:
  /u:
    get:
      responses:
        '200': {description: ok}
"""
# a template: an action on a line of its own is not YAML
TEMPLATE = SPEC.replace("paths:\n", "paths:\n  {{- if .Extra }}\n  /x: {}\n  {{- end }}\n")


def _rules(verdict: Verdict, *, blocking: bool) -> list[str]:
    return sorted(r.finding.rule for r in verdict.results if r.blocking is blocking)


def test_template_line_finds_go_and_jinja_actions() -> None:
    assert template_line(b"a: 1\n  {{- if .X }}\n") == 2
    assert template_line(b"a: 1\n{% if x %}\n") == 2
    assert template_line(b"a: 1\nb: '{not a template}'\n") is None
    assert template_line(None) is None


def test_an_edited_template_warns_that_it_cannot_be_compared(git_repo: GitRepo) -> None:
    edited = TEMPLATE.replace("'200': {description: ok}", "'201': {description: made}")
    case = make_attack(git_repo, POLICY, {"api/openapi.yml": TEMPLATE}, {"api/openapi.yml": edited})
    verdict = case.judge()
    assert verdict.met, _rules(verdict, blocking=True)
    template = [r.finding for r in verdict.results if r.finding.rule == "spec-template"]
    assert len(template) == 1 and template[0].level is Level.WARNING
    assert "api/openapi.yml is a template" in template[0].message


def test_an_untouched_broken_spec_is_pre_existing(git_repo: GitRepo) -> None:
    # the spec is broken at base and untouched; another data file changes
    broken = SPEC.replace("{{ .BaseURL }}", "/").replace("paths:\n", "paths:\n  /a: [\n")
    files = {"api/openapi.yml": broken, "api/empty/openapi.yml": "", "conf/x.yml": "a: 1\n"}
    case = make_attack(git_repo, POLICY, files, {"conf/x.yml": "a: 2\n"})
    verdict = case.judge()
    assert verdict.met, _rules(verdict, blocking=True)
    assert {r.finding.rule for r in verdict.results if r.pre_existing} == {
        "spec-invalid-syntax",
        "spec-not-openapi",
    }


def test_a_spec_broken_by_this_change_still_blocks(git_repo: GitRepo) -> None:
    broken = SPEC.replace("{{ .BaseURL }}", "/").replace("paths:\n", "paths:\n  /a: [\n")
    case = make_attack(git_repo, POLICY, {"api/openapi.yml": SPEC}, {"api/openapi.yml": broken})
    assert "spec-invalid-syntax" in _rules(case.judge(), blocking=True)
