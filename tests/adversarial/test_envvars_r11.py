"""Attacks on the env-vars check's Rust scanner, Go struct tags and JavaScript environment
aliases: pumped texts of each new form pass through the whole gate (a child process
whose timeout is a hang guard only) and the real reads beside them are still reported;
and a PR cannot hide a Rust read from the scanner with a comment, a string or something
that only looks like a test module. No assertion here is about speed
(bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.checks.envvars.text_reads import is_minified
from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of
from tests.adversarial.test_bounded_input import assert_env_reads_survive

KB = 1 << 10
POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
GO_HEAD = 'package cfg\nimport "github.com/sethvargo/go-envconfig"\n'


def _lines(unit: str, size: int = 256 * KB, width: int = 1000) -> str:
    """``unit`` repeated to about ``size`` characters in lines of about ``width`` (under
    the minified-bundle limit, so every scanner reads the whole text)."""
    per_line = max(1, width // len(unit))
    return ((unit * per_line + "\n") * (size // (per_line * len(unit)) + 1))[:size]


#: unterminated comments, strings and raw strings, test attributes without an item,
#: attributes that never close, calls without arguments
RUST_PUMPS = {
    "src/calls.rs": _lines("env::var("),
    "src/comments.rs": _lines("/*"),
    "src/raw.rs": 'r#"' + _lines('"#'),
    "src/chars.rs": _lines("'"),
    "src/tests.rs": _lines("#[cfg(test)] mod t {"),
    "src/clap.rs": "#[arg(" + _lines('env = "X" '),
    "src/bare.rs": "#[arg(" + _lines("env,") + ")]\n" + _lines("#[a] "),
    "src/consts.rs": _lines('const A: &str = "'),
}
#: structs that never close, nests of structs, tags and prefixes without their quotes
GO_PUMPS = {
    "cfg/structs.go": GO_HEAD + _lines("type A struct {"),
    "cfg/tags.go": GO_HEAD + "type T struct {\n" + _lines('F string `env:"') + "\n}\n",
    "cfg/nest.go": GO_HEAD
    + "".join(f"type S{i} struct {{\n\tX S{i + 1}\n}}\n" for i in range(8000)),
    "cfg/prefix.go": GO_HEAD + _lines('envconfig.PrefixLookuper("'),
}
#: spreads and assignments of the environment, objects that never close, import lists
#: that never close, members of an alias
JS_PUMPS = {
    "web/spread.ts": _lines("...process.env,"),
    "web/assign.ts": _lines("x = process.env;"),
    "web/nested.ts": _lines("{", 64 * KB) + "...process.env" + _lines("}", 64 * KB),
    "web/imports.ts": _lines("import {"),
    "web/members.ts": "const env = process.env;\n" + _lines("env.A "),
    "web/typed.ts": _lines("const e: " + "x" * 150 + " = process.env;"),
}
REAL = {
    "src/real.rs": 'fn f() -> bool { std::env::var("RUST_PUMPED_BUT_FOUND").is_ok() }\n',
    "cfg/real.go": GO_HEAD + 'type Real struct {\n\tX string `env:"TAG_PUMPED_BUT_FOUND"`\n}\n',
    "web/realenv.ts": "export default process.env;\n",
    "web/real.ts": 'import environment from "./realenv";\n'
    "export const a = environment.ALIAS_PUMPED_BUT_FOUND;\n",
}


def test_no_pump_is_skipped_as_minified() -> None:
    pumps = {**RUST_PUMPS, **GO_PUMPS, **JS_PUMPS}
    assert not [path for path, text in pumps.items() if is_minified(text)]


@pytest.mark.parametrize("pumps", [RUST_PUMPS, GO_PUMPS, JS_PUMPS], ids=["rust", "go", "js"])
def test_pumped_texts_pass_through_and_the_real_reads_are_still_reported(
    attack: AttackFactory, tmp_path: Path, pumps: dict[str, str]
) -> None:
    # the prefix pump names no usable prefix: the tag is read under its own name
    case = attack(POLICY, {"README.md": "a\n"}, {**pumps, **REAL})
    assert_env_reads_survive(
        case, tmp_path, "RUST_PUMPED_BUT_FOUND", "TAG_PUMPED_BUT_FOUND", "ALIAS_PUMPED_BUT_FOUND"
    )


READ = 'fn token() -> String { std::env::var("PAYMENT_API_KEY").unwrap() }\n'
#: each dresses a real read up as a comment, a string or test code, or hides it behind
#: a literal a naive scanner would take for the end (or start) of a string
HIDING = {
    "test-attribute-in-a-line-comment": "// #[cfg(test)]\nmod m {\n" + READ + "}\n",
    "test-attribute-in-a-block-comment": "/* #[cfg(test)] */ mod m {\n" + READ + "}\n",
    "test-attribute-in-a-string": 'const S: &str = "#[cfg(test)]";\nmod m {\n' + READ + "}\n",
    "test-attribute-in-a-raw-string": 'const S: &str = r#"#[cfg(test)] mod t {"#;\n' + READ,
    "quote-inside-a-raw-string": 'const S: &str = r#"a"b"#;\n' + READ,
    "escaped-quote-in-a-string": 'const S: &str = "a\\"b";\n' + READ,
    "quote-as-a-character": "const C: char = '\"';\n" + READ,
    "lifetimes-look-like-characters": "fn f<'a>(x: &'a str) -> &'a str { x }\n" + READ,
    "comment-opener-in-a-string": 'const S: &str = "/*";\n' + READ,
    "test-attribute-on-a-neighbour-item": "#[cfg(test)]\nfn helper() {}\n" + READ,
}


@pytest.mark.parametrize("name", sorted(HIDING))
def test_a_rust_read_cannot_be_hidden(attack: AttackFactory, name: str) -> None:
    case = attack(POLICY, {"README.md": "a\n"}, {"src/pay.rs": HIDING[name]})
    verdict = case.judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "PAYMENT_API_KEY is read here" in text_of(verdict)


def test_a_read_in_a_real_test_module_is_test_set_up(attack: AttackFactory) -> None:
    # the counterpart: what really is test code is not configuration to document
    module = "#[cfg(test)]\nmod tests {\n" + READ + "}\n"
    verdict = attack(POLICY, {"README.md": "a\n"}, {"src/pay.rs": module}).judge()
    assert verdict.met, text_of(verdict)
