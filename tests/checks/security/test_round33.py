"""Round 33's security false block, with a case that fires and one that must not: a
shell parameter expansion with a fallback (``SECRETS_DIR="${SECRETS_PATH:-/secrets}"`` in
an s6 init script, a file with no extension) reads a variable where it runs; only its
fallback is written in the file, and only the fallback is judged."""

from __future__ import annotations

from .helpers import rules, run_part

SCRIPT = "#!/command/with-contenv bash\nset -e\n\n"


def _secrets(line: str, path: str = "s6-scripts/init/script") -> list[str]:
    found = run_part("secrets", {"README.md": "x\n"}, {path: SCRIPT + line + "\n"})
    return rules(found)


def test_a_fallback_that_is_a_path_or_nothing_is_no_secret() -> None:
    assert _secrets('SECRETS_DIR="${SECRETS_PATH:-/secrets}"') == []
    assert _secrets('API_SECRET="${API_SECRET:?set the API secret first}"') == []
    assert _secrets('SECRET_TOKEN="${SECRET_TOKEN:-}"', "deploy/run.sh") == []


def test_a_secret_written_as_the_fallback_is_still_one() -> None:
    line = 'SECRET_TOKEN="${SECRET_TOKEN:-Zq8r3KpV0vX2mN7bY5tW1hLc}"'
    assert _secrets(line) == ["secret-high-entropy"]
    assert _secrets(line.replace(":-", "-"), "deploy/run.sh") == ["secret-high-entropy"]
