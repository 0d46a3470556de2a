"""The secrets part: every format fires on an added line, is redacted, and stays quiet
on unchanged lines, placeholders and allowlisted lines."""

from __future__ import annotations

import pytest

from gatekeeper.changes import ChangedFile, ChangeSet
from gatekeeper.checks.security.secret_formats import (
    entropy,
    github_issued,
    looks_random,
    redact,
)
from gatekeeper.model import Finding, Level
from tests.fake_tokens import AWS, GH, JWT, PAT, SLACK, STRIPE

from .helpers import rules, run_part, text_of, where

# Built from pieces so that this file holds no whole token a scanner would flag.
BODY = ["MIIEowIBAAKCAQEA7" + "q" * 47, "Zm9vYmFyYmF6cXV4" * 4, "c2VjcmV0c2VjcmV0" * 4]
PEM = ["-----BEGIN RSA " + "PRIVATE KEY-----", *BODY, "-----END RSA " + "PRIVATE KEY-----"]
PASSWORD_LINE = 'db_password = "Zx8kLm2Qp9vRt4Wq"'  # pragma: allowlist secret
API_KEY_LINE = 'const apiKey = "9fK2mQ7xL4pZ8wR1";'  # pragma: allowlist secret
SA = (
    '{"type": "service_account", "project_id": "demo",\n "private_key_id": "'
    + "0123456789abcdef" * 2
    + "01234567"
    + '"}\n'
)


@pytest.mark.parametrize(
    ("line", "rule", "shown"),
    [
        (f'TOKEN = "{GH}"', "secret-github-token", "ghp_…M6Ea"),
        (f"token: {PAT}", "secret-github-token", "gith…YZab"),
        (f'aws_key_id = "{AWS}"', "secret-aws-access-key", "AKIA…2K3L"),
        (f"SLACK={SLACK}", "secret-slack-token", "xoxb-…UvWx"),
        (f'stripe.api_key = "{STRIPE}"', "secret-stripe-live-key", "sk_live_…p7dc"),
        (f'auth_header = "Bearer {JWT}"', "secret-jwt", "eyJ…sR8U"),
        (PASSWORD_LINE, "secret-high-entropy", "…t4Wq"),
        (API_KEY_LINE, "secret-high-entropy", "…8wR1"),
    ],
)
def test_each_token_format_fires_and_is_redacted(line: str, rule: str, shown: str) -> None:
    found = run_part("secrets", {"app.txt": "a\n"}, {"app.txt": "a\n" + line + "\n"})
    assert rules(found) == [rule]
    assert where(found) == [("app.txt", 2)]
    assert found[0].message.endswith(shown)
    for secret in (GH, PAT, AWS, SLACK, STRIPE, JWT, "Zx8kLm2Qp9vRt4Wq", "9fK2mQ7xL4pZ8wR1"):
        assert secret not in text_of(found)
    assert found[0].level is Level.ERROR


#: a real token its owner published after expiring it (atuin's secrets.rs): its last six
#: characters are the CRC32 of the thirty before them, in base62
EXPIRED = "ghp_" + "R2kkVxN31PiqsJYXFmTIBmOu5a9gM0042muH"
#: GitHub's documentation example: the shape of a token, a checksum that does not hold
DOCS_EXAMPLE = "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a"


def test_a_github_token_is_issued_only_when_its_checksum_holds() -> None:
    assert github_issued(EXPIRED) and github_issued(GH)
    assert not github_issued(DOCS_EXAMPLE)
    # one character changed anywhere breaks it
    assert not github_issued(EXPIRED[:10] + "x" + EXPIRED[11:])
    assert not github_issued(EXPIRED[:-1] + "I")
    # layouts without a checksum we can read count as issued
    assert github_issued(PAT) and github_issued(GH + "Q")


def test_a_made_up_github_token_is_not_reported_as_one() -> None:
    line = f'"token": "{DOCS_EXAMPLE}",'
    found = run_part("secrets", {"tests/test_app.py": "a\n"}, {"tests/test_app.py": f"a\n{line}\n"})
    assert "secret-github-token" not in rules(found)
    # ... while one GitHub issued still is, in the same place
    real = run_part(
        "secrets", {"tests/test_app.py": "a\n"}, {"tests/test_app.py": f'a\nT = "{EXPIRED}"\n'}
    )
    assert rules(real) == ["secret-github-token"]


def test_a_made_up_github_token_under_a_secret_name_is_still_judged_as_a_value() -> None:
    """Failing the checksum takes the token out of the named rule only: a random value
    assigned to ``token`` in application code is still a high-entropy secret."""
    found = run_part("secrets", {"app.py": "a\n"}, {"app.py": f'a\ntoken = "{DOCS_EXAMPLE}"\n'})
    assert rules(found) == ["secret-high-entropy"]


def test_a_private_key_block_and_a_service_account_key_fire() -> None:
    head = {"k.pem": "\n".join(PEM) + "\n", "sa.json": SA}
    found = run_part("secrets", {}, head)
    assert rules(found) == ["secret-private-key", "secret-gcp-service-account"]
    assert found[0].location is not None and found[0].location.end_line == 5
    assert found[0].message == "private key added: -----BEGIN RSA PRIVATE KEY-----…"
    assert BODY[0] not in text_of(found) and "0123456789abcdef" not in text_of(found)


def test_a_private_key_split_across_a_hunk_boundary_is_caught() -> None:
    # the header and footer lines were already there; the PR adds only the body
    base = "\n".join([PEM[0], "", PEM[-1]]) + "\n"
    found = run_part("secrets", {"k.pem": base}, {"k.pem": "\n".join(PEM) + "\n"})
    assert rules(found) == ["secret-private-key"]


def test_a_key_whose_header_sits_in_one_hunk_and_footer_in_another_is_caught() -> None:
    # two added runs separated by unchanged lines: each alone holds no whole key
    base = ["x = 1", *BODY, "y = 2"]
    head = [PEM[0], *BODY, PEM[-1]]
    found = run_part(
        "secrets", {"k.txt": "\n".join(base) + "\n"}, {"k.txt": "\n".join(head) + "\n"}
    )
    assert rules(found) == ["secret-private-key"]


def test_a_secret_on_an_unchanged_line_is_not_reported() -> None:
    base = f'TOKEN = "{GH}"\n'
    assert run_part("secrets", {"a.py": base}, {"a.py": base + "x = 1\n"}) == []


def test_placeholders_low_entropy_and_references_are_not_secrets() -> None:
    head = "\n".join(
        [
            'password = "changeme-please"',
            'api_key = "${API_KEY}"',
            'secret = "{{ vault_secret }}"',
            'token = "aaaaaaaaaaaaaaaa"',
            'aws = "AKIAIOSFODNN7EXAMPLE"',
            'password = "password"',
        ]
    )
    assert run_part("secrets", {}, {"a.py": head + "\n"}) == []


def test_a_symfony_env_parameter_is_a_reference_not_a_secret() -> None:
    # Part-DB's config/packages/*.yaml: the value comes from the environment
    head = (
        "fixer:\n"
        "  access_key: '%env(string:settings:exchange_rate:fixerApiKey)%'\n"
        "  private_key: '%env(string:default:saml.sp.privateKey:SAML_SP_PRIVATE_KEY)%'\n"
        "  key_file: '%kernel.project_dir%/uploads/oauth_private.key'\n"
    )
    assert run_part("secrets", {}, {"config/packages/swap.yaml": head}) == []
    # a literal beside the parameter, or one wrapped to look like it, is still judged
    real = "fixer:\n  access_key: 'Zx8kLm2Qp9vRt4Wq%env(FIXER_KEY)%'\n"  # pragma: allowlist secret
    assert rules(run_part("secrets", {}, {"config/packages/swap.yaml": real})) == [
        "secret-high-entropy"
    ]


def test_namespaced_keys_are_not_secrets_but_generated_values_beside_a_slash_are() -> None:
    # an error code or message key under a name with TOKEN in it is an identifier
    codes = (
        "export const ACCESS_TOKEN_LABEL_SHORT = 'access_token/label_too_short';\n"
        "export const AUTH_TOKEN_EXPIRED = 'auth/token-expired';\n"
        "DB_PASSWORD_COLLATION = 'utf8mb4_unicode_ci'\n"
        "TOKEN_AUDIENCE = 'k8s-api/oauth2-proxy'\n"
    )
    assert run_part("secrets", {}, {"errors.ts": codes}) == []
    # a value with upper case or a random run is not an identifier, whatever its slashes
    real = "const API_TOKEN = 'team/Zx8kLm2Qp9vRt4Wq';\n"  # pragma: allowlist secret
    assert rules(run_part("secrets", {}, {"client.ts": real})) == ["secret-high-entropy"]
    # nor is a lower-case generated key or UUID, whose parts interleave letters and digits
    keys = (
        'api_key = "a3f2b1c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"\n'  # pragma: allowlist secret
        'token = "k3j4h5/g6f7d8s9a0"\n'  # pragma: allowlist secret
    )
    assert rules(run_part("secrets", {}, {"client.py": keys})) == ["secret-high-entropy"] * 2


def test_stored_password_hashes_are_not_secrets_but_a_token_beside_them_is() -> None:
    hashes = (
        'Secret: "$2a$10$9dypwot8nGuCjT6wQWWpJOckZfRprhe2EkwpKizxS/fpVHrOLEJHC",\n'
        'password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"\n'
    )
    assert run_part("secrets", {}, {"seed.go": hashes}) == []
    # a value that only starts like a hash is not one
    fake = 'api_token = "$2a$10$Zx8kLm2Qp9vRt4Wq"\n'  # pragma: allowlist secret
    assert rules(run_part("secrets", {}, {"seed.go": fake})) == ["secret-high-entropy"]


def test_a_url_route_pattern_is_not_a_secret_but_a_key_with_punctuation_is() -> None:
    routes = (
        'friendly_token = r"(?P<friendly_token>[\\w\\-_]*)"\n'
        'session_key_pattern = r"^sessions/(?:[A-Za-z0-9]{32})$"\n'
    )
    assert run_part("secrets", {}, {"files/urls.py": routes}) == []
    # a generated password with brackets and a backslash but no pattern's grammar
    real = 'api_token = "x9(?:Kd]4\\Lq7#Wz2!vB8"\n'  # pragma: allowlist secret
    assert rules(run_part("secrets", {}, {"files/urls.py": real})) == ["secret-high-entropy"]


def test_a_go_file_built_only_for_tests_is_test_code() -> None:
    seed = (
        "//go:build e2etest\n\npackage service\n\n"
        'var t = Seed{Token: "2FZFSoupBdHyqIL65bWTsgCgHIhxlXup"}\n'  # pragma: allowlist secret
    )
    (found,) = run_part("secrets", {}, {"internal/service/e2etest_service.go": seed})
    assert found.level is Level.WARNING and "in test code" in found.message
    # a constraint that excludes the test build, or none, is production code
    for header in ("//go:build !e2etest\n\n", ""):
        prod = header + seed.split("\n", 2)[2]
        (found,) = run_part("secrets", {}, {"internal/service/seed.go": prod})
        assert found.level is Level.ERROR
    # and strict's empty test_files judges it like the rest
    (strict,) = run_part("secrets", {}, {"e2e.go": seed}, {"test_files": []})
    assert strict.level is Level.ERROR


def test_example_passwords_in_urls_are_not_secrets_but_real_ones_are() -> None:
    # URL-parsing tests are full of user:pass@host; a generated password still fires
    examples = 'a = "http://user:pass@example.org:21/x"\nb = "redis://foo:bar@cache:6379/0"\n'
    assert run_part("secrets", {}, {"test_url.py": examples}) == []
    real = 'c = "https://deploy:Zx8kLm2Qp9vR@example.org/"\n'  # pragma: allowlist secret
    found = run_part("secrets", {}, {"test_url.py": examples + real})
    assert rules(found) == ["secret-detected"]
    assert where(found) == [("test_url.py", 3)]


def test_an_endpoint_url_with_a_port_under_an_auth_name_is_not_a_secret() -> None:
    # a map of a vendor's public endpoints: ``authorization`` in the key, a port in the URL
    kotlin = (
        'val resources = """{\n'
        '    "social_authorization_host": "https://social.kobobooks.com:8443",\n'
        '    "oauth_token_url": "https://auth.kobobooks.com:443/oauth/token?grant=code",\n'
        '}"""\n'
    )
    json_map = '{"social_authorization_host": "https://social.kobobooks.com:8443"}\n'
    assert run_part("secrets", {}, {"src/KoboProxy.kt": kotlin}) == []
    assert run_part("secrets", {}, {"src/resources.json": json_map}) == []
    # the same names with a credential in the URL still fire
    real = (
        '"social_authorization_host": "https://social.kobobooks.com:8443/?token=Zx8kLm2Qp9vR",\n'
        '"auth_url": "https://api.kobobooks.com:8443/v1?x=Zx8kLm2Qp9vRt4Wq7HtR3mN8",\n'
    )  # pragma: allowlist secret
    found = run_part("secrets", {}, {"src/resources.json": real})
    assert rules(found) == ["secret-high-entropy", "secret-high-entropy"]


def test_the_allowlist_and_the_entropy_floor_are_configurable() -> None:
    head = {"a.py": 'db_password = "Zx8kLm2Qp9vRt4Wq"\n'}  # pragma: allowlist secret
    assert run_part("secrets", {}, head, {"allowlist": ["Zx8k.*"]}) == []
    assert run_part("secrets", {}, head, {"min_entropy": 5.0}) == []


@pytest.mark.parametrize(
    "pragma",
    ["# pragma: allowlist secret", "# gatekeeper: allow-secret", "// gatekeeper:allow-secret"],
)
def test_a_pragma_the_pr_wrote_is_reported_marked(pragma: str) -> None:
    head = {"a.py": f'TOKEN = "{GH}"  {pragma}\n'}
    (found,) = run_part("secrets", {}, head)
    assert found.rule == "secret-github-token" and "suppressed in this PR by" in found.message
    assert GH not in text_of([found])
    assert run_part("secrets", {}, head, {"trust_pr_suppressions": True}) == []
    (plain,) = run_part("secrets", {}, head, {"honour_pragmas": False})
    assert "suppressed" not in plain.message


def test_a_pragma_the_base_had_is_honoured_and_nextline_covers_the_next_line() -> None:
    line = f'TOKEN = "{GH}"  # pragma: allowlist secret\n'
    assert run_part("secrets", {"a.py": line}, {"a.py": "X = 1\n" + line}) == []
    nextline = f'# pragma: allowlist nextline secret\nTOKEN = "{GH}"\n'
    assert run_part("secrets", {"a.py": nextline}, {"a.py": "X = 1\n" + nextline}) == []
    # a base pragma above a line the PR rewrote vouches for the old line only
    base = '# pragma: allowlist nextline secret\nTOKEN = "placeholder"\n'
    (found,) = run_part("secrets", {"a.py": base}, {"a.py": nextline})
    assert "suppressed in this PR by `pragma: allowlist nextline secret` at a.py:1" in found.message


def test_a_pragma_passes_once_a_human_approves_the_latest_push() -> None:
    from gatekeeper.changes.pullrequest import PullRequest, Review

    head = {"a.py": f'TOKEN = "{GH}"  # gatekeeper: allow-secret\n'}
    pr = PullRequest(
        number=3, author="bot", head_sha="h", reviews=(Review("carol", "APPROVED", commit_id="h"),)
    )
    assert run_part("secrets", {}, head, pr=pr) == []


def test_a_line_separator_cannot_move_a_secret_off_its_added_line() -> None:
    # str.splitlines() breaks at U+2028; git does not: the token is on added line 2
    head = {"a.py": f'X = 1\nNOTE = "\u2028"; TOKEN = "{GH}"\n'}
    found = run_part("secrets", {"a.py": "X = 1\n"}, head)
    assert rules(found) == ["secret-github-token"] and where(found) == [("a.py", 2)]


def test_detect_secrets_plugins_catch_formats_we_have_no_rule_for() -> None:
    sendgrid = (
        "SG." + "ngeVfQFYQlKU0ufo8x5d1A" + "." + "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"
    )
    found = run_part("secrets", {}, {"mail.cfg": f"key {sendgrid}\n"})
    assert rules(found) == ["secret-detected"]
    assert found[0].message == "SendGrid API Key added: …s5cr"


def test_entropy_only_strings_are_reported_only_when_asked() -> None:
    head = {"a.py": 'x = "9f2aQ7vLm3ZpR8tW1yK5nB6cD0eF4gH2jX"\n'}
    assert run_part("secrets", {}, head) == []
    assert rules(run_part("secrets", {}, head, {"entropy_strings": True})) == ["secret-detected"]


def test_a_committed_env_file_with_values_is_reported_by_name_only() -> None:
    head = {
        ".env": "# local\nDB_PASSWORD=hunter2\nEMPTY=\nexport API_URL=http://x\n",
        ".env.example": "DB_PASSWORD=hunter2\n",
        "config/app.env": "A=\n",
    }
    found = run_part("secrets", {}, head)
    assert rules(found) == ["env-file-committed"]
    assert found[0].message == ".env is committed with values for DB_PASSWORD, API_URL."
    assert "hunter2" not in text_of(found)


def test_example_env_files_named_by_prefix_are_templates_too() -> None:
    # dogfood: a Go service documents its settings in example.env / example.docker.env
    head = {
        "example.env": "APP_MODE=dev\n",
        "deploy/example.docker.env": "APP_MODE=dev\n",
        "conf/app.example.env": "APP_MODE=dev\n",
    }
    assert run_part("secrets", {}, head) == []
    assert rules(run_part("secrets", {}, {"examples.env": "A=x\n"})) == ["env-file-committed"]


def test_flags_and_small_numbers_in_an_env_file_are_no_credentials() -> None:
    # polar's .env.testing gained POLAR_SQLALCHEMY_DEBUG="false": a switch, not a secret
    settings = 'APP_DEBUG="false"\nAPP_TRACE=on\nAPP_PORT=5432\nAPP_RETRIES=-1\n'
    assert run_part("secrets", {}, {"server/.env.testing": settings}) == []
    # ...but a number under a secret's name, or a longer one, may be the secret itself
    found = run_part("secrets", {}, {".env": "SMS_PIN=4821\nACCOUNT_ID=184467440737\n"})
    assert found[0].message == ".env is committed with values for SMS_PIN, ACCOUNT_ID."


def test_version_numbers_in_an_env_file_are_no_credentials() -> None:
    # Growstuff 000f4979db: .devcontainer/.env picks the Ruby image, VARIANT=3.2.4
    head = {".devcontainer/.env": "# Ruby version\nVARIANT=3.2.4\nNODE_VERSION=v20.11\n"}
    assert run_part("secrets", {}, head) == []
    # ...but not under a secret's name, nor a value that only starts like one
    head = {".devcontainer/.env": "DB_PASSWORD=3.2.4\nRELEASE=3.2.4+a8Fq2Lw0Zx\n"}
    found = run_part("secrets", {}, head)
    assert (
        found[0].message == ".devcontainer/.env is committed with values for DB_PASSWORD, RELEASE."
    )


def test_public_build_settings_and_template_placeholders_are_no_credentials() -> None:
    # authelia's web/.env.production (Vite) and Mailu's rendered setup env file
    head = {
        "web/.env.production": "VITE_THEME={{ .Theme }}\nVITE_LOGO=/logo.png\nNEXT_PUBLIC_URL=x\n",
        "setup/mailu.env": "SECRET_KEY={{ secret(16) }}\n{% if v6 %}\nSUBNET6={{ s6 }}\n"
        "{% endif %}\nFULL_TEXT_SEARCH=en\n",
    }
    assert run_part("secrets", {}, head) == []
    # a literal default in a file without template actions is still a committed value
    found = run_part("secrets", {}, {"setup/plain.env": "FULL_TEXT_SEARCH=en\n"})
    assert rules(found) == ["env-file-committed"]
    # a literal value under a non-public name in the same files still counts
    head = {
        "web/.env.production": "VITE_THEME=dark\nDATABASE_PASSWORD=hunter2\n",
        "setup/mailu.env": "DB_PASS={{ pw }}hunter2\nSMTP_PASSWORD=x{% if a %}{% endif %}\n",
    }
    found = run_part("secrets", {}, head)
    assert sorted(f.message for f in found) == [
        "setup/mailu.env is committed with values for DB_PASS, SMTP_PASSWORD.",
        "web/.env.production is committed with values for DATABASE_PASSWORD.",
    ]


def test_many_env_values_are_listed_briefly() -> None:
    env = "".join(f"VAR_{i}=v{i}\n" for i in range(12))
    found = run_part("secrets", {}, {"prod.env": env})
    assert found[0].message.endswith("VAR_9 ….")


def test_binary_excluded_and_deleted_files_are_skipped() -> None:
    head = {"img.bin": b"\x00" + GH.encode(), "poetry.lock": f'token = "{GH}"\n'}
    assert run_part("secrets", {"gone.py": f'T = "{GH}"\n'}, head) == []
    assert rules(run_part("secrets", {}, head, {"exclude": []})) == ["secret-github-token"]


def test_a_level_shorthand_and_turning_the_part_off() -> None:
    head = {"a.py": f'T = "{GH}"\n'}
    assert [f.level for f in run_part("secrets", {}, head, "warn")] == [Level.WARNING]
    assert run_part("secrets", {}, head, "off") == []
    assert run_part("secrets", {}, head, {"enabled": False}) == []


def test_equal_secrets_on_two_lines_get_distinct_fingerprints() -> None:
    found = run_part("secrets", {}, {"a.py": f'A = "{GH}"\nB = "{GH}"\n'})
    assert len({f.fingerprint for f in found}) == 2


def test_a_five_megabyte_one_line_file_is_scanned() -> None:
    blob = "var a=" + "Ab3+" * 1_250_000 + f';var t="{GH}";\n'
    found = run_part("secrets", {}, {"bundle.min.js": blob})
    assert rules(found) == ["secret-github-token"]


def test_redaction_and_entropy_helpers() -> None:
    token = "ghp_" + "0123456789abcdef0123456789abcdef9f2a"
    assert redact(token, 4) == "ghp_…9f2a"
    assert redact("short", 4) == "… (5 characters, not shown)"
    assert redact("0123456789abcdefXYZW") == "…XYZW"
    assert entropy("") == 0.0 and entropy("aaaa") == 0.0 and entropy("ab") == 1.0


def test_a_file_in_another_encoding_is_scanned_byte_for_byte() -> None:
    legacy = "passw\xf6rd=x\n".encode("latin-1")
    assert run_part("secrets", {}, {"legacy.cfg": legacy}) == []
    found = run_part("secrets", {}, {"legacy.cfg": legacy + f"token={GH}\n".encode()})
    assert rules(found) == ["secret-github-token"] and where(found) == [("legacy.cfg", 2)]
    # a coding line that would turn the token into other characters does not hide it
    ebcdic = b"# coding: cp037\n\xff\n" + f'TOKEN = "{GH}"\n'.encode()
    assert rules(run_part("secrets", {}, {"x.py": ebcdic})) == ["secret-github-token"]


def _only(changes: ChangeSet, changed: ChangedFile) -> list[Finding]:
    """The secrets part on a ChangeSet whose one file is ``changed`` (a kind git makes)."""
    from gatekeeper.checks.security import SecurityCheck
    from gatekeeper.testing import context

    changes.files = (changed,)
    changes.__post_init__()
    ctx = context(changes, {"bandit": False, "dependencies": False, "sensitive": False})
    return list(SecurityCheck().run(ctx))


def test_a_file_too_large_to_read_blocks_as_not_scanned() -> None:
    from gatekeeper.changes import ChangedFile, FileKind, FileStatus
    from gatekeeper.testing import changeset

    big = ChangedFile("dump.sql", FileStatus.ADDED, FileKind.TOO_LARGE, size=12_000_000)
    found = _only(changeset({}, {"dump.sql": "x\n"}), big)
    assert rules(found) == ["secrets-not-scanned"] and "12,000,000 bytes" in found[0].message
    assert found[0].level is Level.ERROR


def test_a_symlink_out_of_the_repository_blocks_as_not_scanned() -> None:
    from gatekeeper.changes import ChangedFile, FileKind, FileStatus
    from gatekeeper.testing import changeset

    link = ChangedFile(
        "conf", FileStatus.ADDED, FileKind.SYMLINK, link_target="/etc/passwd", link_outside=True
    )
    found = _only(changeset({}, {"conf": "/etc/passwd"}), link)
    assert rules(found) == ["secrets-not-scanned"] and "'/etc/passwd'" in found[0].message


def test_a_submodule_change_is_a_warning_naming_it() -> None:
    from gatekeeper.changes import ChangedFile, FileKind, FileStatus
    from gatekeeper.testing import changeset

    sub = ChangedFile("vendor/lib", FileStatus.ADDED, FileKind.SUBMODULE)
    (found,) = _only(changeset({}, {"vendor/lib": "x"}), sub)
    assert found.rule == "submodule-changed" and found.level is Level.WARNING
    assert "vendor/lib was added" in found.message
    moved = ChangedFile("lib", FileStatus.RENAMED, FileKind.SUBMODULE, old_path="vendor/lib")
    (found,) = _only(changeset({}, {"lib": "x"}), moved)
    assert "moved from vendor/lib" in found.message


def test_a_bad_allowlist_pattern_fails_closed_with_what_to_fix() -> None:
    from gatekeeper.checks.interface import CheckError

    with pytest.raises(CheckError, match=r"allowlist: '\(unclosed' is not a valid regular"):
        run_part("secrets", {}, {"a.py": "x = 1\n"}, {"allowlist": ["(unclosed"]})


def test_many_small_hunks_are_each_scanned_by_both_engines() -> None:
    npm = "npm_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0UvWxYz"
    base = [f"line {i}" for i in range(40)]
    head = list(base)
    head.insert(30, f"//registry.npmjs.org/:_authToken={npm}")
    head.insert(10, f'T = "{GH}"')
    found = run_part(
        "secrets", {"a.cfg": "\n".join(base) + "\n"}, {"a.cfg": "\n".join(head) + "\n"}
    )
    assert [(f.rule, f.location.start_line if f.location else 0) for f in found] == [
        ("secret-github-token", 11),
        ("secret-detected", 32),
    ]


def test_a_form_field_named_password_is_not_a_secret() -> None:
    # dogfood: passport's `passwordField: 'user[password]'` in a Node app
    assert run_part("secrets", {}, {"auth.js": "  passwordField: 'user[password]',\n"}) == []
    found = run_part("secrets", {}, {"auth.js": "  passwordField: 'u[Zx8kLm2Qp9vRt4W'\n"})
    assert rules(found) == ["secret-high-entropy"]


def test_credentials_in_a_url_to_localhost_are_a_test_database() -> None:
    # dogfood: a CI job runs psql against its own service container
    local = "run: psql postgresql://postgres:" + "r00tpw@localhost:5432/postgres\n"
    assert run_part("secrets", {}, {".github/workflows/t.yml": local}) == []
    remote = local.replace("localhost", "db.internal.example.net")
    assert rules(run_part("secrets", {}, {"deploy.sh": remote})) == ["secret-detected"]
    near = local.replace("localhost", "localhost.evil.net")
    assert rules(run_part("secrets", {}, {"deploy.sh": near})) == ["secret-detected"]


def test_code_between_two_string_literals_is_not_a_value() -> None:
    # dogfood: a Java YAML writer, `out.append("  secretGroup: ").append(rule.group)...`
    line = 'out.append("  secretGroup: ").append(rule.group).append("\\n");\n'
    assert run_part("secrets", {}, {"W.java": line}) == []
    assert rules(run_part("secrets", {}, {"W.java": 'secretGroup: "Zx8k(Lm2)Qp9vRt4W"\n'})) == [
        "secret-high-entropy"
    ]


def test_a_finding_never_shows_an_empty_preview() -> None:
    short = 'api_key = "9fK2mQ7x"\n'  # pragma: allowlist secret
    found = run_part("secrets", {}, {"app/config.py": short})
    assert rules(found) == ["secret-high-entropy"]
    assert found[0].message == "value of api_key added: … (8 characters, not shown)"
    assert "9fK2" not in text_of(found)


def test_test_files_are_configurable() -> None:
    head = {"tests/test_api.py": 'api_token = "Zx8kLm2Qp9vRt4Wq"\n'}  # pragma: allowlist secret
    assert [f.level for f in run_part("secrets", {}, head)] == [Level.WARNING]
    found = run_part("secrets", {}, head, {"test_files": []})
    assert rules(found) == ["secret-high-entropy"] and found[0].level is Level.ERROR


def test_a_generic_value_in_test_code_warns_a_placeholder_there_stays_silent() -> None:
    # a reviewer sees a random-looking value under a secret-like name in a test (it was
    # dropped unseen); a made-up value of the fake/changeme/xxx family is still nothing
    head = {
        "tests/test_api.py": 'api_token = "Zx8kLm2Qp9vRt4Wq"\n',  # pragma: allowlist secret
        "tests/test_login.py": "api_key = 'fake-api-key-9f2a'\npassword = 'changeme123'\n"
        "token = 'xxxxxxxxxxxxxxxx'\n",
    }
    found = run_part("secrets", {}, head)
    assert where(found) == [("tests/test_api.py", 1)]
    assert found[0].rule == "secret-high-entropy" and found[0].level is Level.WARNING
    assert "in test code: a warning" in found[0].message and "Zx8k" not in text_of(found)
    # a part level set in the policy is the level of every finding, test code included
    blocked = run_part("secrets", {}, head, {"level": "block"})
    assert [f.level for f in blocked] == [Level.ERROR]


def test_a_credential_detect_secrets_names_in_test_code_still_blocks() -> None:
    # the generic rule sees the whole URL, detect-secrets its password: in test code the
    # generic warning must not stand in for the blocking finding on the same value
    url = 'db_password = "postgres://admin:Zx8kLm2Qp9vRt4Wq@db.internal.net/app"\n'
    found = run_part(
        "secrets", {}, {"tests/test_db.py": url, "tests/test_s3.py": f'KEY = "{AWS}"\n'}
    )
    assert [(f.rule, f.level) for f in found] == [
        ("secret-detected", Level.ERROR),
        ("secret-aws-access-key", Level.ERROR),
    ]


def test_a_private_key_in_test_code_warns_a_service_token_there_blocks() -> None:
    # dogfood (gotify 1250e12): a test identity provider's config holds its own key pair
    head = {
        "test/oidc/authelia/config/configuration.yml": "key: |\n" + "\n".join(PEM) + "\n",
        "tests/test_s3.py": f'KEY_ID = "{AWS}"\n',
        "deploy/server.pem": "\n".join(PEM) + "\n",
    }
    found = {(where([f])[0][0], f.rule): f for f in run_part("secrets", {}, head)}
    test_key = found[("test/oidc/authelia/config/configuration.yml", "secret-private-key")]
    assert test_key.level is Level.WARNING
    assert "in test code" in test_key.message
    assert found[("tests/test_s3.py", "secret-aws-access-key")].level is Level.ERROR
    assert found[("deploy/server.pem", "secret-private-key")].level is Level.ERROR
    # a part level set in the policy is the level of every finding, test keys included
    blocked = run_part("secrets", {}, head, {"level": "block"})
    assert {f.level for f in blocked} == {Level.ERROR}


def test_a_django_projects_test_settings_are_test_code() -> None:
    # readthedocs a01207705b: settings/test.py holds the key pair its GitHub App tests use;
    # the production settings beside it are no test code
    key = 'GITHUB_APP_KEY = """' + "\n".join(PEM) + '"""\n'
    head = {"site/settings/test.py": key, "site/settings/production.py": key}
    found = {where([f])[0][0]: f.level for f in run_part("secrets", {}, head)}
    assert found == {
        "site/settings/test.py": Level.WARNING,
        "site/settings/production.py": Level.ERROR,
    }


def test_test_resources_folders_are_test_code() -> None:
    # authelia 111344eaea: internal/configuration/test_resources/ holds configs the tests load
    pem = "key: |\n" + "\n".join(PEM) + "\n"
    head = {
        "internal/configuration/test_resources/oidc.yml": pem,
        "app/src/test-resources/keys.yml": pem,
        "internal/configuration/resources/oidc.yml": pem,
    }
    levels = {where([f])[0][0]: f.level for f in run_part("secrets", {}, head)}
    assert levels == {
        "internal/configuration/test_resources/oidc.yml": Level.WARNING,
        "app/src/test-resources/keys.yml": Level.WARNING,
        "internal/configuration/resources/oidc.yml": Level.ERROR,
    }


def test_the_policy_default_for_test_files_is_the_list_of_test_folders() -> None:
    # the schema's default is what a policy without the key gets: it was [] (every test
    # fixture judged as production code) while the code meant the list
    from gatekeeper.changes.pullrequest import PullRequest
    from gatekeeper.checks.security.common import DEFAULT_TEST_FILES
    from gatekeeper.plugins import discover
    from gatekeeper.policy.load import load_policy

    policy = load_policy(None, source="p.yml", checks=discover().classes(), pr=PullRequest())
    config = policy.check("security").config
    assert config["secrets"]["test_files"] == list(DEFAULT_TEST_FILES)
    assert config["bandit"]["test_files"] == list(DEFAULT_TEST_FILES)
    head = {"tests/test_api.py": 'api_token = "Zx8kLm2Qp9vRt4Wq"\n'}  # pragma: allowlist secret
    assert [f.level for f in run_part("secrets", {}, head, config["secrets"])] == [Level.WARNING]


def test_a_generic_value_in_documentation_warns_a_named_token_there_blocks() -> None:
    # dogfood (documenso b0f8c83): a how-to shows a webhook secret as an example value
    example = 'webhook_secret = "Zx8kLm2Qp9vRt4Wq"\n'  # pragma: allowlist secret
    head = {
        "apps/documentation/pages/developers/webhooks.mdx": example,
        "docs/setup/config.yml": example,
        "README.md": f"export GITHUB_TOKEN={GH}\n",
        "app/settings.py": example,
    }
    found = {(where([f])[0][0], f.rule): f for f in run_part("secrets", {}, head)}
    mdx = found[("apps/documentation/pages/developers/webhooks.mdx", "secret-high-entropy")]
    assert mdx.level is Level.WARNING and "in documentation" in mdx.message
    assert found[("docs/setup/config.yml", "secret-high-entropy")].level is Level.WARNING
    assert found[("README.md", "secret-github-token")].level is Level.ERROR
    assert found[("app/settings.py", "secret-high-entropy")].level is Level.ERROR
    # [] judges documentation like code; a part level applies to every finding
    strict = run_part("secrets", {}, head, {"doc_files": []})
    assert {f.level for f in strict} == {Level.ERROR}
    assert {f.level for f in run_part("secrets", {}, head, {"level": "block"})} == {Level.ERROR}


@pytest.mark.parametrize(
    "path",
    [
        ".env.example.complete",  # BookStack documents every option there
        ".env.sample.local",
        "deploy/.env.template.prod",
        ".env.dist.local",
        ".env.local-example",
        # a copy of an example is still an example
        ".env.production.example.bak",
    ],
)
def test_an_example_part_anywhere_after_env_makes_an_example(path: str) -> None:
    head = {path: "OIDC_USERINFO_ENDPOINT=https://example.com/userinfo\nMAIL_PORT=587x\n"}
    assert run_part("secrets", {}, head) == []


@pytest.mark.parametrize("path", [".env", ".env.production", ".env.local", "app/.env.staging"])
def test_real_env_files_still_block_whatever_example_files_do(path: str) -> None:
    found = run_part("secrets", {}, {path: "OIDC_USERINFO_ENDPOINT=https://idp/userinfo\n"})
    assert rules(found) == ["env-file-committed"]


def test_a_value_that_says_it_is_made_up_or_a_path_is_no_credential() -> None:
    # glific a4c01b682d and cc0688cb8d: its test env file gains placeholders and a path
    head = {
        "config/.env.test": "GOOGLE_MAPS_API_KEY=this_is_not_the_secret\n"
        "CACERT_PATH=/priv/cert/glific-CA.pem\nSIGNING_KEY_FILE=./keys/dev.pem\n"
    }
    assert run_part("secrets", {}, head) == []
    # a value of its own beside them still blocks, and so does a key in a path's place
    own = {"config/.env.test": head["config/.env.test"] + "MAPS_TOKEN=Zx8kLm2QwR7t\n"}
    assert "env-file-committed" in rules(run_part("secrets", {}, own))
    key = {"config/.env.test": "SIGNING_KEY=/Zx8kLm2QwR7tYp4v:9\n"}
    assert "env-file-committed" in rules(run_part("secrets", {}, key))


def test_an_env_file_kept_as_a_text_document_is_a_template() -> None:
    # glific's config/.env.dev.txt, which the README says to copy to .env.dev: nothing
    # loads a .txt file, so its values are a template's
    head = {"config/.env.dev.txt": "GOOGLE_MAPS_API_KEY=some_key\nBHASINI_KEY=abc_key\n"}
    assert run_part("secrets", {}, head) == []
    # the same values in the file a tool loads still block
    loaded = {"config/.env.dev": head["config/.env.dev.txt"]}
    assert rules(run_part("secrets", {}, loaded)) == ["env-file-committed"]


@pytest.mark.parametrize(
    "path",
    [".env.example", ".env.example.complete", ".env.production.example.bak", ".env.dev.txt"],
)
def test_a_real_key_in_an_example_env_file_is_still_a_secret(path: str) -> None:
    # the name makes the file an example, not the key in it a placeholder
    found = run_part("secrets", {}, {path: f"AWS_ACCESS_KEY_ID={AWS}\n"})
    assert rules(found) == ["secret-aws-access-key"]
    assert AWS not in text_of(found)


def test_words_of_another_script_in_escapes_are_not_random() -> None:
    # a bundler's Korean "password"; escapes of ASCII letters and digits stay a key
    assert not looks_random("\\uBE44\\uBC00\\uBC88\\uD638")
    assert looks_random("\\u0052\\u0068\\u0054\\u0071\\u0076\\u005A\\u006B\\u0039")
    # one escape short of the whole value is not a word written in escapes
    assert looks_random("\\uBE44\\uBC00x9Kq")


def test_a_long_standing_env_template_gaining_an_option_word_is_no_credential() -> None:
    # AppFlowy-Cloud's deploy.env, committed for years, documents a new option's choice
    base = {"deploy.env": "SMTP_HOST=smtp.example.com\nSMTP_PASSWORD=email_sender_password\n"}
    line = 'SMTP_TLS_KIND=wrapper # "none" "wrapper" "required"\nRUST_LOG=info\n'
    head = {"deploy.env": base["deploy.env"] + line}
    assert run_part("secrets", base, head) == []
    # the same lines in an env file the PR commits for the first time are judged whole
    found = run_part("secrets", {}, {"deploy.env": line})
    assert rules(found) == ["env-file-committed"]


def test_blanks_to_fill_and_a_list_of_words_in_a_test_env_are_no_credential() -> None:
    # simple-login a608503df6: tests/test.env, committed for years, gains OIDC settings
    # left for the developer to fill in, and the scopes to ask for
    base = {"tests/test.env": "GOOGLE_CLIENT_SECRET=to_fill\n"}
    added = (
        "OIDC_AUTHORIZATION_URL=to_fill\nOIDC_CLIENT_SECRET=to_fill\n"
        "OIDC_SCOPES=openid email profile\n"
    )
    head = {"tests/test.env": base["tests/test.env"] + added}
    assert run_part("secrets", base, head) == []
    # a blank to fill is a word of its own: a secret that merely holds the letters is not
    secret = "OIDC_CLIENT_SECRET=Qm8tofillZr41xK\n"
    found = run_part("secrets", base, {"tests/test.env": base["tests/test.env"] + secret})
    assert "env-file-committed" in rules(found)


@pytest.mark.parametrize(
    "added",
    [
        # a list of words, one of them as random as a key
        "OIDC_SCOPES=openid email qwhxzkvbnmrtplsd\n",
        "SMTP_PASSWORD=hunter\n",  # a word, but under a secret's name
        "APP_SEED=qwhxzkvbnmrtplsd\n",  # lower-case letters, but as random as a key
        "DATABASE_URL=postgres://app:Zx8kLm2Q@db/app\n",  # no word: a URL with a password
    ],
)
def test_a_credential_added_to_a_long_standing_env_template_still_blocks(added: str) -> None:
    base = {"deploy.env": "SMTP_HOST=smtp.example.com\n"}
    found = run_part("secrets", base, {"deploy.env": base["deploy.env"] + added})
    assert rules(found)[0] == "env-file-committed"


def test_a_switch_a_capitals_code_and_an_elided_value_in_a_symfony_env_are_no_credential() -> None:
    # Part-DB's committed .env (Symfony's defaults file) gains a switch whose name holds
    # AUTH, a currency code, and a renamed variable whose value shows only a PEM's shape
    base = {".env": 'APP_ENV=prod\nSAMLP_SP_PRIVATE_KEY="MIIE..."\n'}
    added = 'OAUTH_SERVER_ENABLED=0\nPROVIDER_LCSC_CURRENCY=EUR\nSAML_SP_PRIVATE_KEY="MIIE..."\n'
    head = {".env": base[".env"] + added}
    assert run_part("secrets", base, head) == []


@pytest.mark.parametrize(
    "added",
    [
        "OAUTH_CLIENT_SECRET_ENABLED=Zx8kLm2Q\n",  # a switch's name, but no 0 or 1 under it
        "OAUTH_PIN=1234\n",  # a short number under a secret's name is a PIN
        "API_KEY=ABCDEFGH\n",  # capitals, but under a secret's name
        'SAML_SP_PRIVATE_KEY="MIIEvQIBADANBgkqhkiG9w0BAQEFAASC..."\n',  # dots after a key
    ],
)
def test_a_credential_dressed_as_a_switch_or_an_elision_still_blocks(added: str) -> None:
    base = {".env": "APP_ENV=prod\n"}
    found = run_part("secrets", base, {".env": base[".env"] + added})
    assert "env-file-committed" in rules(found), added


def test_a_local_schema_reference_is_a_name_but_a_random_segment_is_not() -> None:
    # Skyvern 41d7feea84: an OpenAPI discriminator maps each parameter type to its schema
    mapping = (
        '{"mapping": {\n'
        '  "aws_secret": "#/components/schemas/AWSSecretParameter",\n'
        '  "onepassword": "#/components/schemas/OnePasswordCredentialParameter",\n'
        '  "api_key": "#/$defs/ApiKeySettings"\n'
        "}}\n"
    )
    assert run_part("secrets", {}, {"openapi.json": mapping}) == []
    # a segment that does not read as a name is a value, whatever the "#/" before it
    hidden = '{"aws_secret": "#/components/Zx8kLm2Qp9vRt4Wq"}\n'  # pragma: allowlist secret
    assert rules(run_part("secrets", {}, {"openapi.json": hidden})) == ["secret-high-entropy"]


def test_a_credential_id_names_an_identifier_but_vaults_secret_id_is_a_secret() -> None:
    # authelia 197b45521f: a WebAuthn credential id beside the credential's private key
    line = (
        '# {"credentialId":"zoBGAEy968vwQe4AA7sTMbj2grpWyzWCZ8GqunMwiZs=",'
        '"privateKey":"Zx8kLm2Qp9vRt4Wq7HtR3mN8sW1bYcZ4"}\n'  # pragma: allowlist secret
    )
    found = run_part("secrets", {}, {"config/webauthn.yaml": line})
    assert [(f.rule, f.message.split(" added")[0]) for f in found] == [
        ("secret-high-entropy", "value of privateKey")
    ]
    ids = 'token_id = "7HtR3mN8sW1bYcZ4aJf"\noauth_client_id = "Zx8kLm2Qp9vRt4Wq"\n'
    assert run_part("secrets", {}, {"app/ids.py": ids}) == []
    # HashiCorp Vault's AppRole secret_id is the role's password
    vault = 'VAULT_SECRET_ID = "Zx8kLm2Qp9vRt4Wq"\n'  # pragma: allowlist secret
    assert rules(run_part("secrets", {}, {"app/vault.py": vault})) == ["secret-high-entropy"]


def test_end_to_end_suites_are_test_code() -> None:
    # authelia 197b45521f: internal/suites/ holds the environments the e2e suites start
    key = 'privateKey: "Zx8kLm2Qp9vRt4Wq7HtR3mN8sW1bYcZ4"\n'  # pragma: allowlist secret
    head = {"internal/suites/common/webauthn/valid.yaml": key, "internal/auth/keys.yaml": key}
    levels = {where([f])[0][0]: f.level for f in run_part("secrets", {}, head)}
    assert levels == {
        "internal/suites/common/webauthn/valid.yaml": Level.WARNING,
        "internal/auth/keys.yaml": Level.ERROR,
    }


SAMPLE = '    "access_token":"opoj5nbi6tyipdkjry8gc6tkqr",\n'  # pragma: allowlist secret


def test_a_sample_in_a_docstring_warns_like_documentation() -> None:
    # grafana/oncall dcae98b02a: a docstring shows a sample OAuth response
    doc = f'def details(response):\n    """Sample response\n    {{\n{SAMPLE}    }}\n    """\n'
    (found,) = run_part("secrets", {}, {"backends.py": doc})
    assert found.level is Level.WARNING and "in documentation" in found.message
    # the same text in a string the code uses, or beside a docstring on its line, blocks
    used = f'BODY = """\n{SAMPLE}"""\n'
    shared = 'def f():\n    """Doc."""; access_token = "opoj5nbi6tyipdkjry8gc6tkqr"\n'
    for code in (used, shared):
        (found,) = run_part("secrets", {}, {"backends.py": code})
        assert found.level is Level.ERROR


def test_a_value_under_if_testing_is_test_configuration() -> None:
    # grafana/oncall dcae98b02a: Django settings switch to test values under `if TESTING:`
    secret = '    SIGNING_SECRET = "f0cb4953bec053e6e616febf2c2392ff60bd02c4"\n'
    testing = f"if TESTING:\n{secret}"
    (found,) = run_part("secrets", {}, {"settings/dev.py": testing})
    assert found.level is Level.WARNING and "in test code" in found.message
    # the other branches are the settings production runs with
    for code in (f"if not TESTING:\n{secret}", f"if TESTING:\n    pass\nelse:\n{secret}"):
        (found,) = run_part("secrets", {}, {"settings/prod.py": code})
        assert found.level is Level.ERROR
    # and strict's empty test_files judges it like the rest
    (strict,) = run_part("secrets", {}, {"settings/dev.py": testing}, {"test_files": []})
    assert strict.level is Level.ERROR


def test_a_key_prefix_spelled_in_words_is_no_secret() -> None:
    # casdoor 98b6011b63: a Redis key prefix under a name with "Auth" in it
    go = (
        'const deviceAuthRedisPrefix = "casdoor:device_auth:"\n'
        'var sessionTokenKey = "app::cache::users"\n'
        'tokenNamespace := "oauth:state"\n'
        'const passwordResetPrefix = "myapp_reset_"\n'
    )
    assert run_part("secrets", {}, {"object/store.go": go}) == []


@pytest.mark.parametrize(
    "line",
    [
        # a random tail behind words, in any case or alphabet
        'const tokenPrefix = "myapp:prod:Xk9vQ2mL8pR4tZ7w"',  # pragma: allowlist secret
        'authKey = "app:session:k3j9x2m8q7z4w1"',  # pragma: allowlist secret
        'secret = "cache:qzvkxmplrtbnwhjd:"',  # pragma: allowlist secret
        # two words and a colon under no prefix name: a basic-auth user:password
        'auth = "admin:hunter7x"',  # pragma: allowlist secret
    ],
)
def test_a_secret_among_namespace_words_still_fires(line: str) -> None:
    found = run_part("secrets", {}, {"app/store.go": line + "\n"})
    assert rules(found) == ["secret-high-entropy"]


def test_a_local_development_dsn_added_to_a_long_standing_env_template_is_no_secret() -> None:
    # svix c29ac338d2: development.env dropped the ports of its local database and Redis
    base = {
        "server/development.env": "# Example .env file for development\n"
        'DATABASE_URL="postgresql://postgres:postgres@localhost:8079/postgres"\n'
        "SVIX_REDIS_DSN=redis://localhost:8078\n"
    }
    head = {
        "server/development.env": "# Example .env file for development\n"
        'DATABASE_URL="postgresql://postgres:postgres@localhost/postgres"\n'
        "SVIX_REDIS_DSN=redis://localhost\n"
        "BROKER_URL=amqp://guest:guest@rabbitmq:5672//\n"
        "PG_DSN=postgres://svix:svix@db:5432/svix?sslmode=disable\n"
    }
    assert run_part("secrets", base, head) == []
    # the same lines in an env file committed for the first time are judged whole
    found = run_part("secrets", {}, head)
    assert rules(found) == ["env-file-committed"]


def test_a_default_password_added_to_a_long_standing_env_file_is_no_secret() -> None:
    # casa ddaef8468c: the codespaces env, committed long before, gains Flipper's login
    path = ".devcontainer/.env.codespaces"
    base = {path: "PG_USERNAME=postgres\nPG_PASSWORD=postgres\n"}
    added = 'FLIPPER_USERNAME="admin"\nFLIPPER_PASSWORD="password"\n'
    assert run_part("secrets", base, {path: base[path] + added}) == []
    # a password of its own still counts there, and a new env file is judged whole
    own = 'FLIPPER_PASSWORD="Zx8kLm2Qw"\n'
    assert "env-file-committed" in rules(run_part("secrets", base, {path: base[path] + own}))
    assert rules(run_part("secrets", {}, {path: base[path] + added})) == ["env-file-committed"]


@pytest.mark.parametrize(
    "added",
    [
        "DATABASE_URL=postgres://app:Zx8kLm2Q@localhost/app\n",  # a real password, locally
        "DATABASE_URL=postgres://postgres:postgres@db.example.com/app\n",  # a remote host
        "DATABASE_URL=postgres://postgres:postgres@10.0.0.5/app\n",  # an address elsewhere
        "REDIS_URL=redis://localhost/0?password=Zx8kLm2Q\n",  # a credential in the query
    ],
)
def test_a_dsn_that_is_no_local_default_still_blocks_in_an_env_template(added: str) -> None:
    base = {"development.env": "APP_MODE=dev\n"}
    found = run_part("secrets", base, {"development.env": base["development.env"] + added})
    assert rules(found) == ["env-file-committed"]


def test_a_value_that_spells_its_own_name_is_a_symbolic_constant() -> None:
    # planka b4cbd32bf2 and d688a64e36: Redux action types are their own names
    js = (
        "export default {\n"
        "  USER_API_KEY_CREATE__SUCCESS: 'USER_API_KEY_CREATE__SUCCESS',\n"
        "  WITH_OIDC_AUTHENTICATE__DEBUG: 'WITH_OIDC_AUTHENTICATE__DEBUG',\n"
        "};\n"
    )
    # convoy d63e23335a: a Go map from a feature's key to its display name
    go = 'var features = map[string]string{\n\t"oauth2_endpoint_auth": "OAuth2EndpointAuth",\n}\n'
    head = {"client/src/constants/ActionTypes.js": js, "internal/license/entitlements.go": go}
    assert run_part("secrets", {}, head) == []
    # under a name of its own, the same value is judged as a value
    other = {"app/keys.js": "USER_API_TOKEN: 'USER_API_KEY_CREATE__SUCCESS_Zx8kLm2Q',\n"}
    assert rules(run_part("secrets", {}, other)) == ["secret-high-entropy"]


def test_an_identifier_spelled_in_words_is_no_secret() -> None:
    # convoy c2f41f2c5c: a feature flag's key mapped to the name of the feature
    ts = (
        "const features = {\n"
        "  'oauth-token-exchange': 'OAuth2EndpointAuth',\n"
        "  authEvent: 'Auth.LoginSucceeded',\n"
        "  tokenHook: 'useAuthTokenRefresh',\n"
        "};\n"
    )
    assert run_part("secrets", {}, {"src/app/features.ts": ts}) == []


@pytest.mark.parametrize(
    "line",
    [
        # words, then a random tail: a word must read as one
        "authToken = 'OAuth2Zx8kLm2Qp9vRt'",  # pragma: allowlist secret
        "api_key = 'AuthToken4Qzxvbwpklm'",  # pragma: allowlist secret
        # a password is chosen by a person, often in words: its name keeps it a secret
        "db_password = 'BlueHorse42Staple'",  # pragma: allowlist secret
    ],
)
def test_words_with_a_random_tail_or_a_password_in_words_still_fire(line: str) -> None:
    found = run_part("secrets", {}, {"app/settings.py": line + "\n"})
    assert rules(found) == ["secret-high-entropy"]


def test_a_phrase_of_a_translation_is_no_secret() -> None:
    # planka b4cbd32bf2: translations of "API key" and of questions about it
    js = (
        "export default {\n"
        "  apiKey_title: 'API-nøgle',\n"
        "  apiKey_title: 'API-Schlüssel',\n"
        "  apiKey_title: 'API-sleutel',\n"
        "  noApiKeyCreated: 'APIキーが作成されていません。',\n"
        "  areYouSureYouWantToDeleteThisApiKey: '确定要删除此API密钥吗？',\n"
        "  authHeader: 'X-Auth-Token',\n"
        "};\n"
    )
    assert run_part("secrets", {}, {"client/src/locales/core.js": js}) == []
    # a generated key beside a word of another script is still a key
    for value in ("ключ-Zx8kLm2Qp9vRt4Wq", "API-Zx8kLm2Qp9vR", "Kq-Tx-Ab-Zw9"):
        line = f"apiKey_title: '{value}',\n"
        assert rules(run_part("secrets", {}, {"client/src/core.js": line})) == [
            "secret-high-entropy"
        ], value


RUST_SAMPLE = '              "token": "42oTpLoieH5Iq7Wz",\n'  # pragma: allowlist secret


def test_a_value_in_a_rust_cfg_test_module_is_test_code() -> None:
    # matrix-authentication-service c595a0d2cb: an insta snapshot of an admin API answer
    # in the handler file's own `#[cfg(test)] mod tests`
    snapshot = (
        '        assert_json_snapshot!(body, @r#"\n            {\n'
        + RUST_SAMPLE
        + '            }\n        "#);\n'
    )
    tests = (
        "pub fn handler() {}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
        "    #[sqlx::test]\n    async fn test_add() {\n" + snapshot + "    }\n}\n"
    )
    (found,) = run_part("secrets", {}, {"crates/handlers/src/add.rs": tests})
    assert found.level is Level.WARNING and "in test code" in found.message
    # a lone test function counts too
    lone = "#[tokio::test]\nasync fn answers() {\n" + snapshot + "}\n"
    (found,) = run_part("secrets", {}, {"src/lib.rs": lone})
    assert found.level is Level.WARNING


def test_a_value_beside_rust_tests_is_production_code() -> None:
    # the same value outside the test module, after it, under `cfg(not(test))`, or in a
    # file whose `mod tests;` lives elsewhere is compiled into the release build: it blocks
    value = '    let token = "42oTpLoieH5Iq7Wz";\n'  # pragma: allowlist secret
    shapes = {
        "after": "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n\nfn serve() {\n" + value + "}\n",
        "before": "fn serve() {\n" + value + "}\n#[cfg(test)]\nmod tests {}\n",
        "not-test": "#[cfg(not(test))]\nfn serve() {\n" + value + "}\n",
        "file-module": "#[cfg(test)]\nmod tests;\n\nfn serve() {\n" + value + "}\n",
        "comment": "// #[cfg(test)]\nfn serve() {\n" + value + "}\n",
        "string": 'const A: &str = "#[test]";\nfn serve() {\n' + value + "}\n",
    }
    for name, code in shapes.items():
        (found,) = run_part("secrets", {}, {f"src/{name}.rs": code})
        assert found.level is Level.ERROR, name
    # strict's empty test_files judges test modules like the rest
    tests = "#[cfg(test)]\nmod tests {\n    fn t() {\n" + value + "    }\n}\n"
    (strict,) = run_part("secrets", {}, {"src/lib.rs": tests}, {"test_files": []})
    assert strict.level is Level.ERROR


def test_a_known_token_format_in_a_rust_test_module_still_blocks() -> None:
    code = f'#[cfg(test)]\nmod tests {{\n    const T: &str = "{STRIPE}";\n}}\n'
    found = run_part("secrets", {}, {"src/lib.rs": code})
    assert [(f.rule, f.level) for f in found] == [("secret-stripe-live-key", Level.ERROR)]


#: jwt.io's example token: the claims every tutorial shows, signed with its sample key
JWT_IO_SAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def test_the_jwt_io_example_token_is_no_ones_credential() -> None:
    # supavisor de93ba0f43: a test pastes the example token from jwt.io
    head = {"lib/app/auth.ex": f'@token "{JWT_IO_SAMPLE}"\n'}
    assert run_part("secrets", {}, head) == []
    # a token with claims of its own still is one
    assert rules(run_part("secrets", {}, {"lib/app/auth.ex": f'@token "{JWT}"\n'})) == [
        "secret-jwt"
    ]


def test_a_keyword_shaped_detect_secrets_hit_is_the_generic_rule() -> None:
    # supavisor de93ba0f43: detect-secrets' IBM Cloud IAM pattern takes any password of
    # 44 token characters; in a test it is a fixture, elsewhere a value to block
    line = '    password: "sbp_9f3kq72ma81xz6wle0tyu4ro5np1dbvc82hg0000",\n'
    in_test = run_part("secrets", {}, {"test/integration/access_test.exs": line})
    assert in_test and all(f.level is Level.WARNING for f in in_test)
    assert {f.rule for f in in_test} == {"secret-high-entropy"}
    in_code = run_part("secrets", {}, {"lib/app/repo.ex": line})
    assert rules(in_code) == ["secret-high-entropy"]


def test_a_class_name_the_artifactory_prefix_starts_is_no_credential() -> None:
    # btcpayserver d050c8e3b2: detect-secrets' Artifactory pattern (AP + a hex digit +
    # letters) matches the C# class APDUVaultTransport
    code = "public class APDUVaultTransport : IAPDUTransport\n{\n}\n"
    assert run_part("secrets", {}, {"BTCPayServer/APDUVaultTransport.cs": code}) == []
    # a generated Artifactory API key still is one
    key = "AKCp8jQ3mZ9vB1nLc7XyR4sT6uW2eF5gH8kJ0aS3dF6gH9jK2lZ5xC8vB1nM4qW7eR0tY3uI6oP9"
    found = run_part("secrets", {}, {"deploy/pull.cs": f'var x = "{key}";\n'})
    assert "secret-detected" in rules(found)
