"""Rust settings structs filled by config-rs or figment, whose fields the environment sets.

A file that sets up an environment source (config-rs ``Environment::with_prefix("APP")``,
figment ``Env::prefixed("APP_")``: keymaps.py reads the prefix and separator) and
deserialises the merged configuration into a struct (config-rs ``.try_deserialize()``,
figment ``.extract()``) reads one variable per field of that struct: the prefix followed by
the field's name upper-cased (``new_setting`` -> ``APP_NEW_SETTING``), which is also the
configuration key ``new_setting``, documented as such in a config sample or the docs.

The struct is the one the call names by a turbofish, else the ``let`` it is assigned to,
else the type the enclosing function returns (``Result<Self>`` inside ``impl Settings``
is ``Settings``), and it is read only when the same file declares it. It is read only when
every environment source of the file has the same prefix. Only a field one variable sets
is read: of a standard scalar type (``String``, ``u16``, ``PathBuf``, ``Option<bool>``)
or an enum the file declares; any other type may be a table whose own keys are the
variables (``APP_DB__URL``). A ``#[serde(flatten)]`` or ``#[serde(skip)]`` field is no
variable of its own. A struct that renames all its fields (``#[serde(rename_all = ...)]``)
is not read. Comments, string contents and ``#[cfg(test)]`` items are left out.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars import keymaps
from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_rust import without_tests
from gatekeeper.checks.envvars.text_rustenvy import (  # the same struct walk
    LET,
    RENAME,
    SKIPPED,
    STRUCT,
    brace_depth,
    closing_brace,
)
from gatekeeper.checks.rustlex import mask

#: the deserialising calls: config-rs ``try_deserialize``, figment ``extract`` (with a
#: turbofish or none; ``extract_inner("key")`` reads one key and is not one)
_DESERIALISE = re.compile(
    r"\.\s*(?:try_deserialize|extract)\s*"
    r"(?:::\s*<\s*(?P<turbofish>[A-Za-z_]\w*)\s*>\s*)?\(\s*\)"
)
_FN = re.compile(
    r"\bfn\s+\w+\s*(?:<[^>{]{0,200}>\s*)?\([^{;]{0,500}?\)\s*->\s*"
    r"(?:[\w:]*(?:Result|Arc|Box|Option)\s*<\s*)*(?P<type>[A-Za-z_]\w*)[^{;]{0,200}\{"
)
_IMPL = re.compile(r"\bimpl\s*(?:<[^>{]{0,200}>\s*)?(?:[\w:]+\s+for\s+)?(?P<type>[A-Za-z_]\w*)")
_FIELD = re.compile(
    r"(?P<attrs>(?:#\[[^\]]{0,300}\]\s*)*)(?:pub(?:\([^)]{0,50}\))?\s+)?"
    r"(?P<field>[A-Za-z_]\w*)\s*:(?!:)\s*(?P<type>[A-Za-z_][\w:]*)"
    r"(?:\s*<\s*(?P<inner>[A-Za-z_][\w:]*))?"
)
#: the attributes right before a struct (to see a ``rename_all``)
_ATTRS_BEFORE = re.compile(r"(?:#\[[^\]]{0,300}\]\s*)*(?:pub(?:\([^)]{0,50}\))?\s+)?$")
#: wrappers whose parameter is the field's real type (``Option<Db>`` is a table too)
_WRAPPERS = frozenset({"Option", "Box", "Arc", "Vec"})
#: the types one variable sets; a field of any other type, save an enum of the file, may be
#: a table declared elsewhere (a variable per key of its own) and is not read
_SCALARS = frozenset(
    {"String", "str", "bool", "char", "f32", "f64", "usize", "isize", "PathBuf", "Url"}
    | {f"{sign}{bits}" for sign in "ui" for bits in (8, 16, 32, 64, 128)}
    | {"SocketAddr", "IpAddr", "Ipv4Addr", "Ipv6Addr", "Duration", "SecretString"}
)
_ENUM = re.compile(r"\benum\s+(?P<name>[A-Za-z_]\w*)")


def settings_reads(text: str) -> list[EnvRead]:
    """The variables the config-rs or figment extractions of a Rust file read."""
    if "Environment::with_prefix" not in text and "Env::prefixed" not in text:
        return []
    maps = keymaps.keymaps([mask_comments(text)])
    if len({m.prefix for m in maps}) != 1:
        return []
    prefix = maps[0].prefix
    code = without_tests(mask(text))  # comments, strings and test items blanked
    structs = {m.group("name"): m for m in STRUCT.finditer(code)}
    scalars = _SCALARS | {m.group("name") for m in _ENUM.finditer(code)}
    reads: list[EnvRead] = []
    seen: set[str] = set()
    for m in _DESERIALISE.finditer(code):
        name = m.group("turbofish") or _target(code, m.start())
        if name is None or name not in structs or name in seen:
            continue
        seen.add(name)
        line = line_of(text, m.start())
        for field in _fields(code, text, structs[name], scalars):
            reads.append(
                EnvRead(
                    prefix + field.upper(),
                    line,
                    "config-rs/figment struct field",
                    case_insensitive=True,
                    keys=(field.lower(),),
                )
            )
    return reads


def mask_comments(text: str) -> str:
    """``text`` without its ``//`` line comments (a commented-out source is none)."""
    return re.sub(r"(?m)^\s*//.*$", "", text)


def _target(code: str, at: int) -> str | None:
    """The struct a deserialising call without a turbofish fills: the ``let``'s type,
    else the type the function enclosing the call returns (``Self``: the ``impl``'s)."""
    let = LET.search(code[max(0, at - 400) : at])
    if let is not None:
        return let.group("type")
    enclosing = None
    for fn in _FN.finditer(code, max(0, at - 20_000), at):
        if closing_brace(code, fn.end() - 1) > at:
            enclosing = fn
    if enclosing is None:
        return None
    name = enclosing.group("type")
    if name != "Self":
        return name
    impls = list(_IMPL.finditer(code, 0, enclosing.start()))
    return impls[-1].group("type") if impls else None


def _fields(
    code: str, text: str, struct: re.Match[str], scalars: frozenset[str] | set[str]
) -> list[str]:
    """The keys of the struct's own scalar fields, as serde names them (none when the
    struct renames all its fields)."""
    before = code[max(0, struct.start() - 600) : struct.start()]
    attrs_before = _ATTRS_BEFORE.search(before)
    if attrs_before is not None and "rename_all" in attrs_before.group(0):
        return []
    end = closing_brace(code, struct.end() - 1)
    body = code[struct.end() : end]
    out = []
    for f in _FIELD.finditer(body):
        if brace_depth(body, f.start()) or SKIPPED.search(f.group("attrs")):
            continue
        kind = f.group("type").rsplit("::", 1)[-1]
        if kind in _WRAPPERS and f.group("inner"):
            kind = f.group("inner").rsplit("::", 1)[-1]
        if kind not in scalars:
            continue
        attrs = text[struct.end() + f.start("attrs") : struct.end() + f.end("attrs")]
        rename = RENAME.search(attrs)
        out.append(rename.group("name") if rename else f.group("field"))
    return out
