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


# hyades-apiserver d7a20449c1: a Liquibase changeset's author, an e-mail address under a
# name that holds "auth" only as the start of "author"
CHANGELOG = (
    "<databaseChangeLog>\n"
    '    <changeSet id="v5.5.0-2" author="{author}">\n'
    '        <dropIndex tableName="ANALYSIS" indexName="ANALYSIS_PROJECT_ID_IDX"/>\n'
    "    </changeSet>\n"
    "</databaseChangeLog>\n"
)


def _changelog(author: str) -> list[str]:
    path = "src/main/resources/migration/changelog-v5.5.0.xml"
    return rules(run_part("secrets", {"README.md": "x\n"}, {path: CHANGELOG.format(author=author)}))


def test_an_author_or_an_e_mail_address_is_no_secret() -> None:
    assert _changelog("nscuro@protonmail.com") == []
    assert _changelog("Zq8r3KpV0vX2mN7bY5tW1hLc") == []  # "author" names no secret
    found = run_part(
        "secrets", {"README.md": "x\n"}, {"app/mail.py": 'PASSWORD = "ops@mail.example.org"\n'}
    )
    assert rules(found) == []


def test_authorization_and_auth_tokens_are_still_secrets_names() -> None:
    head = (
        'AUTHORIZATION = "Zq8r3KpV0vX2mN7bY5tW1hLc"\n'
        'author_token = "Yq8r3KpV0vX2mN7bY5tW1hLd"\n'
        'auth = "Xq8r3KpV0vX2mN7bY5tW1hLe"\n'
    )
    found = run_part("secrets", {"README.md": "x\n"}, {"app/keys.py": head})
    assert rules(found) == ["secret-high-entropy"] * 3


# flexile 0666e5f541: a Rails app's .env.test pointing the test servers at this machine
ENV_TEST = "APP_DOMAIN=test.flexile.dev:3101\nPROTOCOL=https\n"


def _env_test(head: str) -> list[str]:
    return rules(run_part("secrets", {".env.test": ENV_TEST}, {".env.test": head}))


def test_an_address_on_this_machine_in_a_committed_env_file_is_no_credential() -> None:
    head = "APP_DOMAIN=localhost:3100\nDOMAIN=localhost:3100\nAPI_DOMAIN=127.0.0.1:3101\n"
    assert _env_test(head + "EMAIL_DOMAIN=localhost\nPROTOCOL=http\n") == []


def test_a_remote_host_or_a_local_host_under_a_secrets_name_still_counts() -> None:
    assert _env_test("APP_DOMAIN=app.flexile.com:443\nPROTOCOL=http\n") == ["env-file-committed"]
    assert "env-file-committed" in _env_test("API_SECRET_TOKEN=localhost:3100\n")
