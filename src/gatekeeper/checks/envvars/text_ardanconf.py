"""Go settings read by ardanlabs/conf: every field of the struct given to ``conf.Parse``.

``conf.Parse("SALES", &cfg)`` (v2, v3; v1's ``conf.Parse(os.Args[1:], "SALES", &cfg)``
and ``conf.ParseOSArgs("SALES", &cfg)``) reads one variable per leaf field of ``cfg``'s
struct, walking nested structs whatever their tags: the name is the upper-cased prefix,
then the field names along the path, each split into its camel-case words, all upper-cased
and joined by ``_`` (``Web.ReadTimeout`` -> ``SALES_WEB_READ_TIMEOUT``; an embedded
struct adds no word). A ``conf:"env:NAME"`` tag replaces the path, not the prefix
(``SALES_NAME``); ``conf:"-"``, ``immutable``, unexported fields and the library's own
``conf.Version``/``conf.Args`` read nothing (v2 and v3 also never read a field named
``Build`` or ``Desc``). The same path, lower-cased and joined by ``-``, is the field's
command-line flag (``--web-read-timeout``): the docs naming that option document it.

The structs usually live in other files than the call (``Config`` in ``conf.go``, its
``Database`` section in ``conf_database.go``), so the whole tree is worked out once per
side of the change (:class:`Tree`, from the files naming the library), and a changed file
reads the leaves whose path passes through a field it declares (or through the call it
holds): renaming a section renames every variable under it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.text_names import Constants, bracket_pairs, evaluate, split_args

#: the word a search for the files using the library looks for
SEARCH_WORD = "ardanlabs/conf"
#: how deep nested structs are followed (the library itself has no limit; cycles stop)
MAX_DEPTH = 8
#: variables one tree may yield, at most (a generated struct must not flood the check)
MAX_LEAVES = 2000
_IMPORT = re.compile(
    r'(?m)^[ \t]*(?:import[ \t]+)?(?:(?P<alias>[A-Za-z_]\w*|\.)[ \t]+)?"(?P<path>[^"\s]+)"'
)
_LIBRARY = re.compile(r"github\.com/ardanlabs/conf(?:/v(?P<major>\d+))?")
_NAMED = re.compile(r"(?m)^type[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+struct[ \t]*\{")
_GROUP = re.compile(r"(?m)^type[ \t]*\(")
_GROUPED = re.compile(r"(?m)^[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+struct[ \t]*\{")
_INLINE = re.compile(r"[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]+\*?struct[ \t]*\{")
_FIELD = re.compile(
    r"[ \t]*(?P<names>[A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)"
    r"(?:[ \t]+(?P<type>[^`/\n]*?))?[ \t]*(?:`(?P<tag>[^`\n]*)`)?[ \t]*(?://.*)?\r?$"
)
_EMBEDDED = re.compile(
    r"[ \t]*\*?(?P<type>[A-Za-z_]\w*\.[A-Za-z_]\w*)[ \t]*(?:`(?P<tag>[^`\n]*)`)?[ \t]*(?://.*)?\r?$"
)
_TAG_AFTER = re.compile(r"[ \t]*`(?P<tag>[^`\n]*)`")
_CONF_TAG = re.compile(r'(?:^|[ \t])conf:"(?P<value>[^"]*)"')
_TYPE_NAME = re.compile(r"(?:(?P<pkg>[A-Za-z_]\w*)\.)?(?P<name>[A-Za-z_]\w*)")
_UPPER, _LOWER, _DIGIT, _OTHER = range(4)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One variable the library reads, and where its path is declared."""

    name: str
    flag: str
    #: file -> the line of the deepest declaration on the path in that file
    lines: dict[str, int] = field(hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class _Body:
    """A struct's ``{...}`` in one file of a package."""

    path: str
    text: str
    start: int
    end: int


def camel_split(word: str) -> list[str]:
    """A Go field name's words as the library splits them: ``LabelServiceURL`` ->
    ``Label Service URL``, ``FOOBar`` -> ``FOO Bar``, ``V2Api`` -> ``V 2 Api``."""
    if len(word) < 2:
        return [word] if word else []
    out: list[str] = []
    last, start = _class(word[0]), 0
    for i, ch in enumerate(word):
        kind = _class(ch)
        if kind != last:
            if last == _UPPER and kind != _DIGIT:
                if i - start > 1:
                    out.append(word[start : i - 1])
                    start = i - 1
            else:
                out.append(word[start:i])
                start = i
        last = kind
    return [*out, word[start:]]


def _class(ch: str) -> int:
    if ch.islower():
        return _LOWER
    if ch.isupper():
        return _UPPER
    return _DIGIT if ch.isdigit() else _OTHER


@functools.lru_cache(maxsize=32)
def imports(text: str) -> dict[str, str]:
    """A Go file's imports, by the name they are used under (kept for the last files asked
    about: a section's every qualified field type asks again; callers never change it)."""
    block = re.search(r"(?ms)^import[ \t]*\((.*?)^\)", text)
    singles = re.findall(r'(?m)^import[ \t]+(?:[A-Za-z_]\w*[ \t]+)?"[^"]+"', text)
    found: dict[str, str] = {}
    for m in _IMPORT.finditer((block.group(1) if block else "") + "\n" + "\n".join(singles)):
        path = m.group("path")
        parts = path.rstrip("/").split("/")
        # a module's major version (``.../conf/v3``) is not its package's name
        last = parts[-2] if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]) else parts[-1]
        found[m.group("alias") or last] = path
    return found


class Tree:
    """The variables of every ``conf.Parse`` call of one side of the change.

    ``read`` gives a file's text, ``package_files(folder)`` a package's Go files (tests left
    out), ``package_dir(import_path)`` the folder of a package of the repository, and
    ``constants(path, text)`` the constants a file can name (for a prefix held in one)."""

    def __init__(
        self,
        read: Callable[[str], str | None],
        package_files: Callable[[str], list[str]],
        package_dir: Callable[[str], str | None],
        constants: Callable[[str, str], Constants],
    ) -> None:
        self._read, self._files, self._dir, self._constants = (
            read,
            package_files,
            package_dir,
            constants,
        )
        self._structs: dict[str, dict[str, _Body]] = {}
        self._dirs: dict[str, str | None] = {}  # import path -> folder, asked once each
        self.leaves: list[Leaf] = []

    def add_file(self, path: str, text: str) -> None:
        """The leaves of the ``Parse`` calls in one file importing the library."""
        found = imports(text)
        for alias, import_path in found.items():
            lib = _LIBRARY.fullmatch(import_path)
            if lib is None or alias in ("_", "."):
                continue
            major = int(lib.group("major") or 1)
            calls = re.compile(rf"\b{re.escape(alias)}\.(Parse|ParseOSArgs|ParseWithOptions)\(")
            for m in calls.finditer(text):
                self._call(path, text, m.end(), m.group(1), major, alias)

    def _call(self, path: str, text: str, start: int, func: str, major: int, alias: str) -> None:
        args = split_args(text, start)
        at = 1 if func == "Parse" and major == 1 else 0
        if args is None or len(args) < at + 2:
            return
        prefix = evaluate(args[at], self._constants(path, text), {})
        if not isinstance(prefix, str) or not re.fullmatch(r"\w*", prefix):
            return  # a prefix known only at run time: no name can be told
        body = self._target(path, text, start, args[at + 1])
        if body is None:
            return
        line = text.count("\n", 0, start) + 1
        walk = _Walker(self, prefix.upper(), major, alias)
        walk.struct(body, [], {path: line}, 0, frozenset())
        self.leaves += walk.leaves[: MAX_LEAVES - len(self.leaves)]

    def _target(self, path: str, text: str, call: int, arg: str) -> _Body | None:
        """The struct the call fills: ``&cfg`` declared before it, or ``&Config{}``."""
        literal = re.fullmatch(r"&\s*(?P<type>[\w.]+)\s*\{.*", arg, re.S)
        if literal:
            return self.named(path, text, literal.group("type"))
        var = re.fullmatch(r"&?\s*(?P<name>[A-Za-z_]\w*)", arg)
        if var is None:
            return None
        name = re.escape(var.group("name"))
        before = text[:call]
        patterns = (
            rf"\bvar[ \t]+{name}[ \t]+(?P<type>struct[ \t]*\{{|\*?[\w.]+)",
            rf"\b{name}[ \t]*:?=[ \t]*&?[ \t]*(?:new\([ \t]*)?(?P<type>struct[ \t]*\{{|[\w.]+)",
            rf"[(,][ \t]*{name}[ \t]+\*?(?P<type>[\w.]+)[ \t]*[,)]",
        )
        last = max(
            (m for p in patterns for m in re.finditer(p, before)),
            key=lambda m: m.start(),
            default=None,
        )
        if last is None:
            return None
        kind = last.group("type")
        if kind.startswith("struct"):
            brace = last.end() - 1
            end = bracket_pairs(text).get(brace)
            return _Body(path, text, brace + 1, end) if end is not None else None
        return self.named(path, text, kind.lstrip("*"))

    def named(self, path: str, text: str, type_name: str) -> _Body | None:
        """The struct a type name used in ``path`` stands for, in the repository."""
        m = _TYPE_NAME.fullmatch(type_name.lstrip("*"))
        if m is None:
            return None
        folder = str(PurePosixPath(path).parent)
        if m.group("pkg"):
            target = imports(text).get(m.group("pkg"))
            if target is not None and target not in self._dirs:
                self._dirs[target] = self._dir(target)
            found = self._dirs.get(target) if target else None
            if found is None:
                return None
            folder = found
        return self._package(folder).get(m.group("name"))

    def _package(self, folder: str) -> dict[str, _Body]:
        if folder not in self._structs:
            out: dict[str, _Body] = {}
            for path in self._files(folder):
                text = self._read(path)
                if text is not None and "struct" in text:
                    for name, body in _declared(path, text):
                        out.setdefault(name, body)
            self._structs[folder] = out
        return self._structs[folder]


def _declared(path: str, text: str) -> list[tuple[str, _Body]]:
    """The named struct types a file declares (``type X struct``, and in ``type (...)``;
    a struct written inside another one's body is a field's, not a type)."""
    pairs = bracket_pairs(text)
    found: list[tuple[str, int]] = [(m.group("name"), m.end() - 1) for m in _NAMED.finditer(text)]
    for group in _GROUP.finditer(text):
        close = pairs.get(group.end() - 1)
        inside = group.end()
        for m in _GROUPED.finditer(text, group.end(), close or group.end()):
            if m.start() >= inside:
                found.append((m.group("name"), m.end() - 1))
                inside = pairs.get(m.end() - 1, len(text))
    out = []
    for name, brace in found:
        end = pairs.get(brace)
        if end is not None:
            out.append((name, _Body(path, text, brace + 1, end)))
    return out


@dataclass
class _Walker:
    tree: Tree
    prefix: str
    major: int
    alias: str
    leaves: list[Leaf] = field(default_factory=list)

    def struct(
        self, body: _Body, words: list[str], lines: dict[str, int], depth: int, seen: frozenset[int]
    ) -> None:
        """Every leaf under one struct body; ``words`` is the path so far."""
        key = hash((body.path, body.start))
        if depth > MAX_DEPTH or key in seen or len(self.leaves) >= MAX_LEAVES:
            return
        seen |= {key}
        text, pairs = body.text, bracket_pairs(body.text)
        pos = body.start
        while pos < body.end:
            eol = text.find("\n", pos, body.end)
            eol = body.end if eol == -1 else eol
            line_no = text.count("\n", 0, pos) + 1
            here = {**lines, body.path: line_no}
            inline = _INLINE.match(text, pos, eol)
            if inline is not None:
                close = pairs.get(inline.end() - 1, body.end)
                after = _TAG_AFTER.match(text, close + 1)
                tag = _conf_tag(after.group("tag") if after else "")
                name = inline.group("name")
                if _settable(name, tag):
                    inner = _Body(body.path, text, inline.end(), close)
                    self.struct(inner, words + camel_split(name), here, depth + 1, seen)
                nxt = text.find("\n", close, body.end)
                pos = body.end if nxt == -1 else nxt + 1
                continue
            self._line(body, text[pos:eol], words, here, depth, seen)
            # a body opened on the line (``Items []struct {``) is not this struct's fields
            closes = [pairs[o] for o in range(pos, eol) if text[o] == "{" and o in pairs]
            past = max([eol, *closes])
            nxt = text.find("\n", past, body.end) if past > eol else eol
            pos = body.end if nxt == -1 else nxt + 1

    def _line(
        self,
        body: _Body,
        line: str,
        words: list[str],
        lines: dict[str, int],
        depth: int,
        seen: frozenset[int],
    ) -> None:
        embedded = _EMBEDDED.fullmatch(line)
        if embedded is not None:  # ``conf.Version``, ``pkg.Common``: no word of its own
            if not embedded.group("type").startswith(self.alias + "."):
                inner = self.tree.named(body.path, body.text, embedded.group("type"))
                if inner is not None and _conf_tag(embedded.group("tag") or "") != "-":
                    self.struct(inner, words, lines, depth + 1, seen)
            return
        m = _FIELD.fullmatch(line)
        if m is None or line.strip().startswith("//"):
            return
        names = [n.strip() for n in m.group("names").split(",")]
        kind = (m.group("type") or "").strip()
        tag = _conf_tag(m.group("tag") or "")
        if not kind:  # an embedded struct of the package: its fields are the parent's
            inner = self.tree.named(body.path, body.text, names[0])
            if inner is not None and names[0][0].isupper() and tag != "-":
                self.struct(inner, words, lines, depth + 1, seen)
            return
        if kind.lstrip("*") == f"{self.alias}.Args":
            return
        inner = (
            self.tree.named(body.path, body.text, kind)
            if _TYPE_NAME.fullmatch(kind.lstrip("*"))
            else None
        )
        for name in names:
            if not _settable(name, tag):
                continue
            path = words + camel_split(name)
            if inner is not None:
                self.struct(inner, path, lines, depth + 1, seen)
            elif not (self.major >= 2 and name in ("Build", "Desc")):
                self._leaf(path, tag, lines)

    def _leaf(self, path: list[str], tag: str, lines: dict[str, int]) -> None:
        options = {
            part.split(":", 1)[0].strip(): part.split(":", 1)[1].strip()
            for part in tag.split(",")
            if ":" in part
        }
        env = options.get("env") or "_".join(path)
        name = "_".join(p for p in (self.prefix, env.replace("-", "_").upper()) if p)
        flag = (options.get("flag") or "-".join(path)).lower()
        if re.fullmatch(r"[A-Za-z_]\w*", name):
            self.leaves.append(Leaf(name, flag, lines))


def _conf_tag(tag: str) -> str:
    m = _CONF_TAG.search(tag)
    return m.group("value") if m else ""


def _settable(name: str, tag: str) -> bool:
    """Whether the library sets the field from the environment at all."""
    flags = {part.strip() for part in tag.split(",")}
    return name[:1].isupper() and tag != "-" and "immutable" not in flags


def reads_of(leaves: list[Leaf], path: str) -> list[EnvRead]:
    """The reads a file makes through the tree: the leaves whose path it declares."""
    return [
        EnvRead(
            leaf.name,
            leaf.lines[path],
            "ardanlabs/conf field",
            keys=(leaf.flag,) if "-" in leaf.flag else (),
        )
        for leaf in leaves
        if path in leaf.lines
    ]
