"""Configuration keys documented by the config samples a team ships.

A setting read through a configuration library that also takes it from the environment
(viper's ``AutomaticEnv``: text_viper) is documented where its key is: an entry of a
sample configuration (``config.yml.example``, ``config.sample.toml``), or of a structured
description of every key from which the docs are generated, as vikunja's
``config-raw.json``, a tree of ``{"key": "service", "children": [{"key": "secret", ...}]}``,
or flipt's ``flipt.schema.json``, a JSON Schema of the configuration file whose nested
``properties`` are the keys.

A sample's nested mappings give dotted key paths (``database: {schema: x}`` documents
``database.schema``); a list whose items are mappings each naming itself with a ``key`` or
``name`` string makes those items children of the mapping holding the list (the list's own
key is not part of the path). Test folders, fixtures, vendored and installed packages and
``.github`` hold no samples of the team's configuration and are not read.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath

import yaml

from gatekeeper.checks.envvars.docs import Documentation
from gatekeeper.checks.yamlbound import AliasBomb, load_all

#: what a config sample's file name looks like: ``config.yml``, ``config.local.yaml.dist``,
#: ``config-raw.json``, ``app.example.toml``, ``settings.yml.sample``
_SAMPLE_NAME = re.compile(
    r"(?:config[\w.-]*|[\w.-]+\.(?:sample|example|dist|default))\.(?:ya?ml|json|toml)"
    r"(?:\.(?:sample|example|dist|default|template|tmpl))?"
    r"|[\w.-]+\.(?:ya?ml|json|toml)\.(?:sample|example|dist|default|template|tmpl)"
    # a template named for its program and purpose: lldap_config.docker_template.toml
    r"|[\w.-]*config[\w.-]*[._-](?:template|example|sample|dist|default)\.(?:ya?ml|json|toml)"
    # a JSON Schema of the configuration file: flipt.schema.json
    r"|[\w.-]+\.schema\.json",
    re.I,
)
#: folders whose files are no sample of the team's configuration
NOT_SAMPLES = (
    "**/testdata/**",
    "**/fixtures/**",
    "**/__fixtures__/**",
    "**/node_modules/**",
    "**/vendor/**",
    ".github/**",
)
#: the pathspecs listing candidate samples (their names are then matched)
SAMPLE_FILES = ("**/*.yml", "**/*.yaml", "**/*.json", "**/*.toml", "**/*.sample", "**/*.example")
#: samples read at most (the shortest paths first: the team's own at the top)
MAX_SAMPLES = 40
#: key paths taken from one sample at most, and how deep its nesting is followed
MAX_KEYS = 20_000
MAX_DEPTH = 12
#: what names a list item (``{"key": "secret", ...}``)
_ITEM_NAMES = ("key", "name")


def is_sample(path: str) -> bool:
    """Whether a file's name makes it a config sample (its folder is judged elsewhere)."""
    return _SAMPLE_NAME.fullmatch(PurePosixPath(path).name) is not None


def sample_paths(paths: Iterable[str], excluded: Callable[[str], bool]) -> list[str]:
    """The config samples among ``paths``, outside ``excluded`` folders, the shallowest
    first, at most :data:`MAX_SAMPLES`."""
    found = [p for p in paths if is_sample(p) and not excluded(p)]
    return sorted(found, key=lambda p: (p.count("/"), p))[:MAX_SAMPLES]


def parse_sample(path: str, text: str, doc: Documentation) -> bool:
    """Add the key paths of a config sample to ``doc.keys``; False when it does not parse
    (it then documents nothing)."""
    name = PurePosixPath(path).name.lower()
    toml = ".toml" in name
    commented = list(_toml_lines(text)) if toml else []
    data = _load(path, text)
    if ".json" not in name and not toml and (data is not None or _only_comments(text)):
        commented = list(_yaml_commented(text))
    if data is None and not commented:
        return False
    lines = _line_finder(text)
    if isinstance(data, dict) and _is_json_schema(data):
        data = _schema_tree(data, data, 0)
    for key in _paths(data):
        doc.add_key(key, path, lines(key.rsplit(".", 1)[-1]))
    for key, line in commented:
        doc.add_key(key, path, line)
    return True


#: a YAML entry, live or commented out (``# listen-http: ":80"``, ``#   disallowed-topics:``)
_YAML_KEY = re.compile(r"^[ \t]*#*[ \t]*(?P<key>[A-Za-z_][\w-]{0,100})[ \t]*:(?:[ \t]|$)", re.M)
#: YAML files read for commented-out keys at most (the shortest paths first)
MAX_TEMPLATES = 20


def yaml_template_keys(path: str, text: str, wanted: set[str], doc: Documentation) -> None:
    """Add the ``wanted`` keys (lower-case) a YAML file sets or names commented out: the
    config template a program ships (ntfy's server.yml) documents each option by a line
    like ``# listen-http: ":80"``, which a YAML parser drops. The key alone counts, as a
    flag's option name is one word, whatever the nesting."""
    _add_keys(_YAML_KEY, path, text, wanted, doc)


def _add_keys(
    pattern: re.Pattern[str], path: str, text: str, wanted: set[str], doc: Documentation
) -> None:
    """Add each of the ``wanted`` keys (lower-case) that ``pattern``'s ``key`` group finds
    in ``text``, at its first line; stop once all are found."""
    for m in pattern.finditer(text):
        key = m.group("key").lower()
        if key in wanted:
            doc.add_key(key, path, text.count("\n", 0, m.start()) + 1)
            wanted = wanted - {key}
            if not wanted:
                return


#: an INI-style file a program reads its settings from (beego's ``conf/app.conf``), or a
#: sample of one (opencve's ``airflow.cfg.example``)
INI_FILES = (
    "*.conf", "*.ini", "*.cfg",
    *(f"*.{kind}.{sample}" for kind in ("conf", "ini", "cfg")
      for sample in ("example", "sample", "dist", "default", "template")),
)  # fmt: skip
#: a live ``key = value`` line of such a file (a comment or a value naming the key is none)
_INI_KEY = re.compile(r"^[ \t]*(?P<key>[A-Za-z_][\w.-]{0,100})[ \t]*=", re.M)


def ini_keys(path: str, text: str, wanted: set[str], doc: Documentation) -> None:
    """Add the ``wanted`` keys (lower-case) an INI-style config file sets: a helper that
    reads a key from the environment first and from such a file second (casdoor's
    ``conf.GetConfigString`` over ``conf/app.conf``) has the file list its settings."""
    _add_keys(_INI_KEY, path, text, wanted, doc)


#: an INI section header (``[opencve]``)
_INI_SECTION = re.compile(r"^[ \t]*\[(?P<section>[A-Za-z0-9_.-]{1,100})\][ \t]*$")
#: an option set or commented out under it (``max_tasks = 10``, ``# max_tasks = 10``,
#: ``;max_tasks =``)
_INI_OPTION = re.compile(r"^[ \t]*[#;]?[ \t]*(?P<key>[A-Za-z_][\w.-]{0,100})[ \t]*=")


def ini_section_keys(path: str, text: str, wanted: set[str], doc: Documentation) -> None:
    """Add the ``wanted`` ``section.option`` keys (lower-case) an INI-style file sets, or
    names commented out, under that section: Airflow's ``conf.get("opencve", "x")`` is
    documented by ``x =`` under ``[opencve]`` of the ``airflow.cfg`` sample, not by an
    option of the same name in another section."""
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        if header := _INI_SECTION.match(line):
            section = header.group("section").lower()
        elif section and (option := _INI_OPTION.match(line)):
            key = f"{section}.{option.group('key').lower()}"
            if key in wanted:
                doc.add_key(key, path, number)
                wanted = wanted - {key}
                if not wanted:
                    return


#: a TOML table header, live or commented out (``[smtp_options]``, ``#[ldaps_options]``)
_TOML_TABLE = re.compile(r"^\s*#*\s*\[\[?\s*(?P<table>[A-Za-z0-9_.-]{1,200})\s*\]\]?\s*$")
#: a key set or commented out in a template (``#http_host = "0.0.0.0"``), its value given
_TOML_KEY = re.compile(r"^\s*#*\s*(?P<key>[A-Za-z_][\w-]{0,100})\s*=\s*\S")


def _toml_lines(text: str) -> Iterator[tuple[str, int]]:
    """The keys of a TOML template line by line, with their tables: a template documents
    a setting by a commented-out line (``#ldap_port = 3890``) that a TOML parser drops.
    At most :data:`MAX_KEYS`."""
    table, count = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if count >= MAX_KEYS:
            return
        if (m := _TOML_TABLE.match(line)) is not None:
            table = m.group("table")
        elif (m := _TOML_KEY.match(line)) is not None:
            count += 1
            yield (f"{table}.{m.group('key')}" if table else m.group("key")), number


#: a YAML mapping entry, live (``  port: 80``) or commented out (``  #   port: 80``); a
#: comment inside a comment (``#   # 0 collects all``) is none
_YAML_ENTRY = re.compile(
    r"^(?P<lead>[ \t]*)(?P<mark>#+[ \t]*)?(?P<key>[A-Za-z_][\w-]{0,100})[ \t]*:"
    r"(?P<value>[ \t].*)?$"
)
#: the value of an entry that opens a block scalar (``key: |``): its lines are text
_BLOCK_SCALAR = re.compile(r"^[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _yaml_commented(text: str) -> Iterator[tuple[str, int]]:
    """The dotted paths of the keys a YAML sample names commented out, with their lines:
    a sample documents an optional setting by commenting it out, nested or not
    (``billing:`` then ``  # featureSwitches:`` then ``  #   maxLines: 0``), which a YAML
    parser drops. An entry's depth is the column its key starts at, live or commented
    out, so the comment marker counts as indentation; only the commented-out keys are
    given (the parser gives the live ones). An entry with a value holds no entries: the
    commented-out lines after ``baseURL: https://x`` belong to its parent. At most
    :data:`MAX_KEYS`."""
    stack: list[tuple[int, str]] = []  # (column, key) of the entries enclosing the line
    block = -1  # the column of a live key whose block scalar's lines are being skipped
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if count >= MAX_KEYS:
            return
        if not line.strip():
            continue
        column = len(line) - len(line.lstrip(" \t"))
        if block >= 0:
            if column > block:
                continue
            block = -1
        if line.strip() == "---":
            stack = []
            continue
        m = _YAML_ENTRY.match(line)
        if m is None:
            continue
        column = m.start("key")
        while stack and stack[-1][0] >= column:
            stack.pop()
        if len(stack) >= MAX_DEPTH:
            continue
        value = (m.group("value") or "").strip()
        path = ".".join([*(k for _, k in stack), m.group("key")])
        if m.group("mark") is None and _BLOCK_SCALAR.match(value):
            block = column
        elif not value or value.startswith("#"):
            stack.append((column, m.group("key")))  # a mapping: the lines below nest in it
        if m.group("mark") is not None:
            count += 1
            yield path, number


def _only_comments(text: str) -> bool:
    """Whether a YAML text is comments and blank lines only (it loads as nothing)."""
    return all(
        not line.strip() or line.lstrip().startswith("#") or line.strip() == "---"
        for line in text.splitlines()
    )


def _load(path: str, text: str) -> object | None:
    name = PurePosixPath(path).name.lower()
    try:
        if ".json" in name:
            data: object = json.loads(text)
            return data
        if ".toml" in name:
            return tomllib.loads(text)
        documents = load_all(text)
    except (ValueError, yaml.YAMLError, AliasBomb, RecursionError):
        return None
    return documents[0] if documents else None


def _is_json_schema(data: object) -> bool:
    """A JSON Schema (``$schema``, and ``properties`` at its top): its keys are nested in
    ``properties``, often through ``$ref`` to ``definitions``."""
    return isinstance(data, dict) and "$schema" in data and isinstance(data.get("properties"), dict)


def _schema_tree(node: object, root: dict[str, object], depth: int) -> dict[str, object]:
    """The configuration keys a JSON Schema describes, as the nested mapping a sample would
    be: each ``properties`` entry a key, ``$ref`` to ``#/definitions/x`` (or ``$defs``)
    followed within the file, ``allOf``/``anyOf``/``oneOf`` branches merged."""
    if depth > MAX_DEPTH or not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: object = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        return _schema_tree(target, root, depth + 1)
    tree: dict[str, object] = {}
    properties = node.get("properties")
    if isinstance(properties, dict):
        for key, value in properties.items():
            tree[str(key)] = _schema_tree(value, root, depth + 1)
    for branch in ("allOf", "anyOf", "oneOf"):
        for item in node.get(branch) or ():
            tree.update(_schema_tree(item, root, depth + 1))
    return tree


def _paths(data: object) -> Iterator[str]:
    """Every key path of the sample (intermediate ones too), at most :data:`MAX_KEYS`."""
    count = 0
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack and count < MAX_KEYS:
        node, prefix, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        for key, value in _children(node):
            path = f"{prefix}.{key}" if prefix else key
            count += 1
            yield path
            stack.append((value, path, depth + 1))


def _children(node: object) -> list[tuple[str, object]]:
    """A mapping's entries; the named items of its lists stand in for the list's key."""
    if not isinstance(node, dict):
        return []
    out: list[tuple[str, object]] = []
    for key, value in node.items():
        named = _named_items(value)
        if named:
            out += named
        elif isinstance(key, str | int | float | bool):
            out.append((str(key), value))
    return out


def _named_items(value: object) -> list[tuple[str, object]]:
    if not isinstance(value, list) or not value:
        return []
    named: list[tuple[str, object]] = []
    for item in value:
        if not isinstance(item, dict):
            return []
        name = next((item[k] for k in _ITEM_NAMES if isinstance(item.get(k), str)), None)
        if name is None:
            return []
        named.append((name, item))
    return named


def _line_finder(text: str) -> Callable[[str], int]:
    """``find(word)``: the first line naming ``word`` (indexed in one pass), else 1."""
    first: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for word in re.findall(r"[\w-]+", line):
            first.setdefault(word.lower(), number)
    return lambda word: first.get(word.lower(), 1)
