"""Shapes of documentation a survey of 40+ self-hosted projects found the check blind to
(probe docs33): each documents a variable the pull request starts reading (it passes),
and the check still fires without it. A docker flag or an ``export`` inside a code span
(lemmy-docs' `` `-e LEMMY_DISABLE_HTTP_SERVER=true` ``, conductor's `` `docker run ... -e
"WF_SERVER=..." conductor:ui` ``), a quoted name in a code span (flagsmith's
`` `"CACHE_FLAGS_SECONDS"` ``), an HTML table cell setting the name in bold (phoenix's
``<td><strong>PHOENIX_ADMINS</strong></td>``), a helm-docs table cell naming the
variable in parentheses before more text or as its last word, a Helm chart template's
ConfigMap ``data:`` keys, logflare's ``.template.env``, an HTML ``<pre>`` block
read as a fence (ArchiveBox's README), and a reStructuredText code block's lines
(Mailu's ``.. code-block:: bash`` listing ``TRAEFIK_VERSION=v2``), and in a code block a
Kubernetes env entry (ntfy's install page) or a CLI help's ``[$NAME]`` (ntfy's config
page). The look-alikes that must still block are in
tests/adversarial/test_relaxations_r33_docshapes.py."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

NAME = "ACME_WIDGET_TIMEOUT"
BASE = {"README.md": "# app\n", "app/settings.py": "import os\nA = 1\n"}
READ = {"app/settings.py": f"import os\nA = 1\nT = os.environ.get('{NAME}', '30')\n"}
HELM_ROW = "| Key | Type | Default | Description |\n|---|---|---|---|\n"
CONFIG_MAP = (
    '{{- include "app.validate" . }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n'
    "  name: app\n  labels:\n    app: x\ndata:\n  # timeouts\n"
    "  OTHER_SETTING: {{ .Values.other | quote }}\n  {{- if .Values.timeout }}\n"
    f"  {NAME}: {{{{ .Values.timeout | quote }}}}\n  {{{{- end }}}}\n"
)

#: (id, the documentation the pull request adds with the read)
DOCUMENTED: list[tuple[str, dict[str, str]]] = [
    (
        "span-docker-flag",
        {"docs/scaling.md": f"Or run the container with the `-e {NAME}=60` parameter.\n"},
    ),
    (
        "span-docker-run-command",
        {"docker/ui/README.md": f'- External: `docker run -p 5:5 -e "{NAME}=60" app:ui`\n'},
    ),
    ("span-env-long-flag", {"README.md": f"# app\n\n`docker run --env {NAME}=60 app`\n"}),
    (
        "span-quoted-name",
        {"docs/caching.md": f'The seconds are set with the environment variable `"{NAME}"`.\n'},
    ),
    (
        "html-cell-strong",
        {"docs/settings.mdx": f"<table><tr><td><strong>{NAME}</strong></td><td>t</td></tr>\n"},
    ),
    ("html-cell-bold", {"docs/settings.md": f"<tr><td><b>{NAME}</b></td><td>t</td></tr>\n"}),
    (
        "helm-docs-cell-parenthesized-then-more",
        {
            "helm/README.md": HELM_ROW
            + f"| server.timeout | int | `30` | Timeout of a widget ({NAME}) Raise it for slow"
            " disks. |\n"
        },
    ),
    (
        "helm-docs-cell-last-word",
        {
            "helm/README.md": HELM_ROW
            + f"| server.timeout | int | `30` | Timeout (seconds, minutes) {NAME} |\n"
        },
    ),
    (
        "helm-template-config-map",
        {"helm/Chart.yaml": "name: app\n", "helm/templates/configmap.yaml": CONFIG_MAP},
    ),
    ("template-env", {".template.env": f"PHX_URL_HOST=\n{NAME}=\n"}),
    (
        "compose-commented-without-a-space",
        {"docker-compose-mysql.yml": f"services:\n  app:\n    environment:\n      #-{NAME}=60\n"},
    ),
    (
        "rst-code-block",
        {"docs/reverse.rst": f"in app.env:\n\n.. code-block:: bash\n\n  REAL_IP=1\n  {NAME}=60\n"},
    ),
    ("rst-literal-paragraph", {"docs/setup.rst": f"Set these in app.env::\n\n    {NAME}=60\n"}),
    (
        "fenced-kubernetes-env-entry",
        {"docs/install.md": f"```yaml\nenv:\n  - name: {NAME} # timeout\n    value: '6'\n```\n"},
    ),
    (
        "fenced-cli-help",
        {"docs/config.md": f"```\n--timeout value  the timeout (default: 30) [${NAME}]\n```\n"},
    ),
    (
        "html-pre-block",
        {"README.md": f'# app\n\n<details>\n<pre lang="bash"><code>\n{NAME}=60\n</code></pre>\n'},
    ),
]


def _undocumented(found: list[Finding]) -> set[str]:
    return {f.message.split()[0] for f in found if f.rule == "undocumented"}


@pytest.mark.parametrize(("docs"), [d for _, d in DOCUMENTED], ids=[i for i, _ in DOCUMENTED])
def test_documented_where_the_project_keeps_it(git_repo: Any, docs: dict[str, str]) -> None:
    assert NAME not in _undocumented(run_on_git(git_repo, BASE, {**READ, **docs}))


def test_without_documentation_the_read_still_fires(git_repo: Any) -> None:
    assert NAME in _undocumented(run_on_git(git_repo, BASE, READ))


def test_a_config_maps_nested_file_documents_none_of_its_lines(git_repo: Any) -> None:
    nested = CONFIG_MAP.replace(f"  {NAME}:", f"  app.conf: |\n    {NAME}: 1\n  LATER_SETTING:")
    files = {"helm/Chart.yaml": "name: app\n", "helm/templates/configmap.yaml": nested}
    assert NAME in _undocumented(run_on_git(git_repo, BASE, {**READ, **files}))
