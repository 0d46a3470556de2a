"""Elixir functions the repository hands the whole environment: their keys are reads.

sequin's ``config/runtime.exs`` binds ``env_vars = System.get_env()``, the process's whole
environment as a map, and passes it on: ``ConfigParser.max_storage_bytes(env_vars)``.
``ConfigParser`` reads ``env["MAX_STORAGE_MB"]`` from its parameter; that is a read of the
variable, though the function never names the environment. A function counts when some
call of the repository passes it ``System.get_env()``, or a variable bound to it, as its
first argument; in such a function's body, ``param["NAME"]``, ``Map.get(param, "NAME")``,
``Map.fetch(param, "NAME")``/``Map.fetch!`` and ``param |> Map.get("NAME")`` on its
first parameter are reads of ``NAME``.

The calls are found once per side: one search for ``System.get_env()`` in the
repository's own Elixir sources (tests, dependencies and build output left out, as for the
helpers of text_exwrappers), then a textual reading of each file found. A function's body
ends, as there, at the first line indented no deeper than its ``def``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_exwrappers import SOURCES, Search
from gatekeeper.checks.envvars.text_langs import ELIXIR, code_of

#: what a file handing the environment over contains
WORD = "System.get_env()"
#: files read for such calls, at most
MAX_FILES = 50
_SKIPPED = re.compile(r"(?:^|/)(?:deps|_build|test)/|_test\.exs$")
#: ``env_vars = System.get_env()``
_BOUND = re.compile(r"(?m)^[ \t]*(?P<var>[a-z_]\w*)[ \t]*=[ \t]*System\.get_env\(\)[ \t]*$")
#: a call whose first argument is the environment or ``var``: ``Mod.fun(env_vars, ...)``,
#: ``fun(System.get_env())``, also piped, ``env_vars |> Mod.fun()``
_CALL = r"(?:[A-Z][\w.]*\.)?(?P<fn>[a-z_]\w*[?!]?)"
_DEF = re.compile(
    r"(?m)^(?P<indent>[ \t]*)defp?[ \t]+(?P<name>[a-z_]\w*[?!]?)[ \t]*\([ \t]*(?P<param>[a-z_]\w*)"
)
_NAME = r"""["'](?P<{}>[A-Z_][A-Z0-9_]*)["']"""


def _reads_of(param: str) -> re.Pattern[str]:
    p = re.escape(param)
    return re.compile(
        rf"\b{p}\[[ \t]*{_NAME.format('a')}[ \t]*\]"
        rf"|\bMap\.(?:get|fetch!?)\([ \t]*{p}[ \t]*,[ \t]*{_NAME.format('b')}"
        rf"|\b{p}[ \t]*\|>[ \t]*Map\.(?:get|fetch!?)\([ \t]*{_NAME.format('c')}"
    )


def handed_to(text: str) -> set[str]:
    """The functions a file hands the environment to, by name, as their first argument."""
    code = code_of(text, ELIXIR.lexer)
    if WORD not in code:
        return set()
    sources = [re.escape(WORD)] + [re.escape(m["var"]) for m in _BOUND.finditer(code)]
    given = "|".join(sources)
    called = re.compile(rf"\b{_CALL}\([ \t]*(?:{given})[ \t]*[,)]")
    piped = re.compile(rf"(?:{given})[ \t]*\|>[ \t]*{_CALL}\(")
    return {m["fn"] for m in (*called.finditer(code), *piped.finditer(code))}


class ExEnvMaps:
    """The functions one side's Elixir sources hand the environment (see the module
    docstring), found when a file first asks."""

    def __init__(self, read: Callable[[str], str | None], search: Search) -> None:
        self._read, self._search = read, search
        self._handed: frozenset[str] | None = None

    def handed(self) -> frozenset[str]:
        """Every function name some file of the side hands the environment to."""
        if self._handed is None:
            found = self._search([WORD], list(SOURCES)) or []
            kept = sorted(
                (p for p in found if not _SKIPPED.search(p)), key=lambda p: (p.count("/"), p)
            )
            names: set[str] = set()
            for path in kept[:MAX_FILES]:
                names |= handed_to(self._read(path) or "")
            self._handed = frozenset(names)
        return self._handed

    def reads(self, text: str) -> list[EnvRead]:
        """The keys the functions ``text`` defines read from the environment handed them."""
        if "def" not in text:
            return []
        handed = self.handed()
        if not handed:
            return []
        code = code_of(text, ELIXIR.lexer)
        out: list[EnvRead] = []
        lines = code.split("\n")
        for m in _DEF.finditer(code):
            if m["name"] not in handed:
                continue
            start = m.start()
            end = _body_end(code, lines, line_of(code, start), len(m["indent"]))
            how = f"a key of System.get_env(), which the repository hands {m['name']}()"
            for r in _reads_of(m["param"]).finditer(code, start, end):
                name = r["a"] or r["b"] or r["c"]
                out.append(EnvRead(name, line_of(code, r.start()), how))
        return out


def _body_end(code: str, lines: list[str], first: int, indent: int) -> int:
    """The offset where the function whose ``def`` is on line ``first`` (1-based) ends: the
    first later line indented no deeper than the ``def`` (its ``end`` included)."""
    offset = sum(len(line) + 1 for line in lines[:first])
    for line in lines[first:]:
        stripped = line.strip()
        depth = len(line) - len(line.lstrip(" \t"))
        offset += len(line) + 1
        if stripped and depth <= indent:
            return offset
    return len(code)
