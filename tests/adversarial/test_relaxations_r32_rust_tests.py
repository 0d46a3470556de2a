"""Attacks on the Rust test-module relaxation of the secrets part: a generic secret-like
value inside ``#[cfg(test)]`` items or ``#[test]`` functions warns, as in a tests folder.

Each case puts a real credential where the release build compiles it and dresses the file
as test code: the attribute in a comment or a string, ``cfg(not(test))``, a ``mod tests;``
whose body is elsewhere, the value after the test module closes, an unbalanced module.
They guard the relaxation, so they pass on the code before it too.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    assert_blocked,
)
from tests.fake_tokens import RANDOM, STRIPE

VALUE = f'    let api_token = "{RANDOM}";\n'


@pytest.mark.parametrize(
    "code",
    [
        "// #[cfg(test)]\nmod tests {\n    fn serve() {\n" + VALUE + "    }\n}\n",
        'const ATTR: &str = "#[cfg(test)]";\nmod tests {\n    fn serve() {\n'
        + VALUE
        + "    }\n}\n",
        "#[cfg(not(test))]\nmod live {\n    fn serve() {\n" + VALUE + "    }\n}\n",
        "#[cfg(test)]\nmod tests;\n\nfn serve() {\n" + VALUE + "}\n",
        "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\nfn serve() {\n" + VALUE + "}\n",
        '#[cfg(test)]\nmod tests {\n    const B: &str = "}";\n}\nfn serve() {\n' + VALUE + "}\n",
        "/* #[test] */\nfn serve() {\n" + VALUE + "}\n",
    ],
    ids=["comment", "string", "not-test", "file-module", "after", "brace-in-string", "block"],
)
def test_a_secret_the_release_build_compiles_still_blocks(attack: AttackFactory, code: str) -> None:
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/server.rs": code}).judge()
    assert_blocked(verdict, GENERIC_SECRET)


def test_a_named_token_in_a_test_module_still_blocks(attack: AttackFactory) -> None:
    code = f'#[cfg(test)]\nmod tests {{\n    const KEY: &str = "{STRIPE}";\n}}\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/billing.rs": code}).judge()
    assert_blocked(verdict, "security/secret-stripe-live-key")
