"""Rust settings libraries that turn every prefixed variable into a configuration key.

figment's ``Env::prefixed("LLDAP_").split("__")`` reads ``LLDAP_SMTP_OPTIONS__SMTP_ENCRYPTION``
as the key ``smtp_encryption`` of the ``smtp_options`` table; config-rs's
``Environment::with_prefix("APP").separator("__")`` reads ``APP_DATABASE__URL`` as
``database.url`` (its prefix is followed by ``_`` unless ``prefix_separator`` says
otherwise). Both lower-case what is left. Without a split or separator the rest of the name
is one flat key (``LLDAP_LDAP_PORT`` -> ``ldap_port``).

In such a repository a variable of that prefix, wherever it is read (a clap ``env = "..."``,
``std::env::var``), stands for the key, and the key documented in a configuration template
(configdocs.py) documents the variable. :func:`keymaps` reads the repository's mappings once;
:func:`keys_of` gives a name's keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: words a ``git grep`` for the files setting up a mapping looks for
SEARCH_WORDS = ("prefixed(", "with_prefix(")
#: Rust files read for mappings, at most
MAX_FILES = 50
#: a library call and what follows it on the same builder chain, at most
_CHAIN = 300
_FIGMENT = re.compile(r'\bEnv::prefixed\(\s*"(?P<prefix>[A-Za-z0-9_]{1,60})"\s*\)')
_CONFIG_RS = re.compile(r'\bEnvironment::with_prefix\(\s*"(?P<prefix>[A-Za-z0-9_]{1,60})"\s*\)')
_SPLIT = re.compile(r'^\s*\.(?:split|separator)\(\s*"(?P<sep>[^"\n]{1,5})"\s*\)')
_PREFIX_SEPARATOR = re.compile(r'\.prefix_separator\(\s*"(?P<sep>[^"\n]{0,5})"\s*\)')
_NEXT_CALL = re.compile(r"^\s*\.\w+\([^()]{0,200}\)")


@dataclass(frozen=True, slots=True)
class KeyMap:
    """Variables starting with ``prefix`` are keys, nested at ``separator`` (None: flat)."""

    prefix: str
    separator: str | None


def keymaps(texts: Iterable[str]) -> tuple[KeyMap, ...]:
    """The mappings the Rust files set up, each once, in the order found."""
    found: list[KeyMap] = []
    for text in texts:
        for pattern, library in ((_FIGMENT, "figment"), (_CONFIG_RS, "config")):
            for m in pattern.finditer(text):
                chain = _chain(text, m.end())
                separator = _separator(chain)
                prefix = m.group("prefix")
                if library == "config":
                    joined = _PREFIX_SEPARATOR.search(chain)
                    prefix += joined.group("sep") if joined else (separator or "_")
                mapping = KeyMap(prefix.upper(), separator)
                if mapping not in found:
                    found.append(mapping)
    return tuple(found)


def _chain(text: str, start: int) -> str:
    """The builder calls chained right after a library call (``.split("__")``, ...)."""
    calls, rest = [], text[start : start + _CHAIN]
    while (m := _NEXT_CALL.match(rest)) is not None:
        calls.append(m.group(0))
        rest = rest[m.end() :]
    return "".join(calls)


def _separator(chain: str) -> str | None:
    for call in re.findall(r"\.\w+\([^()]*\)", chain):
        m = _SPLIT.match(call)
        if m is not None:
            return m.group("sep")
    return None


def keys_of(name: str, maps: Iterable[KeyMap]) -> tuple[str, ...]:
    """The configuration keys (lower-case, dotted) that ``name`` sets under ``maps``."""
    keys: list[str] = []
    for mapping in maps:
        if not name.upper().startswith(mapping.prefix) or len(name) <= len(mapping.prefix):
            continue
        rest = name[len(mapping.prefix) :].lower()
        parts = rest.split(mapping.separator.lower()) if mapping.separator else [rest]
        if all(parts):
            key = ".".join(parts)
            if key not in keys:
                keys.append(key)
    return tuple(keys)
