"""The built-in generators, run as the pull request's code in a process of their own.

This file is not imported by gatekeeper: its text is handed to the application's
interpreter with ``python -c`` (see :mod:`.produce`), so it imports nothing but the
standard library and the framework, and works wherever the application's packages are
installed, with or without gatekeeper. The working folder is the revision's files (so
``sys.path[0]`` is there and the application imports from it).

Arguments: framework, app, settings, urlconf, result file. The result is one JSON object:
``document`` (the OpenAPI document) and ``sources``: where each operation's code and each
component schema's class are written, as paths relative to the working folder, for
findings to point at code rather than at a document nobody committed.
"""

import ast
import importlib
import inspect
import json
import os
import re
import sys
from typing import Any

ROOT = os.path.realpath(os.getcwd())
Result = tuple[Any, list[list[Any]]]
HTTP = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load(target: str) -> Any:
    """``module:attr`` (``attr()`` calls a factory) imported from the working folder."""
    module_name, _, attr = target.partition(":")
    call = attr.endswith("()")
    obj: Any = importlib.import_module(module_name)
    for part in attr.removesuffix("()").split("."):
        obj = getattr(obj, part)
    return obj() if call else obj


def where(obj: Any) -> tuple[str, int] | None:
    """(file relative to ROOT, first line) of a function or class written in the revision."""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    code = getattr(obj, "__code__", None)
    try:
        if code is not None:
            path, line = code.co_filename, code.co_firstlineno
        else:
            path, line = inspect.getsourcefile(obj), inspect.getsourcelines(obj)[1]
    except (TypeError, OSError):
        return None
    if not path:
        return None
    real = os.path.realpath(path)
    if not real.startswith(ROOT + os.sep):
        return None
    return os.path.relpath(real, ROOT).replace(os.sep, "/"), line


def fastapi(app: str, settings: str, urlconf: str) -> Result:
    target = load(app)
    operations = []
    for route in getattr(target, "routes", ()):
        endpoint, methods = getattr(route, "endpoint", None), getattr(route, "methods", None)
        path = getattr(route, "path_format", None) or getattr(route, "path", None)
        if endpoint is None or not methods or not path:
            continue
        if not getattr(route, "include_in_schema", True):
            continue
        spot = where(endpoint)
        if spot:
            operations += [[m.lower(), path, *spot] for m in methods]
    return target.openapi(), operations


def django_setup(settings: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    importlib.import_module("django").setup()


def django(app: str, settings: str, urlconf: str) -> Result:
    django_setup(settings)
    if app:
        return ninja(load(app))
    generators = importlib.import_module("drf_spectacular.generators")
    generator = generators.SchemaGenerator(urlconf=urlconf or None)
    document = generator.get_schema(request=None, public=True)
    operations = []
    for path, _, method, view in generator._get_paths_and_endpoints():
        action = getattr(view, "action", None) or method.lower()
        spot = where(getattr(type(view), action, None) or type(view))
        if spot is None or spot[0].startswith(".."):
            spot = where(type(view))
        if spot:
            operations.append([method.lower(), path, *spot])
    return document, operations


def ninja(api: Any) -> Result:
    document = api.get_openapi_schema()
    by_id = {}
    for path, item in (document.get("paths") or {}).items():
        for method, op in item.items():
            if method in HTTP and isinstance(op, dict) and op.get("operationId"):
                by_id[op["operationId"]] = (method, path)
    operations = []
    for _, router in getattr(api, "_routers", ()):
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                op_id = op.operation_id or api.get_openapi_operation_id(op)
                spot = where(op.view_func)
                if op_id in by_id and spot:
                    operations.append([*by_id[op_id], *spot])
    return document, operations


def flask(app: str, settings: str, urlconf: str) -> Result:
    target = load(app)
    ext = target.extensions.get("flask-smorest") or {}
    apis = ext.get("apis") or {}
    if not apis:
        raise SystemExit("no flask-smorest Api is registered on this application")
    with target.app_context():
        api = next(iter(apis.values()))["ext_obj"]
        document = api.spec.to_dict()
    operations = []
    for rule in target.url_map.iter_rules():
        view = target.view_functions.get(rule.endpoint)
        cls = getattr(view, "view_class", None)
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            handler = getattr(cls, method.lower(), None) if cls else view
            spot = where(handler) if handler else None
            if spot:
                operations.append([method.lower(), path, *spot])
    return document, operations


def litestar(app: str, settings: str, urlconf: str) -> Result:
    target = load(app)
    document = target.openapi_schema.to_schema()
    operations = []
    for route in target.routes:
        for handler in getattr(route, "route_handlers", ()):
            spot = where(getattr(handler, "fn", None) or handler)
            for method in getattr(handler, "http_methods", ()):
                if spot:
                    operations.append([method.lower(), route.path_format, *spot])
    return document, operations


def classes_by_name() -> dict[str, set[type]]:
    """Classes defined in the revision's modules (imported by now), by name."""
    found: dict[str, set[type]] = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not os.path.realpath(path).startswith(ROOT + os.sep):
            continue
        for value in list(vars(module).values()):
            if inspect.isclass(value) and value.__module__ == module.__name__:
                found.setdefault(value.__name__, set()).add(value)
    return found


def field_lines(cls: type, spot: tuple[str, int]) -> dict[str, int]:
    """The line of each field the class body assigns (``name: type`` or ``name = ...``)."""
    try:
        with open(os.path.join(ROOT, spot[0]), encoding="utf-8") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            if abs(node.lineno - spot[1]) > 50:
                continue
            lines = {}
            for stmt in node.body:
                targets = (
                    [stmt.target]
                    if isinstance(stmt, ast.AnnAssign)
                    else (stmt.targets if isinstance(stmt, ast.Assign) else [])
                )
                for t in targets:
                    if isinstance(t, ast.Name):
                        lines[t.id] = stmt.lineno
            return lines
    return {}


def schema_sources(document: Any) -> dict[str, list[Any]]:
    """Component schema name -> [file, class line, {property: line}] for the classes the
    names come from (Pydantic models and dataclasses, DRF serializers without their
    "Serializer", marshmallow schemas without their "Schema"), when unambiguous."""
    components = (document.get("components") or {}).get("schemas") or {}
    known = classes_by_name()
    out = {}
    for name in components:
        stem = name.split("-")[0]  # Pydantic's Model-Input / Model-Output
        for prefix in ("Patched",):
            if stem.startswith(prefix) and stem[len(prefix) :] in known:
                stem = stem[len(prefix) :]
        if stem.endswith("Request") and stem not in known:
            stem = stem[: -len("Request")]
        candidates = (
            known.get(stem) or known.get(stem + "Serializer") or known.get(stem + "Schema") or set()
        )
        if len(candidates) != 1:
            continue
        cls = next(iter(candidates))
        spot = where(cls)
        if spot:
            out[name] = [spot[0], spot[1], field_lines(cls, spot)]
    return out


def main() -> None:
    framework, app, settings, urlconf, result = sys.argv[1:6]
    document, operations = globals()[framework](app, settings, urlconf)
    sources = {"operations": operations, "schemas": schema_sources(document)}
    text = json.dumps({"document": document, "sources": sources}, default=str)
    with open(result, "w", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    main()
