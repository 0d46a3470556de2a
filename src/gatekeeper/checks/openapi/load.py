"""Load an OpenAPI/Swagger document: YAML or JSON, line numbers, ``$ref`` resolution.

Documents are read through a ``reader`` (repository-relative path -> bytes or None) so
the same code serves git revisions and the file system. A ``$ref`` may point inside the
same document or to another file of the repository; a URL ``$ref`` or one that leaves the
repository is refused and recorded as a problem (the node then resolves to an empty
schema so the comparison can go on). Cycles are fine: references resolve to shared
objects, and the comparison memoises pairs.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import yaml

from gatekeeper.checks.yamlbound import AliasBomb, SafeLoader, check_aliases

Reader = Callable[[str], "bytes | None"]

#: Larger documents are refused: the bound keeps time and memory predictable.
MAX_SPEC_BYTES = 40 * 1024 * 1024


class SpecError(Exception):
    """A document cannot be used at all (unreadable, not YAML/JSON, not OpenAPI)."""

    def __init__(self, rule: str, message: str, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.path = path
        self.line = line


def check_size(path: str, size: int | None) -> None:
    """Refuse a spec (or a file it pulls in) over the size limit, naming the file.

    The one place the limit is enforced, wherever the bytes come from (head, a release,
    the parser); ``size`` None means unknown until read, so nothing is refused yet."""
    if size is not None and size > MAX_SPEC_BYTES:
        mb, limit = size // (1024 * 1024), MAX_SPEC_BYTES // (1024 * 1024)
        message = (
            f"{path} is {mb} MB, over the {limit} MB limit; split it into files joined by $ref"
        )
        raise SpecError("spec-unreadable", message, path)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong inside a document that still loaded (a bad ``$ref``)."""

    rule: str
    message: str
    path: str
    line: int | None = None


#: problems that leave a ``$ref`` pointing at nothing (it then reads as an empty schema)
REF_RULES = frozenset({"spec-ref-broken", "spec-ref-url", "spec-ref-outside-repo"})


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers its file, its own line and the line of each key."""

    __slots__ = ("file", "key_lines", "line", "token")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line: int | None = None
        self.file: str = ""
        #: which load() produced it: base and head may share a path, never a token
        self.token: object = None
        self.key_lines: dict[str, int] = {}


class _Loader(SafeLoader):  # type: ignore[misc]
    """Safe YAML loader keeping key lines and refusing duplicate keys."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.file = getattr(loader, "gk_path", "")
    out.token = getattr(loader, "gk_token", None)
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key).lower() if isinstance(key, bool) else str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: x-sunset values are compared as text, like JSON would give them.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def _json_hook(duplicates: list[str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):  # real specs (GitHub's) repeat keys: last wins, like Go
            seen: set[str] = set()
            for k, _ in pairs:
                if k in seen:
                    duplicates.append(k)
                seen.add(k)
        return out

    return hook


def parse(data: bytes, path: str, duplicates: list[str] | None = None, token: object = None) -> Any:
    """Parse YAML or JSON bytes; raise :class:`SpecError` with a line on bad input.

    A YAML key repeated in one mapping is an error; in JSON the last value wins and the
    key is appended to ``duplicates`` (the caller reports it).
    """
    check_size(path, len(data))
    if b"\0" in data[:8192]:
        raise SpecError(
            "spec-unreadable", f"{path} is a binary file, not a YAML or JSON spec", path
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            "spec-unreadable", f"{path} is not valid UTF-8 (byte {exc.start})", path
        ) from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(
                text, object_pairs_hook=_json_hook([] if duplicates is None else duplicates)
            )
        except json.JSONDecodeError as exc:
            raise SpecError(
                "spec-invalid-syntax", f"invalid JSON: {exc.msg}", path, exc.lineno
            ) from None
        except RecursionError:
            raise SpecError("spec-unreadable", _TOO_DEEP.format(path=path), path) from None
    try:
        loader = _Loader(text)
        loader.gk_path = path  # every mapping records the file it came from
        loader.gk_token = token
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            check_aliases(node)  # before anything walks a billion copies of one node
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except AliasBomb as exc:
        raise SpecError("spec-unreadable", f"{path}: {exc.message}", path, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "cannot parse"
        raise SpecError("spec-invalid-syntax", f"invalid YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise SpecError("spec-invalid-syntax", f"invalid YAML: {exc}", path) from None
    except RecursionError:
        raise SpecError("spec-unreadable", _TOO_DEEP.format(path=path), path) from None


_TOO_DEEP = "{path} nests objects too deeply to read; flatten it with $ref components"

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass
class Document:
    """A loaded spec: its root object, the files it pulled in, and any ``$ref`` problems."""

    path: str
    root: Any
    files: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    text: str = ""
    #: the text of every JSON file of the spec, to find lines lazily (YAML keeps marks)
    texts: dict[str, str] = field(default_factory=dict)
    _targets: dict[str, Any] = field(default_factory=dict)
    _merged: dict[int, Any] = field(default_factory=dict)
    token: object = field(default_factory=object)

    def deref(self, node: Any) -> Any:
        """Follow ``$ref`` (chains too) to the target; siblings of ``$ref`` override it."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and isinstance(node["$ref"], str):
            target = self._targets.get(node["$ref"], _EMPTY)
            if len(node) > 1:
                # one merged object per node, so memoised comparisons still terminate
                merged = self._merged.get(id(node))
                if merged is None:
                    merged = dict(self.deref(target)) if isinstance(target, dict) else {}
                    merged.update((k, v) for k, v in node.items() if k != "$ref")
                    self._merged[id(node)] = merged
                return merged
            node = target
            seen += 1
            if seen > 64:  # a ref that only points at refs: treat as an empty schema
                return _EMPTY
        return node


_EMPTY: dict[str, Any] = {}


def _pointer(root: Any, pointer: str) -> Any:
    node = root
    if pointer in ("", "/"):
        return node
    for raw in pointer.lstrip("/").split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(pointer)
    return node


def load(path: str, reader: Reader, *, allow_external: bool = False) -> Document:
    """Load ``path`` and every file its ``$ref``s reach; raise SpecError if unusable."""
    data = reader(path)
    if data is None:
        raise SpecError("spec-unreadable", f"{path} does not exist", path)
    duplicates: list[str] = []
    token = object()
    root = parse(data, path, duplicates, token)
    doc = Document(path=path, root=root, files={path: root}, token=token)
    for key in sorted(set(duplicates)):
        doc.problems.append(
            Problem(
                "spec-duplicate-key",
                f"key {key!r} appears more than once in one object; only the last is used",
                path,
            )
        )
    doc.text = data.decode("utf-8", "replace") if not isinstance(root, LineDict) else ""
    if doc.text:
        doc.texts[path] = doc.text
    pending = [path]
    while pending:
        current = pending.pop()
        _resolve_file(doc, current, reader, pending, allow_external)
    return doc


#: keywords whose value is data, never a reference (an example may well hold "$ref")
_LITERAL = frozenset({"example", "default", "enum", "const"})
#: keywords whose value maps names (chosen by the author) to objects: a property named
#: "example" is a schema, not an example
_NAMED = frozenset(
    {
        "properties", "patternProperties", "definitions", "$defs", "dependentSchemas",
        "schemas", "parameters", "responses", "headers", "content", "paths", "webhooks",
        "securitySchemes", "callbacks", "links", "requestBodies", "pathItems", "encoding",
    }
)  # fmt: skip
_KEYWORDS, _NAMES, _EXAMPLES, _EXAMPLE = range(4)


def _resolve_file(
    doc: Document, path: str, reader: Reader, pending: list[str], allow_ext: bool
) -> None:
    """Resolve every ``$ref`` of one file; example and default values are data and are
    left as they are (a ``$ref`` key inside an example is not a reference)."""
    stack: list[tuple[Any, int]] = [(doc.files[path], _KEYWORDS)]
    while stack:
        node, kind = stack.pop()
        if isinstance(node, list):
            stack.extend((v, _KEYWORDS) for v in node if isinstance(v, (dict, list)))
            continue
        if not isinstance(node, dict):
            continue
        if kind in (_NAMES, _EXAMPLES):
            child = _EXAMPLE if kind == _EXAMPLES else _KEYWORDS
            stack.extend((v, child) for v in node.values() if isinstance(v, (dict, list)))
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            node["$ref"] = _canonical(
                doc, path, node, ref, reader=reader, pending=pending, allow_ext=allow_ext
            )
        for key, value in node.items():
            if not isinstance(value, (dict, list)) or key in _LITERAL:
                continue
            if kind == _EXAMPLE and key == "value":
                continue  # an Example Object's value is the example itself
            if key == "examples":
                if isinstance(value, dict):
                    stack.append((value, _EXAMPLES))
                continue  # a list of examples (JSON Schema) is data
            stack.append(
                (value, _NAMES if key in _NAMED and isinstance(value, dict) else _KEYWORDS)
            )


def _canonical(
    doc: Document,
    path: str,
    node: Any,
    ref: str,
    *,
    reader: Reader,
    pending: list[str],
    allow_ext: bool,
) -> str:
    """The ref's key in ``doc._targets`` once resolved; the ref itself (and a Problem)
    when it cannot be followed."""
    line = node.line if isinstance(node, LineDict) else None

    def refuse(rule: str, why: str) -> str:
        doc.problems.append(Problem(rule, f"$ref {ref!r}{why}", path, line))
        return ref

    file_part, _, pointer = ref.partition("#")
    if _URL.match(ref) and not allow_ext:
        return refuse("spec-ref-url", " points to a URL; refs must stay in the repository")
    target = path
    if file_part:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), file_part))
        if target.startswith("../") or target == ".." or file_part.startswith("/"):
            return refuse("spec-ref-outside-repo", " leaves the repository")
    # keys are relative to the main document, so the same ref reads the same at base and head
    main_dir = posixpath.dirname(doc.path) or "."
    key = f"{'' if target == doc.path else posixpath.relpath(target, main_dir)}#{pointer}"
    if key in doc._targets:
        return key
    if target not in doc.files:
        failure = _read_part(doc, target, reader)
        if failure:
            return refuse("spec-ref-broken", f": {failure}")
        pending.append(target)
    try:
        doc._targets[key] = _pointer(doc.files[target], pointer)
    except KeyError:
        return refuse("spec-ref-broken", f": nothing at #{pointer}")
    return key


def _read_part(doc: Document, target: str, reader: Reader) -> str:
    """Load another file of a split spec; the reason it failed, or "" on success."""
    data = reader(target)
    if data is None:
        return f"file {target} not found"
    try:
        doc.files[target] = parse(data, target, token=doc.token)
    except SpecError as exc:
        return exc.message
    if not isinstance(doc.files[target], LineDict):
        doc.texts[target] = data.decode("utf-8", "replace")
    return ""


def line_of(node: Any, key: str | None = None) -> int | None:
    """The line of ``key`` in a YAML mapping (or of the mapping itself), when known."""
    if isinstance(node, LineDict):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return None
