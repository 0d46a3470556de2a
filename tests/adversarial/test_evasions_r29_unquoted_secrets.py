"""Round 29: a secret written bare in a configuration or shell file evades nothing.

The generic rule read only quoted values, so the commonest way to commit a credential,
``export API_TOKEN=…`` in a script or ``password: …`` in YAML, went unseen unless the
token had a named format. On main (9d8063f) the 32 ``EVADED_ON_MAIN`` cases and the two
after them passed the gate; of ``BLOCKED_ON_MAIN``, the env file blocked there only
through ``env-file-committed`` (the generic rule did not see its value) and the quoted
values in Terraform, TOML and YAML blocked as here, kept as the bare reader's baseline.
Each is a real repository whose head adds one file; the value is random-looking and
made up.
"""

from __future__ import annotations

import base64

import pytest

from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    blocking_rules,
    text_of,
)

S = "q8ZrX4vLp2Tn7WcB9kYd"
S2 = "Hq3mT9xVb2LwR7kZp5Ns8Fd1"
HEX = "7c1e9a4d4e6b8f1a2c3d4e5f6a7b3f2b"
#: a random-looking password, base64-encoded as a Kubernetes Secret's ``data:`` holds it
B64 = base64.b64encode(b"Vq8#zR2!xL9mWp4T").decode()

EVADED_ON_MAIN = [
    ("scripts/deploy.sh", f"#!/bin/sh\nexport API_TOKEN={S}\n./run\n"),
    (".envrc", f"export API_TOKEN={S}\n"),
    ("dotfiles/.bashrc", f"export GITHUB_PAT_SECRET={S}\n"),
    ("bin/release.sh", f"readonly DB_PASSWORD={S}\n"),
    ("bin/env.bash", f"declare -x STRIPE_SECRET={S}\n"),
    ("bin/deploy", f"#!/usr/bin/env bash\nAPI_KEY={S}\ncurl x\n"),
    ("docker-compose.yml", f"services:\n  app:\n    environment:\n      - API_TOKEN={S}\n"),
    ("compose.yaml", f"services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={S}\n"),
    ("docker-compose.yml", f"services:\n  app:\n    environment:\n      API_TOKEN: {S}\n"),
    (
        "docker-compose.yml",
        f"services:\n  app:\n    environment:\n      API_TOKEN: ${{API_TOKEN:-{S}}}\n",
    ),
    ("config/app.yml", f"api_token: {S}\n"),
    ("config/settings.yaml", f"database:\n  password: {S}  # prod\n"),
    ("src/main/resources/application.yml", f"spring:\n  datasource:\n    password: {S}\n"),
    ("config/secrets.yml", f"production:\n  secret_key_base: {HEX}{HEX}\n"),
    ("config/aws.yml", f"aws_secret_access_key: {S}{S2[:20]}\n"),
    ("config/crypto.yaml", f"encryptionKey: {HEX}\n"),
    ("config/slack.yml", f"SLACK_SIGNING_SECRET: {HEX}\n"),
    (
        ".github/workflows/ci.yml",
        f"on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      API_TOKEN: {S}\n"
        "    steps:\n      - run: make\n",
    ),
    ("group_vars/all.yml", f"ansible_become_password: {S}\n"),
    ("charts/app/values.yaml", f"auth:\n  rootPassword: {S}\n"),
    ("k8s/secret.yaml", f"apiVersion: v1\nkind: Secret\nstringData:\n  password: {S}\n"),
    ("k8s/secret.yaml", f"apiVersion: v1\nkind: Secret\ndata:\n  password: {B64}\n"),
    ("src/main/resources/application.properties", f"db.password={S}\n"),
    ("conf/mail.properties", f"mail.smtp.password: {S}\n"),
    ("src/main/resources/application-prod.properties", f"jwt.secret={S2}\n"),
    ("config.ini", f"[db]\npassword = {S}\n"),
    ("conf/oauth.cfg", f"[oauth]\nclient_secret = {S2} ; prod\n"),
    (".pypirc", f"[pypi]\nusername = me\npassword = {S}\n"),
    (".npmrc", f"//registry.npmjs.org/:_authToken={S}\n"),
    ("deploy/agent.conf", f"auth_token = {S}\n"),
    ("Dockerfile", f"FROM x\nENV API_TOKEN={S}\n"),
    ("docker/api.Dockerfile", f"FROM x\nARG NPM_TOKEN={S}\n"),
]
BLOCKED_ON_MAIN = [
    (".env.production", f"API_TOKEN={S}\n"),
    ("main.tf", f'resource "x" "y" {{\n  password = "{S}"\n}}\n'),
    ("config.toml", f'secret_key = "{S}"\n'),
    ("config/app.yml", f'api_token: "{S}"\n'),
]


@pytest.mark.parametrize(("path", "text"), EVADED_ON_MAIN + BLOCKED_ON_MAIN)
def test_a_bare_secret_in_a_config_or_shell_file_blocks(
    attack: AttackFactory, path: str, text: str
) -> None:
    verdict = attack(SECRETS_ONLY, README_ONLY, {path: text}).judge()
    assert not verdict.met
    assert GENERIC_SECRET in blocking_rules(verdict)
    shown = text_of(verdict)
    assert S not in shown and HEX not in shown and B64 not in shown


def test_a_bare_secret_beside_placeholders_still_blocks(attack: AttackFactory) -> None:
    # placeholders on the lines around it do not make the file a template
    yml = (
        "db:\n  user: ${DB_USER}\n  password: changeme\n"
        "api:\n  token: {{ .Values.token }}\n  secret: "
        f"{S}\n"
    )
    verdict = attack(SECRETS_ONLY, README_ONLY, {"config/app.yml": yml}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]


def test_a_pr_written_comment_does_not_hide_a_bare_secret(attack: AttackFactory) -> None:
    # a trailing comment is read past, and a pragma the PR writes is a question for a human
    sh = f"export API_TOKEN={S}  # pragma: allowlist secret\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"scripts/ci.sh": sh}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]
    assert "suppressed in this PR" in text_of(verdict)
