"""The generic rule on bare values in configuration and shell files (round 29): each
value a real file writes there that is no secret, beside the twin that fires."""

from __future__ import annotations

import base64

import pytest

from gatekeeper.checks.security.secret_unquoted import (
    base64_text,
    reads_unquoted,
    secret_name,
    unquoted_assignments,
)

from .helpers import rules, run_part

S = "q8ZrX4vLp2Tn7WcB9kYd"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UUID = "3f2b8c1e-9a4d-4e6b-8f1a-2c3d4e5f6a7b"


def _found(path: str, text: str) -> list[str]:
    return rules(run_part("secrets", {"a.txt": "a\n"}, {"a.txt": "a\n", path: text}))


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # placeholders
        ("config/app.yml", "password: changeme\napi_token: xxx\njwt_secret: secret\n"),
        ("config/app.yml", "password: password\napi_token: test\napi_key: dummy-token-value\n"),
        ("scripts/a.sh", "export API_TOKEN=<your-token>\nexport API_KEY=your_api_key_here\n"),
        ("src/main/resources/application.properties", "spring.datasource.password=\n"),
        # references to other values, templates, commands
        ("scripts/a.sh", "export API_TOKEN=$(cat /run/secrets/api_token)\nTOKEN=$GH_TOKEN\n"),
        ("docker-compose.yml", "    environment:\n      API_TOKEN: ${API_TOKEN}\n"),
        ("charts/a/templates/secret.yaml", "stringData:\n  token: {{ .Values.token }}\n"),
        ("config/app.yml", "defaults: &d\n  password: *default_password\n"),
        ("application.properties", "db.password=${DB_PASSWORD}\n"),
        ("config/app.yml", "password: DB_PASSWORD\n"),
        ("docker-compose.yml", "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}\n"),
        (".github/workflows/ci.yml", "    env:\n      API_TOKEN: ${{ secrets.API_TOKEN }}\n"),
        ("group_vars/all.yml", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"),
        ("secrets.enc.yaml", "password: ENC[AES256_GCM,data:Zx8kLm2Qp9==,iv:a,type:str]\n"),
        # paths, URLs, booleans and numbers
        ("config/app.yml", "token_file: /run/secrets/api_token\npassword: ./pw.txt\n"),
        ("config/app.yml", "auth_url: https://auth.example.org/oauth/token\n"),
        ("config/app.yml", "auth: true\ntoken_ttl: 3600\npassword_min_length: 12\n"),
        # hashes and ids of public things
        ("tools/versions.yml", f"sha256: {SHA256}\nchecksum: {SHA256}\n"),
        (
            ".pre-commit-config.yaml",
            "  - repo: x\n    rev: 3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b8c9d0e1f\n",
        ),
        ("config/app.yml", f"client_id: {UUID}\noauth_client_id: {UUID}\n"),
        # base64 of a word, as a Kubernetes Secret's data holds it
        ("k8s/secret.yaml", "data:\n  password: cGFzc3dvcmQ=\n  token: Y2hhbmdlbWUtcGxlYXNl\n"),
        # names that are no secret's, or say the value describes one
        ("meta.yml", "author: johnsmith42\nauthors: jdoe1984x\n"),
        ("model.yaml", "tokenizer: bert-base-uncased\ntokenizer_name: xlm-roberta-2b\n"),
        ("k8s/deploy.yaml", "  - secret:\n      secretName: app-tls-7f8d9c\n"),
        ("config/app.yml", "token_url: Zx8kLm2Qp9vRt4Wq\npassword_policy: StrongPolicy2\n"),
        ("config/locales/de.yml", "de:\n  password: Passwort\n"),
        # files that document settings, and code, where a bare value is an expression
        (".env.example", f"API_TOKEN={S}\n"),
        ("config/app.example.yml", f"api_token: {S}\n"),
        ("app/settings.py", "api_key = settings.API_KEY_VALUE\n"),
        ("docs/setup.md", f"export API_TOKEN={S}\n"),
        # where a secret is kept, not the secret (1Password, AWS)
        (
            ".github/workflows/ci.yml",
            "      AWS_SECRET_ACCESS_KEY: op://ci/aws/AWS_SECRET_ACCESS_KEY\n",
        ),
        (
            "deploy/app.yml",
            "db_password: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC1eF\n",
        ),
        # translations, examples in a folder, hashes kept instead of a password
        ("config/locales/de.yml", "de:\n  api_key_permissions: API-Schluesselberechtigungen\n"),
        ("config/examples/development.yml", f"secret_key: {S}\n"),
        ("compose.yml", f"      GRAYLOG_ROOT_PASSWORD_SHA2: {SHA256}\n"),
        ("compose.yml", "      OAUTH2_PROXY_WHITELIST_DOMAINS: localhost:3000\n"),
        # an image's documented defaults
        (".github/workflows/ci.yml", "      HARBOR_ADMIN_PASSWD: Harbor12345\n"),
        ("ci/dev.sh", "DATABASE_CREDENTIALS=dispatch:dispatch\nAUTH_STRING=admin:secret\n"),
        ("compose.yml", "      PARENT_SERVER_PASSWORD: parentpassword1!\n"),
        # a value with blanks is a phrase, not one token
        ("config/app.yml", f"password_hint: {S} is not it\n"),
    ],
)
def test_bare_values_that_are_no_secrets_stay_quiet(path: str, text: str) -> None:
    assert _found(path, text) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("scripts/deploy.sh", f"export API_TOKEN={S}\n"),
        ("bin/deploy", f"#!/usr/bin/env bash\nAPI_KEY={S}\n"),
        ("docker-compose.yml", f"    environment:\n      - API_TOKEN={S}\n"),
        ("docker-compose.yml", f"      API_TOKEN: ${{API_TOKEN:-{S}}}\n"),
        ("config/app.yml", f"api_token: {S}  # the prod one\n"),
        ("k8s/secret.yaml", f"stringData:\n  password: {S}\n"),
        (
            "k8s/secret.yaml",
            f"data:\n  password: {base64.b64encode(b'Vq8#zR2!xL9mWp4T').decode()}\n",
        ),
        ("application.properties", f"db.password={S}\n"),
        ("config.ini", f"[db]\npassword = {S}\n"),
        (".npmrc", f"//registry.npmjs.org/:_authToken={S}\n"),
        ("Dockerfile", f"ENV API_TOKEN={S}\n"),
        ("config/app.yml", f"api_token_value: {S}\noauth: {S}\n"),
    ],
)
def test_the_bare_twins_that_are_secrets_fire(path: str, text: str) -> None:
    assert set(_found(path, text)) == {"secret-high-entropy"}


def test_a_bare_value_in_a_test_fixture_warns_as_a_quoted_one_does() -> None:
    found = run_part(
        "secrets", {"a.txt": "a\n"}, {"a.txt": "a\n", "tests/fixtures/app.yml": f"token: {S}\n"}
    )
    assert [(f.rule, f.level.name) for f in found] == [("secret-high-entropy", "WARNING")]


def test_which_files_are_read_bare() -> None:
    assert reads_unquoted("deploy/x.yaml", [])
    assert reads_unquoted("bin/run", ["#!/bin/bash"])
    assert not reads_unquoted("bin/run", ["#!/usr/bin/env python3"])
    assert not reads_unquoted("src/app.ts", [])
    assert not reads_unquoted("config/settings.sample.yml", [])
    assert not reads_unquoted(".env.template", [])


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("API_TOKEN", True),
        ("db.password", True),
        ("NGROK_AUTHTOKEN", True),
        ("clientSecret", True),
        ("SECRET_KEY_BASE", True),
        ("_authToken", True),
        ("author", False),
        ("tokenizer", False),
        ("token_url", False),
        ("secretName", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("password_reset_token", True),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


def test_one_assignment_per_line_and_only_whole_lines() -> None:
    assert list(unquoted_assignments(f"export API_TOKEN={S}")) == [("API_TOKEN", S)]
    assert list(unquoted_assignments(f"API_TOKEN={S} ./run")) == []
    assert list(unquoted_assignments(f"api_token:{S}")) == []  # YAML: one string


def test_base64_text() -> None:
    assert base64_text("cGFzc3dvcmQ=") == "password"
    assert base64_text("Zx8kLm2Qp9vRt4WqAb3dE6gH") is None  # random bytes
    assert base64_text("not base64!") is None
