"""Go command-line flags whose value may come from the environment.

urfave/cli names a flag's variables in the flag's literal, differently in each major
version: v1 ``EnvVar: "APP_A,APP_B"`` (one string, names split on commas), v2
``EnvVars: []string{"APP_A", "APP_B"}``, v3 ``Sources: cli.EnvVars("APP_A", "APP_B")`` or
single sources, ``cli.EnvVar("APP_A")``, often inside ``cli.NewValueSourceChain(...)``.
kingpin chains ``.Envar("APP_A")`` (``.OverrideDefaultFromEnvar`` before v2) onto a flag.

A form counts only in a file importing its library (``EnvVar:`` alone is any struct's
field), and v3's calls only through the name the file imports the package as
(``ucli.EnvVars`` after ``import ucli "github.com/urfave/cli/v3"``). The names of one flag
are one setting: the first is the read, the others its aliases, so a flag that keeps any
of its names (or moves from one version's form to another's) is not a new read.
"""

from __future__ import annotations

import bisect
import functools
import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_names import (
    GO,
    Constants,
    bracket_pairs,
    evaluate,
    file_constants,
    split_args,
)

#: words a Go file holds when it may read flags this way (a cheap test before the scan)
IMPORT_WORDS = ("urfave/cli", "kingpin")
_URFAVE_IMPORT = re.compile(
    r"""(?m)^[ \t]*(?:import[ \t]+)?(?:(?P<alias>[A-Za-z_]\w*|\.)[ \t]+)?"""
    r""""(?:github\.com/urfave/cli(?:/v[0-9]+)?|gopkg\.in/urfave/cli\.v[0-9]+)"[ \t]*(?://.*)?$"""
)
_KINGPIN_IMPORT = re.compile(
    r'"(?:gopkg\.in/alecthomas/kingpin\.v\d+|github\.com/alecthomas/kingpin[^"]*)"'
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: v1's field: one string (or a constant) holding comma-separated names
_V1_FIELD = re.compile(r"\bEnvVar[ \t]*:[ \t]*(?P<value>\"(?:[^\"\\\n]|\\.)*\"|[A-Za-z_][\w.]*)")
#: v2's field: a slice literal of names
_V2_FIELD = re.compile(r"\bEnvVars[ \t]*:[ \t]*\[\][ \t]*string[ \t]*\{")
_FLAG_NAME = re.compile(r'\bName[ \t]*:[ \t]*"([^"\\\n]{1,100})"')
_FLAG_ALIASES = re.compile(r"\bAliases[ \t]*:[ \t]*\[\][ \t]*string[ \t]*\{([^{}]{0,1000})\}")
#: what a flag name must look like to stand for a configuration key
_KEY = re.compile(r"[A-Za-z][\w.-]*")
#: enclosing braces looked through for a read's flag literal, and its longest text
MAX_ENCLOSING = 64
MAX_LITERAL = 8000
_KINGPIN_CALL = re.compile(r"\.(?:Envar|OverrideDefaultFromEnvar)\(")


def flag_reads(text: str, outer: Constants) -> list[EnvRead]:
    """The variables a Go file's urfave/cli or kingpin flags read (none when it imports
    neither library); a name given as a constant is the file's own, else ``outer``'s."""
    own = file_constants(text, GO)

    def lookup(name: str) -> str | None:
        return own[name] if name in own else outer(name)

    reads: list[EnvRead] = []
    aliases = _urfave_names(text)
    if aliases:
        reads += _v1_reads(text, lookup) + _v2_reads(text, lookup)
        reads += _v3_reads(text, lookup, aliases)
    if _KINGPIN_IMPORT.search(text):
        for m in _KINGPIN_CALL.finditer(text):
            args = split_args(text, m.end())
            if args is not None and len(args) == 1:
                reads += _one_flag(text, m.start(), args, lookup, "kingpin Envar", keyed=False)
    return reads


def _urfave_names(text: str) -> set[str]:
    """The names a file reaches urfave/cli through: ``cli`` by default, its alias when it
    renames the import, ``""`` for a dot import."""
    names = set()
    for m in _URFAVE_IMPORT.finditer(text):
        alias = m.group("alias")
        names.add("" if alias == "." else alias or "cli")
    return names


def _v1_reads(text: str, constants: Constants) -> list[EnvRead]:
    reads: list[EnvRead] = []
    for m in _V1_FIELD.finditer(text):
        value = evaluate(m.group("value"), constants, {})
        if isinstance(value, str):
            names = [f'"{p.strip()}"' for p in value.split(",") if p.strip()]
            reads += _one_flag(text, m.start(), names, constants, "urfave/cli EnvVar")
        else:
            reads.append(EnvRead("", line_of(text, m.start()), "urfave/cli EnvVar"))
    return reads


def _v2_reads(text: str, constants: Constants) -> list[EnvRead]:
    reads: list[EnvRead] = []
    for m in _V2_FIELD.finditer(text):
        args = split_args(text, m.end())
        if args is not None:
            reads += _one_flag(text, m.start(), args, constants, "urfave/cli EnvVars")
    return reads


def _v3_reads(text: str, constants: Constants, aliases: set[str]) -> list[EnvRead]:
    """``EnvVars(...)`` and ``EnvVar(...)`` called through the package's names. The
    ``EnvVar`` sources of one ``NewValueSourceChain(...)`` are one flag's names."""
    heads = [re.escape(a) + r"\." for a in sorted(aliases) if a]
    if "" in aliases:  # a dot import: the bare call
        heads.append("")
    call = re.compile(rf"(?<![\w.])(?:{'|'.join(heads)})(?P<func>EnvVars?|NewValueSourceChain)\(")
    reads: list[EnvRead] = []
    chain_end = -1
    for m in call.finditer(text):
        if m.start() < chain_end:
            continue  # a source of the chain read below
        args = split_args(text, m.end())
        func = m.group("func")
        if args is None or (func == "EnvVar" and len(args) != 1):
            continue
        if func == "NewValueSourceChain":
            chain_end = bracket_pairs(text).get(m.end() - 1, m.end())
            args = _chain_names(text, call, m.end(), chain_end)
        reads += _one_flag(text, m.start(), args, constants, f"urfave/cli {func}")
    return reads


def _chain_names(text: str, call: re.Pattern[str], start: int, end: int) -> list[str]:
    """The arguments of the ``EnvVar(...)`` sources between ``start`` and ``end`` (a
    chain's files, maps and other sources name no variable)."""
    names: list[str] = []
    for m in call.finditer(text, start, end):
        if m.group("func") == "EnvVar":
            args = split_args(text, m.end())
            names += args if args is not None and len(args) == 1 else []
    return names


def _one_flag(
    text: str, offset: int, args: list[str], constants: Constants, how: str, *, keyed: bool = True
) -> list[EnvRead]:
    """One read for the names of one flag, the first its name and the rest its aliases; a
    name that cannot be known is a dynamic read of its own. ``keyed``: the flag's own
    names (urfave/cli's ``Name`` and ``Aliases``) are the configuration keys it stands for."""
    line = line_of(text, offset)
    names: list[str] = []
    reads: list[EnvRead] = []
    for arg in args:
        value = evaluate(arg, constants, {})
        if isinstance(value, str) and _NAME.fullmatch(value):
            names.append(value)
        else:
            reads.append(EnvRead("", line, how))
    if names:
        unique = list(dict.fromkeys(names))
        keys = _flag_keys(text, offset) if keyed else ()
        reads.append(EnvRead(unique[0], line, how, aliases=tuple(unique[1:]), keys=keys))
    return reads


def _flag_keys(text: str, offset: int) -> tuple[str, ...]:
    """The ``Name`` and ``Aliases`` of the flag literal around ``offset``, lower-case:
    urfave/cli takes the setting from the command line under them too (and, with altsrc,
    from a config file), so the flag documented by one of them is documented."""
    opens, closes = _braces(text)
    at = bisect.bisect_left(opens, offset) - 1
    for i in range(at, max(at - MAX_ENCLOSING, -1), -1):
        if closes[i] > offset:
            body = text[opens[i] : closes[i]] if closes[i] - opens[i] <= MAX_LITERAL else ""
            break
    else:
        return ()
    found = [m.group(1) for m in _FLAG_NAME.finditer(body)][:1]
    aliases = _FLAG_ALIASES.search(body)
    if aliases is not None:
        found += re.findall(r'"([^"\\\n]+)"', aliases.group(1))
    return tuple(dict.fromkeys(k.lower() for k in found if _KEY.fullmatch(k)))


@functools.lru_cache(maxsize=1)
def _braces(text: str) -> tuple[list[int], list[int]]:
    """The file's ``{`` in order, and where each closes (the last file asked about)."""
    pairs = sorted((o, c) for o, c in bracket_pairs(text).items() if text[o] == "{")
    return [o for o, _ in pairs], [c for _, c in pairs]
