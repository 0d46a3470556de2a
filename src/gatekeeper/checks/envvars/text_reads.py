"""Environment reads in languages other than Python, and in container and CI files.

These are textual scanners: each language's read forms are regular enough that a
pattern per form is exact in practice, and cheap on large diffs. Comments are not
stripped, so a commented-out read still counts (a conservative choice: it is documented
or it is deleted).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Protocol

import yaml

from gatekeeper.checks.envvars import (
    text_ardanconf,
    text_exwrappers,
    text_goff,
    text_gotags,
    text_java,
    text_jsalias,
    text_jsmodules,
    text_konfig,
    text_langs,
    text_names,
    text_nestconfig,
    text_schemas,
    text_spring,
    text_urfave,
    text_viper,
)
from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_names import Constants
from gatekeeper.checks.envvars.text_php import php_reads, symfony_reads
from gatekeeper.checks.envvars.text_ruby import erb_yaml_reads, is_erb_yaml, ruby_reads
from gatekeeper.checks.envvars.text_rust import rust_reads
from gatekeeper.checks.envvars.text_rustconfig import settings_reads
from gatekeeper.checks.envvars.text_rustenvy import envy_reads
from gatekeeper.checks.yamlbound import load_all

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
#: lines longer than this mark a minified bundle, which is not scanned
MINIFIED_LINE = 2000


def _line(text: str, offset: int) -> int:
    return line_of(text, offset)


def _scan(text: str, patterns: list[tuple[re.Pattern[str], str]]) -> list[EnvRead]:
    reads = []
    for pattern, how in patterns:
        for m in pattern.finditer(text):
            reads.append(EnvRead(m.group("name") or "", _line(text, m.start()), how))
    return reads


_JS_DESTRUCTURE = re.compile(r"\{(?P<body>[^{}]*)\}\s*=\s*process\.env\b")


def _no_constants(name: str) -> str | None:
    return None


def js_reads(
    text: str, constants: Constants | None = None, aliases: set[str] | None = None
) -> list[EnvRead]:
    """``process.env.X``, ``process.env[KEY]`` (literal or constant), destructuring,
    ``import.meta.env.X``, ``Deno.env.get``, the file's wrappers of these, the keys of
    the zod or t3-env schema it parses ``process.env`` with, NestJS ``ConfigService.get('X')``
    (text_nestconfig), SvelteKit's, Astro's, env-var's and Vite's environment modules
    (text_jsmodules), and ``alias.X`` for the names
    standing for the whole environment (``aliases``, text_jsalias; the file's own
    ``const env = process.env`` when none are given)."""
    reads = text_names.reads(text, text_names.JS, constants or _no_constants)
    reads += text_schemas.schema_reads(text)
    if aliases is None:
        aliases = text_jsalias.env_bindings(text)[0]
    reads += text_jsalias.alias_reads(text, aliases)
    reads += text_nestconfig.config_service_reads(text)
    reads += text_jsmodules.module_reads(text)
    for m in _JS_DESTRUCTURE.finditer(text):
        line = _line(text, m.start())
        for part in m.group("body").split(","):
            key = part.split(":")[0].split("=")[0].strip()
            if key.startswith("..."):
                reads.append(EnvRead("", line, "process.env rest"))
            elif re.fullmatch(NAME, key):
                reads.append(EnvRead(key, line, "process.env destructuring"))
    return reads


def go_reads(
    text: str,
    constants: Constants | None = None,
    prefixes: Callable[[], dict[str, tuple[str, ...]]] | None = None,
    viper: Callable[[], tuple[text_viper.Setup, ...]] | None = None,
    key_types: Callable[[], set[str]] | None = None,
    wrappers: text_names.Wrappers | None = None,
) -> list[EnvRead]:
    """``os.Getenv`` / ``os.LookupEnv`` with a literal or a constant, wrappers of them, the
    keys a parser of ``os.Environ()`` lines switches on, viper's ``BindEnv``, and the
    flags of urfave/cli and kingpin that name their variables (text_urfave), the
    struct tags of caarlos0/env, go-envconfig and envconfig (text_gotags), after the
    repository's prefixes (``prefixes()``, asked only of a file with such tags); and the
    keys read through viper where the repository calls ``AutomaticEnv`` (text_viper:
    ``viper()`` gives the repository's setups, ``key_types()`` the typed-key types of the
    file's package, each asked only of a file that may read that way). ``wrappers`` are
    the repository's functions the file can call that read the variable their parameter
    names (text_gowrappers). A name with a lower-case letter (``useGroupPathInToken``) read
    through a wrapper is also a configuration key: such helpers read the same key from a
    config file, where it is documented (a direct ``os.Getenv`` reads no file)."""
    reads = _as_keys(text_names.reads(text, text_names.GO, constants or _no_constants, wrappers))
    if text_gotags.libraries(text):
        reads += text_gotags.tag_reads(text, prefixes() if prefixes is not None else {})
    if any(word in text for word in text_urfave.IMPORT_WORDS):
        reads += text_urfave.flag_reads(text, constants or _no_constants)
    if "viper" in text and ".BindEnv(" in text:
        reads += _viper_binds(text, constants or _no_constants)
    if viper is not None and _may_read_viper_keys(text):
        reads += text_viper.viper_reads(text, constants or _no_constants, viper(), key_types)
    return reads + _environ_switch(text) if "os.Environ()" in text else reads


def _as_keys(reads: list[EnvRead]) -> list[EnvRead]:
    return [
        dataclasses.replace(r, keys=(r.name,))
        if r.name and not r.name.isupper() and WRAPPED in r.how
        else r
        for r in reads
    ]


#: what the ``how`` of a read through a wrapper holds (``conf.GetConfigBool() → ...``)
WRAPPED = "() → "


#: a constant of a named type (``DatabaseSchema Key = `database.schema```), which may be
#: a typed viper key whose methods live in another file of the package
_TYPED_STRING = re.compile(r"(?m)^[ \t]*(?:const[ \t]+)?\w+[ \t]+[A-Za-z_]\w*[ \t]*=[ \t]*[\"`]")


def _may_read_viper_keys(text: str) -> bool:
    return text_viper.VIPER_IMPORT in text or _TYPED_STRING.search(text) is not None


_BIND_ENV = re.compile(r"\.BindEnv\((?P<args>[^()]{0,1000})\)")
_GO_STRING = re.compile(r'^"((?:[^"\\\n]|\\.)*)"$')
_ENV_PREFIX = re.compile(r'\.SetEnvPrefix\(\s*"(\w*)"\s*\)')
_DOTS_TO_UNDERSCORES = re.compile(r'\.NewReplacer\(\s*"\."\s*,\s*"_"')


def _viper_binds(text: str, constants: Constants) -> list[EnvRead]:
    """``v.BindEnv("key", "NAME", ...)`` reads each name after the key; ``v.BindEnv("key")``
    reads the key upper-cased, after the file's ``SetEnvPrefix`` (and with dots made
    underscores when the file sets that key replacer; a dotted key is left alone without)."""
    prefix = _ENV_PREFIX.search(text)
    dots = _DOTS_TO_UNDERSCORES.search(text) is not None
    reads = []
    for m in _BIND_ENV.finditer(text):
        args = [a.strip() for a in m.group("args").split(",")]
        values = [_go_value(a, constants) for a in args if a]
        line = _line(text, m.start())
        if len(values) > 1:
            reads += [EnvRead(v or "", line, "viper BindEnv") for v in values[1:]]
        elif values and values[0]:
            name = values[0].replace(".", "_") if dots else values[0]
            if prefix is not None and prefix.group(1):
                name = f"{prefix.group(1)}_{name}"
            if re.fullmatch(NAME, name):
                reads.append(EnvRead(name.upper(), line, "viper BindEnv"))
    return reads


def _go_value(arg: str, constants: Constants) -> str | None:
    """A literal string argument's value, or a constant's; None when neither."""
    m = _GO_STRING.match(arg)
    if m is not None:
        return m.group(1)
    return constants(arg) if re.fullmatch(r"\w+(?:\.\w+)?", arg) else None


_KEY_VALUE_SPLIT = re.compile(r'strings\.(?:SplitN|Cut)\([^,\n]{1,200},[ \t]*"="')
_CASE = re.compile(r"""^[ \t]*case[ \t]+((?:"[A-Z][A-Z0-9_]*"[ \t]*,?[ \t]*)+):""", re.M)


def _environ_switch(text: str) -> list[EnvRead]:
    """``for _, line := range os.Environ() { key, value, _ := strings.Cut(line, "="); switch
    key { case "LOG_LEVEL": ... } }``: each upper-case case label of a function that splits
    KEY=value lines is a variable the program reads."""
    reads = []
    for func in re.finditer(r"(?m)^func\b", text):
        end = text.find("\nfunc ", func.end())
        body = text[func.start() : end if end != -1 else len(text)]
        if not _KEY_VALUE_SPLIT.search(body):
            continue
        for m in _CASE.finditer(body):
            line = _line(text, func.start() + m.start())
            reads += [
                EnvRead(n, line, "os.Environ() switch") for n in re.findall(r'"(\w+)"', m.group(1))
            ]
    return reads


_SH_USE = re.compile(r"\$\{?(?P<name>[A-Z_][A-Z0-9_]*)")
_SH_SET = re.compile(
    r"(?:^|[\s;(])(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*|readonly\s+)?"
    # a subscript stops at the next "[": " x[" repeated would otherwise rescan the file
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]\[\n]{0,256}\])?\+?="
    r"|\bread\s+(?:-\w+\s+)*(?P<read>[A-Za-z_][A-Za-z0-9_ ]*)"
    r"|\bfor\s+(?P<loop>[A-Za-z_][A-Za-z0-9_]*)\s+in\b",
    re.M,
)
_SH_SPECIAL = {
    "IFS",
    "RANDOM",
    "LINENO",
    "SECONDS",
    "BASH_SOURCE",
    "FUNCNAME",
    "PIPESTATUS",
    "BASH_REMATCH",
    "OPTARG",
    "OPTIND",
    "REPLY",
    "EUID",
    "UID",
    "PPID",
    "BASHPID",
}


def shell_reads(text: str) -> list[EnvRead]:
    """Upper-case variables a script uses but never assigns: they come from the environment."""
    assigned = set(_SH_SPECIAL)
    for m in _SH_SET.finditer(text):
        if m.group("name"):
            assigned.add(m.group("name"))
        for group in ("read", "loop"):
            if m.group(group):
                assigned.update(m.group(group).split())
    return [
        EnvRead(m.group("name"), _line(text, m.start()), "shell $VAR")
        for m in _SH_USE.finditer(text)
        if m.group("name") not in assigned
    ]


# [ \t], not \s: with re.M a \s* at each line start would run over every blank line below
_DOCKER = re.compile(r"^[ \t]*(?P<kw>ARG|ENV)[ \t]+(?P<rest>.+)$", re.M | re.I)


#: ARGs Docker itself fills in, never the project's own inputs: BuildKit's automatic
#: platform ARGs and the predefined proxy ARGs (docs.docker.com, Dockerfile reference)
DOCKER_PREDEFINED_ARGS = frozenset(
    {
        *(
            f"{side}{part}"
            for side in ("TARGET", "BUILD")
            for part in ("PLATFORM", "OS", "ARCH", "VARIANT")
        ),
        *(f"{proto}_PROXY" for proto in ("HTTP", "HTTPS", "FTP", "NO", "ALL")),
        *(f"{proto}_proxy" for proto in ("http", "https", "ftp", "no", "all")),
    }
)


def dockerfile_reads(text: str) -> list[EnvRead]:
    """``ARG X`` (a build input) and ``ENV X=...`` (configuration the image sets); an ARG
    Docker predefines (``ARG TARGETOS``) only brings Docker's value into scope."""
    reads = []
    lines = text.splitlines()
    for m in _DOCKER.finditer(text):
        line, kw, rest = _line(text, m.start()), m.group("kw").upper(), m.group("rest")
        if kw == "ARG":
            name = rest.split("=")[0].strip()
            names = [] if name in DOCKER_PREDEFINED_ARGS else [name]
        elif "=" in rest.split()[0]:
            names = [tok.split("=")[0] for tok in rest.split() if "=" in tok]
        else:  # legacy "ENV KEY value"
            names = [rest.split()[0]]
        described = kw == "ARG" and _commented_above(lines, line, names)
        reads += [
            EnvRead(n, line, f"Dockerfile {kw}", described=described)
            for n in names
            if re.fullmatch(NAME, n)
        ]
    return reads


def _commented_above(lines: list[str], line: int, names: list[str]) -> bool:
    """Whether the comment block right above Dockerfile line ``line`` (1-based) names its
    ARG: ``# Pass --build-arg GEOIP_MONTH=YYYY-MM to pin a release`` documents the build
    input where whoever builds the image reads it."""
    start = line - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    block = "\n".join(lines[start : line - 1])
    return any(re.search(rf"(?<![\w$]){re.escape(n)}(?!\w)", block) for n in names)


# A tail never runs past a "$", so the text one failed match scanned is never scanned
# again by the next: "${a:-" or "${{" repeated stays linear. A read nested in a default,
# "${A:-${B}}", is two reads.
_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}\n$]*)?(?=[}$])")
#: an expression's text up to its end or the line's; the names are found inside it
_WORKFLOW_EXPR = re.compile(r"\$\{\{(?P<body>[^}\n]*)")
_WORKFLOW_NAME = re.compile(r"\b(?:vars|secrets)\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


def _yaml_docs(text: str) -> list[object]:
    """The documents of a YAML file; a file that does not parse has none (its ``${X}``
    reads are still found in the text). Aliases are bounded: see :mod:`yamlbound`."""
    try:
        return [d for d in load_all(text) if d is not None]
    except yaml.YAMLError:
        return []


_KEY_LINE = re.compile(rf"^[ \t]*(?:-[ \t]*)?(?:name:[ \t]*)?[\"']?({NAME})", re.M)


def _line_finder(text: str) -> Callable[[str], int]:
    """``find(key)``: the first line that names ``key`` (as a key, a list item or a
    ``name:``), else 1. The lines are indexed in one pass: a search per key would make a
    file with many keys quadratic."""
    first: dict[str, int] = {}
    for m in _KEY_LINE.finditer(text):
        first.setdefault(m.group(1), _line(text, m.start()))

    def find(key: str) -> int:
        return first.get(key, 1)

    return find


def _walk(node: object, skip: str = "") -> Iterator[dict[str, object]]:
    """Every mapping under ``node``, not descending into the value of a ``skip`` key."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if not skip or key != skip:
                yield from _walk(value, skip)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, skip)


def compose_environment(text: str) -> Iterator[tuple[str, str | None, int]]:
    """``(name, value, line)`` of each entry of a compose file's ``environment:`` blocks,
    in a mapping (``X: v``) or a list (``- X=v``); the value None when the entry gives none
    (``X:``, ``- X``). A file that does not parse as YAML has none."""
    find_line = _line_finder(text)
    for doc in _yaml_docs(text):
        for node in _walk(doc):
            env = node.get("environment")
            if isinstance(env, dict):
                entries = [(str(k), None if v is None else str(v)) for k, v in env.items()]
            elif isinstance(env, list):
                entries = [
                    (str(e).partition("=")[0], str(e).partition("=")[2] if "=" in str(e) else None)
                    for e in env
                ]
            else:
                entries = []
            for name, value in entries:
                if re.fullmatch(NAME, name):
                    yield name, value, find_line(name)


def compose_reads(text: str) -> list[EnvRead]:
    """``${X}`` interpolation (read from the host) and services' ``environment:`` keys given
    no value (passed through from the host). A key the file gives a value is assigned
    there, for the container, not something whoever runs it must provide."""
    reads = [
        EnvRead(m.group("name"), _line(text, m.start()), "compose ${X}")
        for m in _INTERPOLATION.finditer(text)
    ]
    reads += [
        EnvRead(name, line, "compose environment")
        for name, value, line in compose_environment(text)
        if value is None
    ]
    return reads


#: how a workflow's ``vars.X``/``secrets.X`` is read: the check weighs it as CI's own
WORKFLOW_READ = "workflow vars/secrets"


def workflow_reads(text: str) -> list[EnvRead]:
    """``vars.X`` and ``secrets.X`` in expressions: what whoever runs the workflow must set.

    The keys of ``env:`` blocks are not reads: the workflow itself assigns them (from an
    expression, a matrix value or a literal) for its own steps, so there is nothing for a
    deployer to provide; the ``vars``/``secrets`` they are built from are counted above.
    """
    return [
        EnvRead(m.group("name"), _line(text, e.start("body") + m.start()), WORKFLOW_READ)
        for e in _WORKFLOW_EXPR.finditer(text)
        for m in _WORKFLOW_NAME.finditer(e.group("body"))
    ]


_ENV_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)env:[ \t]*\n(?P<body>(?:(?P=indent)[ \t-].*\n?|[ \t]*\n)+)", re.M
)
_ENV_NAME = re.compile(rf"-[ \t]*name:[ \t]*[\"']?(?P<name>{NAME})[\"']?[ \t]*$", re.M)


def _template_env_reads(text: str) -> list[EnvRead]:
    # Helm templates are not YAML until rendered; their env blocks still read plainly
    reads = []
    for block in _ENV_BLOCK.finditer(text):
        for m in _ENV_NAME.finditer(block.group("body")):
            offset = block.start("body") + m.start("name")
            reads.append(EnvRead(m.group("name"), _line(text, offset), "kubernetes env"))
    return reads


def kubernetes_reads(text: str) -> list[EnvRead]:
    """Containers' ``env: [{name: X}]`` in Kubernetes manifests and Helm templates."""
    reads: list[EnvRead] = []
    docs = _yaml_docs(text)
    if not docs and "{{" in text:
        return _template_env_reads(text)
    find_line = _line_finder(text)
    for doc in docs:
        for node in _walk(doc):
            if "containers" not in node and "image" not in node:
                continue
            env = node.get("env")
            if isinstance(env, list):
                for item in env:
                    name = item.get("name") if isinstance(item, dict) else None
                    if isinstance(name, str) and re.fullmatch(NAME, name):
                        reads.append(EnvRead(name, find_line(name), "kubernetes env"))
    return reads


class Lookups(Protocol):
    """Where a scanner finds the constants a file uses but does not define (the file's
    neighbours on its side of the change: :class:`~.text_constants.Neighbours`)."""

    def go(self, path: str, text: str) -> Constants:
        """The constants a Go file can name."""

    def js(self, path: str, text: str) -> Constants:
        """The constants a JavaScript/TypeScript file can name."""

    def go_prefixes(self) -> dict[str, tuple[str, ...]]:
        """The prefixes the repository gives Go's struct-tag libraries, per tag key."""

    def go_viper(self) -> tuple[text_viper.Setup, ...]:
        """The repository's viper ``AutomaticEnv`` setups (none: viper keys are no reads)."""

    def go_key_types(self, path: str) -> set[str]:
        """The typed viper key types declared in the package of a Go file."""

    def go_wrappers(self, path: str, text: str) -> text_names.Wrappers:
        """The repository's Go functions a file can call that read the variable named by
        their parameter, by the name the file calls them (``conf.GetConfigString``)."""

    def go_conf(self, path: str) -> list[EnvRead]:
        """The variables ardanlabs/conf reads through what a Go file declares."""

    def js_aliases(self, path: str, text: str) -> set[str]:
        """The names standing for the whole environment in a JavaScript/TypeScript file."""

    def elixir_wrappers(self, path: str, text: str) -> list[EnvRead]:
        """The reads an Elixir file makes by calling one of the repository's helpers
        over ``System.get_env`` with a literal name (text_exwrappers)."""

    def elixir_env_maps(self, text: str) -> list[EnvRead]:
        """The keys an Elixir file's functions read from the environment the repository
        hands them whole (text_exenvmap)."""

    def php_wrappers(self, text: str) -> list[EnvRead]:
        """The reads a PHP file makes by calling one of the repository's helpers over
        ``env()`` with a literal name (text_phpwrappers)."""


#: every textual scanner: (path, text, lookups) -> the reads; those of languages without
#: constants to look up ignore the path and the lookups
Scanner = Callable[[str, str, Lookups], list[EnvRead]]


def _text_only(scan: Callable[[str], list[EnvRead]]) -> Scanner:
    return lambda path, text, lookups: scan(text)


def _js(path: str, text: str, lookups: Lookups) -> list[EnvRead]:
    return js_reads(text, lookups.js(path, text), lookups.js_aliases(path, text))


def _go(path: str, text: str, lookups: Lookups) -> list[EnvRead]:
    reads = go_reads(
        text,
        lookups.go(path, text),
        lookups.go_prefixes,
        lookups.go_viper,
        lambda: lookups.go_key_types(path),
        lookups.go_wrappers(path, text) if _calls_with_literal(text) else None,
    )
    reads += text_goff.ff_reads(text)  # flags peterbourgon/ff also reads from the environment
    # a struct type may be a section of an ardanlabs/conf tree declared elsewhere
    if "struct" in text or text_ardanconf.SEARCH_WORD in text:
        reads += lookups.go_conf(path)
    return reads


_LITERAL_CALL = re.compile(r"\w\(\s*\"")


def _calls_with_literal(text: str) -> bool:
    """Whether a Go file passes a string literal to a call: only then can it read through
    one of the repository's wrappers."""
    return _LITERAL_CALL.search(text) is not None


def _elixir(path: str, text: str, lookups: Lookups) -> list[EnvRead]:
    """``System.get_env`` and the like (text_langs), and the calls of the repository's
    helpers over them with a literal name, for a file that passes one to a call."""
    reads = text_langs.elixir_reads(text)
    if text_exwrappers.MAY_CALL.search(text):
        reads = sorted(reads + lookups.elixir_wrappers(path, text), key=lambda r: r.line)
    if _MAY_READ_KEY.search(text):  # a function handed the whole environment (text_exenvmap)
        reads = sorted(reads + lookups.elixir_env_maps(text), key=lambda r: r.line)
    return reads


#: an Elixir file that may read a key of a map: ``env["X"]``, ``Map.get(env, "X")``
_MAY_READ_KEY = re.compile(r"""\[[ \t]*["'][A-Z_]|Map\.(?:get|fetch!?)\(""")


def _php(path: str, text: str, lookups: Lookups) -> list[EnvRead]:
    """``env()`` and the like (text_php), and the calls of the repository's helpers over
    ``env()`` with a literal name (text_phpwrappers), outside Blade templates."""
    if path.lower().endswith(".blade.php"):
        return php_reads(text, blade=True)
    reads = php_reads(text) + lookups.php_wrappers(text)
    return sorted(reads, key=lambda r: r.line)


_SHELL = _text_only(shell_reads)
_BY_SUFFIX: dict[str, Scanner] = {
    **dict.fromkeys((".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"), _js),
    **dict.fromkeys((".vue", ".svelte"), _js),
    ".go": _go,
    ".rs": _text_only(lambda t: rust_reads(t) + envy_reads(t) + settings_reads(t)),
    ".rb": _text_only(lambda t: ruby_reads(t) + text_konfig.konfig_reads(t)),
    # an ERB view's Ruby is inside <% %> tags; the Ruby patterns start at ``ENV[`` or
    # ``ENV.fetch(``, which the HTML around them does not contain
    ".erb": _text_only(ruby_reads),
    ".java": _text_only(lambda t: text_java.java_reads(t) + text_spring.value_reads(t)),
    ".kt": _text_only(lambda t: text_java.java_reads(t) + text_spring.value_reads(t)),
    ".sh": _SHELL,
    ".bash": _SHELL,
    ".php": _php,
    **{suffix: _text_only(scan) for suffix, scan in text_langs.BY_SUFFIX.items()},
    **dict.fromkeys((".ex", ".exs"), _elixir),
}
_DOCKERFILE = _text_only(dockerfile_reads)
_COMPOSE = _text_only(compose_reads)
_WORKFLOW = _text_only(workflow_reads)
_KUBERNETES = _text_only(kubernetes_reads)
_SYMFONY = _text_only(symfony_reads)
_ERB_YAML = _text_only(erb_yaml_reads)


def _spring_config(path: str, text: str, lookups: Lookups) -> list[EnvRead]:
    """The ``${X}`` reads of an ``application*`` configuration file (text_spring)."""
    return text_spring.config_reads(path, text)


def scanner_for(path: str, text: str) -> Scanner | None:
    """The scanner for a file, by its name and (for YAML) its content."""
    p = PurePosixPath(path)
    name, suffix = p.name.lower(), p.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile"):
        return _DOCKERFILE
    if suffix in (".yml", ".yaml"):
        if name.startswith(("docker-compose", "compose")):
            return _COMPOSE
        if path.startswith(".github/workflows/"):
            return _WORKFLOW
        if is_erb_yaml(text):  # Rails' config/*.yml: ERB evaluated before the YAML is read
            return _ERB_YAML
        if re.search(r"^[ \t]*(?:containers|initContainers):", text, re.M):
            return _KUBERNETES
        if "%env(" in text:  # Symfony's config: parameters read from the environment
            return _SYMFONY
    if "${" in text and (  # Spring's application.yml, a Dropwizard service's config
        text_spring.is_config_file(path) or text_spring.is_dropwizard_config(path, text)
    ):
        return _spring_config
    if suffix == ".xml" and "%env(" in text:  # Symfony's services.xml
        return _SYMFONY
    if not suffix and text.startswith("#!") and re.match(r"#!.*\b(?:ba|z|da|k)?sh\b", text):
        return _SHELL
    return None


def is_minified(text: str) -> bool:
    """A bundle with very long lines is generated code, not something to review."""
    return any(len(line) > MINIFIED_LINE for line in text.splitlines()[:50])
