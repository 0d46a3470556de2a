"""Places and forms real projects document settings in, round 29: each documents a
variable the pull request starts reading (it passes), and the check still fires without
it. Deployment descriptors the project ships (compose files below the root, fly.toml,
render.yaml, Kubernetes manifests, a Helm chart's values and templates, App Engine and
Cloud Foundry manifests, systemd units; deploydocs.py), settings references kept as data
(an entry naming the variable beside its description; schemadocs.py), more example env
file names, and terms a reference page defines (docforms.py). The look-alikes that must
still block are in tests/adversarial/test_relaxations_r29_envdocs.py."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

NAME = "ACME_WIDGET_TIMEOUT"
BASE = {"README.md": "# app\n", "app/settings.py": "import os\nA = 1\n"}
READ = {"app/settings.py": f"import os\nA = 1\nT = os.environ.get('{NAME}', '30')\n"}
CONTAINER = (
    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
    "        - name: app\n          image: app:1\n          env:\n"
)
HELM_TEMPLATE = (
    CONTAINER + f"            - name: {NAME}\n              value: {{{{ .Values.t | quote }}}}\n"
)

#: (id, the documentation the pull request adds with the read)
DOCUMENTED: list[tuple[str, dict[str, str]]] = [
    ("env-dist", {"env.dist": f"{NAME}=30\n"}),
    ("env-defaults", {".env.defaults": f"{NAME}=30\n"}),
    ("env-schema", {".env.schema": f"{NAME}=\n"}),
    ("env-hyphen-example", {".env-example": f"# {NAME}=30\n"}),
    (
        "compose-below-root-map",
        {"deploy/docker-compose.yml": f"services:\n  app:\n    environment:\n      {NAME}: '30'\n"},
    ),
    (
        "compose-below-root-list",
        {"docker/docker-compose.yml": f"services:\n  app:\n    environment:\n      - {NAME}=30\n"},
    ),
    (
        "compose-below-root-commented",
        {
            "docker/compose.yaml": "services:\n  app:\n    environment:\n"
            f"      # - {NAME}=30\n      - OTHER_SETTING=1\n"
        },
    ),
    (
        # onyx 413891f143: the compose files list what a deployer may set, passed on
        "compose-passed-on",
        {
            "deployment/docker_compose/docker-compose.dev.yml": "services:\n  api:\n"
            f"    environment:\n      - {NAME}=${{{NAME}:-}}\n"
        },
    ),
    (
        "compose-passed-on-bare",
        {"deploy/compose.yaml": f"services:\n  api:\n    environment:\n      - {NAME}\n"},
    ),
    ("fly-toml", {"fly.toml": f'app = "a"\n\n[env]\n  {NAME} = "30"\n'}),
    (
        "render-yaml-prompted",
        {
            "render.yaml": (
                "services:\n  - type: web\n    envVars:\n"
                f"      - key: {NAME}\n        sync: false\n"
            )
        },
    ),
    ("app-engine", {"app.yaml": f"runtime: python312\nenv_variables:\n  {NAME}: '30'\n"}),
    ("cloud-foundry", {"manifest.yml": f"applications:\n- name: a\n  env:\n    {NAME}: 30\n"}),
    (
        "kubernetes-value",
        {
            "deploy/k8s/app.yaml": CONTAINER
            + f"            - name: {NAME}\n              value: '30'\n"
        },
    ),
    (
        "kubernetes-secret",
        {
            "k8s/app.yaml": CONTAINER + f"            - name: {NAME}\n              valueFrom:\n"
            "                secretKeyRef: {name: app, key: t}\n"
        },
    ),
    ("configmap", {"k8s/config.yaml": f"apiVersion: v1\nkind: ConfigMap\ndata:\n  {NAME}: '30'\n"}),
    (
        "helm-values-map",
        {
            "charts/app/Chart.yaml": "name: app\n",
            "charts/app/values.yaml": f"env:\n  {NAME}: '30'\n",
        },
    ),
    (
        "helm-values-list",
        {
            "charts/app/Chart.yaml": "name: app\n",
            "charts/app/values.yaml": f"extraEnv:\n  - name: {NAME}\n    value: '30'\n",
        },
    ),
    (
        "helm-template",
        {"charts/app/Chart.yaml": "name: app\n", "charts/app/templates/app.yaml": HELM_TEMPLATE},
    ),
    (
        "manifest-erb-template",
        {
            "config/deploy/web.yaml.erb": HELM_TEMPLATE.replace(
                "{{ .Values.t | quote }}", "<%= t %>"
            )
        },
    ),
    (
        "systemd-unit",
        {"contrib/app.service": f"[Service]\nEnvironment={NAME}=30\nExecStart=/app\n"},
    ),
    (
        "systemd-unit-commented",
        {"contrib/app.service": f"[Service]\n#Environment={NAME}=30\nExecStart=/app\n"},
    ),
    (
        "reference-data-list",
        {"docs/_data/settings.yml": f"- name: {NAME}\n  description: The timeout.\n"},
    ),
    (
        "reference-json-keyed",
        {"config/env.schema.json": f'{{"properties": {{"{NAME}": {{"description": "t"}}}}}}\n'},
    ),
    ("adoc-labeled-list", {"docs/config.adoc": f"{NAME}:: The widget's timeout.\n"}),
    ("rst-definition", {"docs/config.rst": f"Settings\n--------\n\n{NAME}\n   The timeout.\n"}),
    ("rst-confval", {"docs/config.rst": f".. confval:: {NAME}\n\n   The timeout.\n"}),
    ("md-list-colon", {"README.md": f"# app\n\n- {NAME}: the widget's timeout\n"}),
    ("md-list-dash", {"CONFIGURATION.md": f"* {NAME} - the widget's timeout (default 30)\n"}),
]


def _undocumented(found: list[Finding]) -> set[str]:
    return {f.message.split()[0] for f in found if f.rule == "undocumented"}


@pytest.mark.parametrize(("docs"), [d for _, d in DOCUMENTED], ids=[i for i, _ in DOCUMENTED])
def test_documented_where_a_deployer_reads_it(git_repo: Any, docs: dict[str, str]) -> None:
    assert NAME not in _undocumented(run_on_git(git_repo, BASE, {**READ, **docs}))


@pytest.mark.parametrize(("docs"), [d for _, d in DOCUMENTED], ids=[i for i, _ in DOCUMENTED])
def test_documented_at_base_too(git_repo: Any, docs: dict[str, str]) -> None:
    assert NAME not in _undocumented(run_on_git(git_repo, {**BASE, **docs}, READ))


def test_without_documentation_the_read_still_fires(git_repo: Any) -> None:
    assert NAME in _undocumented(run_on_git(git_repo, BASE, READ))


def test_a_descriptor_the_pull_request_deletes_documents_nothing(git_repo: Any) -> None:
    fly = {"fly.toml": f'app = "a"\n\n[env]\n  {NAME} = "30"\n'}
    head: dict[str, str | None] = {**READ, "fly.toml": None}
    assert NAME in _undocumented(run_on_git(git_repo, {**BASE, **fly}, head))
