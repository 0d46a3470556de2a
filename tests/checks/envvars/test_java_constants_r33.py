"""Java and Kotlin reads through a constant of the same file (openremote's LogUtil keeps
``public static final String OR_LOGGING_DIR = "OR_LOGGING_DIR"`` and reads
``System.getenv(OR_LOGGING_DIR)``): the constant's value is the variable read, checked
against the docs like a literal name; a name the file cannot resolve stays computed."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.text_java import java_reads
from tests.checks.envvars.helpers import run_on_git

JAVA = """package org.example.util;

public class LogUtil {{
    public static final String OR_LOGGING_DIR = "OR_LOGGING_DIR";
    public static final String OR_LOGGING_DIR_DEFAULT = "logs";
{more}
    static String dir() {{
        String dir = System.getenv({arg});
        return dir == null ? OR_LOGGING_DIR_DEFAULT : dir;
    }}
}}
"""
BASE = JAVA.format(more="", arg='"OR_STORAGE_DIR"')
README = "# Settings\n\n- `OR_STORAGE_DIR`: where data is kept\n"


def _found(git_repo: Any, head: str) -> list[tuple[str, str]]:
    path = "container/src/main/java/org/example/util/LogUtil.java"
    found = run_on_git(git_repo, {"README.md": README, path: BASE}, {path: head})
    rules = [(f.rule.split("/")[-1], f.message.split()[0]) for f in found]
    return sorted(r for r in rules if r[0] in ("undocumented", "dynamic-name"))


def test_a_read_through_a_constant_of_the_file_is_checked_by_its_value(git_repo: Any) -> None:
    assert _found(git_repo, JAVA.format(more="", arg="OR_LOGGING_DIR")) == [
        ("undocumented", "OR_LOGGING_DIR")
    ]


def test_a_constant_qualified_by_the_files_class_is_resolved_too(git_repo: Any) -> None:
    assert _found(git_repo, JAVA.format(more="", arg="LogUtil.OR_LOGGING_DIR")) == [
        ("undocumented", "OR_LOGGING_DIR")
    ]


def test_a_constant_of_another_class_stays_computed(git_repo: Any) -> None:
    assert _found(git_repo, JAVA.format(more="", arg="Config.OR_LOGGING_DIR")) == [
        ("dynamic-name", "An")
    ]


def test_a_constant_given_two_values_is_not_resolved() -> None:
    more = '    static final String OR_LOGGING_DIR = "OR_LOG_DIR";\n'
    text = JAVA.format(more=more, arg="OR_LOGGING_DIR")
    assert [r.name for r in java_reads(text)] == [""]


def test_kotlin_constants_and_literal_reads() -> None:
    text = (
        'const val API_URL_VAR = "APP_API_URL"\n'
        'val home: String = "HOME_DIR"\n'
        'fun url() = System.getenv(API_URL_VAR) ?: System.getenv("APP_FALLBACK")\n'
        "fun any(k: String) = System.getenv(k)\n"
    )
    assert [r.name for r in java_reads(text)] == ["APP_API_URL", "APP_FALLBACK", ""]
