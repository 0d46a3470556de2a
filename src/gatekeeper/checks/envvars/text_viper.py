"""Go settings read through viper's ``AutomaticEnv``: every key a program reads through
viper can then be set from the environment.

After ``viper.SetEnvPrefix("vikunja")``, ``viper.SetEnvKeyReplacer(strings.NewReplacer(".",
"_"))`` and ``viper.AutomaticEnv()``, ``viper.GetString("database.schema")`` also reads
``VIKUNJA_DATABASE_SCHEMA``: viper joins prefix and key with ``_``, upper-cases the result
and passes it through the replacer. Without a replacer that turns dots into underscores a
dotted key names no variable a shell can set, and is left alone; without a prefix the name
is the key alone.

The setup is usually in one file (the configuration package's init) and the reads all
over the repository, so :func:`setups` is asked of the side's files that call
``AutomaticEnv`` (found by one search, :class:`~.text_constants.Neighbours`); several setups
make each key's names alternatives. The reads themselves are textual:

- a literal or constant key passed to a getter, ``IsSet`` or ``SetDefault`` of the
  ``viper`` package, or of a value the file types as ``*viper.Viper`` (``v := viper.New()``,
  a ``cfg *viper.Viper`` parameter or field), in a file importing viper;
- ``SetDefault("auth", map[string]any{"token": map[string]any{"enabled": false}})``: a
  nested map of defaults declares each leaf's key (``auth.token.enabled``), which viper's
  ``Unmarshal`` then reads from the environment as it reads any key it knows;
- the typed-key idiom: ``type Key string`` whose methods pass ``string(k)`` to viper
  (``func (k Key) GetString() string { return viper.GetString(string(k)) }``) makes every
  constant of that type a key (``DatabaseSchema Key = `database.schema```); the read's
  line is the constant's declaration.

Each read carries its key (lower-cased, as viper keeps keys), so documentation of the key
path (a config sample, a dotted key in the docs: configdocs.py) documents the variable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_names import Constants, _split_top, bracket_pairs

#: the import that makes ``viper.`` calls viper's
VIPER_IMPORT = '"github.com/spf13/viper"'
#: the word a search for the repository's setups looks for
SETUP_WORD = "AutomaticEnv"
#: setups kept per side (prefix x replacer combinations), at most
MAX_SETUPS = 8
#: names bound to a ``*viper.Viper`` followed per file, at most
MAX_VALUES = 16
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_AUTOMATIC = re.compile(r"\.AutomaticEnv\([ \t]*\)")
_PREFIX = re.compile(r'\.SetEnvPrefix\([ \t]*"(?P<p>[A-Za-z0-9_]{0,100})"[ \t]*\)')
_REPLACER = re.compile(
    r"\.SetEnvKeyReplacer\([ \t]*strings\.NewReplacer\((?P<args>[^()\n]{0,500})\)"
)
_GO_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.){0,200})"|`([^`\n]{0,200})`')
#: what viper reads a key with (and ``SetDefault``, which declares a key read elsewhere)
_CALLS = (
    r"(?:Get(?:String(?:Slice|Map(?:String(?:Slice)?)?)?|Bool|Int(?:32|64|Slice)?"
    r"|Uint(?:8|16|32|64)?|Float64|Time|Duration|SizeInBytes)?|IsSet|SetDefault)"
)
_KEY_ARG = (
    r"[ \t]*(?P<arg>\"(?:[^\"\\\n]|\\.){0,200}\"|`[^`\n]{0,200}`"
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)[ \t]*[,)]"
)
#: a map literal of defaults, after ``SetDefault("key",``
_MAP_LITERAL = re.compile(r"[ \t]*map\[string\](?:any|interface\{\})[ \t]*\{")
#: an entry of such a map: its quoted key, then its value
_ENTRY = re.compile(r'\s*"(?P<key>[A-Za-z0-9_-]{1,100})"[ \t]*:[ \t]*(?P<value>.*)', re.S)
#: a value that is a default of its own (a leaf), not a map held in a variable
_SCALAR = re.compile(r'(?:"|`|-?\d|true\b|false\b|\[\]|[A-Za-z_]\w*\.[A-Za-z_]|\(|\d)', re.S)
#: a ``//`` comment, or a string (which may hold ``//``: a URL)
_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|//[^\n]*')
#: how deep a nested map of defaults is followed
MAX_MAP_DEPTH = 6
_VALUE = re.compile(
    r"\b(?P<name>[A-Za-z_]\w*)[ \t]+\*viper\.Viper\b"
    r"|\b(?P<made>[A-Za-z_]\w*)[ \t]*:?=[ \t]*viper\.(?:New|GetViper)\(\)"
)
_METHOD = re.compile(
    r"\bfunc[ \t]*\([ \t]*(?P<recv>[A-Za-z_]\w*)[ \t]+\*?(?P<type>[A-Za-z_]\w*)[ \t]*\)"
    r"[ \t]*[A-Za-z_]\w*[ \t]*\([^()\n]{0,400}\)[^{}\n]{0,200}\{"
)
_TYPED_CONSTANT = re.compile(
    r"(?m)^[ \t]*(?:const[ \t]+)?(?P<name>[A-Za-z_]\w*)[ \t]+(?P<type>[A-Za-z_]\w*)[ \t]*="
    r"[ \t]*(?:\"(?P<quoted>(?:[^\"\\\n]|\\.){0,200})\"|`(?P<raw>[^`\n]{0,200})`)"
)


@dataclass(frozen=True, slots=True)
class Setup:
    """One ``AutomaticEnv`` configuration: the prefix and the replacer's pairs."""

    prefix: str
    replacements: tuple[tuple[str, str], ...]


def setups(texts: Iterable[str]) -> tuple[Setup, ...]:
    """The setups of the files that import viper and call ``AutomaticEnv``: each prefix
    the file sets with each replacer it sets (none: the key as it is)."""
    found: list[Setup] = []
    for text in texts:
        if VIPER_IMPORT not in text or not _AUTOMATIC.search(text):
            continue
        prefixes = [m.group("p") for m in _PREFIX.finditer(text)] or [""]
        replacers = [_pairs(m.group("args")) for m in _REPLACER.finditer(text)] or [()]
        for prefix in prefixes:
            for pairs in replacers:
                setup = Setup(prefix, pairs)
                if setup not in found and len(found) < MAX_SETUPS:
                    found.append(setup)
    return tuple(found)


def _pairs(args: str) -> tuple[tuple[str, str], ...]:
    values = [a or b for a, b in _GO_LITERAL.findall(args)]
    return tuple(zip(values[0::2], values[1::2], strict=False))


def env_names(key: str, known: Iterable[Setup]) -> list[str]:
    """The variables ``key`` is read from under each setup (names no shell can set, as a
    dotted key's without a replacer, are left out)."""
    names: list[str] = []
    for setup in known:
        merged = f"{setup.prefix}_{key}" if setup.prefix else key
        name = _replace(merged.upper(), setup.replacements)
        if _NAME.fullmatch(name) and name not in names:
            names.append(name)
    return names


def _replace(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """What Go's ``strings.NewReplacer(pairs...).Replace(text)`` gives: at each position
    the first pair whose old string starts there, in one pass."""
    pairs = tuple((old, new) for old, new in pairs if old)
    if not pairs:
        return text
    out, i = [], 0
    while i < len(text):
        hit = next(((old, new) for old, new in pairs if text.startswith(old, i)), None)
        if hit is None:
            out.append(text[i])
            i += 1
        else:
            out.append(hit[1])
            i += len(hit[0])
    return "".join(out)


def key_types(text: str) -> set[str]:
    """The named types of a file whose methods pass ``string(receiver)`` to viper (the
    ``viper`` package, or a value the file types as ``*viper.Viper``)."""
    if VIPER_IMPORT not in text or "string(" not in text:
        return set()
    callee = _callee(text)
    pairs = bracket_pairs(text)
    found: set[str] = set()
    for m in _METHOD.finditer(text):
        if m.group("type") in found:
            continue
        end = pairs.get(m.end() - 1)
        body = text[m.end() : end] if end is not None else ""
        passes = re.compile(
            rf"\b{callee}\.\w+\([ \t]*string\([ \t]*{re.escape(m.group('recv'))}[ \t]*\)"
        )
        if passes.search(body):
            found.add(m.group("type"))
    return found


def _values(text: str) -> list[str]:
    names = []
    for m in _VALUE.finditer(text):
        name = m.group("name") or m.group("made")
        if name not in names and name != "viper":
            names.append(name)
        if len(names) >= MAX_VALUES:
            break
    return names


def _callee(text: str) -> str:
    """A pattern for the receivers of viper's functions in this file."""
    return "(?:" + "|".join(map(re.escape, ["viper", *_values(text)])) + ")"


def viper_reads(
    text: str,
    constants: Constants,
    known: tuple[Setup, ...],
    package_types: Callable[[], set[str]] | None = None,
) -> list[EnvRead]:
    """The variables a Go file reads through viper keys under the setups ``known``;
    ``package_types()`` names the typed-key types of the file's package declared in its
    other files (asked only when the file declares constants of a type it has no methods
    of)."""
    if not known:
        return []
    reads: list[EnvRead] = []
    if VIPER_IMPORT in text:
        call = re.compile(rf"\b{_callee(text)}\.{_CALLS}\({_KEY_ARG}")
        for m in call.finditer(text):
            key = _key(m.group("arg"), constants)
            if key is None:
                continue
            reads += _read(key, line_of(text, m.start()), known)
            literal = _MAP_LITERAL.match(text, m.end())
            if literal is not None and m.group(0).split("(")[0].endswith("SetDefault"):
                for leaf, at in _default_keys(text, literal.end() - 1, key, 1):
                    reads += _read(leaf, line_of(text, at), known)
    reads += _typed_reads(text, known, package_types)
    return reads


def _default_keys(text: str, brace: int, prefix: str, depth: int) -> list[tuple[str, int]]:
    """The leaf keys (under ``prefix``) of the map literal opening at ``brace``, with
    each one's offset: nested map literals are walked into; an entry whose value is a
    variable (a map built elsewhere) is left out, as its keys are unknown here."""
    close = bracket_pairs(text).get(brace)
    if close is None or depth > MAX_MAP_DEPTH:
        return []
    found: list[tuple[str, int]] = []
    offset = brace + 1
    body = _COMMENT_OR_STRING.sub(_blank_comment, text[brace + 1 : close])
    for piece in _split_top(body, ","):
        entry = _ENTRY.match(piece)
        start, offset = offset, offset + len(piece) + 1
        if entry is None:
            continue
        key = f"{prefix}.{entry.group('key')}"
        value_at = start + entry.start("value")
        nested = _MAP_LITERAL.match(text, value_at)
        if nested is not None:
            found += _default_keys(text, nested.end() - 1, key, depth + 1)
        elif _SCALAR.match(entry.group("value")):
            found.append((key, start + entry.start("key")))
    return found


def _blank_comment(m: re.Match[str]) -> str:
    """A comment as spaces of its length (offsets kept); a string as it is."""
    return " " * len(m.group()) if m.group().startswith("//") else m.group()


def _typed_reads(
    text: str, known: tuple[Setup, ...], package_types: Callable[[], set[str]] | None
) -> list[EnvRead]:
    constants = [m for m in _TYPED_CONSTANT.finditer(text) if m.group("type") != "string"]
    if not constants:
        return []
    types = key_types(text)
    if package_types is not None and any(m.group("type") not in types for m in constants):
        types |= package_types()
    reads: list[EnvRead] = []
    for m in constants:
        if m.group("type") in types:
            key = m.group("raw") if m.group("raw") is not None else m.group("quoted")
            reads += _read(key, line_of(text, m.start("name")), known)
    return reads


def _key(arg: str, constants: Constants) -> str | None:
    literal = _GO_LITERAL.fullmatch(arg)
    if literal is not None:
        return literal.group(1) if literal.group(1) is not None else literal.group(2)
    return constants(arg)


def _read(key: str, line: int, known: tuple[Setup, ...]) -> list[EnvRead]:
    names = env_names(key, known) if key else []
    if not names:
        return []
    how = f"viper key {key!r} through AutomaticEnv"
    return [EnvRead(names[0], line, how, aliases=tuple(names[1:]), keys=(key.lower(),))]
