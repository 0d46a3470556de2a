"""Round 33's security false block, with a case that fires and one that must not: a
shell parameter expansion with a fallback (``SECRETS_DIR="${SECRETS_PATH:-/secrets}"`` in
an s6 init script, a file with no extension) reads a variable where it runs; only its
fallback is written in the file, and only the fallback is judged."""

from __future__ import annotations

from .helpers import rules, run_part, where

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


# peeringdb 0f2dd0c038: six flagged mark_safe calls gained ``target="_blank"`` in their
# literal text; what they interpolate did not change
TAGS = (
    "from django.utils.safestring import mark_safe\n\n\n"
    "def link(identifier, service):\n"
    '    if service == "website":\n'
    "        return mark_safe(f'<a href=\"{identifier}\">{identifier}</a>')\n"
    "    return mark_safe(\n"
    "        f'<a href=\"https://x.com/{identifier}\">{identifier}</a>'\n"
    "    )\n"
)


def test_an_edit_to_the_text_of_a_flagged_call_is_not_new() -> None:
    head = TAGS.replace('">{identifier}', '" target="_blank">{identifier}')
    assert head != TAGS
    assert run_part("bandit", {"app/tags.py": TAGS}, {"app/tags.py": head}) == []


def test_a_flagged_call_that_now_interpolates_something_else_is_new() -> None:
    head = TAGS.replace("{identifier}</a>')", "{identifier}</a>{service}')")
    found = run_part("bandit", {"app/tags.py": TAGS}, {"app/tags.py": head})
    assert rules(found) == ["bandit-b308", "bandit-b703"]
    assert where(found) == [("app/tags.py", 6), ("app/tags.py", 6)]


def test_a_literal_made_into_a_template_is_new() -> None:
    base = TAGS.replace("f'<a href=\"{identifier}\">{identifier}</a>'", "'<b>home</b>'")
    assert rules(run_part("bandit", {"app/tags.py": base}, {"app/tags.py": TAGS})) == [
        "bandit-b308",
        "bandit-b703",
    ]
