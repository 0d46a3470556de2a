"""Cutting a base file down to the statements that could hold a finding."""

from __future__ import annotations

from gatekeeper.checks.security.reduce import normalise, reduce_source

SOURCE = '''"""Module doc."""
import pickle as pk
try:
    import yaml
except ImportError:
    yaml = None
X = 1


@decorator
def load(b):
    return pk.loads(b)


class Store:
    def save(self, v):
        return v
'''


def test_only_imports_and_statements_holding_the_code_are_kept() -> None:
    reduced = reduce_source(SOURCE, {normalise("    return pk.loads(b)")})
    assert reduced is not None
    kept = [line for line in reduced.splitlines() if line]
    assert kept == [
        "import pickle as pk",
        "try:",
        "    import yaml",
        "except ImportError:",
        "    yaml = None",
        "@decorator",
        "def load(b):",
        "    return pk.loads(b)",
    ]


def test_line_numbers_are_preserved() -> None:
    reduced = reduce_source(SOURCE, {"return v"})
    assert reduced is not None
    assert reduced.count("\n") == SOURCE.count("\n")
    assert reduced.splitlines()[16] == SOURCE.splitlines()[16] == "        return v"


def test_an_unparseable_file_is_left_to_bandit() -> None:
    assert reduce_source("def f(:\n", {"x"}) is None


def test_normalise_collapses_whitespace() -> None:
    assert normalise("  a   =\n  b ") == "a = b"
