"""Deployment descriptors the project ships, read for the variables they set.

Whoever deploys a project reads what it ships to deploy it with, and a variable set there
is one they either get set for them or see to change:

- a compose file at any depth (``docker/docker-compose.yml``, ``deploy/compose.yaml``): a
  service's ``environment:`` entry with a value of its own, or one offered commented out
  (``# - NAME=value``), or one that passes the host's variable of the same name on to
  the service (``- NAME=${NAME:-}``, ``- NAME``): the file lists it as the deployer's to
  set, as an example env file's empty ``NAME=`` does (a value made of other variables,
  ``URL=http://${HOST}``, sets neither);
- ``fly.toml``'s ``[env]`` table; ``render.yaml``'s ``envVars`` (``- key: NAME``, also
  ``sync: false``, which makes Render ask the deployer for the value); Google App Engine's
  ``app.yaml`` ``env_variables``; a Cloud Foundry ``manifest.yml``'s applications' ``env``;
- Kubernetes manifests: a container's ``env:`` entry that sets a value (``value:`` or
  ``valueFrom:``), a ``ConfigMap``'s ``data`` keys;
- a systemd unit the project ships (``contrib/app.service``): ``Environment=NAME=value``,
  also commented out for the operator to enable (``#Environment=NAME=``);
- a Helm chart (a folder holding ``Chart.yaml``): the env-named mappings and lists of its
  values files (``env: {NAME: v}``, ``extraEnv: [{name: NAME, value: v}]``) and the
  ``env:`` blocks of its templates (``- name: NAME``), read as text since templates are no
  YAML until rendered; so are the env blocks of a manifest template another deploy tool
  renders (``config/deploy/web.yaml.erb``, ``deployment.yaml.j2``) that defines
  ``containers:``.

What a build sets for itself is no deployment's: a Dockerfile's ``ENV``, a CI workflow's
``env:``, a dev container's ``containerEnv``. Nor is a test's stack: files under the
check's ``tests`` globs, fixtures, ``testdata/``, vendored code, ``.github/``,
``.devcontainer/`` and ``e2e/`` are never read. A key of another block (``labels:``,
``annotations:``) sets no variable.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import PurePosixPath

import yaml

from gatekeeper.checks.yamlbound import AliasBomb, load_all

#: the files searched for a name (git pathspecs: ``*`` crosses folders)
SEARCHED = (
    *("*.yml", "*.yaml", "*.toml", "*.tpl", "*.service"),
    # Kubernetes manifests a deploy tool renders: web.yaml.erb, deployment.yaml.j2
    *(f"*.{ext}" for ext in ("erb", "j2", "jinja", "jinja2", "tmpl", "gotmpl")),
)
#: a Kubernetes manifest as the template a deploy tool renders (rubygems.org's
#: ``config/deploy/web.yaml.erb``, ``deployment.yaml.j2``): read as text, as Helm's
_MANIFEST_TEMPLATE = re.compile(r"\.ya?ml\.(?:erb|j2|jinja2?|tmpl|gotmpl|tpl)$")
#: files read at most, the shallowest first
MAX_FILES = 30
#: folders whose descriptors are a development or CI set-up, not a deployment
NOT_DEPLOYMENTS = ("**/.devcontainer/**", ".devcontainer/**", "**/e2e/**", "e2e/**")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a compose entry offered commented out: ``# - NAME=value``, ``# NAME: value``
_COMMENTED = re.compile(
    r"^\s*#+\s*(?:-\s*)?[\"']?(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])[\"']?\s*(?:=|:(?:\s|$))"
)
#: a key of a Helm values file naming an environment block: env, extraEnv, envVars,
#: environment, extraEnvVars, env_vars...
_ENV_KEY = re.compile(
    r"(?i)^(?:extra[-_]?|additional[-_]?|global[-_]?)?env(?:ironment)?(?:[-_]?vars?|[-_]?variables)?$"
)
_TEMPLATE_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)env:[ \t]*\n(?P<body>(?:(?P=indent)[ \t-].*\n?|[ \t]*\n)+)", re.M
)
_TEMPLATE_NAME = re.compile(
    r"-[ \t]*name:[ \t]*[\"']?(?P<name>[A-Za-z_][A-Za-z0-9_]*)[\"']?[ \t]*$", re.M
)

Found = tuple[str, int, str]
#: how a compose entry passing the host's variable on is named: it documents a variable
#: the application reads, not the file's own ``${NAME}`` (that would document itself)
PASSED_ON = "compose service environment, passed on from the host"


def is_compose(path: str) -> bool:
    """Whether ``path`` is a compose file (``docker-compose.prod.yml``, ``compose.yaml``)."""
    name = PurePosixPath(path).name
    return name.startswith(("docker-compose", "compose")) and name.endswith((".yml", ".yaml"))


def chart_folders(chart_files: list[str]) -> tuple[str, ...]:
    """The folders of a repository's Helm charts, from the paths of their ``Chart.yaml``."""
    return tuple(sorted({posix_parent(p) for p in chart_files}))


def posix_parent(path: str) -> str:
    """The folder of ``path`` (``""`` at the root)."""
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def in_chart(path: str, charts: tuple[str, ...]) -> bool:
    """Whether ``path`` lies in one of the Helm chart folders ``charts``."""
    return any(not c or path.startswith(f"{c}/") for c in charts)


def set_names(path: str, text: str, charts: tuple[str, ...]) -> list[Found]:
    """``(name, line, how)`` of each variable the descriptor at ``path`` sets for the
    process it deploys; nothing for a file that is no deployment descriptor or does not
    parse."""
    name = PurePosixPath(path).name.lower()
    if name.endswith(".service"):
        return _systemd(text)
    if _MANIFEST_TEMPLATE.search(name) and not in_chart(path, charts):
        has_containers = re.search(r"^[ \t]*containers:", text, re.M)
        return _template_env(text, "Kubernetes manifest template env") if has_containers else []
    try:
        if name.endswith(".toml"):
            return _fly(text) if name.startswith("fly") else []
        if in_chart(path, charts):
            return _chart(path, text)
        if not name.endswith((".yml", ".yaml")):
            return []
        docs = [d for d in load_all(text) if d is not None]
    except (yaml.YAMLError, tomllib.TOMLDecodeError, AliasBomb, ValueError):
        return []
    lines = _lines(text)
    if name.startswith(("docker-compose", "compose")):
        return _compose(docs, text, lines)
    if name in ("render.yaml", "render.yml"):
        return _listed(_render(docs), lines, "render.yaml envVars")
    # each shape is its own (a ``runtime`` beside ``env_variables``, an ``applications``
    # list, containers), whatever the file is called: ``deploy/k8s/app.yaml``
    return [
        *_listed(_app_engine(docs), lines, "App Engine env_variables"),
        *_listed(_cloud_foundry(docs), lines, "Cloud Foundry manifest env"),
        *_listed(_kubernetes(docs), lines, "Kubernetes manifest"),
    ]


def _lines(text: str) -> dict[str, int]:
    """Each name-like word's first line (one pass)."""
    first: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line):
            first.setdefault(word, number)
    return first


def _listed(names: Iterator[str], lines: dict[str, int], how: str) -> list[Found]:
    return [(n, lines.get(n, 1), how) for n in names if _NAME.fullmatch(n)]


def _walk(node: object) -> Iterator[dict[object, object]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _passes_on(key: str, value: str) -> bool:
    """Whether a compose entry's value is the host's variable of the same name
    (``NAME=${NAME}``, ``${NAME:-default}``, ``$NAME``)."""
    return (
        re.fullmatch(
            rf"\$(?:\{{{re.escape(key)}(?:[:?+-][^}}]*)?\}}|{re.escape(key)})", value.strip()
        )
        is not None
    )


def _compose(docs: list[object], text: str, lines: dict[str, int]) -> list[Found]:
    found: list[Found] = []
    for doc in docs:
        services = doc.get("services") if isinstance(doc, dict) else None
        for service in services.values() if isinstance(services, dict) else ():
            env = service.get("environment") if isinstance(service, dict) else None
            if isinstance(env, dict):
                entries = [(str(k), v) for k, v in env.items()]
            elif isinstance(env, list):
                entries = [(str(e).partition("=")[0], str(e).partition("=")[2]) for e in env]
            else:
                entries = []
            for key, value in entries:
                if value is None or str(value) == "" or _passes_on(key, str(value)):
                    # passed through from the host: the deployer's to set, and listed
                    # for them with the service it configures
                    found += _listed(iter([key]), lines, PASSED_ON)
                elif "${" not in str(value):
                    found += _listed(iter([key]), lines, "compose service environment")
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _COMMENTED.match(line):
            found.append((m.group("name"), number, "compose entry offered commented out"))
    return found


#: a unit's ``Environment=`` line, set or commented out; its assignments follow
_UNIT_ENV = re.compile(r"^[ \t]*[#;]?[ \t]*Environment[ \t]*=(?P<rest>.*)$", re.M)
_UNIT_ASSIGNMENT = re.compile(r"(?:^|[\s\"'])(?P<name>[A-Za-z_][A-Za-z0-9_]*)=")


def _systemd(text: str) -> list[Found]:
    return [
        (m.group("name"), text.count("\n", 0, line.start()) + 1, "systemd unit Environment=")
        for line in _UNIT_ENV.finditer(text)
        for m in _UNIT_ASSIGNMENT.finditer(line.group("rest"))
    ]


def _fly(text: str) -> list[Found]:
    env = tomllib.loads(text).get("env")
    names = iter(str(k) for k in env) if isinstance(env, dict) else iter(())
    return _listed(names, _lines(text), "fly.toml [env]")


def _render(docs: list[object]) -> Iterator[str]:
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        for group in ("services", "envVarGroups"):
            for item in doc.get(group) or ():
                env = item.get("envVars") if isinstance(item, dict) else None
                for entry in env if isinstance(env, list) else ():
                    if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                        yield entry["key"]


def _app_engine(docs: list[object]) -> Iterator[str]:
    for doc in docs:
        env = doc.get("env_variables") if isinstance(doc, dict) and "runtime" in doc else None
        yield from (str(k) for k in env) if isinstance(env, dict) else ()


def _cloud_foundry(docs: list[object]) -> Iterator[str]:
    for doc in docs:
        apps = doc.get("applications") if isinstance(doc, dict) else None
        for app in apps if isinstance(apps, list) else ():
            env = app.get("env") if isinstance(app, dict) else None
            yield from (str(k) for k in env) if isinstance(env, dict) else ()


def _kubernetes(docs: list[object]) -> Iterator[str]:
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "ConfigMap":
            data = doc.get("data")
            yield from (str(k) for k in data) if isinstance(data, dict) else ()
            continue
        for node in _walk(doc):
            if "containers" not in node and "image" not in node:
                continue
            env = node.get("env")
            for item in env if isinstance(env, list) else ():
                if isinstance(item, dict) and ("value" in item or "valueFrom" in item):
                    yield str(item.get("name"))


def _chart(path: str, text: str) -> list[Found]:
    """A Helm chart's values file (its env-named blocks) or template (its ``env:`` blocks)."""
    name = PurePosixPath(path).name.lower()
    if name.startswith("values") and name.endswith((".yaml", ".yml")):
        docs = [d for d in load_all(text) if d is not None]
        return _listed(_values_env(docs), _lines(text), "Helm chart values")
    if "/templates/" not in f"/{path}":
        return []
    return [*_template_env(text, "Helm chart template env"), *_template_config_map(text)]


_CONFIG_MAP = re.compile(r"^kind:[ \t]*[\"']?ConfigMap[\"']?[ \t]*$", re.M)
_DATA = re.compile(r"^data:[ \t]*$", re.M)
_DATA_KEY = re.compile(r"^[ \t]+[\"']?(?P<name>[A-Za-z_][A-Za-z0-9_]*)[\"']?:(?:[ \t]|$)")


def _template_config_map(text: str) -> list[Found]:
    """The ``data:`` keys of a ConfigMap a chart's template renders (phoenix's
    ``PHOENIX_LOGGING_MODE: {{ .Values.logging.mode | quote }}``), read as text as the
    ``env:`` blocks are: what a rendered ConfigMap of a manifest is read for. Lines of
    template directives (``{{- if ... }}``) and comments inside the block are passed over;
    only the block's own level of keys counts, not a nested file's content."""
    if not _CONFIG_MAP.search(text) or not (data := _DATA.search(text)):
        return []
    found: list[Found] = []
    level = None
    first = text.count("\n", 0, data.end()) + 2
    for number, line in enumerate(text[data.end() :].splitlines()[1:], start=first):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "{{")):
            continue
        if not line[0].isspace():
            break  # the block has ended (the next top-level key or document)
        m = _DATA_KEY.match(line)
        indent = len(line) - len(line.lstrip())
        if level is None:
            level = indent
        if m and indent == level:
            found.append((m.group("name"), number, "Helm chart template ConfigMap"))
    return found


def _template_env(text: str, how: str) -> list[Found]:
    """The ``- name: X`` entries of a template's ``env:`` blocks, read as text."""
    found: list[Found] = []
    for block in _TEMPLATE_BLOCK.finditer(text):
        for m in _TEMPLATE_NAME.finditer(block.group("body")):
            line = text.count("\n", 0, block.start("body") + m.start("name")) + 1
            found.append((m.group("name"), line, how))
    return [f for f in found if _NAME.fullmatch(f[0])]


def _values_env(docs: list[object]) -> Iterator[str]:
    for doc in docs:
        for node in _walk(doc):
            for key, value in node.items():
                if not (isinstance(key, str) and _ENV_KEY.match(key)):
                    continue
                if isinstance(value, dict):
                    yield from (str(k) for k in value if str(k).isupper())
                elif isinstance(value, list):
                    yield from (
                        str(i["name"]) for i in value if isinstance(i, dict) and "name" in i
                    )
