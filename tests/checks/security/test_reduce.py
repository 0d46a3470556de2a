"""Cutting a base file down to the statements that could hold a finding."""

from __future__ import annotations

from gatekeeper.checks.security.reduce import (
    cut_pair,
    normalise,
    reduce_pair,
    reduce_source,
)

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


def _big(body: str, *, imports: str = "import requests\nimport subprocess\n") -> str:
    filler = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(60))
    return imports + "\n\n" + filler + body


BODY = """class Client:
    def fetch(self, url):
        return requests.get(
            url,
            timeout=5,
        )

    def run(self, cmd):
        return subprocess.call(cmd)
"""


def _kept(reduced: str | None) -> list[str]:
    assert reduced is not None
    return [line for line in reduced.splitlines() if line.strip()]


def _head_side(head: str, base: str) -> str:
    pair = reduce_pair(head, base)
    assert pair is not None
    return pair[0]


def test_the_head_keeps_imports_and_changed_statements_only() -> None:
    base = _big(BODY)
    head = base.replace("    return x + 7\n", "    return eval(x)\n")
    reduced = _head_side(head, base)
    assert _kept(reduced) == [
        "import requests",
        "import subprocess",
        "def helper_7(x):",
        "    return eval(x)",
    ]
    assert reduced.count("\n") == head.count("\n")


def test_a_statement_changed_by_a_deleted_line_is_kept() -> None:
    # no line of fetch() was added, yet the call lost its timeout: bandit must see it
    base = _big(BODY)
    head = base.replace("            timeout=5,\n", "")
    kept = _kept(_head_side(head, base))
    assert "        return requests.get(" in kept and "class Client:" in kept
    assert "    def run(self, cmd):" not in kept  # the unchanged method is cut


def test_statements_using_a_rebound_import_are_kept() -> None:
    base = _big(BODY)
    head = _big(BODY, imports="import requests\nfrom os import system as subprocess\n")
    kept = _kept(_head_side(head, base))
    assert "        return subprocess.call(cmd)" in kept
    assert "        return requests.get(" not in kept


def test_whole_file_when_short_unparseable_or_a_star_import_changed() -> None:
    assert reduce_pair(BODY, BODY) is None
    assert reduce_pair(_big(BODY) + "def f(:\n", _big(BODY)) is None
    assert reduce_pair(_big(BODY, imports="from os import *\n"), _big(BODY)) is None


def test_cut_pair_leaves_new_and_undecodable_files_whole() -> None:
    head = _big(BODY).encode()
    assert cut_pair(head, None) == (head, None)
    assert cut_pair(b"\xff" + head, head) == (b"\xff" + head, head)
    cut_head, cut_base = cut_pair(head, head)
    assert cut_head.strip() == cut_base.strip() == b"import requests\nimport subprocess"


def test_an_extra_copy_of_a_statement_is_touched_on_the_side_that_has_it() -> None:
    # head has the base's eval() helper twice: one copy must stay on the head side only,
    # so that bandit's head-minus-base count still sees one new finding
    twice = "def danger(x):\n    return eval(x)\n\n\n"
    base = _big(twice + BODY)
    head = _big(twice + twice + BODY)
    pair = reduce_pair(head, base)
    assert pair is not None
    assert _kept(pair[0]).count("    return eval(x)") == 1
    assert "    return eval(x)" not in _kept(pair[1])


def test_a_class_that_only_gains_a_method_keeps_nothing_else_on_either_side() -> None:
    base = _big(BODY)
    head = base.replace(
        "    def run(self, cmd):",
        "    def new(self, b):\n        return eval(b)\n\n    def run(self, cmd):",
    )
    pair = reduce_pair(head, base)
    assert pair is not None
    assert "        return eval(b)" in _kept(pair[0])
    assert "        return requests.get(" not in _kept(pair[0])
    assert [line for line in _kept(pair[1]) if not line.startswith("import")] == [
        "class Client:",
        "    pass",
    ]
