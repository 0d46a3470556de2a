"""A Rust module file its parent declares under ``#[cfg(test)]`` is test code
(rust_testmods.py): electric's ``src/wal/sim_tests.rs`` read ``DS_DUMP_DIR`` for a forensic
test and blocked; the same file declared plainly, under another ``cfg``, or compiled
again through ``#[path]`` is production code and still fires."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checks.envvars.helpers import run_on_git

TEST = 'fn dump() {\n    let dir = std::env::var("DS_DUMP_DIR").unwrap();\n}\n'


def _undocumented(found: list[Any]) -> list[str]:
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


@pytest.mark.parametrize(
    ("owner", "text"),
    [
        ("src/wal/mod.rs", "pub mod segment;\n\n#[cfg(test)]\nmod sim_tests;\n"),
        ("src/wal.rs", "#[cfg( test )] pub(crate) mod sim_tests;\n"),
    ],
)
def test_a_module_declared_for_tests_reads_nothing(git_repo: Any, owner: str, text: str) -> None:
    base = {"README.md": "x\n", owner: text}
    found = run_on_git(git_repo, base, {"src/wal/sim_tests.rs": TEST})
    assert _undocumented(found) == []


@pytest.mark.parametrize(
    "files",
    [
        {"src/wal/mod.rs": "pub mod segment;\nmod sim_tests;\n"},
        {"src/wal/mod.rs": '#[cfg(feature = "sim")]\nmod sim_tests;\n'},
        # a crate root beside the one that declares it for tests compiles it for real
        {"src/wal/lib.rs": "#[cfg(test)]\nmod sim_tests;\n", "src/wal/main.rs": "mod sim_tests;\n"},
        # compiled again under another name
        {"src/wal/mod.rs": '#[cfg(test)]\nmod sim_tests;\n#[path = "sim_tests.rs"]\nmod sim;\n'},
        # nothing declares it: not known to be a test
        {},
    ],
)
def test_a_module_compiled_outside_tests_still_fires(git_repo: Any, files: dict[str, str]) -> None:
    found = run_on_git(git_repo, {"README.md": "x\n", **files}, {"src/wal/sim_tests.rs": TEST})
    assert _undocumented(found) == ["DS_DUMP_DIR"]
