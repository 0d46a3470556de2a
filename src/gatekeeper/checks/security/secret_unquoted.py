"""Unquoted values in configuration and shell files, for the generic secret rule.

The generic rule (``secret-high-entropy``) reads a quoted value under a secret's name,
which is how code writes a literal. Configuration and shell files write most values bare:
``export API_TOKEN=q8Zr…`` in a script or an ``.envrc``, ``API_TOKEN=q8Zr…`` in an env file
or a compose ``environment:`` list, ``api_token: q8Zr…`` in YAML (a Kubernetes Secret's
``stringData``, a workflow's ``env:``), ``db.password=q8Zr…`` in a ``.properties`` file,
``password = q8Zr…`` in an INI file, ``ENV API_TOKEN=q8Zr…`` in a Dockerfile. This module
finds those assignments; the secrets part judges each value as it judges a quoted one
(placeholders, entropy and character classes, names that say identifier or spell the
value), so the two readers cannot drift apart.

In code a bare value is an expression (``token = request.token``), so only the file types
above are read, and only a whole line that is one assignment: the name is a secret's
word as a whole word (``author`` and ``tokenizer`` are not ``auth`` and ``token``) not
followed by a word that makes the value its metadata (``token_url``, ``secretName``,
``password_min_length``), and the value runs to the end of the line or a comment, with
none of the characters that make it a reference, an expression or a template (``$``,
``{``, ``<``, ``(``, ``[``, quotes, a YAML alias, anchor or tag). A shell default
(``${API_TOKEN:-q8Zr…}``) is judged by its default. Files named as examples or templates
(``config.example.yml``, ``.env.sample``) document settings and are not read this way.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence

from gatekeeper.changes.globs import match_any
from gatekeeper.checks.security.secret_formats import SECRET_NOUN

#: files whose values are written bare: shell, env, YAML, Java properties, INI and other
#: configuration files, package-manager credentials, container builds
UNQUOTED_FILES = (
    "*.sh", "*.bash", "*.zsh", "*.ksh", ".envrc", "*.envrc", ".bashrc", ".zshrc", ".profile",
    ".env", ".env.*", "*.env",
    "*.yml", "*.yaml", "*.properties", "*.ini", "*.cfg", "*.conf", "*.cnf",
    ".npmrc", ".pypirc",
    "Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile",
)  # fmt: skip
#: a first line that runs the file with a POSIX shell
_SHELL_SHEBANG = re.compile(r"#!\s*/\S*/(?:env\s+)?(?:ba|z|k|da)?sh\b")
#: a part of a file's name that makes it an example (``config.example.yml``,
#: ``.env.sample``, ``application.properties.dist``)
_EXAMPLE_PART = re.compile(r"(?:example|sample|template|tmpl|tpl|dist)s?", re.IGNORECASE)
#: folders of examples, and of translations, whose values are text in some language
#: (rubygems' ``config/locales/de.yml``: ``api_key_permissions: API-Schlüsselrechte``)
_NOT_SETTINGS = (
    "**/example/**", "**/examples/**", "**/sample/**", "**/samples/**",
    "**/locales/**", "**/locale/**", "**/i18n/**", "**/l10n/**", "**/lang/**",
    "**/translations/**", "i18n.*", "messages*.properties",
)  # fmt: skip


def reads_unquoted(path: str, lines: Sequence[str]) -> bool:
    """Whether bare values in ``path`` are read: a configuration or shell file (by name,
    or a script by its ``#!`` line) whose name or folder does not say it is an example
    or a translation."""
    name = path.rsplit("/", 1)[-1]
    if any(_EXAMPLE_PART.fullmatch(part) for part in re.split(r"[._-]", name)):
        return False
    if match_any(path, _NOT_SETTINGS):
        return False
    return match_any(path, UNQUOTED_FILES) or bool(lines and _SHELL_SHEBANG.match(lines[0]))


#: what a bare value may hold: no blank, quote or backquote, and none of the characters
#: of a reference, a template, an expression or a YAML collection (``$``, ``{``, ``<``,
#: ``(``, ``[``, ``,``, ``|``, ``;``, ``\``)
_BARE = r"[^\s\"'`$<>{}()\[\];,|\\]"
_ASSIGNMENT = re.compile(
    # a YAML list item (a compose ``environment:`` list), a shell or Dockerfile keyword
    r"^[ \t]*(?:-[ \t]+)?(?:(?:export|readonly|local|declare(?:[ \t]+-[A-Za-z]+)*|ENV|ARG)"
    r"[ \t]+)?"
    # a registry's scope before an .npmrc setting (``//registry.npmjs.org/:_authToken``)
    r"(?://[^\s=]{1,200}:)?"
    r"[\"']?([A-Za-z_][A-Za-z0-9_.-]{0,80})[\"']?"
    # ``=`` (shell, env, INI, properties) or YAML's ``:`` and a blank
    r"(?:[ \t]*=[ \t]*|[ \t]*:[ \t]+)"
    # a bare value, or a shell default ``${NAME:-value}`` judged by its default; a value
    # never starts like a YAML tag, anchor or alias, a path, a flag or a comment
    rf"(?:\$\{{[A-Za-z_][A-Za-z0-9_]*:?[-=](?P<default>{_BARE}{{8,256}})\}}"
    rf"|(?P<bare>(?![!&*@%=:~/.#-]){_BARE}{{8,256}}))"
    r"[ \t]*(?:[#;].*)?$"
)
#: the words of a name, lower-cased: camelCase boundaries and separators split them
_NAME_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
#: a secret's word closing a word of the name (``token``, ``authtoken``, ``oauth``,
#: ``client_secret``), not one starting a longer word (``author``, ``tokenizer``)
_NOUN_WORD = re.compile(rf"(?:^|_)[a-z0-9]*?{SECRET_NOUN}s?(?=_|$)")
#: words after the secret's that make the value what describes or locates it
_METADATA = frozenset(
    {
        "url", "uri", "urls", "endpoint", "endpoints", "host", "hostname", "domain", "port",
        "path", "paths", "file", "filename", "files", "dir", "directory", "folder", "name",
        "names", "type", "types", "kind", "id", "ids", "uuid", "arn", "length", "len", "size",
        "ttl", "expiry", "expires", "expire", "expiration", "expired", "timeout", "lifetime",
        "age", "duration", "interval", "period", "version", "versions", "policy", "field",
        "fields", "header", "headers", "param", "params", "parameter", "prefix", "suffix", "env",
        "var", "vars", "variable", "ref", "refs", "reference", "mode", "method", "methods",
        "provider", "providers", "strategy", "scheme", "schema", "scope", "scopes", "issuer",
        "audience", "algorithm", "alg", "algo", "format", "count", "limit", "max", "min",
        "enabled", "enable", "disabled", "required", "hint", "label", "title", "text",
        "description", "desc", "message", "msg", "error", "errors", "address", "contract",
        "symbol", "decimals", "location", "user", "username", "login", "email", "regex", "pattern",
        "template", "route", "page", "view", "button", "link", "icon", "class", "style", "store",
        "storage", "cache", "table", "column", "index", "mount", "volume", "source", "src",
        "generator", "rotation", "manager", "service", "selector", "annotation", "annotations",
        "templates", "placeholder", "mask", "encoding", "charset", "rules", "rule", "validator",
        "validation", "strength", "lock", "locked", "exchange", "domains", "hosts", "ports",
        "emails", "users", "whitelist", "allowlist", "blacklist", "denylist",
        # a hash or a salt is kept instead of the secret (``GRAYLOG_ROOT_PASSWORD_SHA2``)
        "hash", "hashed", "hashes", "digest", "sha", "md5", "checksum", "fingerprint",
    }
)  # fmt: skip
#: words a secret's name may have after the secret's own (``SECRET_KEY_BASE``,
#: ``DB_PASSWORD_PROD``); more say the name is about something else
#: (``OAUTH2_PROXY_WHITELIST_DOMAINS``)
_MAX_WORDS_AFTER = 2


def secret_name(name: str) -> bool:
    """True when ``name`` says its value is a secret: a secret's word ends one of its
    words, and no word after the last such one says the value is metadata about it
    (``token_url``, ``secretName``, ``PASSWORD_MIN_LENGTH``)."""
    words = "_".join(w.lower() for w in _NAME_WORDS.findall(name))
    last = None
    for m in _NOUN_WORD.finditer(words):
        last = m
    if last is None:
        return False
    after = [w for w in words[last.end() :].split("_") if w and not w.isdigit()]
    return len(after) <= _MAX_WORDS_AFTER and not any(w in _METADATA for w in after)


#: a secret store's reference: 1Password's ``op://vault/item/field``, an AWS ARN
#: (``arn:aws:secretsmanager:…:secret:prod/db-AbCdEf``)
_OP_REFERENCE = re.compile(r"op://([\w.-]+(?:/[\w .-]+){1,3})")
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12})?:([\w./:+=@-]+)")
#: Symfony's env parameter, ``%env(string:default:saml.key:SAML_SP_PRIVATE_KEY)%``:
#: processors, their arguments and the variable's name, filled in from the environment
_SYMFONY_ENV = re.compile(r"%env\(([\w.\\-]+(?::[\w.\\-]+){0,8})\)%")
#: a path under a Symfony parameter, ``%kernel.project_dir%/uploads/oauth_private.key``
_SYMFONY_PATH = re.compile(r"%([\w.]{1,100})%((?:/[\w.-]{1,100}){1,12})")


def reference_parts(value: str) -> list[str] | None:
    """The names a secret store's reference is made of (vault, item, field; an ARN's
    resource without the random suffix Secrets Manager adds; a Symfony env parameter's
    processors and variable), to be judged as names; None when the value is no such
    reference."""
    m = _OP_REFERENCE.fullmatch(value) or _ARN.fullmatch(value)
    if m is None:
        env = _SYMFONY_ENV.fullmatch(value) or _SYMFONY_PATH.fullmatch(value)
        return None if env is None else re.split(r"[:./]", "".join(env.groups()))
    body = re.sub(r"-[A-Za-z0-9]{6}$", "", m.group(1)) if value.startswith("arn:") else m.group(1)
    return [part for part in re.split(r"[/:]", body) if part]


def unquoted_assignments(line: str) -> Iterator[tuple[str, str]]:
    """The ``(name, value)`` a line assigns bare under a secret's name, if it is one."""
    m = _ASSIGNMENT.match(line)
    if m is None or not secret_name(m.group(1)):
        return
    yield m.group(1), m.group("default") or m.group("bare")


#: standard base64 with its padding, as a Kubernetes Secret's ``data:`` holds values
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
#: printable ASCII text, what a password or a word decodes to
_TEXT = re.compile(r"[\x20-\x7e]+")


def base64_text(value: str) -> str | None:
    """The text a base64 value encodes (``cGFzc3dvcmQ=`` is ``password``), or None when it
    is not base64 of printable text: random bytes, which a generated key encodes, seldom
    decode to printable ASCII, and never for long."""
    if len(value) % 4 or not _BASE64.fullmatch(value):
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text if _TEXT.fullmatch(text) else None
