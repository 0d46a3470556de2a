"""Attacks on the Markdown found anywhere in the tree (env-vars): Markdown beside the code
documents a variable as a README does, so a PR cannot pass by naming its variable in a
code comment, in a test's notes, in a fixture, or in prose the docs parser does not read."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
READ = (
    "import os\n"
    "# PAYMENT_API_KEY: `PAYMENT_API_KEY` is the key (documented here, says the PR)\n"
    "KEY = os.environ['PAYMENT_API_KEY']\n"
)


def test_naming_the_variable_in_comments_tests_and_fixtures_documents_nothing(
    attack: AttackFactory,
) -> None:
    head = {
        "app/pay.py": READ,
        "app/pay_notes.py": '"""| `PAYMENT_API_KEY` | the key |"""\n',
        "tests/payments/README-notes.md": "| `PAYMENT_API_KEY` | the key |\n",
        "app/__tests__/pay.md": "`PAYMENT_API_KEY`\n",
        "app/fixtures/pay.md": "`PAYMENT_API_KEY`\n",
        "app/node_modules/pay/notes.md": "`PAYMENT_API_KEY`\n",
        ".github/ISSUE_TEMPLATE/pay.md": "`PAYMENT_API_KEY`\n",
        "app/pay.md": "Set PAYMENT_API_KEY, maybe.\n",
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")


def test_a_policy_naming_its_docs_places_is_not_widened(attack: AttackFactory) -> None:
    """A team that lists its documentation places keeps them: notes elsewhere do not count."""
    policy = POLICY.replace("env-vars: {}", "env-vars:\n    docs: ['docs/**/*.md']")
    head = {"app/pay.py": READ, "app/pay.md": "- `PAYMENT_API_KEY` is the key\n"}
    verdict = attack(policy, {"README.md": "x\n", "docs/a.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
