"""A file the gate's Python cannot parse: the message names the Python it needs.

warehouse bd8ccde (``except A, B:``, Python 3.14) and saleor 1518a613 (``class
BaseContext[N]:``, Python 3.12) blocked as ``security/python-unparseable`` on the
gate's Python 3.11. That stays (the gate cannot scan what it cannot parse); the
message now says which Python the line needs and which one the repository declares.
(The image now runs 3.13, which reads saleor's file: tests/container/test_python_syntax.py.)
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from gatekeeper.checks.security.pyversion import declared_python, newer_syntax, parenthesized

from .helpers import rules, run_part

OLD = (3, 11)
PARENS = "multiple exception types must be parenthesized"


@pytest.mark.parametrize(
    ("line", "msg", "python"),
    [
        ("class BaseContext[N]:", "invalid syntax", "3.12"),
        ("def first[T](xs: list[T]) -> T:", "expected '('", "3.12"),
        ("    async def get[T](self) -> T:", "invalid syntax", "3.12"),
        ("type Pair = tuple[int, int]", "invalid syntax", "3.12"),
        ("class Box[T = int]:", "invalid syntax", "3.13"),
        ("except ValueError, TypeError:", PARENS, "3.14"),
        ('x = f"{", ".join(names)}"', "f-string: expecting '}'", "3.12"),
        ('page = t"<p>{name}</p>"', "invalid syntax", "3.14"),
    ],
)
def test_newer_syntax_is_recognised_with_its_version(line: str, msg: str, python: str) -> None:
    found = newer_syntax(line, msg, running=OLD)
    assert found is not None and found.python == python


@pytest.mark.parametrize(
    ("line", "msg", "running"),
    [
        ("def f(:", "invalid syntax", OLD),  # a plain error
        (
            "except ValueError, TypeError as e:",
            "multiple exception types must be parenthesized",
            OLD,
        ),
        ("items[0] = 1 +", "invalid syntax", OLD),  # brackets that are not type parameters
        ('print("don\'t" x)', "invalid syntax", OLD),  # a quote after a letter is no t-string
        ('x = f"{a!}"', "f-string: missing conversion", (3, 12)),  # 3.12 reads PEP 701 itself
        ("class Box[T]:", "invalid syntax", (3, 12)),  # not newer than the running Python
    ],
)
def test_other_errors_claim_no_version(line: str, msg: str, running: tuple[int, int]) -> None:
    assert newer_syntax(line, msg, running=running) is None


def _reader(files: dict[str, str]) -> Callable[[str], str | None]:
    return files.get


def test_the_declared_python_is_the_nearest_declaration() -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12,<3.13"\n',
        "svc/pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.13"\n',
        "web/.python-version": "3.14.6\n",
        "broken/pyproject.toml": "[project\n",
    }
    read = _reader(files)
    root = ">=3.12,<3.13 (requires-python in pyproject.toml)"
    assert declared_python("app/models.py", read) == root
    assert declared_python("svc/a/b.py", read) == "^3.13 (Poetry's python in svc/pyproject.toml)"
    # a pyproject.toml anywhere up the tree comes before a .python-version
    assert (
        declared_python("web/views.py", read) == ">=3.12,<3.13 (requires-python in pyproject.toml)"
    )
    assert (
        declared_python("broken/x.py", read) == ">=3.12,<3.13 (requires-python in pyproject.toml)"
    )
    only_version = _reader({".python-version": "3.14.6\n", "pyproject.toml": "[tool.ruff]\n"})
    assert declared_python("warehouse/views.py", only_version) == "3.14.6 (in .python-version)"
    assert declared_python("a.py", _reader({})) is None


NEW_EXCEPT = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
TEMPLATE = 'def page(name):\n    return t"<p>{name}</p>"\n'


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python parses PEP 750")
def test_the_finding_names_the_needed_and_the_declared_python() -> None:
    head = {"pyproject.toml": '[project]\nrequires-python = ">=3.14"\n', "views.py": TEMPLATE}
    found = run_part("bandit", {}, head)
    assert rules(found) == ["python-unparseable"]
    message = found[0].message
    assert "line 2 uses a template string, t'...' (PEP 750)" in message
    assert "new in Python 3.14" in message
    assert "the repository declares Python >=3.14 (requires-python in pyproject.toml)" in message
    assert "Run gatekeeper on Python 3.14 or newer" in message


def test_a_plain_syntax_error_names_no_version_but_the_declared_one() -> None:
    head = {".python-version": "3.11\n", "bad.py": "def f(:\n    pass\n"}
    found = run_part("bandit", {}, head)
    assert rules(found) == ["python-unparseable"]
    assert "or newer" not in found[0].message
    assert "the repository declares Python 3.11 (in .python-version)" in found[0].message


#: PEP 758 around a shell call: bandit can only report B602 once it reads the file
SHELL_EXCEPT = (
    "import subprocess\n\n\ndef run(cmd):\n    try:\n"
    "        return subprocess.call(cmd, shell=True)\n"
    "    except ValueError, TypeError:  # 3.14\n        return None\n"
)


def test_bare_except_lists_are_bracketed_and_nothing_else_changes() -> None:
    fixed = parenthesized(SHELL_EXCEPT.encode(), running=OLD)
    assert fixed is not None
    assert fixed.decode().splitlines() == [
        line.replace("except ValueError, TypeError:", "except (ValueError, TypeError):")
        for line in SHELL_EXCEPT.splitlines()
    ]


@pytest.mark.parametrize(
    "code",
    [
        "try:\n    pass\nexcept A, B as e:\n    pass\n",  # an error on 3.14 too
        NEW_EXCEPT + TEMPLATE,  # other newer syntax left: still unparseable
        NEW_EXCEPT + "def f(:\n    pass\n",  # a plain error left
        "x = 1\n",  # nothing to do
    ],
)
def test_nothing_but_pep_758_is_rewritten(code: str) -> None:
    assert parenthesized(code.encode(), running=OLD) is None


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python parses PEP 758 itself")
def test_a_file_in_pep_758_syntax_is_scanned_and_its_findings_reported() -> None:
    """warehouse bd8ccde and readthedocs f5873ea: 3.14's bare except lists blocked as
    unparseable; bandit now scans them as if bracketed, on the same lines."""
    found = run_part("bandit", {}, {"run.py": SHELL_EXCEPT})
    assert rules(found) == ["bandit-b602"]
    assert found[0].location is not None and found[0].location.start_line == 6


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python parses PEP 758 itself")
def test_a_finding_the_base_had_is_not_new_when_both_sides_use_pep_758() -> None:
    base = {"run.py": SHELL_EXCEPT}
    head = {"run.py": SHELL_EXCEPT + "\n\nVERSION = 2\n"}
    assert run_part("bandit", base, head) == []
