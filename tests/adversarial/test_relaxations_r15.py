"""Attacks on the round-15 relaxations: templated specs, public env files, test resources,
local requirement paths, Docker's predefined ARGs and bandit B103 on 0o755.

Each relaxation lets something pass that used to block; each case here shows a pull
request cannot use it to carry what the rule is for past the gate.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.security.conftest import FIXTURES
from tests.checks.security.osv_server import OsvServer, serve

SPEC = """\
openapi: 3.0.3
info: {title: t, version: '1'}
servers:
  - url: '{{ .BaseURL }}'
paths:
  /u:
    get:
      responses:
        '200': {description: ok}
  /v:
    get:
      responses:
        '200': {description: ok}
"""
OPENAPI = "version: 1\nchecks:\n  openapi: {}\n"


def test_template_markers_cannot_hide_a_removed_endpoint(attack: AttackFactory) -> None:
    # the base loads as OpenAPI: a head that stops loading blocks, template or not
    head = SPEC.replace("  /v:\n    get:\n      responses:\n        '200': {description: ok}\n", "")
    head = head.replace("paths:\n", "paths:\n  {{- if .Extra }}\n  {{- end }}\n")
    case = attack(OPENAPI, {"api/openapi.yml": SPEC}, {"api/openapi.yml": head})
    assert_blocked(case.judge(), "openapi/spec-invalid-syntax")


def test_a_quoted_placeholder_does_not_make_a_spec_a_template(attack: AttackFactory) -> None:
    # the spec parses with its '{{ .BaseURL }}' string: it is compared as any spec
    head = SPEC.replace("  /v:\n    get:\n      responses:\n        '200': {description: ok}\n", "")
    case = attack(OPENAPI, {"api/openapi.yml": SPEC}, {"api/openapi.yml": head})
    assert_blocked(case.judge(), "openapi/api-path-removed-without-deprecation")


GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
SECURITY = "version: 1\nchecks:\n  security: {}\n"


def test_a_public_prefix_does_not_hide_a_real_token(attack: AttackFactory) -> None:
    # VITE_ values are public by design, but a token of a named format is still a token
    head = {"web/.env.production": f"VITE_THEME=dark\nVITE_GITHUB_TOKEN={GH}\n"}
    assert_blocked(attack(SECURITY, {}, head).judge(), "security/secret-github-token")


def test_a_placeholder_does_not_hide_a_password_next_to_it(attack: AttackFactory) -> None:
    head = {"setup/app.env": "SECRET_KEY={{ secret(16) }}\nDATABASE_PASSWORD=hunter2{# x #}\n"}
    assert_blocked(attack(SECURITY, {}, head).judge(), "security/env-file-committed")


ENVVARS = "version: 1\nchecks:\n  env-vars: {}\n"


def test_only_dockers_own_arg_names_are_exempt(attack: AttackFactory) -> None:
    # a look-alike ARG, or an ENV under a predefined name, is still the project's setting
    dockerfile = "FROM alpine\nARG TARGETOS\nARG TARGETOS_TOKEN\nENV BUILDARCH=x\n"
    verdict = attack(ENVVARS, {}, {"Dockerfile": dockerfile}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    messages = " ".join(r.finding.message for r in verdict.results if r.blocking)
    assert "TARGETOS_TOKEN" in messages and "BUILDARCH" in messages
    assert "TARGETOS is" not in messages


def test_a_test_resources_folder_does_not_excuse_a_service_token(attack: AttackFactory) -> None:
    # a test folder lowers fixtures' generic values and throwaway keys, not live tokens
    head = {"src/test_resources/config.yml": f"github_token: {GH}\n"}
    assert_blocked(attack(SECURITY, {}, head).judge(), "security/secret-github-token")


DEPS = """\
version: 1
checks:
  security: {{dependencies: {{osv_url: "{url}"}}, bandit: false, sensitive: false}}
"""


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    yield from serve(FIXTURES / "osv")


def test_a_local_path_line_hides_neither_a_pin_nor_a_broken_line(
    attack: AttackFactory, osv: OsvServer
) -> None:
    # the local project is skipped; the vulnerable pin beside it is still audited
    head = {"requirements.txt": "libs/podop\n-e libs/socrate\nrequests==2.19.1\n"}
    verdict = attack(DEPS.format(url=osv.url), {}, head).judge()
    assert_blocked(verdict, "security/vulnerable-dependency")
    # a path glued to a requirement is no path: the line is malformed and fails closed
    head = {"requirements.txt": "requests==2.19.1 libs/podop\n"}
    verdict = attack(DEPS.format(url=osv.url), {}, head).judge()
    assert_blocked(verdict, "security/manifest-unreadable")


BANDIT = """\
version: 1
extends: [recommended]
checks:
  security: {dependencies: false, sensitive: false, secrets: false}
"""
CHMOD = "import os\n\n\ndef install(path):\n    os.chmod(path, {mode})\n"


def test_a_world_writable_or_group_writable_mode_still_blocks(attack: AttackFactory) -> None:
    # 0o775 and 0o777 also carry the execute bits that make 0o755 a warning
    for mode in ("0o777", "0o775", "0o757", "0o666"):
        head = {f"app/m{mode[2:]}.py": CHMOD.format(mode=mode)}
        verdict = attack(BANDIT, {"README.md": "x\n"}, head).judge()
        assert_blocked(verdict, "security/bandit-b103")


def test_strict_cannot_be_relaxed_for_chmod_by_the_pr(attack: AttackFactory) -> None:
    strict = "version: 1\nextends: [strict]\n"
    relaxed = strict + "checks:\n  security:\n    bandit: {chmod_exec_only: true}\n"
    head = {"app/cron.py": CHMOD.format(mode="0o755"), ".github/gatekeeper.yml": relaxed}
    verdict = attack(strict, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/bandit-b103")


def test_strict_cannot_be_relaxed_for_tmp_paths_by_the_pr(attack: AttackFactory) -> None:
    strict = "version: 1\nextends: [strict]\n"
    relaxed = strict + "checks:\n  security:\n    bandit: {tmp_paths: true}\n"
    code = (
        'import os\n\n\ndef spool(data):\n    with open("/tmp/spool.bin", "wb") as f:\n'
        "        f.write(data)\n"
    )
    head = {"app/spool.py": code, ".github/gatekeeper.yml": relaxed}
    verdict = attack(strict, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/bandit-b108")
