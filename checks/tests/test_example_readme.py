"""The check written out in checks/README.md runs as the README says it does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gatekeeper.testing import run_check

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_example_check_works() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(blocks[0], namespace)  # the first block is the whole example check
    check = namespace["NoTodo"]()
    findings = run_check(check, {"a.py": "x = 1\n"}, {"a.py": "x = 1\n# TODO: later\n"})
    assert [(f.rule, str(f.location)) for f in findings] == [("todo-added", "a.py:2")]
    assert run_check(check, {"a.py": "x = 1\n"}, {"a.py": "x = 2\n"}) == []
