"""Attacks on the documentation allowance: under ``recommended`` a generic high-entropy
value in documentation (``*.md``, ``*.mdx``, ``docs/``...) is a warning, since how-tos show
example secrets. A pull request must not pass a real credential through that door: tokens
of a known format block in documentation too, and the PR cannot widen ``doc_files``."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of

POLICY = """\
version: 1
checks:
  security: {dependencies: false, sensitive: false}
"""
WIDER = POLICY.replace("sensitive: false}", "sensitive: false, secrets: {doc_files: ['**']}}")
# Built from pieces so that this repository holds no whole token a scanner would flag.
GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
AWS = "AKIA" + "2E3F4G5H6I7J2K3L"
GENERIC = 'db_password = "Zx8kLm2Qp9vRt4Wq"\n'  # pragma: allowlist secret


def test_a_real_looking_github_token_in_the_readme_blocks(attack: AttackFactory) -> None:
    head = {"README.md": f"Set it up:\n\n    export GITHUB_TOKEN={GH}\n"}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-github-token")
    assert GH not in text_of(verdict)


def test_a_key_in_a_docs_folder_blocks_and_the_example_only_warns(attack: AttackFactory) -> None:
    head = {"docs/deploy.md": f"aws_access_key_id = {AWS}\n", "docs/howto.rst": GENERIC}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert blocking_rules(verdict) == ["security/secret-aws-access-key"]
    warned = [r.finding for r in verdict.results if r.finding.rule == "secret-high-entropy"]
    assert [f.location.path for f in warned if f.location] == ["docs/howto.rst"]


def test_a_pr_cannot_call_its_code_documentation(attack: AttackFactory) -> None:
    # the PR widens doc_files in the policy it edits: the base's policy judges it
    head = {".github/gatekeeper.yml": WIDER, "app/settings.py": GENERIC}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-high-entropy")


def test_under_strict_a_secret_looking_fixture_value_blocks(attack: AttackFactory) -> None:
    # recommended lets a generic value in test code warn (fixtures mock credentials);
    # strict, the tier for authors whose fixtures nobody reads, judges tests like the rest
    strict = POLICY.replace("version: 1\n", "version: 1\nextends: strict\n")
    head = {"tests/test_login.py": GENERIC}
    verdict = attack(strict, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-high-entropy")
    assert "in test code" not in text_of(verdict)


def test_under_recommended_the_same_fixture_value_warns(attack: AttackFactory) -> None:
    verdict = attack(POLICY, {"README.md": "x\n"}, {"tests/test_login.py": GENERIC}).judge()
    assert verdict.met and "in test code: a warning" in text_of(verdict)


def test_a_test_build_tag_does_not_let_a_real_token_through(attack: AttackFactory) -> None:
    # a PR can mark its own Go file as built only for tests (a generic value there then
    # warns, as in tests/); a token of a known format still blocks there as anywhere
    head = {"internal/seed.go": f'//go:build e2etest\n\npackage seed\n\nvar t = "{GH}"\n'}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-github-token")
