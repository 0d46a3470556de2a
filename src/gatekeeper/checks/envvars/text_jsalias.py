"""JavaScript/TypeScript names that stand for the whole environment.

``const env = process.env`` (or an object spreading it, ``environment = { ...environment,
...process.env }``) makes ``env.NAME`` and ``env["NAME"]`` reads of ``NAME``. When a module
exports such a binding (``export default environment``, ``export default process.env``,
``export const env = process.env``), a file importing it from the repository
(``import environment from "./utils/environment"``, ``import { env } from "@/env"``) reads
through it the same way; :class:`~.text_constants.Neighbours` resolves the import. A module
whose export is built otherwise gives its importers no reads.

Every search here is one pass, or a bounded look back from a ``process.env`` the pass
found: a hostile file costs a constant per occurrence.
"""

from __future__ import annotations

import bisect
import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_names import bracket_pairs

#: the whole environment (not ``process.env.X`` nor ``process.env[...]``)
_WHOLE = re.compile(r"\b(?:process\.env|import\.meta\.env)\b(?!\s*(?:[.\[]|\?\.))")
#: the name just before an assignment's ``=`` (not a member: ``this.env = ...``)
_TRAILING_NAME = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)$")
#: a declaration with a type before its ``=``: ``const env: NodeJS.ProcessEnv``
_TYPED = re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*:")
_EXPORT_DEFAULT = re.compile(r"\bexport\s+default\s+([A-Za-z_$][\w$]*)\s*(?:;|$)", re.M)
_EXPORT_DECL = re.compile(r"\bexport\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)")
_EXPORT_LIST = re.compile(r"\bexport\s*\{([^{}]{0,1000})\}")
#: an import of a module's default or named bindings: group "default", group "names"
_IMPORT = re.compile(
    r"\bimport\s+(?:type\s+)?(?:(?P<default>[A-Za-z_$][\w$]*)\s*,?\s*)?"
    r"(?:\{(?P<names>[^{}]{0,1000})\}\s*)?from\s*[\"'](?P<spec>[^\"'\n]{1,300})[\"']"
)
#: how far back an enclosing object literal is looked for
_LOOK_BACK = 300
_MAX_ENCLOSING = 64


def env_bindings(text: str) -> tuple[set[str], bool]:
    """The names the file binds to the whole environment, and whether it exports the
    environment itself as its default (``export default process.env``)."""
    if "env" not in text:
        return set(), False
    names: set[str] = set()
    whole_default = False
    opens: list[int] | None = None
    for m in _WHOLE.finditer(text):
        before = text[max(0, m.start() - _LOOK_BACK) : m.start()].rstrip()
        if before.endswith("export default") and not _is_word(before[:-14][-1:]):
            whole_default = True
        elif (name := _assigned_name(text, m.start())) is not None:
            names.add(name)
        elif before.endswith("..."):
            opens = opens if opens is not None else sorted(bracket_pairs(text))
            name = _object_binding(text, m.start(), opens)
            if name:
                names.add(name)
    return names, whole_default


def _object_binding(text: str, at: int, opens: list[int]) -> str | None:
    """The name an object literal around ``at`` is assigned to, if it is one."""
    pairs = bracket_pairs(text)
    i = bisect.bisect_left(opens, at)
    for open_at in reversed(opens[max(0, i - _MAX_ENCLOSING) : i]):
        if text[open_at] == "{" and pairs[open_at] > at:
            return _assigned_name(text, open_at)
    return None


def _assigned_name(text: str, end: int) -> str | None:
    """The name assigned what starts at ``end`` (``name = ``, ``const name: T = ``)."""
    window = text[max(0, end - _LOOK_BACK) : end].rstrip()
    if not window.endswith("=") or window.endswith(("==", "!=", "<=", ">=")):
        return None
    left = window[:-1].rstrip()
    m = _TRAILING_NAME.search(left)
    if m is not None:
        return m.group(1) if m.group(1) not in ("const", "let", "var") else None
    typed = _TYPED.match(left, left.rfind("\n") + 1)
    return typed.group(1) if typed else None


def _is_word(ch: str) -> bool:
    return bool(ch) and (ch.isalnum() or ch in "_$")


def env_exports(text: str) -> set[str]:
    """The module's exports that are the whole environment: ``"default"`` and named ones."""
    bound, whole_default = env_bindings(text)
    out = {"default"} if whole_default else set()
    if not bound:
        return out
    out |= {"default" for m in _EXPORT_DEFAULT.finditer(text) if m.group(1) in bound}
    out |= {m.group(1) for m in _EXPORT_DECL.finditer(text) if m.group(1) in bound}
    for m in _EXPORT_LIST.finditer(text):
        for item in m.group(1).split(","):
            local, _, exported = item.strip().partition(" as ")
            if local.strip() in bound:
                out.add((exported or local).strip())
    return out


def imports(text: str) -> list[tuple[str, str, str]]:
    """``(local name, module specifier, exported name)`` of the file's imports."""
    out = []
    for m in _IMPORT.finditer(text):
        spec = m.group("spec")
        if m.group("default"):
            out.append((m.group("default"), spec, "default"))
        for item in (m.group("names") or "").split(","):
            exported, _, local = item.strip().removeprefix("type ").partition(" as ")
            if exported.strip():
                out.append(((local or exported).strip(), spec, exported.strip()))
    return out


_MEMBER = re.compile(
    r"(?<![\w$.])(?P<obj>[A-Za-z_$][\w$]*)\s*(?:\?\.|\.)\s*(?P<dot>[A-Za-z_]\w*)\b(?!\s*\()"
    r"|(?<![\w$.])(?P<obj2>[A-Za-z_$][\w$]*)\s*(?:\?\.)?\[\s*[\"'](?P<key>[A-Za-z_]\w*)[\"']\s*\]"
)


def used_objects(text: str) -> set[str]:
    """Identifiers the file reads a member of (``x.NAME``, ``x["NAME"]``): the only imports
    worth resolving."""
    return {m.group("obj") or m.group("obj2") for m in _MEMBER.finditer(text)}


def reads_a_name(text: str, obj: str) -> bool:
    """Whether the file reads something that looks like a variable through ``obj``
    (``obj.UPPER_NAME`` or ``obj["NAME"]``): only then is its import worth resolving (most
    imports are used as ``z.object`` or ``prisma.user``). The pattern starts with the
    name, so the search skips to its occurrences."""
    if f"{obj}." not in text and f"{obj}[" not in text and f"{obj}?." not in text:
        return False
    pattern = re.compile(
        re.escape(obj) + r"\s*(?:\??\.\s*[A-Z][A-Z0-9_]*\b(?!\s*\()|(?:\?\.)?\[\s*[\"'])"
    )
    for m in pattern.finditer(text):
        before = text[m.start() - 1 : m.start()]
        if before != "." and not _is_word(before):
            return True
    return False


def alias_reads(text: str, aliases: set[str]) -> list[EnvRead]:
    """``alias.NAME`` (upper case) and ``alias["NAME"]`` for each of ``aliases`` (one pass)."""
    if not aliases:
        return []
    reads = []
    for m in _MEMBER.finditer(text):
        obj = m.group("obj") or m.group("obj2")
        # a member in lower case is the object's own (``config.server.port``), not a
        # variable: names are upper case in practice; a ["key"] is taken as written
        name = m.group("key") or m.group("dot")
        if obj in aliases and (m.group("key") or not any(c.islower() for c in name)):
            reads.append(EnvRead(name, line_of(text, m.start()), f"{obj}.X (process.env)"))
    return reads
