"""Go settings read through struct tags: ``Port int `env:"PORT,default=8080"```.

caarlos0/env and sethvargo/go-envconfig read the variable an ``env:"NAME"`` tag names
(the options after the first comma are not names), and so do ilyakaznacheev/cleanenv
and alecthomas/kong (their names after a comma are alternatives; the first is read);
kelseyhightower/envconfig reads the ``envconfig:"NAME"`` tag, or the upper-cased field
name when a field of a tagged struct has none (its words joined by ``_`` with
``split_words:"true"``: ``SecretKeys`` is read as ``SECRET_KEYS``). A tag counts only in
a file importing its library: ``env:"..."`` alone is any struct's metadata. A field
whose type is another struct of the file is walked into, with the library's nested
prefix (go-envconfig's ``env:",prefix=HTTP_"``, caarlos0's ``envPrefix:"HTTP_"``,
cleanenv's ``env-prefix``, kong's ``envprefix``, kelseyhightower's outer key).

The prefix a program puts before every name (go-envconfig's
``envconfig.PrefixLookuper("APP_", ...)``, caarlos0's ``env.Options{Prefix: "APP_"}``,
kelseyhightower's ``envconfig.Process("app", &c)``, which upper-cases to ``APP_``) is
usually set in another file: :func:`prefixes` reads it from the repository's files that
import the library. The read is the full name (``APP_PORT``); with several prefixes in
the repository, each prefixed name is an alternative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_names import bracket_pairs

#: the tag key each library reads -> the import paths that make it a read
LIBRARIES: dict[str, tuple[str, ...]] = {
    "env": (
        '"github.com/caarlos0/env',
        '"github.com/sethvargo/go-envconfig',
        '"github.com/ilyakaznacheev/cleanenv',
        '"github.com/alecthomas/kong',
    ),
    "envconfig": ('"github.com/kelseyhightower/envconfig',),
}
#: words a ``git grep`` for the files importing one of the libraries looks for
IMPORT_WORDS = ("caarlos0", "envconfig", "cleanenv", "alecthomas/kong")
#: how deep nested structs are followed
MAX_DEPTH = 4
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: what a prefix may be (anything else is not a prefix of a variable name)
_PART = re.compile(r"[A-Za-z0-9_]{1,100}")
_STRUCT = re.compile(r"\b(?:type|var)[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+struct[ \t]*\{")
_FIELD = re.compile(
    r"^[ \t]*(?P<field>[A-Za-z_]\w*)(?:[ \t]+(?P<type>[^`\n/]*?))?[ \t]*"
    r"(?:`(?P<tag>[^`\n]*)`)?[ \t]*(?://.*)?$",
    re.M,
)
_TAG = re.compile(r'(?:^|[ \t])(?P<key>[\w-]+):"(?P<value>[^"]*)"')
_PREFIXES = {
    "env": (
        re.compile(r'\bPrefixLookuper\(\s*"(?P<p>[^"\n]*)"'),
        # caarlos0's, inside its Options literal (a ``Prefix:`` elsewhere is anyone's)
        re.compile(r'\bOptions\s*\{[^{}]{0,300}?\bPrefix\s*:\s*"(?P<p>[^"\n]*)"'),
    ),
    "envconfig": (re.compile(r'\benvconfig\.(?:Must)?Process\(\s*"(?P<p>[^"\n]*)"'),),
}
#: the tags that mark a struct as kelseyhightower's (its untagged fields are read too)
_KELSEY_TAGS = frozenset(("envconfig", "default", "required", "split_words"))
_UNTAGGED_TYPES = re.compile(
    r"\*?(?:string|bool|u?int(?:8|16|32|64)?|float(?:32|64)|time\.Duration|\[\](?:string|byte)"
    r"|map\[string\]string)"
)


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    type: str
    tags: dict[str, str]
    offset: int


def libraries(text: str) -> set[str]:
    """The tag keys a Go file's imports make reads (``env``, ``envconfig``)."""
    return {key for key, paths in LIBRARIES.items() if any(p in text for p in paths)}


def prefixes(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The prefixes the files set, per tag key (files not importing a library are skipped)."""
    found: dict[str, list[str]] = {}
    for text in texts:
        for key in libraries(text):
            for pattern in _PREFIXES[key]:
                for m in pattern.finditer(text):
                    p = m.group("p")
                    if key == "envconfig" and p:
                        p = p.upper() + "_"
                    if p and _PART.fullmatch(p) and p not in found.setdefault(key, []):
                        found[key].append(p)
    return {k: tuple(v) for k, v in found.items()}


def tag_reads(text: str, known: dict[str, tuple[str, ...]]) -> list[EnvRead]:
    """The variables the struct tags of a Go file read, with the repository's prefixes
    ``known`` (per tag key) before them."""
    keys = libraries(text)
    if not keys or "struct" not in text:
        return []
    structs = _structs(text)
    nested = {_type_name(f.type or f.name) for fields in structs.values() for f in fields}
    reads: list[EnvRead] = []
    for key in sorted(keys):
        # prefixes in this file count even when the repository could not be searched
        outer = known.get(key) or prefixes([text]).get(key) or ("",)
        for name, fields in structs.items():
            if name not in nested:
                reads += _walk(text, key, structs, fields, outer, 0)
    return reads


def _structs(text: str) -> dict[str, list[_Field]]:
    pairs = bracket_pairs(text)
    out: dict[str, list[_Field]] = {}
    for m in _STRUCT.finditer(text):
        start = m.end()
        end = pairs.get(start - 1)
        if end is None:
            continue
        fields = []
        for f in _FIELD.finditer(text, start, end):
            tags = {t.group("key"): t.group("value") for t in _TAG.finditer(f.group("tag") or "")}
            fields.append(
                _Field(f.group("field"), (f.group("type") or "").strip(), tags, f.start())
            )
        out.setdefault(m.group("name"), fields)
    return out


def _type_name(go_type: str) -> str:
    """``*config.HttpConfig`` -> ``HttpConfig``; an embedded field's type is its name."""
    return go_type.lstrip("*").rsplit(".", 1)[-1]


def _walk(
    text: str,
    key: str,
    structs: dict[str, list[_Field]],
    fields: list[_Field],
    outer: tuple[str, ...],
    depth: int,
) -> list[EnvRead]:
    reads: list[EnvRead] = []
    tagged = any(_KELSEY_TAGS.intersection(f.tags) for f in fields)
    for f in fields:
        inner = structs.get(_type_name(f.type or f.name))
        tag = f.tags.get(key)
        own = tag.split(",")[0].strip() if tag is not None else ""
        if inner is not None and depth < MAX_DEPTH:
            nested = _nested_prefix(key, f, own)
            deeper = tuple(p + nested for p in outer)
            reads += _walk(text, key, structs, inner, deeper, depth + 1)
            continue
        if not own and key == "envconfig" and tagged and tag is None and _plain(f):
            own = split_words(f.name) if f.tags.get("split_words") == "true" else f.name
        if not own or f.tags.get("ignored") == "true":
            continue
        names = [(p + own).upper() if key == "envconfig" else p + own for p in outer]
        if key == "envconfig" and tag is not None:
            names.append(own.upper())  # kelseyhightower falls back to the bare tag
        names = [n for n in names if _NAME.fullmatch(n)]
        if names:
            how = f'struct tag {key}:"..."' if tag is not None else "envconfig field"
            reads.append(EnvRead(names[0], line_of(text, f.offset), how, aliases=_rest(names)))
    return reads


def _plain(field: _Field) -> bool:
    """An exported field of a type kelseyhightower reads from one variable."""
    kind = field.type.replace(" ", "")
    return field.name[0].isupper() and _UNTAGGED_TYPES.fullmatch(kind) is not None


def _nested_prefix(key: str, field: _Field, own: str) -> str:
    """What a nested struct's names get before them, per library."""
    if key == "envconfig":
        if field.type == "" or not field.name[0].isupper():
            return ""  # embedded: kelseyhightower keeps the outer prefix
        if not own and field.tags.get("split_words") == "true":
            own = split_words(field.name)
        return (own or field.name).upper() + "_"
    tag = field.tags.get(key, "")
    option = re.search(r",\s*prefix=([^,]*)", tag)
    if option:
        return option.group(1)
    # caarlos0's ``envPrefix``, cleanenv's ``env-prefix``, kong's ``envprefix``
    return next((field.tags[t] for t in _PREFIX_TAGS if t in field.tags), "")


_PREFIX_TAGS = ("envPrefix", "env-prefix", "envprefix")


#: kelseyhightower's words of a field name: a run of lower case or digits, capitals
#: with what follows them, or capitals alone
_WORDS = re.compile(r"[^A-Z]+|[A-Z]+[^A-Z]+|[A-Z]+")
#: an acronym before a word (``HTTPPort``: ``HTTP`` and ``Port``)
_ACRONYM = re.compile(r"^([A-Z]+)([A-Z][^A-Z]+)$")


def split_words(name: str) -> str:
    """The name kelseyhightower/envconfig gives a field tagged ``split_words:"true"``
    (and no ``envconfig`` name): its camel-case words joined by ``_`` (``SecretKeys`` ->
    ``Secret_Keys``, ``HTTPPort`` -> ``HTTP_Port``; upper-cased later)."""
    words: list[str] = []
    for word in _WORDS.findall(name):
        m = _ACRONYM.match(word)
        words += [m.group(1), m.group(2)] if m else [word]
    return "_".join(words)


def _rest(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names[1:]))
