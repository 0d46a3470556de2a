"""Variables the repository sets itself for its own processes: plumbing, not configuration.

Prefect's worker puts ``PREFECT__FLOW_ID`` into the environment of the flow run it
starts, and the flow run reads it back; Harbor's installer renders
``ROBOT_SCANNER_NAME_PREFIX={{scan_robot_prefix}}`` into the core service's env file,
and the core service reads it. Whoever deploys either configures neither variable, so
neither needs documentation. What counts as setting a variable:

- Python: ``os.environ["X"] = v``, ``os.environ.setdefault("X", v)``,
  ``os.environ.update(...)``, ``os.putenv("X", v)``; a key of an environment mapping,
  one named like ``env``/``environ``/``environment``/``child_env``/``env_vars``
  (``env["X"] = v``, ``env = {"X": v}``, ``env.update(X=v)``), of an ``env=``/
  ``environment=`` argument (``subprocess.run(..., env={**os.environ, "X": v})``,
  ``dict(os.environ, X=v)``), of a mapping returned by a function named for the
  environment, or a Kubernetes ``{"name": "X", "value": v}`` / ``V1EnvVar(name="X")``;
- Go: ``os.Setenv("X", v)``, ``"X=..."`` strings in a ``cmd.Env`` or an ``Env:`` list;
- JavaScript/TypeScript: ``process.env.X = v``, ``process.env["X"] = v``, an ``env:``
  object given to a child process;
- Ruby: ``ENV["X"] = v``, ``ENV["X"] ||= v``, ``ENV.store("X", v)`` (human-essentials'
  initializer sets ``GIT_SHA`` from the deployed REVISION file for its footer to show);
- an env template an installer renders (``templates/**/env.jinja``, ``*.env.j2``,
  ``env.tmpl``..., or an ``app.env`` whose values hold Jinja placeholders such as
  ``X={{ choice }}``): ``X=value`` lines;
- a compose file at the repository's root: a service's ``environment:`` entry with a value
  of its own (``- WORKFLOWS_URL=http://workflows:3000``), which the shipped stack sets.

A value that is empty, or is derived from reading the same variable
(``os.environ["X"] = os.environ.get("X", "")``, ``v = os.getenv("X"); env["X"] = v``,
``X=${X}`` in a template), passes the user's setting through and provides nothing. Test
files never provide (the check's ``tests`` globs): they set up their own environment.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gatekeeper.checks.envvars.model import line_of
from gatekeeper.checks.envvars.text_reads import compose_environment


@dataclass(frozen=True, slots=True)
class Provided:
    """Where the repository sets a variable for its own processes."""

    name: str
    path: str
    line: int
    how: str


#: an identifier naming an environment mapping: env, environ, environment, child_env,
#: run_env, env_vars, envvars, extra_environment...
_ENV_IDENT = re.compile(r"(?i)(?:^|_)(?:env|environ|environment)(?:_?vars?|_?variables|s)?$")
#: a function whose returned mapping is an environment (``_base_flow_run_environment``)
_ENV_FUNC = re.compile(r"(?i)(?:^|_)(?:env|environ|environment)(?:_|$)")
#: the files searched at base for code or templates that set a variable (git pathspecs)
PROVIDER_FILES = (
    *(f"*{s}" for s in (".py", ".go", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts")),
    *(f"*{s}" for s in (".cts", ".jinja", ".jinja2", ".j2", ".tmpl", ".tpl", ".template")),
    *("*.gotmpl", "*/templates/*env*", "*.env", "*.rb"),
    # at the root only (a pathspec without ``*`` before it names the root)
    *("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml"),
)
#: a value an installer fills in when it renders an env file (``X={{ tika_enabled }}``)
_PLACEHOLDER = re.compile(r"(?m)^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=.*\{\{.*\}\}")
_TEMPLATE_SUFFIXES = (".jinja", ".jinja2", ".j2", ".tmpl", ".tpl", ".template", ".gotmpl", ".in")
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")


def provided(path: str, text: str, wanted: Iterable[str]) -> list[Provided]:
    """Where ``text`` (the file at ``path``) sets one of ``wanted`` for its processes."""
    names = {n for n in wanted if n and n in text}
    if not names:
        return []
    if path.endswith((".py", ".pyi")):
        found = _python(text, names)
    elif path.endswith(".go"):
        found = _go(text, names)
    elif path.endswith(_JS_SUFFIXES):
        found = _js(text, names)
    elif path.endswith(".rb"):
        found = _ruby(text, names)
    elif is_env_template(path) or _rendered_env(path, text):
        found = _template(text, names)
    elif _ROOT_COMPOSE.fullmatch(path):
        found = _compose(text, names)
    else:
        return []
    return [Provided(name, path, line, how) for name, line, how in found]


#: a compose file at the repository's root: the stack the project ships and starts
_ROOT_COMPOSE = re.compile(r"(?:docker-)?compose[\w.-]*\.ya?ml")


def _compose(text: str, names: set[str]) -> list[tuple[str, int, str]]:
    """``environment:`` entries of a root compose file's services with a value of their own
    (``- WORKFLOWS_URL=http://workflows:3000``): the stack the project ships starts the
    process with it. An empty value or ``${X}`` passes the host's setting through and
    provides nothing."""
    return [
        (name, line, "a root compose file's service environment")
        for name, value, line in compose_environment(text)
        if name in names and value and "${" not in value and f"${name}" not in value
    ]


def is_env_template(path: str) -> bool:
    """An env file an installer renders: ``env.jinja``, ``app.env.j2``, ``env.tmpl``."""
    base = path.rsplit("/", 1)[-1]
    if not base.endswith(_TEMPLATE_SUFFIXES) and "/templates/" not in f"/{path}":
        return False
    for suffix in _TEMPLATE_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base in ("env", ".env", "environment") or base.endswith(".env")


def _rendered_env(path: str, text: str) -> bool:
    """An ``app.env`` (not a bare ``.env``) an installer renders: a value is a placeholder."""
    base = path.rsplit("/", 1)[-1]
    return base.endswith(".env") and base != ".env" and _PLACEHOLDER.search(text) is not None


# --- Python ---------------------------------------------------------------------------


def _python(text: str, names: set[str]) -> list[tuple[str, int, str]]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []  # a file that does not parse sets nothing anyone can trust
    tainted = _tainted(tree, names)
    out: list[tuple[str, int, str]] = []
    for name, value, line, how in _python_sets(tree):
        if name in names and _real_value(value, name, tainted.get(name, set())):
            out.append((name, line, how))
    return out


def _is_environ(node: ast.expr) -> bool:
    """``os.environ`` or a bare ``environ``."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _is_env_mapping(node: ast.expr) -> bool:
    """``os.environ`` or a name/attribute named for an environment mapping."""
    if _is_environ(node):
        return True
    ident = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    return isinstance(ident, str) and bool(_ENV_IDENT.search(ident))


def _const(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _dict_items(node: ast.expr) -> Iterator[tuple[str, ast.expr | None]]:
    """The constant keys of a dict literal or ``dict(..., X=v)`` call, with their values."""
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if (name := _const(key)) is not None:
                yield name, value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        for kw in node.keywords:
            if kw.arg:
                yield kw.arg, kw.value
        for arg in node.args:
            yield from _dict_items(arg)


def _python_sets(tree: ast.AST) -> Iterator[tuple[str, ast.expr | None, int, str]]:
    """Every (name, value, line, how) the module sets into an environment."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from _assigned(target, node.value, node.lineno)
        elif isinstance(node, ast.Call):
            yield from _called(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _ENV_FUNC.search(
            node.name
        ):
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return) and ret.value is not None:
                    for name, value in _dict_items(ret.value):
                        yield name, value, ret.lineno, f"returned by {node.name}()"
        elif isinstance(node, ast.Dict):
            yield from _k8s_dict(node)


def _assigned(
    target: ast.expr, value: ast.expr | None, line: int
) -> Iterator[tuple[str, ast.expr | None, int, str]]:
    if isinstance(target, ast.Subscript) and _is_env_mapping(target.value):
        if (name := _const(target.slice)) is not None:
            yield name, value, line, f"{ast.unparse(target.value)}[...] = ..."
    elif _is_env_mapping(target) and value is not None and not _is_environ(target):
        for name, item in _dict_items(value):
            yield name, item, line, f"{ast.unparse(target)} = {{...}}"


def _called(node: ast.Call) -> Iterator[tuple[str, ast.expr | None, int, str]]:
    func, line = node.func, node.lineno
    if isinstance(func, ast.Attribute) and _is_env_mapping(func.value):
        if func.attr in ("setdefault", "__setitem__") and len(node.args) == 2:
            if (name := _const(node.args[0])) is not None:
                yield name, node.args[1], line, f"{ast.unparse(func)}()"
        elif func.attr == "update":
            for arg in node.args:
                for name, value in _dict_items(arg):
                    yield name, value, line, f"{ast.unparse(func)}()"
            for kw in node.keywords:
                if kw.arg:
                    yield kw.arg, kw.value, line, f"{ast.unparse(func)}()"
    putenv = isinstance(func, ast.Attribute) and func.attr == "putenv" and len(node.args) == 2
    if putenv and (name := _const(node.args[0])) is not None:
        yield name, node.args[1], line, "os.putenv()"
    callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    for kw in node.keywords:
        if kw.arg and _ENV_IDENT.search(kw.arg):
            for name, value in _dict_items(kw.value):
                yield name, value, line, f"{kw.arg}= of {callee}()"
        elif kw.arg == "name" and callee.endswith("EnvVar") and (name := _const(kw.value)):
            given = (k.value for k in node.keywords if k.arg in ("value", "value_from"))
            value = next(given, None)
            yield name, value, line, f"{callee}(name=...)"


def _k8s_dict(node: ast.Dict) -> Iterator[tuple[str, ast.expr | None, int, str]]:
    """``{"name": "X", "value": v}``: an entry of a Kubernetes container's env list."""
    items = {_const(k): v for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    entry = set(items) in ({"name", "value"}, {"name", "valueFrom"})
    if entry and (name := _const(items["name"])):
        value = items.get("value", items.get("valueFrom"))
        yield name, value, node.lineno, "Kubernetes env entry"


def _tainted(tree: ast.AST, names: set[str]) -> dict[str, set[str]]:
    """For each name, the local variables whose value comes from reading it (transitively:
    ``a = os.getenv("X"); b = a.strip()`` taints both). One pass over the bindings and
    a worklist, so a long chain of assignments costs linear time, not quadratic."""
    users: dict[str, list[set[str]]] = {}  # a variable -> the targets bound from it
    seeds: dict[str, set[str]] = {n: set() for n in names}  # bound from the constant "X"
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            bound = {n for t in node.targets for n in _bound_names(t)}
            value: ast.expr | None = node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            target, value = node.target, node.value
            bound = {target.id} if isinstance(target, ast.Name) else set()
        else:
            continue
        if not bound or value is None:
            continue
        for sub in ast.walk(value):
            if isinstance(sub, ast.Name):
                users.setdefault(sub.id, []).append(bound)
            elif isinstance(sub, ast.Constant) and sub.value in seeds:
                seeds[sub.value] |= bound
    out: dict[str, set[str]] = {}
    for name, seed in seeds.items():
        tainted, todo = set(seed), list(seed)
        while todo:
            for bound in users.get(todo.pop(), ()):
                todo += bound - tainted
                tainted |= bound
        out[name] = tainted
    return out


def _bound_names(target: ast.expr) -> Iterator[str]:
    """The plain names an assignment target binds (not ``env`` in ``env["X"] = ...``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            yield from _bound_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)


def _mentions(node: ast.expr, name: str, tainted: set[str]) -> bool:
    return any(
        (isinstance(n, ast.Constant) and n.value == name)
        or (isinstance(n, ast.Name) and n.id in tainted)
        for n in ast.walk(node)
    )


def _real_value(value: ast.expr | None, name: str, tainted: set[str]) -> bool:
    """A value that is neither empty nor the variable's own setting passed through."""
    if value is None:
        return False  # declared without a value: sets nothing
    if isinstance(value, ast.Constant) and value.value in ("", None):
        return False
    return not _mentions(value, name, tainted)


# --- Go, JavaScript, templates --------------------------------------------------------

_GO_SETENV = re.compile(
    r"""\bos\.Setenv\(\s*"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"\s*,(?P<rest>[^\n]*)"""
)
#: "X=..." in a command's Env list: ``cmd.Env = append(os.Environ(), "X="+v)``,
#: ``Env: []string{"X=1"}``
_GO_ENV_LIST = re.compile(
    r"""\bEnv\s*(?::|=)\s*(?:append\((?:[^()]|\([^()]{0,200}\)){0,4000}\)"""
    r"""|\[\]string\s*\{[^{}]{0,4000}\}|[^\n]*)"""
)
#: a Kubernetes container's env entry built in Go: ``corev1.EnvVar{Name: "X", Value: v}``
_GO_ENV_VAR = re.compile(
    r"""\bEnvVar\s*\{\s*Name:\s*"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"\s*,?(?P<rest>[^}]{0,400})\}"""
)
_GO_PAIR = re.compile(
    r""""(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<rest>[^"\n]*)"(?P<after>[^,)}\n]*)"""
)
_JS_ASSIGN = re.compile(
    r"""\bprocess\.env(?:\.(?P<a>[A-Za-z_$][\w$]*)|\[\s*["'`](?P<b>[A-Za-z_][\w]*)["'`]\s*\])"""
    r"""\s*=(?!=)(?P<rest>[^\n;]*)"""
)
#: bounded: an unclosed object must not make every later ``env: {`` scan to the end
_JS_ENV_OBJECT = re.compile(r"""\benv\s*:\s*\{(?P<body>(?:[^{}]|\{[^{}]{0,400}\}){0,4000})\}""")
_JS_KEY = re.compile(r"""(?:^|[,{\s])["']?(?P<name>[A-Za-z_][\w]*)["']?\s*:(?P<rest>[^,\n]*)""")
_TEMPLATE_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<rest>.*)$")


def _own(rest: str, name: str, text: str) -> bool:
    """True when the value in ``rest`` is empty or passes ``name``'s own setting through:
    it names the variable, or an identifier assigned from a text naming it."""
    value = rest.strip().rstrip(")").strip()
    if value in ("", '""', "''", "``", "undefined", "null"):
        return True
    if re.search(rf"\b{re.escape(name)}\b", value):
        return True
    # the first identifiers only: a value is an expression, not a page of them
    for ident in sorted(set(re.findall(r"\b([A-Za-z_][\w]*)\b", value)))[:16]:
        binding = re.compile(rf"\b{re.escape(ident)}\s*(?::=|=(?!=))[^\n]*\b{re.escape(name)}\b")
        if binding.search(text):
            return True
    return False


def _go(text: str, names: set[str]) -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    for m in _GO_SETENV.finditer(text):
        if m["name"] in names and not _own(m["rest"], m["name"], text):
            out.append((m["name"], line_of(text, m.start()), "os.Setenv()"))
    for m in _GO_ENV_VAR.finditer(text):
        value = re.sub(r"^\s*Value(?:From)?:\s*", "", m["rest"]).rstrip().rstrip(",")
        if m["name"] in names and not _own(value, m["name"], text):
            out.append((m["name"], line_of(text, m.start()), "an EnvVar{Name: ...}"))
    for env in _GO_ENV_LIST.finditer(text):
        for m in _GO_PAIR.finditer(env.group()):
            name, value = m["name"], m["rest"] + m["after"]
            if name in names and not _own(value, name, text):
                out.append((name, line_of(text, env.start()), "an Env list"))
    return out


def _js(text: str, names: set[str]) -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    for m in _JS_ASSIGN.finditer(text):
        name = m["a"] or m["b"]
        if name in names and not _own(m["rest"], name, text):
            out.append((name, line_of(text, m.start()), "process.env.X = ..."))
    for obj in _JS_ENV_OBJECT.finditer(text):
        for m in _JS_KEY.finditer(obj["body"]):
            name = m["name"]
            if name in names and not _own(m["rest"], name, text):
                out.append((name, line_of(text, obj.start()), "an env: {...} object"))
    return out


#: Ruby: ``ENV["X"] = v``, ``ENV['X'] ||= v``, ``ENV.store("X", v)``, to the line's end
_RUBY_SET = re.compile(
    r"\bENV\s*\[\s*[\"'](?P<a>[A-Za-z_][A-Za-z0-9_]*)[\"']\s*\]\s*(?:\|\|)?=(?![=~>])(?P<rest>[^\n]*)"
    r"|\bENV\.store\(\s*[\"'](?P<b>[A-Za-z_][A-Za-z0-9_]*)[\"']\s*,(?P<value>[^\n]*)"
)


def _ruby(text: str, names: set[str]) -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    for m in _RUBY_SET.finditer(text):
        name, rest = (m["a"], m["rest"]) if m["a"] else (m["b"], m["value"])
        if name in names and not _own(rest.split("#", 1)[0], name, text):
            out.append((name, line_of(text, m.start()), 'ENV["X"] = ...'))
    return out


def _template(text: str, names: set[str]) -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _TEMPLATE_LINE.match(line)
        if m and m["name"] in names and not _own(m["rest"], m["name"], ""):
            out.append((m["name"], number, "an env template"))
    return out
