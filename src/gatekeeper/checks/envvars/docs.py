"""Where teams document configuration, and what each place documents.

``.env.example`` and its siblings, Markdown (tables and code spans in README and
``docs/``), Heroku's ``app.json``. Each source yields the names it documents, with the
line, plus problems found on the way (malformed lines, example values that look real).
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import yaml

from gatekeeper.checks.envvars.docmarkdown import NAME_WORD, parse_man, parse_markdown
from gatekeeper.checks.envvars.model import FAMILY_MARK, family, family_pattern, line_of
from gatekeeper.checks.yamlbound import AliasBomb, load_all

#: endings of example env files (``gotify-server.env.example``)
ENV_TEMPLATE_SUFFIXES = (".env.example", ".env.sample", ".env.template", ".env.dist")
#: example env files not named ``.env*`` nor ending in a template suffix
ENV_TEMPLATE_NAMES = (
    "env.example",
    "env.sample",
    "example.env",
    "sample.env",
    ".example.env",  # kutt's
    ".sample.env",
    ".template.env",  # logflare's
    "template.env",
    "env.dist",  # Symfony-style, without the dot
    # dotenv-defaults' committed defaults, dotenv-extended's schema of required names, and
    # the hyphenated spelling of an example (each read as an example env file)
    ".env.defaults",
    ".env.schema",
    ".env-example",
    ".env-sample",
    ".env-template",  # chartbrew's
    ".env-dist",
    ".env_example",
    ".env_sample",
    ".env_template",
)
DEFAULT_DOCS = (
    "/*.md",  # Markdown at the repository's root (README, DEPLOYMENT, CONFIGURATION...)
    ".env.example",
    "**/.env.example",
    ".env.sample",
    "**/.env.sample",
    ".env.template",
    "**/.env.template",
    ".env.dist",
    "**/.env.dist",
    "README.md",
    "README.rst",
    "docs/**/*.md",
    "**/docs/**/*.md",  # docs kept beside the code: templates/docs/, site/docs/
    "**/docs/**/*.mdx",
    # Sphinx and AsciiDoc sites (``.. envvar:: NAME``, ``NAME`` in a table)
    "docs/**/*.rst",
    "**/docs/**/*.rst",
    "**/docs/**/*.adoc",
    # the other names documentation folders go by (Sphinx projects' doc/, documentation/)
    *(
        f"{top}{folder}/**/*.{ext}"
        for top in ("", "**/")
        for folder in ("doc", "documentation")
        for ext in ("md", "mdx", "rst", "adoc")
    ),
    "**/README.md",
    "app.json",
    # example files named for what they configure: gotify-server.env.example
    *(f"**/*{suffix}" for suffix in ENV_TEMPLATE_SUFFIXES),
    # and the other spellings of an example env file: env.example, example.env,
    # .env.local.example, .env.production.sample
    *(f"**/{name}" for name in ENV_TEMPLATE_NAMES),
    "**/.env.*.example",
    "**/.env.*.sample",
    # and an example with a further part: BookStack's .env.example.complete
    *(f"**/.env.{word}.*" for word in ("example", "sample", "template", "dist")),
    # La Suite's env.d/<stage>/<service>.dist, the templates ``make`` copies into place
    "env.d/**/*.dist",
    "**/env.d/**/*.dist",
    # Unix manual pages (miniflux.1, man/app.conf.5): options set in bold, ``.B NAME``
    "/*.[1-8]",
    "**/man/**/*.[1-8]",
    "**/man/*.[1-8]",
)
#: Markdown searched anywhere in the tree for a name the documentation places above do not
#: document (git pathspecs: a feature's notes kept beside its code, ``utils/oauth/login.md``)
MARKDOWN_FILES = ("*.md", "*.mdx", "*.markdown")
#: such files read at most, the shallowest first
MAX_MARKDOWN = 20
#: compose files whose ``env_file:`` names the environment the development stack starts
COMPOSE_FILES = (
    "/docker-compose*.yml",
    "/docker-compose*.yaml",
    "/compose*.yml",
    "/compose*.yaml",
)

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*=(?P<value>.*)$")
_MENTION = re.compile(r"(?:\$\{?|`)(?P<name>[A-Z_][A-Z0-9_]*[A-Z0-9])\b")
_COMMENTED = re.compile(r"^#+\s*(?:export\s+)?(?P<name>[A-Z_][A-Z0-9_]*)=")
_SECRET_PREFIXES = (
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "AKIA",
    "ASIA",
    "sk_live_",
    "rk_live_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "-----BEGIN",
    "AIza",
    "glpat-",
    "npm_",
)
_PLACEHOLDER = re.compile(
    r"^(?:|changeme|change[-_]me|secret|password|xxx+|\*+|<.*>|\{\{.*\}\}|\$\{.*\}|your[-_].*|"
    r"example.*|dummy.*|test.*|todo|replace[-_]?me|none|null|true|false|\d+|localhost.*)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a documentation file."""

    rule: str
    path: str
    line: int
    message: str
    evidence: str


@dataclass
class Documentation:
    """Names documented across the sources read (name -> first (path, line))."""

    names: dict[str, tuple[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: the places read from outside the repository (``external_docs``), by shown path
    outside: set[str] = field(default_factory=set)
    #: configuration keys documented (lower-case dotted paths -> first (path, line)): a
    #: config sample's entries, a dotted key in the docs (configdocs.py)
    keys: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, name: str, path: str, line: int) -> None:
        """Record that ``path`` documents ``name`` (the first place wins)."""
        self.names.setdefault(name, (path, line))

    def add_key(self, key: str, path: str, line: int) -> None:
        """Record that ``path`` documents the configuration key ``key`` (any case)."""
        self.keys.setdefault(key.lower(), (path, line))

    def find_key(self, key: str) -> tuple[str, int] | None:
        """Where the configuration key ``key`` is documented (case-insensitive), or None."""
        return self.keys.get(key.lower())

    def find(self, name: str, *, case_insensitive: bool = False) -> tuple[str, int] | None:
        """Where ``name`` is documented, or None. A family of names (``APP_*_URL``, see
        :func:`model.family`) is documented by the family written with a placeholder or by
        any one of its names; a plain name also by a family it belongs to."""
        if name in self.names:
            return self.names[name]
        if case_insensitive:
            upper = name.upper()
            found = next((where for n, where in self.names.items() if n.upper() == upper), None)
            if found:
                return found
        pattern = family_pattern(name)
        if pattern is not None:
            return next((w for n, w in self.names.items() if pattern.fullmatch(n)), None)
        for n, where in self.names.items():
            # a family with no literal end (``TA_MIG_SKIP_*``) documents that family only:
            # as a catch-all it would document every new name that starts the same way
            if n.endswith(FAMILY_MARK):
                continue
            if FAMILY_MARK in n and (member := family_pattern(n)) and member.fullmatch(name):
                return where
        return None

    def same_but_case(self, name: str) -> str | None:
        """A documented name that differs from ``name`` only in case."""
        upper = name.upper()
        return next((n for n in self.names if n.upper() == upper and n != name), None)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())


def looks_like_secret(value: str) -> bool:
    """True for a value that looks like a real credential rather than a placeholder."""
    value = value.strip().strip("'\"")
    if _PLACEHOLDER.match(value):
        return False
    if value.startswith(_SECRET_PREFIXES):
        return True
    url = re.search(r"://[^/\s:@]+:(?P<pw>[^@\s]+)@", value)
    if url:  # a URL with an embedded password
        password = url.group("pw")
        return len(password) >= 8 and not _PLACEHOLDER.match(password)
    return len(value) >= 20 and " " not in value and entropy(value) >= 4.0


#: a compose file's entry commented out for a deployer to enable: ``# - NAME=value`` in a
#: list (wekan's ``#-NAME=value``), ``# NAME: value`` in a mapping
_COMPOSE_COMMENTED = re.compile(
    r"^\s*#+\s*(?:-\s*)?[\"']?(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])[\"']?\s*(?:=|:(?:\s|$))"
)


def parse_compose_comments(path: str, text: str, doc: Documentation) -> None:
    """The entries a compose file shipped to self-hosters offers commented out (``# -
    KHOJ_DOMAIN=192.168.0.104``): the way such files document optional settings, as an
    example env file's ``# NAME=value`` does. Entries it sets are not counted here: setting
    a value is no documentation."""
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _COMPOSE_COMMENTED.match(line):
            doc.add(m.group("name"), path, number)


#: a root configuration file written as an env file (rauthy's ``rauthy.cfg``): read as
#: documentation when it holds at least this many ``NAME=value`` lines, set or commented
ENV_CONFIG_FILES = ("/*.cfg", "/*.conf")
MIN_ENV_CONFIG_LINES = 5
_ASSIGNMENT = re.compile(
    r"^\s*(?:#+\s*)?(?:export\s+)?(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])="
)


def parse_env_config(path: str, text: str, doc: Documentation) -> bool:
    """A root ``*.cfg``/``*.conf`` that is an env file in all but name is read as one
    (:func:`parse_env_file`), with nothing judged about its lines: such files carry
    multi-line values and real defaults. False, reading nothing, for any other
    configuration file."""
    assignments = sum(1 for line in text.splitlines() if _ASSIGNMENT.match(line))
    if assignments < MIN_ENV_CONFIG_LINES:
        return False
    parse_env_file(path, text, doc, judged=False)
    return True


#: a root env file named for its use (AppFlowy-Cloud's ``deploy.env``, ``dev.env``,
#: trieve's ``.env.server``): the template self-hosters copy to ``.env``, read as
#: documentation when the documentation names it (``cp .env.server ./server/.env``); a
#: committed ``.env`` itself is no template
NAMED_ENV_FILES = ("/*.env", "/.env.*")


def named_env_templates(paths: Iterable[str], doc_texts: Iterable[str]) -> list[str]:
    """The files of ``paths`` (root ``NAME.env``) that one of ``doc_texts`` names: a file
    nobody tells a reader to copy is no template, whatever it holds."""
    wanted = {PurePosixPath(p).name: p for p in paths if PurePosixPath(p).name != ".env"}
    if not wanted:
        return []
    mention = re.compile(
        r"(?<![\w./-])(" + "|".join(re.escape(n) for n in sorted(wanted)) + r")(?![\w-])(?!\.\w)"
    )
    named: set[str] = set()
    for text in doc_texts:
        named.update(m.group(1) for m in mention.finditer(text))
        if len(named) == len(wanted):
            break
    return [wanted[n] for n in sorted(named)]


def parse_env_file(path: str, text: str, doc: Documentation, *, judged: bool = True) -> None:
    """``KEY=value`` lines; comments and blank lines skipped; with ``judged``, malformed
    lines and secret-looking example values reported."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        commented = _COMMENTED.match(line)
        if commented:  # ``# NAME=value``: how example files document an optional variable
            doc.add(commented.group("name"), path, number)
            continue
        if line.startswith("#"):  # prose: "if $APP_CONFIG_FILE is set, ..." documents it
            for mention in _MENTION.finditer(line):
                doc.add(mention.group("name"), path, number)
            continue
        if not line:
            continue
        m = _ENV_LINE.match(line)
        if not judged:
            if m and NAME_WORD.fullmatch(m.group("name")):
                doc.add(m.group("name"), path, number)
            continue
        if not m or not NAME_WORD.fullmatch(m.group("name")):
            doc.problems.append(
                Problem(
                    "malformed-doc-line",
                    path,
                    number,
                    f"{path}:{number} is not a KEY=value line and documents nothing",
                    line[:80],
                )
            )
            continue
        doc.add(m.group("name"), path, number)
        value = m.group("value").split(" #")[0]
        if looks_like_secret(value):
            doc.problems.append(
                Problem(
                    "secret-in-example",
                    path,
                    number,
                    f"The example value of {m.group('name')} in {path} looks like a real secret",
                    m.group("name"),
                )
            )


def compose_env_files(path: str, text: str) -> list[str]:
    """The repository paths a compose file's services load with ``env_file:`` (a string,
    a list, or entries with ``path:``), relative to the compose file; outside paths are
    left out."""
    try:  # aliases bounded; a file that cannot be read documents nothing (fails closed)
        documents = load_all(text)
    except (yaml.YAMLError, AliasBomb):
        return []
    data = documents[0] if documents else None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    folder = posixpath.dirname(path)
    found: list[str] = []
    for service in services.values():
        value = service.get("env_file") if isinstance(service, dict) else None
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            name = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(name, str) and name and not name.startswith("/"):
                joined = posixpath.normpath(posixpath.join(folder, name))
                if not joined.startswith("../") and joined not in found:
                    found.append(joined)
    return found


def parse_app_json(path: str, text: str, doc: Documentation) -> None:
    """Heroku's ``app.json``: the keys of ``env``."""
    try:
        data = json.loads(text)
    except ValueError:
        doc.problems.append(
            Problem(
                "malformed-doc-line",
                path,
                1,
                f"{path} is not valid JSON and documents nothing",
                path,
            )
        )
        return
    env = data.get("env") if isinstance(data, dict) else None
    if isinstance(env, dict):
        for name in env:
            line = next((i for i, t in enumerate(text.splitlines(), 1) if f'"{name}"' in t), 1)
            doc.add(str(name), path, line)


def doc_kind(path: str) -> str | None:
    """How a file is read as documentation, by its name: ``env`` (an env example file),
    ``app.json``, ``markdown`` (Markdown, reST, AsciiDoc, text), ``man`` or ``manifest``
    (a deployment manifest, read only when the policy's ``docs`` globs name it); None when
    its name says it is no documentation."""
    name = PurePosixPath(path).name.lower()
    if (
        name.startswith(".env")
        or name.endswith(ENV_TEMPLATE_SUFFIXES)
        or name in ENV_TEMPLATE_NAMES
        or _env_dir_template(path)
    ):
        return "env"
    if name == "app.json":
        return "app.json"
    if name.endswith((".md", ".mdx", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc")):
        return "markdown"
    if re.search(r"\.[1-8]$", name):
        return "man"
    if _MANIFEST_NAME.search(name):
        return "manifest"
    return None


def _env_dir_template(path: str) -> bool:
    """A ``.dist`` template kept in an ``env.d`` folder (``env.d/development/common.dist``):
    env files named for the service they configure, copied into place by the Makefile."""
    parts = PurePosixPath(path.lower()).parts
    return parts[-1].endswith(".dist") and "env.d" in parts[:-1]


#: a deployment manifest, plain or as the template a deploy tool renders
#: (``web.yaml.erb``, ``deployment.yaml.j2``, a Helm chart's ``templates/*.tpl``)
_MANIFEST_NAME = re.compile(r"\.ya?ml(?:\.(?:erb|j2|jinja2?|tpl|tmpl|gotmpl))?$|\.tpl$")
#: a Kubernetes container's env entry (``- name: X``) or a compose service's
#: ``environment:`` entry (``X: value``, ``- X=value``), by line: templates are no YAML
_MANIFEST_ENV = re.compile(
    r"^\s*-\s+name:\s*[\"']?(?P<k8s>[A-Za-z_][A-Za-z0-9_]*)[\"']?\s*$"
    r"|^\s+(?:-\s+)?[\"']?(?P<compose>[A-Z][A-Z0-9_]*)[\"']?\s*(?:=|:(?:\s|$))"
)


def parse_manifest(path: str, text: str, doc: Documentation) -> None:
    """The variables a deployment manifest sets for its containers. Read only where the
    policy's ``docs`` globs name manifests: a team that deploys its own service keeps its
    configuration there (the manifests are what whoever deploys reads), which the default
    places do not presume."""
    for number, line in enumerate(text.splitlines(), start=1):
        m = _MANIFEST_ENV.match(line)
        if m is not None:
            doc.add(m.group("k8s") or m.group("compose"), path, number)


#: a family of names written with a placeholder for its varying part:
#: ``HD_AUTH_OIDC_$NAME_ISSUER``, ``${ID}``, ``<NAME>``, ``{name}``, ``[ID]``, ``%ID%``, ``*``
_SLOT = (
    r"(?:\$\{[A-Za-z][\w-]*\}|\$[A-Za-z][A-Za-z0-9]*|<[A-Za-z][\w-]*>|\{[A-Za-z][\w-]*\}"
    r"|\[[A-Za-z][\w-]*\]|%[A-Za-z][\w-]*%|\*)"
)
_FAMILY = re.compile(
    r"(?<![A-Za-z0-9_])(?P<prefix>[A-Z][A-Z0-9_]*_)"
    rf"{_SLOT}"
    r"(?P<suffix>_[A-Z0-9_]*[A-Z0-9])(?![A-Za-z0-9_])"
)


#: a family with no literal end, its placeholder last: ``TA_MIG_SKIP_<version>``,
#: ``TA_MIG_SKIP_*`` (its start must be a family's own, :func:`model.is_family_prefix`)
_PREFIX_FAMILY = re.compile(
    r"(?<![A-Za-z0-9_])(?P<prefix>[A-Z][A-Z0-9_]*_)"
    rf"{_SLOT}"
    r"(?![A-Za-z0-9_])"
)


def parse_families(path: str, text: str, doc: Documentation) -> None:
    """The families of names a document writes with a placeholder (:data:`_FAMILY`,
    :data:`_PREFIX_FAMILY`), in any kind of document: one entry covers every instance's
    setting."""
    if "_" not in text:
        return
    for m in (*_FAMILY.finditer(text), *_PREFIX_FAMILY.finditer(text)):
        name = family(m.group("prefix"), m.groupdict().get("suffix") or "")
        if name:
            doc.add(name, path, line_of(text, m.start()))


def parse_doc(path: str, text: str, doc: Documentation) -> None:
    """Dispatch on the file's kind (:func:`doc_kind`), then the families of names any
    document may write with a placeholder."""
    kind = doc_kind(path)
    if kind is not None:
        parse_families(path, text, doc)
    if kind == "env":
        parse_env_file(path, text, doc)
    elif kind == "app.json":
        parse_app_json(path, text, doc)
    elif kind == "markdown":
        parse_markdown(path, text, doc)
    elif kind == "man":
        parse_man(path, text, doc)
    elif kind == "manifest":
        parse_manifest(path, text, doc)
