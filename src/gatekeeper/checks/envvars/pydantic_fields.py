"""pydantic settings classes: which variable each field is read from.

pydantic v1 (``pydantic.BaseSettings``): ``env_prefix`` + field name, or ``Field(env=...)``
/ ``Config.fields[name]["env"]`` (a name or a list of names), used as given; aliases are
not variable names there. pydantic-settings (v2): ``env_prefix`` + field name, or the
field's ``validation_alias`` / ``alias`` (``AliasChoices`` lists alternatives, the first
element of an ``AliasPath`` is the variable), without the prefix. Both: names are
case-insensitive unless ``case_sensitive``; with ``env_nested_delimiter`` a field whose
type is a model of the same repository is read as ``PREFIX_FIELD<delim>SUB`` per sub-field
(or whole, as JSON, from ``PREFIX_FIELD``: either documented is enough). A ``Field`` may
also stand in the annotation: ``x: Annotated[str, Field(validation_alias="X")]``.
Settings classes inherit their parents' configuration.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace

from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.python_values import (
    ClassInfo,
    Lib,
    SettingsConf,
    Symbol,
    dotted,
    keyword,
    literal,
)

#: qualified base classes -> pydantic major version
SETTINGS_BASES = {
    "pydantic.BaseSettings": 1,
    "pydantic.env_settings.BaseSettings": 1,
    "pydantic.v1.BaseSettings": 1,
    "pydantic.v1.env_settings.BaseSettings": 1,
    "pydantic_settings.BaseSettings": 2,
    "pydantic_settings.main.BaseSettings": 2,
}
Qualify = Callable[[ast.AST], Symbol | None]


def settings_conf(node: ast.ClassDef, qualify: Qualify) -> SettingsConf | None:
    """How ``node`` reads its fields, if it is a settings class (directly or by descent)."""
    conf: SettingsConf | None = None
    for base in node.bases:
        sym = qualify(base)
        if isinstance(sym, Lib) and sym.qual in SETTINGS_BASES:
            conf = SettingsConf(version=SETTINGS_BASES[sym.qual])
        elif isinstance(sym, ClassInfo) and sym.settings is not None:
            conf = replace(sym.settings, fields_env=dict(sym.settings.fields_env))
        elif sym is None and dotted(base).rsplit(".", 1)[-1] == "BaseSettings":
            conf = SettingsConf(version=2)  # re-exported from somewhere we cannot see
        if conf is not None:
            break
    if conf is None:
        return None
    for key, value in _config_items(node):
        _apply(conf, key, value)
    return conf


def _config_items(node: ast.ClassDef) -> list[tuple[str, ast.AST]]:
    """``model_config = SettingsConfigDict(...)`` / ``{...}``, ``class Config:``, class kwargs."""
    items: list[tuple[str, ast.AST]] = [(k.arg, k.value) for k in node.keywords if k.arg]
    for stmt in node.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        value = getattr(stmt, "value", None)
        if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
            if isinstance(value, ast.Call):
                items += [(k.arg, k.value) for k in value.keywords if k.arg]
            elif isinstance(value, ast.Dict):
                items += [
                    (k.value, v)
                    for k, v in zip(value.keys, value.values, strict=True)
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                ]
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            items += [
                (t.id, s.value)
                for s in stmt.body
                if isinstance(s, ast.Assign)
                for t in s.targets
                if isinstance(t, ast.Name)
            ]
    return items


def _apply(conf: SettingsConf, key: str, value: ast.AST) -> None:
    if key == "env_prefix":
        conf.prefix = literal(value) or ""
    elif key == "case_sensitive" and isinstance(value, ast.Constant):
        conf.case_sensitive = bool(value.value)
    elif key == "env_nested_delimiter":
        conf.nested_delimiter = literal(value) or ""
    elif key == "fields" and isinstance(value, ast.Dict):  # v1: Config.fields = {f: {"env": ...}}
        for k, v in zip(value.keys, value.values, strict=True):
            name = literal(k)
            env = _names(v.values[_index(v, "env")]) if isinstance(v, ast.Dict) else ()
            if name and env:
                conf.fields_env[name] = env


def _index(d: ast.Dict, key: str) -> int:
    return next((i for i, k in enumerate(d.keys) if literal(k) == key), -1)


def _names(node: ast.AST | None) -> tuple[str, ...]:
    """A name, a list/tuple of names, ``AliasChoices(...)`` or ``AliasPath(name, ...)``."""
    single = literal(node)
    if single is not None:
        return (single,)
    if isinstance(node, ast.List | ast.Tuple):
        return tuple(n for e in node.elts for n in _names(e))
    if isinstance(node, ast.Call):
        kind = dotted(node.func).rsplit(".", 1)[-1]
        if kind == "AliasChoices":
            return tuple(n for a in node.args for n in _names(a))
        if kind == "AliasPath" and node.args:
            return _names(node.args[0])
    return ()


def field_names(node: ast.ClassDef) -> tuple[str, ...]:
    """The annotated fields a class declares (for nested models)."""
    return tuple(name for name, _ in _fields(node))


def _fields(node: ast.ClassDef) -> list[tuple[str, ast.AnnAssign]]:
    out = []
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        name = stmt.target.id
        if (
            name.startswith("_")
            or name == "model_config"
            or "ClassVar"
            in dotted(
                stmt.annotation.value
                if isinstance(stmt.annotation, ast.Subscript)
                else stmt.annotation
            )
        ):
            continue
        out.append((name, stmt))
    return out


def field_reads(
    info: ClassInfo, qualify: Qualify, imports: dict[str, str] | None = None
) -> list[EnvRead]:
    """One read per field of the settings class ``info`` (a nested model: one per sub-field);
    ``imports`` maps the module's top-level names imported from outside the repository to
    the module each came from (:func:`absolute_imports`)."""
    conf = info.settings
    assert conf is not None
    reads = []
    for name, stmt in _fields(info.node):
        call = _field_call(stmt.value) or _field_call(_annotated_field(stmt.annotation))
        is_field = call is not None
        explicit = _explicit(conf, name, call if is_field else None)
        described = (
            is_field and call is not None and literal(keyword(call, "description")) is not None
        )
        if explicit:
            candidates = [explicit]
        elif _runtime_object(_annotated_type(stmt.annotation), qualify, imports or {}):
            continue  # a server, a cache, a logger kept on the settings: no variable's
        else:
            whole = conf.prefix + name
            candidates = [
                (n,) if n == whole else (n, whole)  # a nested model is also read whole (JSON)
                for n in _nested(conf, name, _annotated_type(stmt.annotation), qualify)
            ]
        for given in candidates:
            names = given if conf.case_sensitive else tuple(n.upper() for n in given)
            reads.append(
                EnvRead(
                    names[0],
                    stmt.lineno,
                    "pydantic field",
                    case_insensitive=not conf.case_sensitive,
                    described=described,
                    aliases=names[1:],
                )
            )
    return reads


def _field_call(node: ast.AST | None) -> ast.Call | None:
    """``node`` when it is a call of pydantic's ``Field``."""
    if isinstance(node, ast.Call) and dotted(node.func).rsplit(".", 1)[-1] == "Field":
        return node
    return None


def _annotated_parts(annotation: ast.AST) -> list[ast.AST]:
    """The elements of ``Annotated[T, ...]`` (none for another annotation)."""
    if (
        isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).rsplit(".", 1)[-1] == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return list(annotation.slice.elts)
    return []


def _annotated_field(annotation: ast.AST) -> ast.AST | None:
    """The ``Field(...)`` of ``Annotated[T, Field(...)]``, where pydantic also takes it."""
    return next((p for p in _annotated_parts(annotation)[1:] if _field_call(p)), None)


def _annotated_type(annotation: ast.AST) -> ast.AST:
    """``T`` of ``Annotated[T, ...]``, else the annotation itself."""
    parts = _annotated_parts(annotation)
    return parts[0] if parts else annotation


def _explicit(conf: SettingsConf, name: str, call: ast.Call | None) -> tuple[str, ...]:
    """The names a field declares for itself (these take no prefix)."""
    if conf.version == 1:
        if call is not None and keyword(call, "env") is not None:
            return _names(keyword(call, "env"))
        return conf.fields_env.get(name, ())
    if call is None:
        return ()
    for key in ("validation_alias", "alias"):
        found = _names(keyword(call, key))
        if found:
            return found
    return ()


#: libraries whose types pydantic reads from a string (besides builtins): a field of
#: another library's class is runtime state kept on the settings object (bitcart's
#: ``fido2_server: Fido2Server = None``), which pydantic only checks with isinstance
#: under ``arbitrary_types_allowed``: no value read from the environment could pass
_PARSED_LIBRARIES = frozenset(
    {
        "typing",
        "typing_extensions",
        "collections",
        "pydantic",
        "pydantic_settings",
        "pydantic_core",
        "pydantic_extra_types",
        "annotated_types",
        "datetime",
        "decimal",
        "pathlib",
        "uuid",
        "ipaddress",
        "enum",
        "re",
        "builtins",
    }
)


def absolute_imports(tree: ast.Module) -> dict[str, str]:
    """Top-level names bound by absolute imports -> the module (``from fido2.server import
    Fido2Server`` -> ``fido2.server``; ``import cachetools`` -> ``cachetools``)."""
    found: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
            for alias in stmt.names:
                found[alias.asname or alias.name] = stmt.module
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                found[alias.asname or alias.name.partition(".")[0]] = alias.name
    return found


def _runtime_object(annotation: ast.AST, qualify: Qualify, imports: dict[str, str]) -> bool:
    """Whether the field's type (``Optional``/``| None`` looked through) is a class of a
    library pydantic cannot read a value of from the environment: a library the reader
    knows, or a module imported from outside the repository."""
    inner = annotation
    if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.BitOr):
        sides = [inner.left, inner.right]
        rest = [x for x in sides if not (isinstance(x, ast.Constant) and x.value is None)]
        inner = rest[0] if len(rest) == 1 else inner
    elif isinstance(inner, ast.Subscript) and dotted(inner.value).rsplit(".", 1)[-1] == "Optional":
        inner = inner.slice
    if not isinstance(inner, ast.Name | ast.Attribute):
        return False
    sym = qualify(inner)
    if isinstance(sym, Lib):
        return sym.qual.split(".", 1)[0] not in _PARSED_LIBRARIES
    root: ast.expr = inner
    while isinstance(root, ast.Attribute):
        root = root.value
    module = imports.get(root.id) if sym is None and isinstance(root, ast.Name) else None
    return module is not None and module.split(".", 1)[0] not in _PARSED_LIBRARIES


def _nested(conf: SettingsConf, name: str, annotation: ast.AST, qualify: Qualify) -> list[str]:
    base = conf.prefix + name
    if not conf.nested_delimiter:
        return [base]
    model = qualify(annotation)
    if isinstance(model, ClassInfo) and model.fields:
        return [base + conf.nested_delimiter + sub for sub in model.fields]
    return [base]
