"""Attacks on probe docs33's relaxations of the env-vars check's documentation readers.

A docker ``-e``/``--env`` flag or quotes inside a code span, an HTML table cell setting
the name in bold, a helm-docs cell naming the variable in parentheses or as its last
word, a Helm chart template's ConfigMap ``data:`` keys and ``.template.env`` now
document a variable. The look-alikes below are none of these, so each still blocks: a
Dockerfile's ``ENV`` and a CI workflow's ``env:`` (a build's own settings), the PR's code
comment holding the docs' very span, a flag spelled inside a word (``--env-file``), a
bold name inside a cell's sentence, a helm-docs cell naming it mid-sentence, a ConfigMap
template outside any chart's ``templates/``, a chart template of another kind (a
Deployment's labels), a ConfigMap key nested in a file it carries, a ``.template.env``
under tests, a ``<pre>`` block in code, prose after a ``<pre>`` block closes, an rst
``.. note::`` (no code block) or prose after a code block ends, a ``- name:`` entry outside
a code block, ``[$NAME]`` mid-line in a help text, and the same shapes
in a file the pull request deletes.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
NAME = "ACME_WIDGET_TIMEOUT"
BASE = {"README.md": "# app\n", "app/settings.py": "import os\nA = 1\n"}
READ = {"app/settings.py": f"import os\nA = 1\nT = os.environ.get('{NAME}', '30')\n"}
HELM_ROW = "| Key | Type | Default | Description |\n|---|---|---|---|\n"
WORKFLOW = (
    "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
    f"    env:\n      {NAME}: 30\n    steps:\n      - run: docker run -e {NAME}=1 app\n"
)
CONFIG_MAP = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  {NAME}: '1'\n"
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n"
    f"    {NAME}: x\ndata:\n  {NAME}: '1'\n"
)


@pytest.mark.parametrize(
    "files",
    [
        {"Dockerfile": f"FROM python:3.12\nENV {NAME}=30\nRUN app -e {NAME}=1\n"},
        {".github/workflows/ci.yml": WORKFLOW},
        {"app/other.py": f'# Or run it with the `-e {NAME}=60` parameter.\nX = "{NAME}"\n'},
        {"docs/run.md": f"Run `docker run --env-file {NAME}=1 app` or `app-e {NAME}=1`.\n"},
        {"docs/settings.md": f"<td>Unlike <strong>{NAME}</strong>, harmless</td>\n"},
        {"helm/README.md": HELM_ROW + f"| a.b | int | `1` | Unlike {NAME} it is harmless |\n"},
        {"deploy/configmap.yaml.tpl": CONFIG_MAP},
        {"helm/Chart.yaml": "name: app\n", "helm/files/configmap.yaml": CONFIG_MAP},
        {"helm/Chart.yaml": "name: app\n", "helm/templates/deployment.yaml": DEPLOYMENT},
        {
            "helm/Chart.yaml": "name: app\n",
            "helm/templates/configmap.yaml": CONFIG_MAP.replace(
                f"  {NAME}: '1'\n", f"  app.yaml: |\n    {NAME}: '1'\n"
            ),
        },
        {"tests/.template.env": f"{NAME}=1\n"},
        {"app/other.py": f'"""<pre>\n{NAME}=1\n</pre>"""\n'},
        {"docs/run.md": f"<pre>\nOTHER_SETTING=1\n</pre>\nUnlike {NAME}=1 it is harmless.\n"},
        {"docs/notes.rst": f".. note::\n\n   {NAME}=1 was read by old releases.\n"},
        {"docs/run.rst": f".. code-block:: bash\n\n  OTHER=1\n\nUnlike {NAME}=1 it is harmless.\n"},
        {"docs/install.md": f"Steps:\n\n- name: {NAME}\n"},
        {"docs/config.md": f"```\n--timeout  see [${NAME}] in the old docs\n```\n"},
    ],
    ids=[
        "dockerfile-env-and-run-flag",
        "workflow-env-and-run-flag",
        "pr-code-comment-span",
        "flag-inside-a-word",
        "bold-name-in-a-cells-sentence",
        "helm-docs-cell-mid-sentence",
        "config-map-template-outside-a-chart",
        "config-map-outside-templates",
        "chart-template-of-another-kind",
        "config-map-nested-file",
        "template-env-under-tests",
        "pre-block-in-code",
        "prose-after-a-pre-block",
        "rst-note-directive",
        "rst-prose-after-a-code-block",
        "kubernetes-entry-outside-a-code-block",
        "help-brackets-mid-line",
    ],
)
def test_a_look_alike_documents_nothing(attack: AttackFactory, files: dict[str, str]) -> None:
    verdict = attack(POLICY, BASE, {**READ, **files}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert NAME in text_of(verdict)


def test_a_config_map_template_the_pull_request_deletes_documents_nothing(
    attack: AttackFactory,
) -> None:
    chart = {"helm/Chart.yaml": "name: app\n", "helm/templates/configmap.yaml": CONFIG_MAP}
    head: dict[str, str | None] = {**READ, "helm/templates/configmap.yaml": None}
    verdict = attack(POLICY, {**BASE, **chart}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
