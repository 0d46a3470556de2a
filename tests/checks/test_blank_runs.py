"""Patterns rewritten so that their blanks stay within a line (a ``\\s*`` after ``^`` in a
multi-line pattern, or two adjacent ``\\s*``, went quadratic on a file or string of
blanks): each still finds what it found, and a pumped input is read (no assertion about
time here: bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from gatekeeper.checks.envvars.frameworks import _DJANGO_DEP, _RAILS_GEM
from gatekeeper.checks.envvars.provided import _PLACEHOLDER
from gatekeeper.checks.envvars.text_gowrappers import _IMPORT
from gatekeeper.checks.migrations.dieselread import _STATEMENT

BLANKS = "x\n" + "   \n" * 4096


def test_each_pattern_still_finds_its_line() -> None:
    assert _RAILS_GEM.search(BLANKS + "  gem 'rails', '~> 7.1'\n")
    assert _DJANGO_DEP.search(BLANKS + '  "Django>=4.2",\n')
    assert _PLACEHOLDER.search(BLANKS + "  API_URL = {{ api_url }}\n")
    assert [m.group("path") for m in _IMPORT.finditer(BLANKS + '\tcfg "example.com/cfg"\n')] == [
        "example.com/cfg"
    ]
    assert _STATEMENT.match("\n  ( SELECT id FROM t)") and _STATEMENT.match("  update t set")


def test_a_name_on_a_later_line_is_not_joined_to_a_blank_one() -> None:
    assert not _RAILS_GEM.search(BLANKS + "gems 'rails'\n")
    assert not _DJANGO_DEP.search(BLANKS + "django-environ\n")
    assert not _STATEMENT.match(" " * 65536)
    assert not _STATEMENT.match(" " * 65536 + "(" + " " * 65536)
