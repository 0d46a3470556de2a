"""Settings documented in a settings schema: a YAML or JSON file that describes each
setting and names the environment variable that sets it.

nautobot keeps its reference in ``nautobot/core/settings.yaml``, rendered into its docs::

    METRICS_EXPERIMENTAL_CACHING_DURATION:
      default: 0
      description: >-
        The number of seconds to cache Nautobot App metrics...
      environment_variable: "NAUTOBOT_METRICS_EXPERIMENTAL_CACHING_DURATION"

Such an entry documents the variable as well as a Markdown page would. A file counts when
it describes things (it has a ``description`` key) and names the variable as the value of
an ``environment_variable``-like key, not merely anywhere in its text.

A reference kept as data, from which a docs site renders its settings table, documents
the same way when the entry that names the variable also describes it: a mapping whose
``name``/``key``/``env``/``variable`` is the variable beside a non-empty ``description``
(``- name: APP_TIMEOUT`` / ``description: ...`` in ``docs/_data/settings.yml``), or the
variable as a key whose value describes it (``{"APP_TIMEOUT": {"description": "..."}}``,
a JSON Schema's ``properties``). Files in test folders, fixtures, vendored code and
``.github/`` never count for this form, nor does a name without a description beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator

import yaml

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.envvars.configdocs import NOT_SAMPLES
from gatekeeper.checks.yamlbound import AliasBomb, load_all

#: where settings schemas live (git pathspecs: ``*`` crosses folders)
SCHEMA_FILES = ("*.yaml", "*.yml", "*.json")
#: files read at most, beyond the changed ones (a search names the candidates first)
MAX_FILES = 40
_KEY = r"""["']?(?:environment_variable|env_variable|env_var|envvar|environment_var)["']?"""
#: blanks within a line only (``[ \t]``): a ``\s*`` after ``^`` would run over every
#: following blank line from each line start, quadratic on a pumped file of blank lines
_DESCRIBES = re.compile(r"""(?:^|[{,])[ \t]*["']?description["']?[ \t]*:""", re.MULTILINE)
#: the keys an entry of a settings reference names its variable by
_NAMING_KEYS = ("name", "key", "env", "variable", "env_var", "envvar", "environment_variable")
#: where a settings reference as data is never looked for
NOT_REFERENCES = ("**/tests/**", "**/test/**", *NOT_SAMPLES)


def schema_documented(
    changes: ChangeSet, names: Iterable[str], tick: Callable[[], None]
) -> dict[str, tuple[str, int]]:
    """Which of ``names`` a settings schema at head documents: name -> (path, line)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    touched = {p for f in changes for p in (f.path, f.old_path) if p}
    paths = [
        f.path
        for f in changes.matching(["**/*.yaml", "**/*.yml", "**/*.json"])
        if f.status is not FileStatus.DELETED
    ]
    untouched = changes.base_files_containing(wanted, SCHEMA_FILES) or []
    paths += [p for p in untouched if p not in touched][:MAX_FILES]
    alternatives = "|".join(map(re.escape, wanted))
    entry = re.compile(
        rf"""(?:^|[{{,])[ \t]*{_KEY}[ \t]*:[ \t]*["']?({alternatives})["']?[ \t]*(?=[,}}]|$)""",
        re.MULTILINE,
    )
    found: dict[str, tuple[str, int]] = {}
    for path in paths:
        tick()
        text = changes.text_at_head(path)
        if not text or not _DESCRIBES.search(text):
            continue
        for m in entry.finditer(text):
            found.setdefault(m.group(1), (path, text.count("\n", 0, m.start()) + 1))
        if not match_any(path, NOT_REFERENCES):
            for name in described(path, text, set(wanted) - set(found)):
                found[name] = (path, _line_of(text, name))
    return found


def described(path: str, text: str, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` the YAML or JSON ``text`` describes as a settings reference does
    (module docstring); none when it does not parse."""
    if not wanted:
        return set()
    try:
        docs = [json.loads(text)] if path.endswith(".json") else load_all(text)
    except (ValueError, yaml.YAMLError, AliasBomb):
        return set()
    found: set[str] = set()
    for doc in docs:
        for node in _mappings(doc):
            if _has_description(node):
                found |= {v for k in _NAMING_KEYS if isinstance(v := node.get(k), str)} & wanted
            found |= {k for k, v in node.items() if k in wanted and _has_description(v)}
    return found


def _has_description(node: object) -> bool:
    text = node.get("description") if isinstance(node, dict) else None
    return isinstance(text, str) and bool(text.strip())


def _mappings(node: object) -> Iterator[dict[object, object]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _mappings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mappings(item)


def _line_of(text: str, name: str) -> int:
    at = text.find(name)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
