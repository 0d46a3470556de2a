"""Attacks on the weak-hash relaxation: under `recommended`, MD5 in a function named for a
cache key or a file name, touching no secret, is a warning. A pull request must not hash a
password or sign a token with MD5 by giving the function a cache-like name."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = """\
version: 1
extends: [recommended]
checks:
  security: {dependencies: false, sensitive: false, secrets: false}
"""


def test_a_password_hashed_in_a_cache_named_function_still_blocks(
    attack: AttackFactory,
) -> None:
    code = (
        "import hashlib\n\n\n"
        "def cache_key(user):\n"
        "    return hashlib.md5(user.password.encode()).hexdigest()\n"
    )
    verdict = attack(POLICY, {"README.md": "x\n"}, {"app/users.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b324")


def test_a_token_signed_in_a_checksum_named_function_still_blocks(
    attack: AttackFactory,
) -> None:
    code = (
        "import hashlib\n\n\n"
        "def checksum(payload, key):\n"
        "    # the value clients send back to prove the payload is ours\n"
        "    return hashlib.sha1(key + payload).hexdigest()  # signature\n"
    )
    verdict = attack(POLICY, {"README.md": "x\n"}, {"app/sig.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b324")


def test_the_policy_cannot_be_relaxed_by_the_pr(attack: AttackFactory) -> None:
    strict = "version: 1\nextends: [strict]\n"
    code = (
        "import hashlib\n\n\n"
        "def cache_key(url):\n"
        "    return hashlib.md5(url.encode()).hexdigest()\n"
    )
    relaxed = strict + "checks:\n  security:\n    bandit: {weak_hash_for_names: true}\n"
    verdict = attack(
        strict, {"README.md": "x\n"}, {"app/c.py": code, ".github/gatekeeper.yml": relaxed}
    ).judge()
    assert_blocked(verdict, "security/bandit-b324")


def test_a_password_hashed_in_a_lock_named_function_still_blocks(attack: AttackFactory) -> None:
    # a lock's name does not make a password's MD5 a lock key
    code = (
        "import hashlib\n\n\n"
        "def acquire_lock(lock, pw):\n"
        "    return lock.open(hashlib.md5(pw.password.encode()).hexdigest())\n"
    )
    verdict = attack(POLICY, {"README.md": "x\n"}, {"app/locks.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b324")
