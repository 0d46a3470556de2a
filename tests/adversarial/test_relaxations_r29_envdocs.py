"""Attacks on round 29's relaxations of the env-vars check's documentation places.

A deployment descriptor the project ships documents the variables it sets (compose files
below the root, fly.toml, render.yaml, Kubernetes manifests, a Helm chart; deploydocs.py),
a settings reference kept as data documents the names it describes (schemadocs.py),
more example env file names count, and a reference page's terms document (``NAME::``,
``- NAME: what it is``; docforms.py). None of the look-alikes below is such a place or
form, so each still blocks: a test's stack or manifest, a dev container's compose file, a
key of another block (labels, build args), a values file outside any chart, a compose
entry whose value is another variable's (round 33: one passing the host's variable of
the same name on documents it, deploydocs.py), a fly.toml entry commented out, a changelog's
list item, a name in a list item's prose, an example env file a test keeps, the PR's own
code comment, a systemd unit under tests or one that only passes the variable on, a
reference entry without a description or kept under tests, and a descriptor the PR deletes.

On the code before this round every case here blocked except two a test keeps: a fixture's
``.env.example`` and a ``tests/README.md`` table (the default ``**/.env.example`` and
``**/README.md`` globs read them as documentation).
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
NAME = "ACME_WIDGET_TIMEOUT"
BASE = {"README.md": "# app\n", "app/settings.py": "import os\nA = 1\n"}
READ = {"app/settings.py": f"import os\nA = 1\nT = os.environ.get('{NAME}', '30')\n"}
CONTAINER = (
    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
    "        - name: app\n          image: app:1\n"
)
ENV = "services:\n  app:\n    environment:\n"
WORKFLOW = (
    "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
    f"    env:\n      {NAME}: 30\n    steps:\n      - run: echo\n"
)
SET = f"          env:\n            - name: {NAME}\n              value: '1'\n"


@pytest.mark.parametrize(
    "files",
    [
        {"tests/k8s/app.yaml": CONTAINER + SET},
        {
            "deploy/k8s/app.yaml": CONTAINER.replace(
                "spec:\n  template", f"metadata:\n  labels:\n    {NAME}: x\nspec:\n  template"
            )
        },
        {"tests/e2e/docker-compose.yml": ENV + f"      - {NAME}=1\n"},
        {"e2e/docker-compose.yml": ENV + f"      - {NAME}=1\n"},
        {".devcontainer/docker-compose.yml": ENV + f"      - {NAME}=1\n"},
        {"deploy/docker-compose.yml": ENV + f"      {NAME}: ${{WIDGET_DEFAULTS}}\n"},
        {"deploy/docker-compose.yml": f"services:\n  app:\n    labels:\n      {NAME}: x\n"},
        {
            "charts/app/Chart.yaml": "name: a\n",
            "charts/app/values.yaml": f"podLabels:\n  {NAME}: x\n",
        },
        {"deploy/values.yaml": f"env:\n  {NAME}: '30'\n"},
        {"render.yaml": f"services:\n  - type: web\n    name: {NAME}\n"},
        {"fly.toml": f'app = "a"\n[build.args]\n  {NAME} = "30"\n'},
        {"fly.toml": f'app = "a"\n[env]\n  # {NAME} = "30"\n'},
        {".github/workflows/ci.yml": WORKFLOW},
        {".devcontainer/devcontainer.json": f'{{"containerEnv": {{"{NAME}": "30"}}}}\n'},
        {"Dockerfile": f"FROM python:3.12\nENV {NAME}=30\n"},
        {"CHANGELOG.md": f"## 1.2\n\n- {NAME}: now defaults to 30\n"},
        {"docs/config.md": f"- Added {NAME}: support for slow widgets\n"},
        {"docs/config.adoc": f"Since 1.2, {NAME}:: is read\n"},
        {"tests/fixtures/.env.example": f"{NAME}=30\n"},
        {"tests/README.md": f"| `{NAME}` | the timeout |\n"},
        {"app/other.py": f"# {NAME}:: the widget's timeout\n# - {NAME}: the timeout\n"},
        {"tests/app.service": f"[Service]\nEnvironment={NAME}=30\n"},
        {"contrib/app.service": f"[Service]\nExecStart=/app --timeout ${{{NAME}}}\n"},
        {"docs/_data/settings.yml": f"- name: {NAME}\n  default: 30\n"},
        {"docs/_data/settings.yml": f"- name: {NAME}\n  description: ''\n"},
        {"tests/data/settings.yml": f"- name: {NAME}\n  description: The timeout.\n"},
        {"config/schema.json": f'{{"properties": {{"{NAME}": {{"type": "string"}}}}}}\n'},
        {"config/deploy/web.yaml.erb": CONTAINER + f"          args: [{NAME}]\n"},
        {"test/deploy/web.yaml.erb": CONTAINER + SET},
    ],
    ids=[
        "k8s-under-tests",
        "k8s-label",
        "compose-tests-e2e",
        "compose-e2e",
        "compose-devcontainer",
        "compose-other-variable",
        "compose-label",
        "helm-non-env-key",
        "values-outside-chart",
        "render-other-key",
        "fly-build-args",
        "fly-commented",
        "workflow-env",
        "devcontainer-env",
        "dockerfile-env",
        "changelog-term",
        "list-item-prose",
        "adoc-term-in-prose",
        "test-fixture-env-example",
        "tests-readme",
        "pr-code-comment",
        "unit-under-tests",
        "unit-execstart-mention",
        "reference-without-description",
        "reference-empty-description",
        "reference-under-tests",
        "schema-without-description",
        "erb-manifest-other-key",
        "erb-manifest-under-test",
    ],
)
def test_a_place_that_is_no_documentation_documents_nothing(
    attack: AttackFactory, files: dict[str, str]
) -> None:
    verdict = attack(POLICY, BASE, {**READ, **files}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert NAME in text_of(verdict)


def test_a_descriptor_the_pull_request_deletes_documents_nothing(attack: AttackFactory) -> None:
    fly = {"fly.toml": f'app = "a"\n\n[env]\n  {NAME} = "30"\n'}
    verdict = attack(POLICY, {**BASE, **fly}, {**READ, "fly.toml": None}).judge()
    assert_blocked(verdict, "env-vars/undocumented")


def test_a_compose_file_passing_on_its_own_read_documents_nothing(attack: AttackFactory) -> None:
    """Round 33: a compose entry passing the host's variable on documents what the
    application reads; the compose file's own ``${NAME}``, the only read, is not
    documented by the entry that makes it."""
    compose = {"deploy/docker-compose.yml": ENV + f"      - {NAME}=${{{NAME}:-30}}\n"}
    verdict = attack(POLICY, BASE, {**BASE, **compose}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
